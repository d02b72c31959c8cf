"""Parking's pure rules: each batch run's cut-off date (the latest date its rows are taken by the
run on a day), the fine schedule in force on a day; and that each run's SQL takes exactly the
rows the cut-off names: the day before it, on it, not the day after."""

import datetime
from types import SimpleNamespace

import pytest

from parking import rules, selectors
from parking import services as ps
from parking.models import Citation, HoldExport, NoticeRun
from revenue import services as core
from tests.conftest import D
from tests.parking.helpers import days_ago

ON = datetime.date(2026, 3, 31)
POLICY = SimpleNamespace(
    penalty_after_days=21,
    notice_after_days=30,
    hold_after_notice_days=21,
    plan_grace_days=15,
    review_days_from_issue=21,
)
DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    "cutoff, expected",
    [
        (rules.penalty_cutoff, datetime.date(2026, 3, 9)),  # due 03/30 (21 days), late on 03/31
        (rules.notice_cutoff, datetime.date(2026, 2, 28)),  # unpaid more than 30 days
        (rules.hold_cutoff, datetime.date(2026, 3, 9)),  # more than 21 days after the notice
        (rules.plan_default_cutoff, datetime.date(2026, 3, 15)),  # more than 15 days past due
    ],
)
def test_each_cutoff_is_the_latest_date_the_run_takes(cutoff, expected):
    assert cutoff(ON, POLICY) == expected


@pytest.mark.parametrize("issued, owed", [(-1, True), (0, True), (1, False)])
def test_the_penalty_is_due_up_to_the_cutoff_and_agrees_with_the_deadlines(issued, owed):
    issued_on = rules.penalty_cutoff(ON, POLICY) + issued * DAY
    assert rules.penalty_due(issued_on, ON, POLICY) is owed
    assert (rules.deadlines(issued_on, POLICY).penalty_on <= ON) is owed


def test_the_fine_schedule_gives_the_fine_in_force_on_a_day():
    schedule = rules.FineSchedule(
        [
            (1, "22500(a)", datetime.date(2024, 1, 1), D("65.00"), D("65.00")),
            (1, "22500(a)", datetime.date(2026, 1, 1), D("75.00"), D("70.00")),
            (2, "5200", datetime.date(2024, 1, 1), D("35.00"), D("25.00")),
        ]
    )
    assert schedule.fine("22500(A)", datetime.date(2025, 12, 31)).fine == D("65.00")
    assert schedule.fine("22500(a)", datetime.date(2026, 1, 1)).late_penalty == D("70.00")
    assert [(p.violation_id, p.starts, p.ends) for p in schedule.periods()] == [
        (1, datetime.date(2024, 1, 1), datetime.date(2026, 1, 1)),
        (1, datetime.date(2026, 1, 1), None),
        (2, datetime.date(2024, 1, 1), None),
    ]
    with pytest.raises(rules.RuleError, match="Unknown violation code 'NOPE'"):
        schedule.fine("NOPE", ON)
    with pytest.raises(rules.RuleError, match="had no fine set on 12/31/2023"):
        schedule.fine("5200", datetime.date(2023, 12, 31))


# --------------------------------------------------------------------------- the runs take the cut-off


@pytest.mark.parametrize("past_cutoff, taken", [(1, True), (0, True), (-1, False)])
def test_the_penalty_run_takes_citations_issued_up_to_its_cutoff(
    cite, supervisor, policy, past_cutoff, taken
):
    cutoff = rules.penalty_cutoff(days_ago(0), selectors.policy_on())
    c = cite(days=(days_ago(0) - cutoff).days + past_cutoff)
    assert ps.penalty_run(acting_user=supervisor) == (1 if taken else 0)
    c.refresh_from_db()
    assert (c.penalty_on is not None) is taken
    if taken:
        assert c.charges().last().amount == D("65.00")  # the late penalty of 22500(a) on issue


@pytest.mark.parametrize("past_cutoff, taken", [(1, True), (0, True), (-1, False)])
def test_the_notice_run_takes_citations_issued_up_to_its_cutoff(cite, supervisor, policy, past_cutoff, taken):
    cutoff = rules.notice_cutoff(days_ago(0), selectors.policy_on())
    c = cite(days=(days_ago(0) - cutoff).days + past_cutoff)
    assert ps.notice_run(acting_user=supervisor).count == (1 if taken else 0)
    c.refresh_from_db()
    assert (c.notice_on is not None) is taken


@pytest.mark.parametrize("past_cutoff, placed", [(1, 1), (0, 1), (-1, 0)])
def test_the_hold_file_takes_citations_noticed_up_to_its_cutoff(
    cite, supervisor, policy, past_cutoff, placed
):
    cutoff = rules.hold_cutoff(days_ago(0), selectors.policy_on())
    c = cite(days=60)
    Citation.objects.filter(pk=c.pk).update(notice_on=cutoff - past_cutoff * DAY)
    assert ps.hold_export(acting_user=supervisor).placed == placed


@pytest.mark.parametrize("past_cutoff, defaulted", [(1, True), (0, True), (-1, False)])
def test_a_plan_defaults_with_an_installment_due_up_to_its_cutoff(
    cite, senior_clerk, supervisor, party, past_cutoff, defaulted
):
    plan = ps.plan_create(
        party=party,
        citations=[cite(days=10)],
        months=3,
        first_due_on=days_ago(0),
        qualification="CalFresh",
        acting_user=senior_clerk,
    )
    on = plan.first_due_on + (
        plan.first_due_on - rules.plan_default_cutoff(plan.first_due_on, selectors.policy_on())
    )
    on += past_cutoff * DAY
    assert ps.plans_default(on=on, acting_user=supervisor) == ([plan.number] if defaulted else [])


# --------------------------------------------------------------------------- audit rows


@pytest.mark.parametrize(
    "run, changed",
    [
        (ps.penalty_run, lambda c: c.penalty_on),
        (ps.notice_run, lambda c: c.notice_on),
        (ps.hold_export, lambda c: c.hold_on),
    ],
)
def test_a_runs_audit_row_is_written_in_its_transaction(cite, supervisor, policy, monkeypatch, run, changed):
    """The audit row is written before the run's transaction ends: when it cannot be written,
    nothing of the run stays."""
    c = cite(days=60)
    Citation.objects.filter(pk=c.pk).update(notice_on=days_ago(40) if run is ps.hold_export else None)

    def audit_fails(**kwargs):
        raise RuntimeError("the audit row could not be written")

    monkeypatch.setattr(core, "audit", audit_fails)
    with pytest.raises(RuntimeError):
        run(acting_user=supervisor)
    c.refresh_from_db()
    assert changed(c) is None
    assert not HoldExport.objects.exists() and not NoticeRun.objects.exists()
