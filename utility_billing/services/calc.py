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

import contextlib
import contextvars
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from revenue import services as core

from .. import rules
from ..models import AccountService, MeterInstallation, RateSchedule, Reading, ServiceAccount

ONE_DAY = datetime.timedelta(days=1)
UNIT_WORDS = {"hcf": "HCF", "gal": "gallons", "kgal": "thousand gallons"}
EXCEPTION_CODES = ("no_read", "estimate", "zero", "negative", "high")


_SCHEDULES: contextvars.ContextVar[dict | None] = contextvars.ContextVar("utility_schedules", default=None)
_BATCH: contextvars.ContextVar[Prefetch | None] = contextvars.ContextVar("utility_batch", default=None)


@dataclass
class Prefetch:
    """A chunk's accounts with their premises, services, installations and live reads, read in
    five queries; `calculate` takes an account's from here rather than asking the database. Reads
    are (read_on, pk, value, kind) tuples in date order, through the last day billed."""

    through: datetime.date
    accounts: dict = field(default_factory=dict)
    services: dict = field(default_factory=dict)
    installations: dict = field(default_factory=dict)
    reads: dict = field(default_factory=dict)


def _prefetch(account_ids, through: datetime.date) -> Prefetch:
    """Everything `calculate` reads about these accounts, for periods ending by `through`."""
    data = Prefetch(through)
    for account in ServiceAccount.objects.filter(pk__in=account_ids).select_related(
        "premise", "premise__rate_class"
    ):
        data.accounts[account.pk] = account
        data.services[account.pk] = []
        data.installations.setdefault(account.premise_id, [])
    for row in AccountService.objects.filter(account_id__in=data.accounts).select_related("service"):
        data.services[row.account_id].append(row)
    installs = MeterInstallation.objects.filter(premise_id__in=data.installations).select_related(
        "meter", "meter__size"
    )
    for inst in installs.order_by("installed_on", "pk"):
        data.installations[inst.premise_id].append(inst)
        data.reads[inst.pk] = []
    reads = Reading.objects.filter(
        installation_id__in=data.reads, status=Reading.Status.ACCEPTED, read_on__lte=through
    ).order_by("read_on", "pk")
    for inst_id, *read in reads.values_list("installation_id", "read_on", "pk", "value", "kind"):
        data.reads[inst_id].append(tuple(read))
    return data


@contextlib.contextmanager
def calc_batch(accounts=None, *, through: datetime.date | None = None):
    """Calculate many accounts (a bill run's chunk): within the block, the schedules of a service
    and rate class for a stretch of days are read once and reused; given the chunk's `accounts`
    (or their ids) and the last day of the period, their premises, services, meters and reads
    are read once for the whole chunk too (a fixed number of queries however many accounts). Use
    it only where nothing of these changes meanwhile (a run's chunk, inside its transaction)."""
    ids = [getattr(a, "pk", a) for a in accounts or ()]
    token = _SCHEDULES.set({})
    batch = _BATCH.set(_prefetch(ids, through) if ids and through else None)
    try:
        yield
    finally:
        _BATCH.reset(batch)
        _SCHEDULES.reset(token)


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


def _last_read(inst, before_or_on: datetime.date, after: datetime.date | None = None):
    """The last live read of the installation on or before a day (and after another): a
    (read_on, pk, value, kind) tuple or None; from the batch's reads when they were prefetched."""
    batch = _BATCH.get()
    if batch is not None and inst.pk in batch.reads and before_or_on <= batch.through:
        found = [r for r in batch.reads[inst.pk] if r[0] <= before_or_on and (after is None or r[0] > after)]
        return found[-1] if found else None
    rows = _live(inst).filter(read_on__lte=before_or_on)
    if after is not None:
        rows = rows.filter(read_on__gt=after)
    return rows.order_by("-read_on", "-pk").values_list("read_on", "pk", "value", "kind").first()


def _installation_usage(
    inst: MeterInstallation, open_by: datetime.date, close_by: datetime.date
) -> MeterRead:
    opening = _last_read(inst, open_by)
    if opening is not None:
        open_on, _pk, open_value, open_kind = opening
    else:
        open_value, open_on, open_kind = inst.install_read, inst.installed_on, Reading.Kind.INSTALL
    closing = _last_read(inst, close_by, after=open_on)
    if closing is not None:
        close_on, _pk, close_value, close_kind = closing
        fresh = True
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


def premise_installations(premise, on_or_before: datetime.date, *, after: datetime.date):
    """The installations at the premise installed by a day and not removed by another (removed on
    or before `after`), in order of installation; from the batch when prefetched."""
    batch = _BATCH.get()
    if batch is not None and premise.pk in batch.installations:
        return [
            i
            for i in batch.installations[premise.pk]
            if i.installed_on <= on_or_before and (i.removed_on is None or i.removed_on > after)
        ]
    return list(
        MeterInstallation.objects.filter(premise=premise, installed_on__lte=on_or_before)
        .exclude(removed_on__lte=after)
        .select_related("meter", "meter__size")
        .order_by("installed_on", "pk")
    )


def premise_reads(premise, *, open_by: datetime.date, close_by: datetime.date) -> list[MeterRead]:
    """Each installation at the premise in service between the day after `open_by` and `close_by`,
    with its opening and closing reads and the usage between them."""
    installations = premise_installations(premise, close_by, after=open_by)
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
    batch = _BATCH.get()
    if batch is not None and account.pk in batch.services:
        rows = [
            r
            for r in batch.services[account.pk]
            if r.starts_on <= end and (r.ends_on is None or r.ends_on >= start)
        ]
        rows.sort(key=lambda r: (r.service.sort_order, r.service.code, r.starts_on, r.pk))
    else:
        rows = (
            AccountService.objects.filter(account=account, starts_on__lte=end)
            .exclude(ends_on__lt=start)
            .select_related("service")
            .order_by("service__sort_order", "service__code", "starts_on", "pk")
        )
    return [(row, max(start, row.starts_on), min(end, row.ends_on or end)) for row in rows]


def schedule_segments(
    service, rate_class, start, end
) -> list[tuple[RateSchedule, datetime.date, datetime.date]]:
    """The stretches of [start, end] each priced by one schedule: the one in force on the first
    day, cut wherever a later one takes effect."""
    cache = _SCHEDULES.get()
    key = (service.pk, rate_class.pk, start, end)
    if cache is not None and key in cache:
        return cache[key]
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
    segments = list(zip(chosen, [c[0] for c in cuts], [c[1] for c in cuts], strict=True))
    if cache is not None:
        cache[key] = segments
    return segments


def calculate(*, account, period_start: datetime.date, period_end: datetime.date) -> Calculation:
    """The account's charges for the period, line by line, with the usage billed, whether it
    rests on an estimate, and the exceptions for the proof register. Reads only."""
    from .calc_lines import USAGE_METHODS, price_service

    if period_end < period_start:
        raise core.RevenueError("The period must end on or after the day it starts.")
    batch = _BATCH.get()
    if batch is not None and account.pk in batch.accounts:
        account = batch.accounts[account.pk]
    else:
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
