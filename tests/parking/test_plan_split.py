"""How a payment plan is split, as the policy in force says: equal installments, or the maximum
each month and the remainder last; the plan page says what the counter collects, fee included."""

import datetime
import uuid

import pytest
from django.urls import reverse

from parking import rules, selectors
from parking import services as ps
from parking.models import PLAN_MAXIMUM, ParkingPolicy, PaymentPlan
from revenue import services as core
from tests.conftest import D
from tests.parking.helpers import days_ago, pay


class Policy:
    plan_max_total = D("500.00")
    plan_max_installment = D("25.00")
    plan_max_months = 24

    def __init__(self, split):
        self.plan_split = split


FIRST = datetime.date(2027, 1, 15)


def test_the_maximum_each_month_and_the_remainder_last():
    rows = rules.plan_schedule(D("70.00"), None, FIRST, Policy("maximum"))
    assert rows == [
        (datetime.date(2027, 1, 15), D("25.00")),
        (datetime.date(2027, 2, 15), D("25.00")),
        (datetime.date(2027, 3, 15), D("20.00")),
    ]
    assert [a for _d, a in rules.plan_schedule(D("50.00"), None, FIRST, Policy("maximum"))] == [
        D("25.00")
    ] * 2
    assert [a for _d, a in rules.plan_schedule(D("10.01"), 6, FIRST, Policy("maximum"))] == [D("10.01")]
    with pytest.raises(rules.RuleError, match="takes 3 months: choose 3 or more"):
        rules.plan_schedule(D("70.00"), 2, FIRST, Policy("maximum"))
    tight = Policy("maximum")
    tight.plan_max_months = 19
    with pytest.raises(rules.RuleError, match="takes 20 months, more than the 19 allowed"):
        rules.plan_schedule(D("500.00"), None, FIRST, tight)


def test_equal_installments_stay_the_default_and_need_the_months():
    rows = rules.plan_schedule(D("70.00"), 3, FIRST, Policy("equal"))
    assert [a for _d, a in rows] == [D("23.34"), D("23.34"), D("23.32")]
    with pytest.raises(rules.RuleError, match="number of months"):
        rules.plan_schedule(D("70.00"), None, FIRST, Policy("equal"))


@pytest.fixture
def maximum_policy(policy, admin_user):
    """From today, a policy whose plans take the maximum each month (effective-dated: the
    earlier policy still governs plans made before today)."""
    fields = {
        f.name: getattr(policy, f.name)
        for f in ParkingPolicy._meta.concrete_fields
        if f.name not in ("id", "effective_from", "created_at", "plan_split")
    }
    return ParkingPolicy.objects.create(**fields, effective_from=core.city_today(), plan_split=PLAN_MAXIMUM)


def test_a_plan_under_the_maximum_policy_and_what_the_counter_collects(
    cite, senior_clerk, party, undeposited, maximum_policy
):
    a = cite(days=10)  # a 65.00 fine
    plan = ps.plan_create(
        party=party,
        citations=[a],
        months=None,
        first_due_on=days_ago(-10),
        qualification="SSI",
        acting_user=senior_clerk,
    )
    assert plan.months == 3
    payments = selectors.plan_payments(plan)
    assert [(p.installment, p.fee, p.amount) for p in payments] == [
        (D("25.00"), D("5.00"), D("30.00")),
        (D("25.00"), D("0.00"), D("25.00")),
        (D("15.00"), D("0.00"), D("15.00")),
    ]
    assert payments[0].number == f"{plan.number}-01" and payments[0].due_on == days_ago(-10)
    pay(
        [c for c in plan.installments() if c.source_number == payments[0].number],
        undeposited,
        senior_clerk,
        party,
    )
    assert selectors.plan_payments(plan)[0].owed == D("0.00")


def test_the_plan_page_shows_what_the_counter_collects_fee_included(
    client, cite, senior_clerk, party, maximum_policy
):
    a = cite(days=10)
    client.force_login(senior_clerk)
    form = client.get(reverse("parking:plan_new"), {"q": "7ABC123"}).content.decode()
    assert "25.00 each month, the remainder last" in form
    response = client.post(
        reverse("parking:plan_new"),
        {
            "token": str(uuid.uuid4()),
            "q": "7ABC123",
            "citation": [a.number],
            "party_number": party.number,
            "months": "",
            "first_due_on": days_ago(-10).isoformat(),
            "qualification": "Receives CalFresh",
        },
        follow=True,
    )
    plan = PaymentPlan.objects.get()
    body = response.content.decode()
    assert (
        "3 installments; the counter collects $30.00, $25.00, $15.00 (the first with the $5.00 fee)" in body
    )
    assert "<strong>$30.00</strong> (installment $25.00 + fee $5.00)" in body
    assert f"pay <strong>{plan.number}-01</strong> at the counter ($30.00, fee included" in body
    # the history panel: the person's name, and the plan's figures in plain words
    history = body.split('id="plan-history"', 1)[1]
    assert "Clerk2" in history and "clerk2" not in history
    assert f"<strong>Citations</strong>: {a.number}" in history and "[&#x27;" not in history
