"""Read validation (issue 13 §6): each exception kind, the seasonal basis, an estimate trued up by
the next actual read, a meter change within a period, the review (accept, correct, re-read) and
who may do what."""

import datetime
from decimal import Decimal

import pytest

from revenue import services as core
from utility_billing import read_rules
from utility_billing.models import Meter, MeterInstallation, Reading, ServiceOrder
from utility_billing.services import (
    ReadRefused,
    reading_accept,
    reading_correct,
    reading_record,
    reading_reread,
    reads_estimate,
)

from . import reads_setup
from .reads_setup import today

utility, site = reads_setup.utility, reads_setup.site  # the fixtures

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- the pure rules


@pytest.mark.parametrize(
    ("prev", "curr", "dials", "multiplier", "usage"),
    [
        (1000, 1010, 6, 1, 10),
        (999_990, 15, 6, 1, 25),  # rolled over
        (9_995, 4, 4, 1, 9),
        (500, 500, 6, 1, 0),
        (100, 112, 6, Decimal("10"), 120),
        (100, 90, 4, 1, 9_990),  # below the last read: as a rollover, the check holds it
    ],
)
def test_usage_between_rolls_over_past_the_dials(prev, curr, dials, multiplier, usage):
    assert read_rules.usage_between(prev, curr, dials, Decimal(multiplier)) == usage


@pytest.mark.parametrize(
    ("text", "value", "says"),
    [
        ("001234", 1234, None),
        ("12,345", 12345, None),
        ("12A4", None, "letters"),
        ("O123", None, "letters"),
        ("-15", None, "negative"),
        ("12.5", None, "decimal point"),
        ("", None, "no value"),
        ("12345678901", None, "longer than any register"),
        ("١٢٣", None, "letters"),
    ],
)
def test_a_typed_read_is_whole_dials(text, value, says):
    if says is None:
        assert read_rules.parse_read_value(text) == value
    else:
        with pytest.raises(ValueError, match=says):
            read_rules.parse_read_value(text)


# --------------------------------------------------------------------------- each exception kind


@pytest.mark.parametrize(
    ("added", "account", "status", "code"),
    [
        (10, True, "accepted", ""),  # as usual
        (-5, True, "exception", "below_last"),
        (50, True, "exception", "high"),  # five times the recent periods and last year
        (1, True, "exception", "low"),
        (0, True, "exception", "zero"),
        (10, False, "exception", "inactive"),
        (0, False, "accepted", ""),  # nothing used at a vacant premise: nothing to say
    ],
)
def test_each_exception_kind(site, clerk, added, account, status, code):
    meter = site("M1", account=account)
    reading = reading_record(meter=meter, read_on=today(), value=meter.last_value + added, acting_user=clerk)
    assert (reading.status, reading.exception) == (status, code)
    assert bool(reading.exception_note) == bool(code)


def test_a_rollover_in_the_history_is_usage_not_a_jump(site, clerk):
    """The history's periods wrap past 9,999 (the SQL form of usage_between): the basis stays
    10 a month, so a usual read after the rollover is accepted and a high one is held."""
    meter = site("M4", dials=4, start=9_900, monthly=10)  # 13 reads: 9,910 … 9,990, 0, 10, … 30
    assert meter.last_value == 30
    assert reading_record(meter=meter, read_on=today(), value=40, acting_user=clerk).status == "accepted"


def test_a_read_rolled_over_is_held_below_the_last(site, clerk):
    meter = site("M5", dials=4, start=9_850, monthly=10)  # last read 9,980
    reading = reading_record(meter=meter, read_on=today(), value=5, acting_user=clerk)
    assert reading.exception == "below_last"
    assert "rollover of 25 units" in reading.exception_note


def test_the_same_period_last_year_keeps_a_seasonal_read_from_being_high(site, clerk, utility):
    """Last year's period used 5 times the recent months (summer): under "both" a read like it
    is accepted; under "either" it is high."""
    meter = site("M6")
    for r in Reading.objects.filter(meter=meter, read_on__gte=today() - datetime.timedelta(days=360)):
        r.value += 40  # the period ending 12 months ago used 50 units, every other 10
        r.save()
    value = meter.last_value + 40 + 50
    reading = reading_record(meter=meter, read_on=today(), value=value, acting_user=clerk)
    assert (reading.status, reading.exception) == ("accepted", "")
    reading.status = "replaced"
    reading.save()
    utility["policy"].compare_with = "either"
    utility["policy"].save()
    again = reading_record(meter=meter, read_on=today(), value=value, acting_user=clerk)
    assert again.exception == "high"


# --------------------------------------------------------------------------- estimates


def test_a_missing_read_is_estimated_held_and_trued_up_by_the_next_actual(site, clerk, utility):
    meter = site("M1")  # last actual 30 days ago, 10 units a month
    on = today() - datetime.timedelta(days=6)
    assert reads_estimate(cycle=utility["cycle"], on=on, acting_user=clerk) == 1
    assert reads_estimate(cycle=utility["cycle"], on=on, acting_user=clerk) == 0  # nothing twice
    estimate = Reading.objects.get(meter=meter, kind="estimate")
    assert estimate.source == "estimate" and estimate.read_on == on
    assert estimate.value == meter.last_value + 8  # 10/30 a day × 24 days, rounded
    assert (estimate.status, estimate.exception) == ("exception", "missing")
    assert "estimated 8 units" in estimate.exception_note
    reading_accept(reading=estimate, acting_user=clerk)
    # the actual read comes in below the estimate: a true-up, not an error or a rollover
    actual = reading_record(meter=meter, read_on=today(), value=meter.last_value + 7, acting_user=clerk)
    assert (actual.status, actual.exception) == ("accepted", "")
    estimate.refresh_from_db()
    assert (estimate.status, estimate.kind) == ("accepted", "estimate")  # the bill that used it stands
    # the next bill's usage from the estimate is actual − estimate: a credit of one unit
    assert actual.value - estimate.value == -1


def test_estimates_bill_at_once_when_the_policy_does_not_hold_them(site, clerk, utility):
    meter = site("M1")
    utility["policy"].hold_estimates = False
    utility["policy"].save()
    reads_estimate(cycle=utility["cycle"], on=today(), acting_user=clerk)
    estimate = Reading.objects.get(meter=meter, kind="estimate")
    assert (estimate.status, estimate.exception) == ("accepted", "missing")


def test_no_estimate_for_a_meter_read_in_the_window_or_a_vacant_premise(site, clerk, utility):
    read = site("M1")
    site("M2", account=False)
    reading_record(
        meter=read, read_on=today() - datetime.timedelta(days=3), value=read.last_value + 9, acting_user=clerk
    )
    assert reads_estimate(cycle=utility["cycle"], on=today(), acting_user=clerk) == 0


# --------------------------------------------------------------------------- a meter change


def test_a_meter_change_within_a_period(site, clerk, admin_user, utility):
    """The old meter's final read and the new meter's first: the new meter's read is measured
    from its install read (not the old meter's higher register), against the premise's history."""
    old = site("OLD")
    changed = today() - datetime.timedelta(days=10)
    removal = reading_record(
        meter=old, read_on=changed, value=old.last_value + 7, acting_user=clerk, kind="removal"
    )
    assert removal.status == "accepted"
    MeterInstallation.objects.filter(meter=old).update(removed_on=changed, removal_read=old.last_value + 7)
    premise = old.premise
    Meter.objects.filter(pk=old.pk).update(status="removed", premise=None)
    new = Meter.objects.create(
        serial="NEW", size=utility["size"], status="installed", premise=premise, created_by=admin_user
    )
    MeterInstallation.objects.create(
        meter=new, premise=premise, installed_on=changed, install_read=0, created_by=admin_user
    )
    first = reading_record(meter=new, read_on=today(), value=3, acting_user=clerk)
    assert (first.status, first.exception) == ("accepted", "")  # 3 in 10 days: usual, not below the old read
    first.status = "replaced"
    first.save()
    high = reading_record(meter=new, read_on=today(), value=30, acting_user=clerk)
    assert high.exception == "high"  # the premise's history (the old meter's) is the basis


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("value", "says"),
    [("12A4", "letters"), ("-5", "negative"), (-5, "negative"), ("1234567", "more digits")],
)
def test_a_bad_read_is_refused_and_nothing_is_written(site, clerk, value, says):
    meter = site("M1")
    before = Reading.objects.count()
    with pytest.raises(ReadRefused, match=says):
        reading_record(meter=meter, read_on=today(), value=value, acting_user=clerk)
    assert Reading.objects.count() == before


def test_a_future_date_a_second_read_and_a_meter_in_stock_are_refused(site, clerk, utility, admin_user):
    meter = site("M1")
    with pytest.raises(ReadRefused, match="future"):
        reading_record(meter=meter, read_on=today() + datetime.timedelta(days=1), value=1, acting_user=clerk)
    reading_record(meter=meter, read_on=today(), value=meter.last_value + 10, acting_user=clerk)
    with pytest.raises(ReadRefused, match="already has"):
        reading_record(meter=meter, read_on=today(), value=meter.last_value + 11, acting_user=clerk)
    stock = Meter.objects.create(serial="S1", size=utility["size"], created_by=admin_user)
    with pytest.raises(ReadRefused, match="not installed"):
        reading_record(meter=stock, read_on=today(), value=1, acting_user=clerk)


# --------------------------------------------------------------------------- the review


def _held(site, clerk, serial="M1"):
    meter = site(serial)
    return reading_record(meter=meter, read_on=today(), value=meter.last_value + 50, acting_user=clerk)


def test_an_exception_accepted(site, clerk):
    held = _held(site, clerk)
    reading_accept(reading=held, acting_user=clerk, note="Leak confirmed by owner")
    held.refresh_from_db()
    assert held.status == "accepted" and held.decided_by == clerk
    assert "Leak confirmed" in held.exception_note
    with pytest.raises(ReadRefused, match="not held"):
        reading_accept(reading=held, acting_user=clerk)


def test_an_exception_corrected_by_a_new_read(site, clerk):
    held = _held(site, clerk)
    new = reading_correct(reading=held, value=held.value - 41, acting_user=clerk, note="misread a digit")
    held.refresh_from_db()
    assert held.status == "replaced"
    assert (new.status, new.replaces_id, new.value, new.kind) == (
        "accepted",
        held.pk,
        held.value - 41,
        "actual",
    )
    assert Reading.objects.filter(meter=held.meter, read_on=today()).exclude(status="replaced").get() == new


def test_an_exception_sent_out_for_a_reread_and_the_crews_read_replaces_it(site, clerk, field_crew):
    held = _held(site, clerk)
    order = reading_reread(reading=held, acting_user=clerk)
    assert (order.kind, order.status, order.details["reading"]) == ("reread", "requested", held.pk)
    assert order.premise == held.premise and order.account is not None
    with pytest.raises(ReadRefused, match="already open"):
        reading_reread(reading=held, acting_user=clerk)
    held.refresh_from_db()
    assert order.number in held.exception_note and held.status == "exception"
    # the crew's read comes with its order (ub-orders' completion calls this)
    crew = reading_record(
        meter=held.meter,
        read_on=today(),
        value=held.value - 40,
        acting_user=field_crew,
        source="field",
        order=order,
    )
    held.refresh_from_db()
    assert held.status == "replaced" and crew.replaces == held and crew.status == "accepted"
    assert ServiceOrder.objects.filter(kind="reread").count() == 1


def test_who_may_enter_and_review(site, clerk, senior_clerk, auditor, field_crew):
    held = _held(site, clerk)
    for user in (auditor, field_crew):
        with pytest.raises(core.NotAllowed):
            reading_record(meter=held.meter, read_on=today(), value=1, acting_user=user)
        with pytest.raises(core.NotAllowed):
            reading_accept(reading=held, acting_user=user)
    assert reading_accept(reading=held, acting_user=senior_clerk).status == "accepted"
