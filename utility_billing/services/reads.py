"""Reads: one read recorded (hand entry, a field order) with its checks, the estimates of a
cycle's missing reads, and the review of a read held as an exception (accepted, corrected by a
new read that replaces it, or sent out as a re-read order). Each in one transaction with its
audit row. The checks are read_rules.py's; the facts they need come from read_sql.py's query."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.utils import timezone

from revenue import services as core

from .. import read_rules
from ..models import BillingCycle, Meter, Reading, ReadPolicy, ServiceAccount, ServiceOrder
from . import read_sql
from .orders import order_open


class ReadRefused(core.RevenueError):
    """The read cannot be recorded or reviewed as asked; nothing was changed."""


CHECKED_KINDS = {Reading.Kind.ACTUAL, Reading.Kind.MOVE_IN, Reading.Kind.MOVE_OUT, Reading.Kind.REMOVAL}


def read_policy(on: datetime.date) -> ReadPolicy:
    return core.policy_on(ReadPolicy, on)


def read_value(value) -> int:
    """A read as typed (text) or given (an int): whole dials, 0 or more; ReadRefused otherwise."""
    if isinstance(value, bool):
        raise ReadRefused("A read is the digits on the dials.")
    if isinstance(value, int):
        if value < 0:
            raise ReadRefused(f"Read {value} is negative: a register is read as whole dials, 0 or more.")
        return value
    try:
        return read_rules.parse_read_value(str(value))
    except ValueError as exc:
        raise ReadRefused(str(exc)) from None


def outcome(kind: str, facts: read_rules.ReadFacts, policy: ReadPolicy | None) -> tuple[str, str, str]:
    """(status, exception code, note) of a read of `kind` with these facts."""
    if kind not in CHECKED_KINDS:
        return Reading.Status.ACCEPTED, "", ""
    if kind == Reading.Kind.ACTUAL:
        code, note = read_rules.read_exception(facts, policy)
    elif facts.value < facts.last_value:
        code, note = read_rules.read_exception(facts, policy)  # below the last read: held whatever the kind
    else:
        code, note = "", ""
    return (Reading.Status.EXCEPTION if code else Reading.Status.ACCEPTED), code, note


def _check_source(acting_user, source: str, order: ServiceOrder | None) -> None:
    if source == Reading.Source.HAND and not acting_user.has_perm("utility_billing.enter_reading"):
        raise core.NotAllowed("Entering a read by hand needs an Account Services Representative's role.")
    if source == Reading.Source.FIELD and order is None:
        raise ReadRefused("A read from the field comes with its service order.")
    if source not in Reading.Source.values:
        raise ReadRefused(f"There is no read source {source!r}.")


@transaction.atomic
def reading_record(
    *, meter: Meter, read_on: datetime.date, value, acting_user, kind: str = "actual", source: str = "hand",
    order: ServiceOrder | None = None,
) -> Reading:  # fmt: skip
    """Validate and record one read: held as an exception (with its code and a sentence) when it
    fails a check, accepted otherwise. A read from a re-read order replaces the read it was sent
    out for. Refuses (nothing written) a value that is not whole dials, a date in the future, a
    meter not installed on the date, and a second read of the meter on the date of the same kind."""
    _check_source(acting_user, source, order)
    if kind not in Reading.Kind.values:
        raise ReadRefused(f"There is no kind of read called {kind!r}.")
    value = read_value(value)
    if read_on > core.city_today():
        raise ReadRefused(f"{read_on:%m/%d/%Y} is in the future: a read is dated the day it was taken.")
    meter = Meter.objects.select_for_update().get(pk=meter.pk)
    if value >= 10**meter.dials:
        raise ReadRefused(f"Read {value:,} has more digits than meter {meter.serial}'s {meter.dials} dials.")
    policy = read_policy(read_on) if kind == Reading.Kind.ACTUAL else None
    with connection.cursor() as cur:
        read_sql.stage(cur, [(1, meter.serial, read_on)])
        found = read_sql.found(cur, periods=policy.recent_periods if policy else 1)[1]
    if found.installation_id is None:
        raise ReadRefused(f"Meter {meter.serial} was not installed at a premise on {read_on:%m/%d/%Y}.")
    replaced = _reread_replaces(order, meter, acting_user)
    if Reading.objects.filter(meter=meter, read_on=read_on, kind=kind).exclude(status="replaced").exists():
        raise ReadRefused(
            f"Meter {meter.serial} already has a read of this kind ({Reading.Kind(kind).label}) on "
            f"{read_on:%m/%d/%Y}: correct that one from the exceptions list instead."
        )
    status, code, note = outcome(kind, found.facts(value, read_on), policy)
    reading = Reading.objects.create(
        meter=meter, installation_id=found.installation_id, premise_id=found.premise_id, read_on=read_on,
        value=value, kind=kind, source=source, status=status, exception=code, exception_note=note[:250],
        order=order, replaces=replaced, created_by=acting_user,
    )  # fmt: skip
    core.audit(
        actor=acting_user,
        action="utility.read_recorded",
        obj=reading,
        after={"meter": meter.serial, "read_on": read_on, "value": value, "kind": kind, "status": status,
               "exception": code, "replaces": replaced.pk if replaced else None},
    )  # fmt: skip
    return reading


def _reread_replaces(order, meter, acting_user) -> Reading | None:
    """The held read a re-read order was sent out for, marked replaced (the new read replaces it)."""
    if order is None or order.kind != ServiceOrder.Kind.REREAD or not order.details.get("reading"):
        return None
    held = (
        Reading.objects.select_for_update()
        .filter(pk=order.details["reading"], meter=meter, status=Reading.Status.EXCEPTION)
        .first()
    )
    if held is not None:
        _decide(
            held, Reading.Status.REPLACED, acting_user, f"Replaced by the re-read of order {order.number}."
        )
    return held


def _decide(reading: Reading, status: str, acting_user, note: str = "") -> None:
    reading.status = status
    reading.decided_at = timezone.now()
    reading.decided_by = acting_user
    if note:
        reading.exception_note = f"{reading.exception_note} {note}".strip()[:250]
    reading.save(update_fields=["status", "decided_at", "decided_by", "exception_note"])


# --------------------------------------------------------------------------- estimates

# installed meters of the cycle's premises with an active account on the date and no live read in
# the window before it: the reads missing, staged for the estimate
_MISSING = """
INSERT INTO read_stage (line, serial, read_on)
SELECT row_number() OVER (ORDER BY p.route, p.route_sequence, m.serial), m.serial, %(on)s
  FROM utility_billing_meterinstallation i
  JOIN utility_billing_meter m ON m.id = i.meter_id
  JOIN utility_billing_premise p ON p.id = i.premise_id
 WHERE p.cycle_id = %(cycle)s AND i.installed_on < %(on)s AND (i.removed_on IS NULL OR i.removed_on >= %(on)s)
   AND EXISTS (SELECT 1 FROM utility_billing_serviceaccount a
                WHERE a.premise_id = p.id AND a.status IN ('active', 'final')
                  AND a.move_in <= %(on)s AND (a.move_out IS NULL OR a.move_out >= %(on)s))
   AND NOT EXISTS (SELECT 1 FROM utility_billing_reading r
                    WHERE r.meter_id = m.id AND r.status <> 'replaced'
                      AND r.read_on > %(since)s AND r.read_on <= %(on)s)
"""


@transaction.atomic
def reads_estimate(*, cycle: BillingCycle, on: datetime.date, acting_user) -> int:
    """Estimate the reads missing on `on` for the cycle's installed meters of active accounts (no
    live read in the policy's window before it): the last actual read plus average daily usage
    (the recent periods', else last year's) × the days since it. Each is kind and source
    "estimate", with exception code "missing", held for review when the policy says so; the next
    actual read trues it up (its usage is measured from the last actual read). Returns the count;
    run again, it estimates nothing twice."""
    if not acting_user.has_perm("utility_billing.review_reading"):
        raise core.NotAllowed("Estimating missing reads needs an Account Services Representative's role.")
    if on > core.city_today():
        raise ReadRefused(f"{on:%m/%d/%Y} is in the future: estimate the reads on the cycle's read date.")
    policy = read_policy(on)
    since = on - datetime.timedelta(days=policy.read_window_days)
    status = Reading.Status.EXCEPTION if policy.hold_estimates else Reading.Status.ACCEPTED
    with connection.cursor() as cur:
        read_sql.stage(cur, [])
        cur.execute(_MISSING, {"on": on, "since": since, "cycle": cycle.pk})
        outcomes = [
            _estimate_row(f, on, status) for f in read_sql.found(cur, periods=policy.recent_periods).values()
        ]
        written = read_sql.write(cur, outcomes, acting_user=acting_user)
    core.audit(
        actor=acting_user,
        action="utility.reads_estimated",
        obj=cycle,
        after={"on": on, "since": since, "estimates": len(written), "held": policy.hold_estimates},
    )
    return len(written)


def _estimate_row(f: read_sql.Found, on: datetime.date, status: str) -> tuple:
    daily = f.recent_daily if f.recent_daily is not None else f.last_year_daily
    value, units = read_rules.estimate_value(
        last_value=f.last_value, last_on=f.last_on, on=on, daily=daily, dials=f.dials, multiplier=f.multiplier
    )
    days = (on - f.last_on).days
    basis = (
        f"{read_rules.units_text(daily)} a day × {days} days since the last actual read ({f.last_on:%m/%d/%Y})"
        if daily is not None
        else "no usage history: the last actual read repeated; send a re-read"
    )
    note = f"No read in the window: estimated {read_rules.units_text(units)} units ({basis})."
    return (f.line, f.meter_id, f.installation_id, f.premise_id, on, value, Reading.Kind.ESTIMATE,
            Reading.Source.ESTIMATE, status, read_rules.MISSING, note[:250])  # fmt: skip


# --------------------------------------------------------------------------- the review


def _held(reading: Reading, acting_user) -> Reading:
    if not acting_user.has_perm("utility_billing.review_reading"):
        raise core.NotAllowed("Reviewing read exceptions needs an Account Services Representative's role.")
    reading = Reading.objects.select_for_update().select_related("meter", "premise").get(pk=reading.pk)
    if reading.status != Reading.Status.EXCEPTION:
        raise ReadRefused(
            f"The read of {reading.meter.serial} on {reading.read_on:%m/%d/%Y} is {reading.get_status_display().lower()}"
            ", not held for review: nothing was changed."
        )
    return reading


@transaction.atomic
def reading_accept(*, reading: Reading, acting_user, note: str = "") -> Reading:
    """The read is right as it is (a real leak, a rollover, a vacant house): a bill may use it."""
    reading = _held(reading, acting_user)
    _decide(reading, Reading.Status.ACCEPTED, acting_user, f"Accepted: {note}" if note else "Accepted.")
    core.audit(actor=acting_user, action="utility.read_accepted", obj=reading, reason=note[:250],
               after={"exception": reading.exception, "value": reading.value})  # fmt: skip
    return reading


@transaction.atomic
def reading_correct(
    *, reading: Reading, value, acting_user, read_on: datetime.date | None = None, note: str = ""
) -> Reading:
    """A new read, as the reviewer finds it (a misread digit, the actual read for an estimate),
    replaces the held one (status replaced). The new read is accepted: a person has looked."""
    reading = _held(reading, acting_user)
    value = read_value(value)
    read_on = read_on or reading.read_on
    if read_on > core.city_today():
        raise ReadRefused(f"{read_on:%m/%d/%Y} is in the future: a read is dated the day it was taken.")
    if value >= 10**reading.meter.dials:
        raise ReadRefused(f"Read {value:,} has more digits than the meter's {reading.meter.dials} dials.")
    inst = reading.installation
    if read_on < inst.installed_on or (inst.removed_on and read_on > inst.removed_on):
        raise ReadRefused(f"Meter {reading.meter.serial} was not at this premise on {read_on:%m/%d/%Y}.")
    kind = Reading.Kind.ACTUAL if reading.kind == Reading.Kind.ESTIMATE else reading.kind
    _decide(reading, Reading.Status.REPLACED, acting_user, f"Corrected to {value:,}.")
    new = Reading.objects.create(
        meter=reading.meter, installation=inst, premise=reading.premise, read_on=read_on, value=value,
        kind=kind, source=Reading.Source.HAND, status=Reading.Status.ACCEPTED,
        exception_note=(f"Corrects {reading.value:,} ({reading.exception}). {note}".strip())[:250],
        replaces=reading, created_by=acting_user, decided_at=timezone.now(), decided_by=acting_user,
    )  # fmt: skip
    core.audit(actor=acting_user, action="utility.read_corrected", obj=new, reason=note[:250],
               before={"reading": reading.pk, "value": reading.value, "read_on": reading.read_on},
               after={"value": value, "read_on": read_on})  # fmt: skip
    return new


@transaction.atomic
def reading_reread(*, reading: Reading, acting_user, note: str = "") -> ServiceOrder:
    """Send the meter out for a re-read: a re-read order for the field crew; the read stays held
    until the crew's read (which replaces it), or until it is accepted or corrected."""
    reading = _held(reading, acting_user)
    existing = ServiceOrder.objects.filter(
        premise=reading.premise, kind=ServiceOrder.Kind.REREAD, status__in=ServiceOrder.OPEN
    ).first()
    if existing is not None:
        raise ReadRefused(
            f"Re-read order {existing.number} is already open for this premise: nothing was changed."
        )
    account = (
        ServiceAccount.objects.filter(premise=reading.premise, move_out__isnull=True)
        .exclude(status=ServiceAccount.Status.CLOSED)
        .first()
    )
    label = read_rules.CODES.get(reading.exception, reading.exception)
    order = order_open(
        kind=ServiceOrder.Kind.REREAD, premise=reading.premise, account=account, acting_user=acting_user,
        reason=f"Re-read meter {reading.meter.serial}: {label} ({reading.value:,} on {reading.read_on:%m/%d/%Y}). {note}".strip(),
        details={"reading": reading.pk, "meter": reading.meter.serial, "exception": reading.exception},
    )  # fmt: skip
    reading.exception_note = f"{reading.exception_note} Re-read order {order.number}.".strip()[:250]
    reading.save(update_fields=["exception_note"])
    core.audit(actor=acting_user, action="utility.read_reread", obj=reading, reason=note[:250],
               after={"order": order.number})  # fmt: skip
    return order
