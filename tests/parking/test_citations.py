"""Citations: manual entry, the late penalty, contests, notices, DMV holds, payment plans, and the
status kept in step with the money. Dates are counted back from today so the rules' windows can
be crossed on purpose; each boundary is tried on the day before, the day of, and the day after."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from parking import rules, selectors
from parking import services as ps
from parking.models import Citation, PaymentPlan
from revenue import services as core
from revenue.dates import add_months
from revenue.exceptions import NotAllowed
from revenue.models import Account, Charge, JournalLine
from tests.conftest import D
from tests.parking.helpers import days_ago, pay

# --------------------------------------------------------------------------- entry


def test_a_hand_written_citation_is_charged_at_the_scheduled_fine(cite, policy):
    c = cite(days=3)
    (charge,) = c.charges()
    assert charge.amount == D("65.00") and charge.source_number == c.number
    assert charge.party == policy.citation_party
    assert charge.due_on == c.issued_on + datetime.timedelta(days=21)
    assert charge.receivable_account.number == "240-1210" and charge.revenue_account.number == "240-4520"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"code": "99999"}, "Unknown violation code"),
        ({"plate": "7AB*123"}, "only letters"),
        ({"plate": "ÄBC123"}, "only letters"),
        ({"plate": "123456789"}, "too long"),
        ({"state": "ZZ"}, "not a state"),
        ({"fine": "40.00"}, "is 65.00, not 40.00"),
        ({"number": "12"}, "4 to 20"),
    ],
)
def test_bad_citations_are_refused_and_nothing_is_written(cite, change, message):
    with pytest.raises(rules.RuleError, match=message):
        cite(**change)
    assert not Citation.objects.exists() and not Charge.objects.exists()


def test_a_future_issue_date_and_a_second_entry_of_a_number_are_refused(cite):
    with pytest.raises(rules.RuleError, match="future"):
        cite(days=-1)
    cite(number="H1000001")
    with pytest.raises(rules.RuleError, match="already on file"):
        cite(number="H1000001")
    assert Citation.objects.count() == 1


def test_plates_are_cleaned_as_dmv_keys_them():
    assert rules.clean_plate(" 7abc-123 ") == "7ABC123"
    assert rules.clean_plate("ab 12") == "AB12"


# --------------------------------------------------------------------------- late penalty


def test_the_late_penalty_applies_the_day_after_the_due_date(cite, clerk):
    c = cite(days=30)
    due = c.issued_on + datetime.timedelta(days=21)
    assert ps.penalty_assess(citation=c, on=due - datetime.timedelta(days=1), acting_user=clerk) == []
    assert ps.penalty_assess(citation=c, on=due, acting_user=clerk) == []
    (charge,) = ps.penalty_assess(citation=c, on=due + datetime.timedelta(days=1), acting_user=clerk)
    assert charge.amount == D("65.00") and charge.revenue_account.number == "240-4530"
    assert ps.penalty_assess(citation=c, on=due + datetime.timedelta(days=2), acting_user=clerk) == []
    assert selectors.citation_owed(c) == D("130.00")


def test_the_penalty_run_is_set_based_once_and_skips_contested_and_paid(
    cite, clerk, supervisor, undeposited, party
):
    late, late2, contested, paid, recent = (
        cite(days=40),
        cite(days=22),
        cite(days=40),
        cite(days=40),
        cite(days=21),
    )
    ps.contest_request(
        citation=contested, level="review", statement="Sign hidden", acting_user=clerk, on=days_ago(25)
    )
    pay(paid, undeposited, clerk, party)
    assert ps.penalty_run(acting_user=supervisor) == 2
    assert ps.penalty_run(acting_user=supervisor) == 0
    assert [selectors.citation_owed(c) for c in (late, late2, contested, paid, recent)] == [
        D("130.00"),
        D("130.00"),
        D("65.00"),
        D("0.00"),
        D("65.00"),
    ]
    receivable = Account.objects.get(number="240-1210")
    lines = JournalLine.objects.filter(account=receivable)
    assert sum(ln.debit - ln.credit for ln in lines) == sum(
        (c.balance for c in Charge.objects.filter(receivable_account=receivable)), D("0")
    )


# --------------------------------------------------------------------------- contests


def test_a_review_may_be_asked_for_up_to_21_days_from_issue(cite, clerk):
    c = cite(days=21)
    assert rules.review_allowed(
        c.issued_on, None, c.issued_on + datetime.timedelta(days=20), selectors.policy_on()
    )
    assert rules.review_allowed(
        c.issued_on, None, c.issued_on + datetime.timedelta(days=21), selectors.policy_on()
    )
    assert not rules.review_allowed(
        c.issued_on, None, c.issued_on + datetime.timedelta(days=22), selectors.policy_on()
    )
    ps.contest_request(citation=c, level="review", statement="I was loading", acting_user=clerk)  # day 21
    late = cite(days=22)
    with pytest.raises(rules.RuleError, match="review window closed"):
        ps.contest_request(citation=late, level="review", statement="x", acting_user=clerk)


def test_a_review_may_also_be_asked_for_within_14_days_of_the_delinquent_notice(cite, clerk, supervisor):
    c = cite(days=50)
    Citation.objects.filter(pk=c.pk).update(notice_on=days_ago(15))
    c.refresh_from_db()
    with pytest.raises(rules.RuleError, match="14 days from the notice"):
        ps.contest_request(citation=c, level="review", statement="Never got it", acting_user=clerk)
    Citation.objects.filter(pk=c.pk).update(notice_on=days_ago(14))
    c.refresh_from_db()
    assert ps.contest_request(citation=c, level="review", statement="Never got it", acting_user=clerk)
    policy = selectors.policy_on()
    n = days_ago(14)
    assert rules.review_allowed(c.issued_on, n, n + datetime.timedelta(days=13), policy)
    assert not rules.review_allowed(c.issued_on, n, n + datetime.timedelta(days=15), policy)


def test_a_dismissal_waives_everything_owed_and_is_dated_and_audited(cite, clerk, supervisor):
    c = cite(days=30)
    ps.penalty_assess(citation=c, acting_user=clerk)
    review = ps.contest_request(
        citation=c, level="review", statement="Meter broken", acting_user=clerk, on=days_ago(25)
    )
    with pytest.raises(NotAllowed):
        ps.contest_decide(contest=review, decision="dismissed", reason="x", acting_user=clerk)
    with pytest.raises(rules.RuleError, match="reason"):
        ps.contest_decide(contest=review, decision="dismissed", reason=" ", acting_user=supervisor)
    ps.contest_decide(
        contest=review, decision="dismissed", reason="Meter log shows fault", acting_user=supervisor
    )
    c.refresh_from_db()
    assert c.status == Citation.Status.DISMISSED and c.status_on == core.city_today()
    assert selectors.citation_owed(c) == D("0.00")
    assert "citation.review_dismissed" in [e.action for e in core.audit_trail(c)]
    with pytest.raises(rules.RuleError, match="already decided"):
        ps.contest_decide(contest=review, decision="upheld", reason="x", acting_user=supervisor)


def test_a_reduction_waives_down_to_the_reduced_amount(cite, clerk, supervisor):
    c = cite(days=5, code="22507.8")  # $350
    review = ps.contest_request(citation=c, level="review", statement="Placard on dash", acting_user=clerk)
    with pytest.raises(rules.RuleError, match="less than"):
        ps.contest_decide(
            contest=review, decision="reduced", reduced_to="400", reason="x", acting_user=supervisor
        )
    ps.contest_decide(
        contest=review, decision="reduced", reduced_to="100.00", reason="Placard", acting_user=supervisor
    )
    assert selectors.citation_owed(c) == D("100.00")
    c.refresh_from_db()
    assert c.status == Citation.Status.OPEN


def _upheld_review(c, clerk, supervisor, decided_days_ago):
    review = ps.contest_request(
        citation=c, level="review", statement="No sign", acting_user=clerk, on=c.issued_on
    )
    ps.contest_decide(
        contest=review,
        decision="upheld",
        reason="Sign posted",
        acting_user=supervisor,
        on=days_ago(decided_days_ago),
    )
    return review


def test_a_hearing_needs_the_deposit_unless_inability_to_pay_is_granted(
    cite, clerk, supervisor, undeposited, party
):
    c = cite(days=10)
    _upheld_review(c, clerk, supervisor, decided_days_ago=3)
    with pytest.raises(rules.RuleError, match=r"deposited first"):
        ps.contest_request(citation=c, level="hearing", statement="Appeal", acting_user=clerk)
    with pytest.raises(NotAllowed):
        ps.contest_request(
            citation=c,
            level="hearing",
            statement="Appeal",
            acting_user=clerk,
            inability_to_pay=True,
            inability_note="SSI",
        )
    hearing = ps.contest_request(
        citation=c,
        level="hearing",
        statement="Appeal",
        acting_user=supervisor,
        inability_to_pay=True,
        inability_note="SSI",
    )
    assert hearing.inability_to_pay

    d = cite(days=10)
    _upheld_review(d, clerk, supervisor, decided_days_ago=3)
    pay(d, undeposited, clerk, party)  # the deposit
    hearing = ps.contest_request(citation=d, level="hearing", statement="Appeal", acting_user=clerk)
    ps.contest_decide(contest=hearing, decision="dismissed", reason="Officer error", acting_user=supervisor)
    d.refresh_from_db()
    assert d.status == Citation.Status.DISMISSED
    assert party.credit_balance() == D("65.00")  # the deposit comes back through a refund of credit


def test_the_hearing_window_is_21_days_from_the_review_decision(cite, clerk, supervisor):
    policy = selectors.policy_on()
    decided = days_ago(30)
    assert rules.hearing_allowed(decided, decided + datetime.timedelta(days=21), policy)
    assert not rules.hearing_allowed(decided, decided + datetime.timedelta(days=22), policy)
    c = cite(days=40)
    _upheld_review(c, clerk, supervisor, decided_days_ago=22)
    with pytest.raises(rules.RuleError, match="hearing window closed"):
        ps.contest_request(
            citation=c,
            level="hearing",
            statement="x",
            acting_user=supervisor,
            inability_to_pay=True,
            inability_note="y",
        )
    d = cite(days=40)
    _upheld_review(d, clerk, supervisor, decided_days_ago=21)
    ps.contest_request(
        citation=d,
        level="hearing",
        statement="x",
        acting_user=supervisor,
        inability_to_pay=True,
        inability_note="y",
    )


# --------------------------------------------------------------------------- notices and holds


def test_notices_go_out_once_after_30_days_and_holds_21_days_after_the_notice(
    cite, clerk, supervisor, undeposited, party
):
    on_day_30, on_day_31 = cite(days=30), cite(days=31)
    with pytest.raises(NotAllowed):
        ps.notice_run(acting_user=clerk)
    run = ps.notice_run(acting_user=supervisor)
    assert run.count == 1 and list(run.citations.all()) == [on_day_31]
    assert ps.notice_run(acting_user=supervisor).count == 0
    Citation.objects.filter(pk=on_day_31.pk).update(notice_on=days_ago(21))
    assert ps.hold_export(acting_user=supervisor).placed == 0
    Citation.objects.filter(pk=on_day_31.pk).update(notice_on=days_ago(22))
    export = ps.hold_export(acting_user=supervisor)
    assert export.placed == 1 and f"PLACE,{on_day_31.number},7ABC123,CA,65.00" in export.content
    assert ps.hold_export(acting_user=supervisor).placed == 0
    pay(on_day_31, undeposited, clerk, party)
    # released the next day it is sent (a hold placed today is released no sooner than tomorrow)
    Citation.objects.filter(pk=on_day_31.pk).update(hold_on=days_ago(1))
    export = ps.hold_export(acting_user=supervisor)
    assert export.released == 1 and f"RELEASE,{on_day_31.number}" in export.content
    assert on_day_30.notice_on is None


# --------------------------------------------------------------------------- payment plans


def test_a_plan_waives_penalties_and_splits_the_fines_into_installments(
    cite, clerk, senior_clerk, party, undeposited, admin_user
):
    a, b = cite(days=40, code="22507.8"), cite(days=40)  # 350 + 65 fines, and their penalties
    ps.penalty_run(acting_user=admin_user)
    assert selectors.citation_owed(a) + selectors.citation_owed(b) == D("580.00")
    with pytest.raises(NotAllowed):
        ps.plan_create(
            party=party,
            citations=[a, b],
            months=24,
            first_due_on=days_ago(-10),
            qualification="SSI",
            acting_user=clerk,
        )
    with pytest.raises(rules.RuleError, match="more than the 25.00"):
        ps.plan_create(
            party=party,
            citations=[a, b],
            months=12,
            first_due_on=days_ago(-10),
            qualification="SSI",
            acting_user=senior_clerk,
        )
    assert selectors.citation_owed(a) == D("450.00")  # the refused plan changed nothing
    plan = ps.plan_create(
        party=party,
        citations=[a, b],
        months=17,
        first_due_on=days_ago(-10),
        qualification="SSI",
        acting_user=senior_clerk,
    )
    rows = list(plan.installments())
    fines = [r for r in rows if "Installment" in r.description]
    assert len(fines) == 17 and plan.installment == D("24.42")
    assert sum((r.amount for r in fines), D("0")) == D("415.00")
    assert fines[-1].amount == D("415.00") - 16 * D("24.42")
    assert [r.due_on for r in fines[:2]] == [days_ago(-10), add_months(days_ago(-10), 1)]
    fee = [r for r in rows if "processing fee" in r.description]
    assert fee[0].amount == D("5.00") and fee[0].source_number == f"{plan.number}-01"
    a.refresh_from_db()
    assert a.status == Citation.Status.IN_PLAN and selectors.citation_owed(a) == D("0.00")


def test_a_plan_over_500_is_refused():
    policy = type(
        "P", (), {"plan_max_total": D("500"), "plan_max_installment": D("25"), "plan_max_months": 24}
    )
    with pytest.raises(rules.RuleError, match="at most 500"):
        rules.plan_schedule(D("500.01"), 24, datetime.date(2026, 1, 31), policy)
    rows = rules.plan_schedule(D("500.00"), 20, datetime.date(2026, 1, 31), policy)
    assert [d for d, _a in rows[:3]] == [
        datetime.date(2026, 1, 31),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 31),
    ]
    with pytest.raises(rules.RuleError, match="1 to 24"):
        rules.plan_schedule(D("100"), 25, datetime.date(2026, 1, 31), policy)


def test_a_plan_defaults_after_the_grace_days_and_completes_when_paid(
    cite, senior_clerk, party, undeposited, supervisor
):
    a, b = cite(days=10), cite(days=10)
    plan = ps.plan_create(
        party=party,
        citations=[a],
        months=3,
        first_due_on=days_ago(0),
        qualification="CalFresh",
        acting_user=senior_clerk,
    )
    first_due = plan.first_due_on
    assert ps.plans_default(on=first_due + datetime.timedelta(days=15), acting_user=supervisor) == []
    assert ps.plans_default(on=first_due + datetime.timedelta(days=16), acting_user=supervisor) == [
        plan.number
    ]
    plan.refresh_from_db()
    assert plan.status == PaymentPlan.Status.DEFAULTED

    other = ps.plan_create(
        party=party,
        citations=[b],
        months=3,
        first_due_on=days_ago(0),
        qualification="CalFresh",
        acting_user=senior_clerk,
    )
    pay(other.installments(), undeposited, senior_clerk, party)
    other.refresh_from_db()
    b.refresh_from_db()
    assert other.status == PaymentPlan.Status.COMPLETED and b.status == Citation.Status.PAID


# --------------------------------------------------------------------------- money and status


def test_payment_marks_paid_and_a_void_reopens(cite, clerk, undeposited, party):
    c = cite(days=3)
    payment = pay(c, undeposited, clerk, party)
    c.refresh_from_db()
    assert c.status == Citation.Status.PAID
    core.payment_reverse(payment=payment, reason="Keyed wrong", acting_user=clerk)
    c.refresh_from_db()
    assert c.status == Citation.Status.OPEN and selectors.citation_owed(c) == D("65.00")


def test_lookup_by_number_and_by_plate_with_or_without_state(cite):
    a, b, _c = cite(plate="7ABC123"), cite(plate="7ABC123", state="NV"), cite(plate="5XYZ999")
    assert selectors.lookup(a.number)[0] == [a]
    assert {x.number for x in selectors.lookup("7abc 123")[0]} == {a.number, b.number}
    assert selectors.lookup("NV 7ABC123")[0] == [b]
    assert selectors.lookup("7ABC123 CA")[0] == [a]
    assert selectors.lookup("7A*C")[0] == []


def test_the_nightly_command_adds_penalties_as_a_supervisor_only(cite, supervisor, clerk):

    late = cite(days=30)
    with pytest.raises(CommandError, match="supervisor"):
        call_command("parking_nightly", user=clerk.username, stdout=io.StringIO())
    out = io.StringIO()
    call_command("parking_nightly", user=supervisor.username, stdout=out)
    assert "1 late penalties added" in out.getvalue() and selectors.citation_owed(late) == D("130.00")


def test_a_defaulted_plan_paid_in_full_completes_and_its_citations_are_paid(
    cite, senior_clerk, supervisor, party, undeposited
):
    a = cite(days=10)
    plan = ps.plan_create(
        party=party,
        citations=[a],
        months=3,
        first_due_on=days_ago(0),
        qualification="CalFresh",
        acting_user=senior_clerk,
    )
    assert ps.plans_default(on=plan.first_due_on + datetime.timedelta(days=16), acting_user=supervisor) == [
        plan.number
    ]
    pay(plan.installments(), undeposited, senior_clerk, party)
    a.refresh_from_db()
    plan.refresh_from_db()
    assert (a.status, plan.status) == (Citation.Status.PAID, PaymentPlan.Status.COMPLETED)


@pytest.mark.parametrize("run", ["penalty_run", "plans_default", "notice_run", "hold_export"])
def test_batch_runs_refuse_a_counter_clerk(cite, clerk, run):
    cite(days=40)
    with pytest.raises(NotAllowed):
        getattr(ps, run)(acting_user=clerk)
