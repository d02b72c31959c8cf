"""The counter under contention, on real PostgreSQL connections in threads."""

import time

import pytest
from django.contrib.auth.models import User

from cashiering import services as cs
from cashiering.models import CashierSession, Drawer, Receipt, ReturnedCheck
from cashiering.services import receipts
from revenue import roles, selectors, services
from revenue.exceptions import OverApplied
from revenue.models import Charge
from tests.conftest import D
from tests.revenue.test_concurrency import _race

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_clerks_paying_the_same_charge_at_once(
    open_session, senior_session, party, make_charge, clerk, senior_clerk
):
    charge = make_charge(party, "75.00")

    def pay(session, user):
        return lambda: cs.receipt_issue(
            session=session,
            payer=party,
            acting_user=user,
            items=[cs.Item(charge=charge, amount=D("75.00"))],
            tenders=[cs.TenderIn("cash", D("75.00"))],
        )

    outcomes = _race(pay(open_session, clerk), pay(senior_session, senior_clerk))
    assert sorted(type(o).__name__ for o in outcomes) == ["NoneType", "OverApplied"], outcomes
    assert Charge.objects.get(pk=charge.pk).amount_paid == D("75.00")
    assert Receipt.objects.count() == 1
    assert selectors.trial_balance(as_of=services.city_today()).in_balance


def test_receipt_numbers_gapless_and_unique_under_20_concurrent_posts(
    counter, party, make_charge, role_groups
):
    sessions = []
    for i in range(20):
        user = User.objects.create_user(f"clerk-{i}")
        user.groups.add(role_groups[roles.ASR_I])
        drawer = Drawer.objects.create(code=f"T{i}", name=f"Test drawer {i}")
        sessions.append((cs.session_open(drawer=drawer, clerk=user, opening_counts={}), user))
    charges = [make_charge(party, "10.00") for _ in range(20)]

    def pay(i):
        session, user = sessions[i]
        amount = (
            D("10.00") if i % 4 else D("10.01")
        )  # every fourth pays too much: refused after taking a number
        return lambda: cs.receipt_issue(
            session=session,
            payer=party,
            acting_user=user,
            items=[cs.Item(charge=charges[i], amount=amount)],
            tenders=[cs.TenderIn("cash", amount)],
        )

    outcomes = _race(*(pay(i) for i in range(20)))
    assert sum(isinstance(o, OverApplied) for o in outcomes) == 5 and outcomes.count(None) == 15
    numbers = sorted(int(n[-6:]) for n in Receipt.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 16))


@pytest.mark.parametrize("round_", range(5))
def test_closing_while_a_receipt_is_posted_leaves_it_in_the_totals_or_refused(
    open_session, party, make_charge, clerk, round_
):
    charge = make_charge(party, "30.00")
    outcomes = _race(
        lambda: cs.receipt_issue(
            session=open_session,
            payer=party,
            acting_user=clerk,
            items=[cs.Item(charge=charge, amount=D("30.00"))],
            tenders=[cs.TenderIn("cash", D("30.00"))],
        ),
        lambda: cs.session_close(
            session=open_session,
            counted_counts=open_session.opening_counts,
            confirmed_check_ids=[],
            card_batch_total="0",
            explanation="race",
            acting_user=clerk,
        ),
    )
    assert outcomes[1] is None
    session = CashierSession.objects.get(pk=open_session.pk)
    if outcomes[0] is None:  # the receipt got in first: the close-out expects its cash
        assert session.expected_cash == open_session.opening_float + D("30.00")
    else:
        assert isinstance(outcomes[0], cs.SessionClosed)
        assert session.expected_cash == open_session.opening_float and Receipt.objects.count() == 0


@pytest.mark.parametrize("round_", range(5))
def test_a_fee_receipt_and_a_plain_receipt_at_once_never_deadlock(
    open_session, senior_session, party, walk_in, make_charge, fees, clerk, senior_clerk, round_
):
    charge = make_charge(party, "12.00")
    outcomes = _race(
        lambda: cs.receipt_issue(
            session=open_session,
            payer=walk_in,
            acting_user=clerk,
            items=[cs.Item(fee_type=fees["COPY"], quantity=4)],
            tenders=[cs.TenderIn("cash", D("1.00"))],
        ),
        lambda: cs.receipt_issue(
            session=senior_session,
            payer=party,
            acting_user=senior_clerk,
            items=[cs.Item(charge=charge, amount=D("12.00"))],
            tenders=[cs.TenderIn("cash", D("12.00"))],
        ),
    )
    assert outcomes == [None, None], outcomes
    assert Receipt.objects.count() == 2


def test_two_clerks_opening_the_same_drawer_at_once(counter, clerk, senior_clerk):
    outcomes = _race(
        lambda: cs.session_open(drawer=counter["D1"], clerk=clerk, opening_counts={}),
        lambda: cs.session_open(drawer=counter["D1"], clerk=senior_clerk, opening_counts={}),
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["NoneType", "RevenueError"], outcomes
    assert CashierSession.objects.filter(drawer=counter["D1"]).count() == 1


@pytest.mark.parametrize("round_", range(2))
def test_a_returned_check_and_a_payment_on_its_charge_at_once_never_deadlock(
    open_session,
    senior_session,
    party,
    make_charge,
    clerk,
    senior_clerk,
    supervisor,
    other_supervisor,
    monkeypatch,
    round_,
):
    """The return takes the party, the payment and the charges before any number (a charge for
    the spent credit, the journal's, its own), as a receipt takes its charges before its numbers:
    neither waits on a number the other holds while holding a row it needs."""
    permit, fine = make_charge(party, "100.00", "Permit"), make_charge(party, "10.00", "Fine")
    receipt = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=permit, amount=D("60.00"))],
        tenders=[cs.TenderIn("check", D("70.00"), "1042", "Rosa Alvarez")],
    )  # 10.00 over: credit on account, then spent on the fine, so the return assesses it back
    services.credit_apply(party=party, applications=[(fine, D("10.00"))], acting_user=clerk)
    check = receipt.tenders.get(kind="check")
    session = cs.session_close(
        session=open_session,
        counted_counts=open_session.opening_counts,
        confirmed_check_ids=[check.pk],
        card_batch_total="0",
        explanation="",
        acting_user=clerk,
    )
    cs.session_sign_off(session=session, acting_user=supervisor)
    deposit = cs.deposit_prepare(sessions=[session], acting_user=supervisor)
    cs.deposit_confirm(deposit=deposit, bank_reference="BK-1", acting_user=other_supervisor)
    # the receipt holds the permit's row a moment before it takes any number: the return, started
    # at the same time, reaches the permit then, and must not hold a number while it waits
    split = receipts.tender_split

    def slow_split(*args, **kwargs):
        time.sleep(0.3)
        return split(*args, **kwargs)

    monkeypatch.setattr(receipts, "tender_split", slow_split)
    outcomes = _race(
        lambda: cs.check_return(tender=check, reason="Insufficient funds", acting_user=supervisor),
        lambda: cs.receipt_issue(
            session=senior_session,
            payer=party,
            acting_user=senior_clerk,
            items=[cs.Item(charge=permit, amount=D("40.00"))],
            tenders=[cs.TenderIn("cash", D("40.00"))],
        ),
    )
    assert outcomes == [None, None], outcomes
    permit.refresh_from_db()
    assert permit.amount_paid == D("40.00") and permit.balance == D(
        "60.00"
    )  # the check's 60.00 is open again
    returned = ReturnedCheck.objects.get()
    assert returned.credit_charge.amount == D("10.00") and returned.fee_charge is not None
    assert selectors.trial_balance(as_of=services.city_today()).in_balance
