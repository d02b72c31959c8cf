"""Rate schedules set by a supervisor on screens: a new schedule for a service and rate class
from a date, with its usage blocks, fixed charges by meter size, surcharges and refuse prices,
checked and stored in one transaction with its audit row. A schedule is never edited: a change
of rates is a new schedule from a later date, and one added by mistake is withdrawn through the
core's `config_withdraw` before anything used it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from revenue import services as core

from .. import rules
from ..models import FixedCharge, RateBlock, RateSchedule, RefuseRate, Service, Surcharge

ADD_PERMISSION = "utility_billing.add_rateschedule"
M = RateSchedule.Method
PRICE_MAX = Decimal("999999.9999")  # what a price per unit column holds


@dataclass(frozen=True)
class SurchargeRow:
    name: str
    per_unit: Decimal
    per_month: Decimal


@dataclass(frozen=True)
class RefuseRow:
    container_gallons: int
    pickups_per_week: int
    per_month: Decimal


def _amount(value, what: str) -> Decimal:
    return core.money(value if value not in (None, "") else "0", field=what, allow_zero=True)


def _price(value, what: str) -> Decimal:
    price = Decimal(value or 0)
    if price < 0:
        raise rules.RateTableInvalid(f"{what} cannot be negative.")
    if price > PRICE_MAX or price != price.quantize(Decimal("0.0001")):
        raise rules.RateTableInvalid(
            f"{what} must be at most {PRICE_MAX:,} with at most four decimal places."
        )
    return price


def _check_method(service: Service, method: str) -> None:
    if method not in M.values:
        raise core.RevenueError(f"There is no rate method called {method!r}.")
    sewer_methods = (M.SEWER_SHARE, M.SEWER_WINTER)
    if method in sewer_methods and service.kind != Service.Kind.SEWER:
        raise core.RevenueError(f"{M(method).label} is a sewer method; {service} is not a sewer service.")
    if method == M.REFUSE and service.kind != Service.Kind.REFUSE:
        raise core.RevenueError(f"Pricing by container is for refuse; {service} is not a refuse service.")


def _blocks(method: str, rows: list[tuple]) -> list[rules.Block]:
    typed = [r for r in rows if any(str(v or "").strip() for v in r)]
    if method == M.TIERED:
        return rules.blocks_from_rows(typed)
    if typed and method in (M.SEWER_SHARE, M.SEWER_WINTER):
        return rules.blocks_from_rows(typed)
    if typed:
        raise rules.RateTableInvalid(
            f"Usage blocks are for tiered rates and sewer; a {M(method).label.lower()} schedule takes none."
        )
    return []


def _refuse(method: str, rows: list[RefuseRow]) -> list[RefuseRow]:
    if method != M.REFUSE:
        if rows:
            raise rules.RateTableInvalid(
                "Refuse prices are for a refuse schedule (by container and pickups)."
            )
        return []
    if not rows:
        raise rules.RateTableInvalid(
            "Enter at least one refuse price: cart gallons, pickups a week, per month."
        )
    seen = set()
    for row in rows:
        if row.container_gallons <= 0 or row.pickups_per_week <= 0:
            raise rules.RateTableInvalid(
                "A refuse price needs the cart's gallons and pickups a week (more than 0)."
            )
        key = (row.container_gallons, row.pickups_per_week)
        if key in seen:
            raise rules.RateTableInvalid(
                f"The {row.container_gallons}-gallon cart picked up {row.pickups_per_week} a week is priced twice."
            )
        seen.add(key)
    return rows


@transaction.atomic
def rate_schedule_add(
    *,
    service: Service,
    rate_class,
    effective_from: datetime.date,
    method: str,
    acting_user,
    unit_price=0,
    block_basis: str = RateSchedule.BlockBasis.FIXED,
    minimum_charge=0,
    fixed_per_dwelling_unit: bool = False,
    flat_amount=0,
    sewer_share_percent=100,
    winter_months: str = "12,1,2",
    winter_default_usage=0,
    blocks: list[tuple] = (),
    fixed: list[tuple] = (),
    surcharges: list[SurchargeRow] = (),
    refuse: list[RefuseRow] = (),
) -> RateSchedule:
    """A new schedule from `effective_from` (today or later: a period already billed keeps its
    rates) with its rows. `blocks` are the rows as typed (from, to, price); `fixed` (meter size
    or None for any size / per dwelling unit, amount). Refused with a sentence, nothing stored,
    when anything does not add up."""
    if not acting_user.has_perm(ADD_PERMISSION):
        raise core.NotAllowed("Only a Revenue Supervisor sets utility rates.")
    _check_method(service, method)
    today = core.city_today()
    if effective_from < today:
        raise core.RevenueError(
            f"A new rate takes effect today ({today:%m/%d/%Y}) or later: periods already billed keep their rates."
        )
    if RateSchedule.objects.filter(
        service=service, rate_class=rate_class, effective_from=effective_from
    ).exists():
        raise core.RevenueError(
            f"{service} for {rate_class} already has a schedule from {effective_from:%m/%d/%Y}: "
            "withdraw it first to replace it."
        )
    block_list = _blocks(method, list(blocks))
    refuse_rows = _refuse(method, list(refuse))
    percent = Decimal(sewer_share_percent or 0)
    if not (0 <= percent <= 100):
        raise rules.RateTableInvalid("The sewer share is a percentage from 0 to 100.")
    if method == M.SEWER_WINTER:
        winter_months = ",".join(str(m) for m in rules.parse_months(winter_months))
    fixed_rows = [
        (size, _amount(amount, f"The fixed charge for {size or 'any size'}")) for size, amount in fixed
    ]
    fixed_rows = [(size, amount) for size, amount in fixed_rows if amount > 0]
    if fixed_per_dwelling_unit and not any(size is None for size, _a in fixed_rows):
        raise rules.RateTableInvalid(
            "A fixed charge per dwelling unit needs its amount (the “any size” row)."
        )
    schedule = RateSchedule.objects.create(
        service=service,
        rate_class=rate_class,
        effective_from=effective_from,
        method=method,
        unit_price=_price(unit_price, "The price per unit"),
        block_basis=block_basis,
        minimum_charge=_amount(minimum_charge, "The minimum charge"),
        fixed_per_dwelling_unit=fixed_per_dwelling_unit,
        flat_amount=_amount(flat_amount, "The flat amount"),
        sewer_share_percent=percent,
        winter_months=winter_months,
        winter_default_usage=Decimal(winter_default_usage or 0),
        created_by=acting_user,
    )
    RateBlock.objects.bulk_create(
        RateBlock(schedule=schedule, start=b.start, price=_price(b.price, f"The price from {b.start}"))
        for b in block_list
    )
    FixedCharge.objects.bulk_create(
        FixedCharge(schedule=schedule, meter_size=size, amount=amount) for size, amount in fixed_rows
    )
    _add_surcharges(schedule, surcharges)
    RefuseRate.objects.bulk_create(
        RefuseRate(
            schedule=schedule,
            container_gallons=r.container_gallons,
            pickups_per_week=r.pickups_per_week,
            per_month=_amount(r.per_month, f"The price of the {r.container_gallons}-gallon cart"),
        )
        for r in refuse_rows
    )
    core.audit(
        actor=acting_user, action="utility.rate_schedule_added", obj=schedule, after=schedule_facts(schedule)
    )
    return schedule


def _add_surcharges(schedule: RateSchedule, rows: list[SurchargeRow]) -> None:
    made = []
    for row in rows:
        name = (row.name or "").strip()
        if not name:
            raise rules.RateTableInvalid("A surcharge needs a name (as printed on the bill).")
        per_unit = _price(row.per_unit, f"{name}: the amount per unit")
        per_month = _amount(row.per_month, f"{name}: the amount per month")
        if not per_unit and not per_month:
            raise rules.RateTableInvalid(f"{name}: enter an amount per unit or per month.")
        made.append(Surcharge(schedule=schedule, name=name[:60], per_unit=per_unit, per_month=per_month))
    Surcharge.objects.bulk_create(made)


def schedule_facts(schedule: RateSchedule) -> dict:
    """What the audit row keeps of a schedule: its terms and every row hanging off it."""
    return {
        "service": schedule.service.code,
        "rate_class": schedule.rate_class.code,
        "effective_from": schedule.effective_from.isoformat(),
        "method": schedule.method,
        "unit_price": str(schedule.unit_price),
        "block_basis": schedule.block_basis,
        "minimum_charge": str(schedule.minimum_charge),
        "fixed_per_dwelling_unit": schedule.fixed_per_dwelling_unit,
        "flat_amount": str(schedule.flat_amount),
        "sewer_share_percent": str(schedule.sewer_share_percent),
        "winter_months": schedule.winter_months,
        "winter_default_usage": str(schedule.winter_default_usage),
        "blocks": [[str(b.start), str(b.price)] for b in schedule.blocks.all()],
        "fixed": [[str(f.meter_size or ""), str(f.amount)] for f in schedule.fixed_charges.all()],
        "surcharges": [[s.name, str(s.per_unit), str(s.per_month)] for s in schedule.surcharges.all()],
        "refuse": [
            [r.container_gallons, r.pickups_per_week, str(r.per_month)] for r in schedule.refuse_rates.all()
        ],
    }
