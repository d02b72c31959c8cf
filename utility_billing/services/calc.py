"""The calculation of one account's bill for a period, line by line, before anything is posted:
read-only (no writes). The arithmetic is `utility_billing.rules`; this module reads the account,
its services, the premise's meters and reads, and the rate schedules in force, and lays the lines
out. A bill run, a final bill and the supervisor's preview all call `calculate`.

Reads: for each installation of the premise's meters overlapping the days the account was served,
the read that closes the period is the last live (accepted) read on or before the period's last
day served; the read that opens it is the last live read before the period's first day (the one
that closed the period before; periods are inclusive of both dates), or, for an account that moved
in during the period, the last on or before the move-in day (the read-in), or the install read of
a meter installed during the period. A removed meter closes at its removal read."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from revenue import services as core

from .. import rules
from ..models import AccountService, MeterInstallation, RateSchedule, Reading, ServiceAccount

ONE_DAY = datetime.timedelta(days=1)
UNIT_WORDS = {"hcf": "HCF", "gal": "gallons", "kgal": "thousand gallons"}
EXCEPTION_CODES = ("no_read", "estimate", "zero", "negative", "high")


class RateMissing(core.RevenueError):
    """No rate schedule (or no price in it) for something the account must be billed."""


@dataclass
class CalcLine:
    service: object
    schedule: object | None
    description: str
    quantity: Decimal
    rate: Decimal
    amount: Decimal
    sort_order: int


@dataclass
class MeterRead:
    """One installation's reads for the period, as the preview shows them."""

    installation: MeterInstallation
    open_value: int
    open_on: datetime.date
    open_kind: str
    close_value: int
    close_on: datetime.date
    close_kind: str
    usage: Decimal
    fresh: bool  # a read was taken (or estimated) in the period

    @property
    def meter(self):
        return self.installation.meter


@dataclass
class Calculation:
    account: ServiceAccount
    period_start: datetime.date
    period_end: datetime.date
    served_from: datetime.date | None = None
    served_to: datetime.date | None = None
    lines: list[CalcLine] = field(default_factory=list)
    usage: Decimal = rules.ZERO
    estimated: bool = False
    exceptions: list[str] = field(default_factory=list)
    reads: list[MeterRead] = field(default_factory=list)
    unit_word: str = "units"
    winter_note: str = ""

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), rules.ZERO)

    @property
    def served_days(self) -> int:
        if self.served_from is None:
            return 0
        return rules.days_between(self.served_from, self.served_to)

    def add(self, service, schedule, description, quantity, rate, amount) -> None:
        self.lines.append(
            CalcLine(service, schedule, description, Decimal(quantity), rate, amount, len(self.lines) + 1)
        )

    def flag(self, code: str) -> None:
        if code not in self.exceptions:
            self.exceptions.append(code)


# ---- reads ------------------------------------------------------------------------------------


def _live(installation):
    return Reading.objects.filter(installation=installation, status=Reading.Status.ACCEPTED)


def _installation_usage(
    inst: MeterInstallation, open_by: datetime.date, close_by: datetime.date
) -> MeterRead:
    opening = _live(inst).filter(read_on__lte=open_by).order_by("-read_on", "-pk").first()
    if opening is not None:
        open_value, open_on, open_kind = opening.value, opening.read_on, opening.kind
    else:
        open_value, open_on, open_kind = inst.install_read, inst.installed_on, Reading.Kind.INSTALL
    closing = (
        _live(inst).filter(read_on__lte=close_by, read_on__gt=open_on).order_by("-read_on", "-pk").first()
    )
    if closing is not None:
        close_value, close_on, close_kind, fresh = closing.value, closing.read_on, closing.kind, True
    elif (
        inst.removed_on is not None
        and open_on <= inst.removed_on <= close_by
        and inst.removal_read is not None
    ):
        close_value, close_on, close_kind, fresh = (
            inst.removal_read,
            inst.removed_on,
            Reading.Kind.REMOVAL,
            True,
        )
    else:
        close_value, close_on, close_kind, fresh = open_value, open_on, open_kind, False
    usage = rules.meter_usage(
        start_read=open_value,
        end_read=close_value,
        dials=inst.meter.dials,
        multiplier=inst.meter.multiplier,
        start_is_estimate=open_kind == Reading.Kind.ESTIMATE,
    )
    return MeterRead(inst, open_value, open_on, open_kind, close_value, close_on, close_kind, usage, fresh)


def premise_reads(premise, *, open_by: datetime.date, close_by: datetime.date) -> list[MeterRead]:
    """Each installation at the premise in service between the day after `open_by` and `close_by`,
    with its opening and closing reads and the usage between them."""
    installations = (
        MeterInstallation.objects.filter(premise=premise, installed_on__lte=close_by)
        .exclude(removed_on__lte=open_by)
        .select_related("meter", "meter__size")
        .order_by("installed_on", "pk")
    )
    return [_installation_usage(inst, open_by, close_by) for inst in installations]


def _opening_day(account, period_start: datetime.date) -> datetime.date:
    """The day whose last read opens the period: the read-in for an account that moved in during
    it, else the day before the period (the read that closed the previous one)."""
    return account.move_in if account.move_in >= period_start else period_start - ONE_DAY


def _read_meters(calc: Calculation, account) -> None:
    calc.reads = premise_reads(
        account.premise, open_by=_opening_day(account, calc.period_start), close_by=calc.served_to
    )
    calc.usage = sum((r.usage for r in calc.reads), rules.ZERO)
    if calc.reads:
        calc.unit_word = UNIT_WORDS.get(calc.reads[-1].meter.unit, "units")
    if not any(r.fresh for r in calc.reads):
        calc.flag("no_read")
        return
    if any(r.fresh and r.close_kind == Reading.Kind.ESTIMATE for r in calc.reads):
        calc.estimated = True
        calc.flag("estimate")
    if calc.usage == 0:
        calc.flag("zero")
    elif calc.usage < 0:
        calc.flag("negative")


def winter_average_of(account, schedule: RateSchedule, before: datetime.date) -> tuple[Decimal, str]:
    """The account's average water units per month over the last winter before `before` (the
    period's first day), or the schedule's default for an account without one (moved in after the winter
    began, or no read in it). Returns the figure and a sentence saying where it came from."""
    months = rules.parse_months(schedule.winter_months)
    start, end = rules.winter_window(months, before)
    default = schedule.winter_default_usage
    if account.move_in > start:
        return default, f"New account: {default} a month until it has a winter average"
    open_by = start - ONE_DAY if account.move_in < start else account.move_in
    reads = [r for r in premise_reads(account.premise, open_by=open_by, close_by=end) if r.fresh]
    if not reads:
        return default, f"No reads last winter: {default} a month"
    usage = sum((r.usage for r in reads), rules.ZERO)
    average = rules.winter_average(usage, min(r.open_on for r in reads), max(r.close_on for r in reads))
    return average, f"Winter average {start:%m/%Y}–{end:%m/%Y}: {average} a month"


# ---- services and schedules -------------------------------------------------------------------


def _service_spans(account, start, end):
    """Each service the account takes within [start, end], with the days it took it."""
    rows = (
        AccountService.objects.filter(account=account, starts_on__lte=end)
        .exclude(ends_on__lt=start)
        .select_related("service")
        .order_by("service__sort_order", "service__code", "starts_on")
    )
    return [(row, max(start, row.starts_on), min(end, row.ends_on or end)) for row in rows]


def schedule_segments(
    service, rate_class, start, end
) -> list[tuple[RateSchedule, datetime.date, datetime.date]]:
    """The stretches of [start, end] each priced by one schedule: the one in force on the first
    day, cut wherever a later one takes effect."""
    rows = list(
        RateSchedule.objects.filter(service=service, rate_class=rate_class, effective_from__lte=end)
        .select_related("service")
        .prefetch_related("blocks", "fixed_charges__meter_size", "surcharges", "refuse_rates")
        .order_by("effective_from")
    )
    first = [s for s in rows if s.effective_from <= start]
    if not first:
        raise RateMissing(f"No {service} rate for {rate_class} is in force on {start:%m/%d/%Y}.")
    chosen = [first[-1], *[s for s in rows if s.effective_from > start]]
    cuts = rules.split_at(start, end, [s.effective_from for s in chosen[1:]])
    return list(zip(chosen, [c[0] for c in cuts], [c[1] for c in cuts], strict=True))


def calculate(*, account, period_start: datetime.date, period_end: datetime.date) -> Calculation:
    """The account's charges for the period, line by line, with the usage billed, whether it
    rests on an estimate, and the exceptions for the proof register. Reads only."""
    from .calc_lines import USAGE_METHODS, price_service

    if period_end < period_start:
        raise core.RevenueError("The period must end on or after the day it starts.")
    account = ServiceAccount.objects.select_related("premise", "premise__rate_class").get(pk=account.pk)
    calc = Calculation(account=account, period_start=period_start, period_end=period_end)
    served_from = max(period_start, account.move_in)
    served_to = min(period_end, account.move_out) if account.move_out else period_end
    if served_to < served_from:
        return calc
    calc.served_from, calc.served_to = served_from, served_to
    priced = [
        (row, schedule_segments(row.service, account.premise.rate_class, start, end))
        for row, start, end in _service_spans(account, served_from, served_to)
    ]
    if any(sch.method in USAGE_METHODS for _row, segments in priced for sch, _s, _e in segments):
        _read_meters(calc, account)
    for row, segments in priced:
        price_service(calc, row, segments)
    return calc
