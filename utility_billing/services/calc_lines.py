"""The lines of one service in a calculation: its fixed charge, its usage (or flat, or refuse)
charge, its surcharges and the minimum, for each stretch of days priced by one schedule. The
arithmetic is `utility_billing.rules`; each line's amount is rounded to the cent once there."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

from .. import rules
from ..models import MeterInstallation, RateSchedule
from .calc import Calculation, RateMissing, premise_installations, winter_average_of

M = RateSchedule.Method
USAGE_METHODS = {M.UNIFORM, M.TIERED, M.SEWER_SHARE, M.SEWER_WINTER}


def num(value: Decimal) -> str:
    """A quantity as printed: 10 not 10.00, 12.5 not 12.50."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def _dates(start: datetime.date, end: datetime.date) -> str:
    return f"{start:%m/%d/%Y}–{end:%m/%d/%Y}"


def price_service(
    calc: Calculation, row, segments: list[tuple[RateSchedule, datetime.date, datetime.date]]
) -> None:
    """Add the service's lines: per segment fixed, usage and surcharges; then the minimum."""
    service = row.service
    days = [rules.days_between(s, e) for _sch, s, e in segments]
    uncovered = calc.served_days - sum(days)
    usages = rules.split_usage(calc.usage, days + ([uncovered] if uncovered > 0 else []))[: len(days)]
    several = len(segments) > 1
    charged = minimum = rules.ZERO
    for (schedule, start, end), usage in zip(segments, usages, strict=True):
        months = rules.month_fraction(start, end)
        note = f" (rates from {schedule.effective_from:%m/%d/%Y})" if several else ""
        first = len(calc.lines)
        _fixed(calc, service, schedule, start, end, months, note)
        units = _usage(calc, row, schedule, (start, end), usage, months, note)
        charged += sum((ln.amount for ln in calc.lines[first:]), rules.ZERO)
        _surcharges(calc, service, schedule, units, months, note)
        minimum += rules.monthly_prorated(schedule.minimum_charge, months)
    top_up = rules.minimum_top_up(charged, minimum)
    if minimum > 0 and top_up > 0:
        calc.add(
            service,
            segments[-1][0],
            f"{service} minimum charge {minimum:,.2f} (charges above come to {charged:,.2f})",
            1,
            top_up,
            top_up,
        )


# ---- fixed ------------------------------------------------------------------------------------


def _meters_in_place(calc: Calculation, start, end) -> list[MeterInstallation]:
    """The meters at the premise on the segment's last day; else the last one in the segment.
    From the reads already gathered when there are any (no second query)."""
    if calc.reads:
        installs = [r.installation for r in calc.reads]
    else:
        installs = premise_installations(calc.account.premise, end, after=start - datetime.timedelta(days=1))
    installs = [
        i for i in installs if i.installed_on <= end and (i.removed_on is None or i.removed_on >= start)
    ]
    in_place = [i for i in installs if i.removed_on is None or i.removed_on > end]
    return in_place or installs[-1:]


def _fixed(calc, service, schedule, start, end, months: Fraction, note: str) -> None:
    rows = list(schedule.fixed_charges.all())
    if not rows:
        return
    any_size = next((r for r in rows if r.meter_size_id is None), None)
    shown = rules.months_shown(months)
    if schedule.fixed_per_dwelling_unit:
        if any_size is None:
            raise RateMissing(f"{schedule} is per dwelling unit but has no amount without a meter size.")
        units = calc.account.premise.dwelling_units
        amount = rules.monthly_prorated(any_size.amount * units, months)
        calc.add(
            service,
            schedule,
            f"{service} fixed charge, {units} dwelling unit{'s' if units != 1 else ''}, {_dates(start, end)}{note}",
            shown * units,
            any_size.amount,
            amount,
        )
        return
    sized = any(r.meter_size_id is not None for r in rows)
    installs = _meters_in_place(calc, start, end) if sized else []
    for inst in installs or [None]:
        size = inst.meter.size if inst else None
        row = next((r for r in rows if size is not None and r.meter_size_id == size.pk), any_size)
        if row is None:
            raise RateMissing(f"{schedule} has no fixed charge for a {size} meter.")
        what = f"{size} meter" if size else "service"
        calc.add(
            service,
            schedule,
            f"{service} fixed charge, {what}, {_dates(start, end)}{note}",
            shown,
            row.amount,
            rules.monthly_prorated(row.amount, months),
        )


# ---- usage ------------------------------------------------------------------------------------


def _usage(calc, row, schedule, span, usage: Decimal, months: Fraction, note: str) -> Decimal:
    """The usage (or flat, or refuse) lines of one segment; returns the units billed."""
    service = row.service
    if schedule.method == M.FLAT:
        amount = rules.monthly_prorated(schedule.flat_amount, months)
        calc.add(
            service,
            schedule,
            f"{service}, {_dates(*span)}{note}",
            rules.months_shown(months),
            schedule.flat_amount,
            amount,
        )
        return rules.ZERO
    if schedule.method == M.REFUSE:
        _refuse(calc, row, schedule, span, months, note)
        return rules.ZERO
    units, label = usage, "usage"
    if schedule.method == M.SEWER_SHARE:
        units = rules.sewer_share_usage(usage, schedule.sewer_share_percent)
        label = f"{num(schedule.sewer_share_percent)}% of water usage {num(usage)}"
    elif schedule.method == M.SEWER_WINTER:
        average, calc.winter_note = winter_average_of(calc.account, schedule, calc.period_start)
        units = rules.sewer_winter_usage(
            water_usage=usage, average_per_month=average, months=months, percent=schedule.sewer_share_percent
        )
        label = f"on the winter average {num(average)} a month (water used {num(usage)})"
    days = rules.days_between(*span)
    _price_units(calc, service, schedule, units, label, days, note)
    return units


def _price_units(calc, service, schedule, units: Decimal, label: str, days: int, note: str) -> None:
    blocks = [rules.Block(b.start, b.price) for b in schedule.blocks.all()]
    word = calc.unit_word
    if schedule.method == M.UNIFORM or not blocks:
        amount = rules.uniform_charge(units, schedule.unit_price)
        calc.add(
            service,
            schedule,
            f"{service} {label}: {num(units)} {word}{note}",
            units,
            schedule.unit_price,
            amount,
        )
        return
    scale = rules.block_scale(
        schedule.block_basis,
        dwelling_units=calc.account.premise.dwelling_units,
        segment_days=days,
        served_days=calc.served_days,
    )
    parts = rules.tiered_charge(units, blocks, scale=scale)
    if not parts:
        calc.add(
            service, schedule, f"{service} {label}: 0 {word}{note}", rules.ZERO, blocks[0].price, rules.ZERO
        )
    for part in parts:
        if part.units < 0:
            what = f"credit, {num(-part.units)} {word} at the first block's price"
        else:
            upper = f"{num(part.end)}" if part.end is not None else "up"
            what = f"{num(part.start)}–{upper} {word}: {num(part.units)}"
        calc.add(
            service, schedule, f"{service} {label}, block {what}{note}", part.units, part.price, part.amount
        )


def _refuse(calc, row, schedule, span, months: Fraction, note: str) -> None:
    gallons, pickups = row.container_gallons, row.pickups_per_week or 1
    price = next(
        (
            r
            for r in schedule.refuse_rates.all()
            if r.container_gallons == gallons and r.pickups_per_week == pickups
        ),
        None,
    )
    if price is None:
        raise RateMissing(
            f"{schedule} has no price for a {gallons or '?'}-gallon cart picked up {pickups} time(s) a week."
        )
    calc.add(
        row.service,
        schedule,
        f"{row.service}, {gallons}-gallon cart, {pickups} pickup{'s' if pickups != 1 else ''} a week, "
        f"{_dates(*span)}{note}",
        rules.months_shown(months),
        price.per_month,
        rules.monthly_prorated(price.per_month, months),
    )


def _surcharges(calc, service, schedule, units: Decimal, months: Fraction, note: str) -> None:
    for s in schedule.surcharges.all():
        if s.per_unit and units:
            calc.add(
                service,
                schedule,
                f"{s.name}: {num(units)} {calc.unit_word}{note}",
                units,
                s.per_unit,
                rules.round_money(units * s.per_unit),
            )
        if s.per_month:
            calc.add(
                service,
                schedule,
                f"{s.name}{note}",
                rules.months_shown(months),
                s.per_month,
                rules.monthly_prorated(s.per_month, months),
            )
