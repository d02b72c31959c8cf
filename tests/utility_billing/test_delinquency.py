# ruff: noqa: F811 - the fixtures are imported from collect_fixtures and named as arguments
"""Delinquency: the late fee at the grace period's edges, the shut-off list's rules (days
delinquent, business days of notice, the medical protection), the income-qualified caps,
disconnect orders, reconnection on payment, and a Representative I's waiver of a late fee."""

import datetime

import pytest

from revenue import demo as revenue_demo
from revenue import services as core
from revenue.models import ApprovalRequest, Charge
from tests.utility_billing.collect_fixtures import (  # noqa: F401 - fixtures
    D,
    make_account,
    make_bill,
    utility,
)
from utility_billing import collect_rules as rules
from utility_billing import services as ub
from utility_billing.collect_selectors import shutoff_list, standing
from utility_billing.models import DelinquencyNotice, LateFee, PaymentPlan, ServiceOrder

DUE = datetime.date(2026, 3, 2)  # a Monday


def _fees(account):
    return list(Charge.objects.filter(source_type__model="latefee", party=account.party))


@pytest.mark.parametrize(
    ("days_after_due", "fees"),
    [(9, 0), (10, 0), (11, 1)],  # the day before the grace period's last day, its last day, the day after
    ids=["day-before", "day-of", "day-after"],
)
def test_the_late_fee_applies_only_after_the_grace_period(
    make_account, make_bill, supervisor, days_after_due, fees
):
    account = make_account()
    bill = make_bill(account, DUE)  # 100.00 current, grace 10 days
    added = ub.late_fee_run(on=DUE + datetime.timedelta(days=days_after_due), acting_user=supervisor)
    assert added == fees and len(_fees(account)) == fees
    if fees:
        (fee,) = _fees(account)
        assert fee.amount == D("10.00") and fee.source_number == bill.number  # 10% of 100.00


def test_the_late_fee_adds_a_share_of_the_past_due_and_is_assessed_once(make_account, make_bill, supervisor):
    account = make_account()
    make_bill(account, DUE - datetime.timedelta(days=30), water="150.00", sewer="50.00")  # 200.00 past due
    current = make_bill(account, DUE)  # 100.00 current
    on = DUE + datetime.timedelta(days=11)
    assert ub.late_fee_run(on=on, acting_user=supervisor) == 2  # the older bill's own fee too
    fee = LateFee.objects.get(bill=current)
    assert (fee.current_unpaid, fee.past_due, fee.amount) == (D("100.00"), D("200.00"), D("12.00"))
    assert ub.late_fee_run(on=on, acting_user=supervisor) == 0  # run again: nothing twice
    assert ub.late_fee_run(on=on + datetime.timedelta(days=5), acting_user=supervisor) == 0
    assert len(_fees(account)) == 2


def test_an_income_qualified_customer_has_one_late_fee_waived_in_twelve_months(
    make_account, make_bill, supervisor
):
    account = make_account(income_qualified=True)
    first, second = make_bill(account, DUE), make_bill(account, DUE + datetime.timedelta(days=30))
    ub.late_fee_run(on=DUE + datetime.timedelta(days=11), acting_user=supervisor)
    ub.late_fee_run(on=DUE + datetime.timedelta(days=41), acting_user=supervisor)
    assert LateFee.objects.get(bill=first).waived and not LateFee.objects.get(bill=second).waived
    assert [c.source_number for c in _fees(account)] == [second.number]


def test_two_late_bills_in_one_run_waive_only_one_fee(make_account, make_bill, supervisor):
    account = make_account(income_qualified=True)
    first, second = make_bill(account, DUE - datetime.timedelta(days=30)), make_bill(account, DUE)
    assert ub.late_fee_run(on=DUE + datetime.timedelta(days=11), acting_user=supervisor) == 2
    assert LateFee.objects.get(bill=first).waived and not LateFee.objects.get(bill=second).waived


def test_a_clerk_cannot_run_late_fees(make_account, make_bill, clerk):
    with pytest.raises(core.NotAllowed):
        ub.late_fee_run(on=DUE, acting_user=clerk)


def _noticed(account, make_bill, supervisor, *, due, notice_on):
    make_bill(account, due)
    ids = ub.notices_send(on=notice_on, acting_user=supervisor)
    assert len(ids) == 1
    return DelinquencyNotice.objects.get(pk=ids[0])


@pytest.mark.parametrize(("days", "eligible"), [(59, False), (60, True)], ids=["one-day-short", "exactly-N"])
def test_no_shut_off_until_n_days_delinquent(make_account, make_bill, supervisor, days, eligible):
    account = make_account()
    _noticed(account, make_bill, supervisor, due=DUE, notice_on=DUE + datetime.timedelta(days=35))
    on = DUE + datetime.timedelta(days=days)
    listed = {d.number: d for d in shutoff_list(on=on, everyone=True)}
    assert listed[account.number].eligible is eligible
    assert (account.number in {d.number for d in shutoff_list(on=on)}) is eligible
    if not eligible:
        assert listed[account.number].why_not == "59 days delinquent; 60 needed"


@pytest.mark.parametrize(
    ("notice_on", "eligible"),
    # shut-off on Wednesday 05/13/2026; 7 business days before is Monday 05/04 (the weekend between skipped)
    [(datetime.date(2026, 5, 5), False), (datetime.date(2026, 5, 4), True)],
    ids=["one-business-day-short", "seven-business-days"],
)
def test_a_notice_at_least_n_business_days_before(make_account, make_bill, supervisor, notice_on, eligible):
    account = make_account()
    on = datetime.date(2026, 5, 13)
    notice = _noticed(
        account, make_bill, supervisor, due=on - datetime.timedelta(days=70), notice_on=notice_on
    )
    assert notice.shutoff_on == (on if eligible else datetime.date(2026, 5, 14))
    assert (account.number in {d.number for d in shutoff_list(on=on)}) is eligible
    assert rules.business_days_between(notice_on, on) == (7 if eligible else 6)


def test_no_shut_off_with_a_medical_certification_and_a_plan_asked_for(make_account, make_bill, supervisor):
    on = DUE + datetime.timedelta(days=70)
    protected = make_account(medical_certificate_until=on + datetime.timedelta(days=90))
    certified_only = make_account(name="Okafor, Ben", address="7 Elm St", medical_certificate_until=on)
    for account in (protected, certified_only):
        make_bill(account, DUE)
    ub.notices_send(on=DUE + datetime.timedelta(days=35), acting_user=supervisor)
    ub.plan_request(account=protected, acting_user=supervisor, note="Asked at the counter")
    listed = {d.number: d for d in shutoff_list(on=on, everyone=True)}
    assert not listed[protected.number].eligible
    assert "Medical certification" in listed[protected.number].why_not
    assert listed[certified_only.number].eligible  # a certification alone does not protect


@pytest.mark.parametrize(
    ("income_qualified", "after_hours", "fee"),
    [(False, False, "100.00"), (True, False, "50.00"), (False, True, "250.00"), (True, True, "150.00")],
)
def test_the_reconnection_fee_is_capped_for_income_qualified_customers(
    make_account, income_qualified, after_hours, fee
):
    account = make_account(income_qualified=income_qualified)
    amount, _fee_type = ub.reconnect_fee_for(account, after_hours=after_hours, on=DUE)
    assert amount == D(fee)


def test_disconnect_orders_from_the_list_and_reconnection_when_paid(
    make_account, make_bill, supervisor, clerk
):
    account = make_account(income_qualified=True)
    bill = make_bill(account, DUE)
    ub.notices_send(on=DUE + datetime.timedelta(days=35), acting_user=supervisor)
    on = DUE + datetime.timedelta(days=60)
    with pytest.raises(core.NotAllowed):
        ub.disconnects_order(account_numbers=[account.number], acting_user=clerk, on=on)
    (order,) = ub.disconnects_order(account_numbers=[account.number], acting_user=supervisor, on=on)
    assert order.kind == "disconnect" and order.account == account and order.is_open
    with pytest.raises(core.RevenueError, match="Not on today's shut-off list"):
        ub.disconnects_order(
            account_numbers=[account.number], acting_user=supervisor, on=on
        )  # ordered already
    ServiceOrder.objects.filter(pk=order.pk).update(status="completed", completed_at=order.created_at)
    charges = list(Charge.objects.filter(source_number=bill.number))
    core.payment_post(
        party=account.party, amount=D("100.00"), applications=[(c, c.balance) for c in charges],
        acting_user=supervisor, debit_account=core.account_for_role("undeposited"),
    )  # fmt: skip
    reconnect = ServiceOrder.objects.get(account=account, kind="reconnect")
    assert [c.amount for c in reconnect.fee_charges.all()] == [D("50.00")]  # capped: income-qualified
    assert standing(account).balance == D("50.00")


def test_a_representative_i_cannot_waive_a_late_fee_beyond_the_limit(
    make_account, make_bill, supervisor, clerk, senior_clerk
):
    revenue_demo.load_exception_limits(acting_user=supervisor)
    account = make_account()
    make_bill(account, DUE - datetime.timedelta(days=30), water="600.00", sewer="400.00")
    make_bill(account, DUE, water="600.00", sewer="400.00")
    ub.late_fee_run(on=DUE + datetime.timedelta(days=11), acting_user=supervisor)
    first, second = _fees(account)  # 100.00 and 110.00
    asked = core.approval_request(
        kind="waiver", target=first, amount=D("10.00"), reason="First time", acting_user=clerk
    )
    assert asked.status == ApprovalRequest.Status.PENDING  # a Representative I always asks
    over = core.approval_request(
        kind="waiver", target=second, amount=D("60.00"), reason="Hardship", acting_user=senior_clerk
    )
    assert over.status == ApprovalRequest.Status.PENDING  # over the $50.00 limit of a Representative II
    first.refresh_from_db()
    assert first.balance == D("100.00")  # nothing waived until a supervisor decides
    core.approval_decide(request=asked, approve=True, note="", acting_user=supervisor)
    first.refresh_from_db()
    assert first.balance == D("90.00")


def test_a_payment_plan_spreads_the_balance_and_defaults_when_not_kept(make_account, make_bill, supervisor):
    account = make_account()
    make_bill(account, DUE, water="70.00", sewer="30.01")
    today = core.city_today()
    plan = ub.plan_set_up(account=account, months=3, first_due=today, acting_user=supervisor)
    assert [i.amount for i in plan.installments.all()] == [D("33.33"), D("33.33"), D("33.35")]
    assert plan.status == PaymentPlan.Status.ACTIVE
    assert ub.plans_review(on=today + datetime.timedelta(days=59), acting_user=supervisor)["defaulted"] == []
    assert ub.plans_review(on=today + datetime.timedelta(days=60), acting_user=supervisor)["defaulted"] == [
        plan.pk
    ]
    plan.refresh_from_db()
    assert plan.status == PaymentPlan.Status.DEFAULTED
