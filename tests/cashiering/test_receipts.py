"""Taking money at the counter: baskets, tenders, change, overpayment, refusals."""

import pytest

from cashiering import services as cs
from cashiering.models import CheckRestriction, Receipt, Tender
from revenue import selectors, services
from revenue.exceptions import InvalidAmount, NotAllowed, OverApplied
from revenue.models import Charge
from tests.conftest import D, balance_of


def test_the_opening_float_is_counted_by_denomination(open_session):
    assert open_session.opening_float == D("100.00") + D("40.00") + D("10.00") + D("10.00")


def test_one_open_session_per_clerk_and_per_drawer(counter, clerk, senior_clerk, open_session):
    with pytest.raises(services.RevenueError, match="already have an open session"):
        cs.session_open(drawer=counter["D2"], clerk=clerk, opening_counts={})
    with pytest.raises(services.RevenueError, match="in use by another clerk"):
        cs.session_open(drawer=counter["D1"], clerk=senior_clerk, opening_counts={})


@pytest.mark.parametrize("counts", [{"b20": -1}, {"b3": 1}, {"c25": "x"}])
def test_bad_counts_are_refused(counter, clerk, counts):
    with pytest.raises(InvalidAmount):
        cs.session_open(drawer=counter["D1"], clerk=clerk, opening_counts=counts)


def test_an_auditor_cannot_open_a_drawer(counter, auditor):
    with pytest.raises(NotAllowed):
        cs.session_open(drawer=counter["D1"], clerk=auditor, opening_counts={})


def test_one_payment_for_two_charges_split_across_cash_and_check(
    open_session, party, make_charge, clerk, accounts
):
    a, b = make_charge(party, "120.00"), make_charge(party, "35.50")
    receipt = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=a, amount=D("120.00")), cs.Item(charge=b, amount=D("35.50"))],
        tenders=[cs.TenderIn("check", D("100.00"), "1042", "Rosa Alvarez"), cs.TenderIn("cash", D("60.00"))],
    )
    assert (
        receipt.number.startswith("R") and receipt.total == D("155.50") and receipt.change_given == D("4.50")
    )
    tenders = {t.kind: (t.amount, t.tendered) for t in receipt.tenders.all()}
    assert tenders == {"cash": (D("55.50"), D("60.00")), "check": (D("100.00"), D("100.00"))}
    assert [ln.balance_after for ln in receipt.lines.all()] == [D("0.00"), D("0.00")]
    assert balance_of(accounts["100-1050"]) == D("55.50")
    assert balance_of(accounts["100-1051"]) == D("100.00")
    assert balance_of(accounts["100-1210"]) == D("0.00")
    assert selectors.trial_balance(as_of=services.city_today()).in_balance


def test_partial_payment_and_card(open_session, party, make_charge, clerk, accounts):
    charge = make_charge(party, "80.00")
    receipt = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=charge, amount=D("30.00"))],
        tenders=[cs.TenderIn("card", D("30.00"), "A1B2C3", card_last4="4242")],
    )
    charge.refresh_from_db()
    assert charge.balance == D("50.00") and receipt.lines.get().balance_after == D("50.00")
    assert balance_of(accounts["100-1060"]) == D("30.00")
    assert receipt.tenders.get().card_last4 == "4242"


def test_a_counter_fee_is_assessed_and_paid_on_the_same_receipt(open_session, walk_in, fees, clerk):
    receipt = cs.receipt_issue(
        session=open_session,
        payer=walk_in,
        acting_user=clerk,
        items=[cs.Item(fee_type=fees["COPY"], quantity=12)],
        tenders=[cs.TenderIn("cash", D("5.00"))],
    )
    line = receipt.lines.get()
    assert line.assessed_here and line.charge.amount == D("3.00") and line.charge.is_settled
    assert receipt.change_given == D("2.00")


def test_a_check_overpayment_becomes_credit_by_policy(open_session, party, make_charge, clerk):
    charge = make_charge(party, "40.00")
    receipt = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=charge, amount=D("40.00"))],
        tenders=[cs.TenderIn("check", D("50.00"), "881", "R Alvarez")],
    )
    assert receipt.total == D("50.00") and party.credit_balance() == D("10.00")


def test_a_card_overpayment_is_refused_by_policy(open_session, party, make_charge, clerk):
    charge = make_charge(party, "40.00")
    with pytest.raises(services.RevenueError, match="does not keep the difference"):
        cs.receipt_issue(
            session=open_session,
            payer=party,
            acting_user=clerk,
            items=[cs.Item(charge=charge, amount=D("40.00"))],
            tenders=[cs.TenderIn("card", D("45.00"), "AUTH1", card_last4="1111")],
        )
    assert Receipt.objects.count() == 0


@pytest.mark.parametrize(
    ("tenders", "message"),
    [
        ([cs.TenderIn("cash", D("19.99"))], "short 0.01"),
        ([cs.TenderIn("cash", D("-20.00"))], "more than zero"),
        ([cs.TenderIn("cash", D("20.005"))], "two decimal places"),
        ([cs.TenderIn("check", D("20.00"), "", "Name")], "enter its number"),
        ([cs.TenderIn("check", D("20.00"), "12", "")], "name printed on the check"),
        ([cs.TenderIn("card", D("20.00"), "AUTH", card_last4="4111111111111111")], "last 4 digits"),
        ([cs.TenderIn("card", D("20.00"), "", card_last4="1111")], "authorization code"),
        (
            [cs.TenderIn("card", D("20.00"), "A", card_last4="1111"), cs.TenderIn("cash", D("5.00"))],
            "no cash is needed",
        ),
        ([], "how the payer is paying"),
    ],
)
def test_bad_tenders_are_refused_and_nothing_posts(open_session, party, make_charge, clerk, tenders, message):
    charge = make_charge(party, "20.00")
    with pytest.raises(services.RevenueError, match=message):
        cs.receipt_issue(
            session=open_session,
            payer=party,
            acting_user=clerk,
            items=[cs.Item(charge=charge, amount=D("20.00"))],
            tenders=tenders,
        )
    charge.refresh_from_db()
    assert charge.amount_paid == D("0.00") and Receipt.objects.count() == 0


def test_paying_more_than_a_balance_is_refused(open_session, party, make_charge, clerk):
    charge = make_charge(party, "20.00")
    with pytest.raises(OverApplied):
        cs.receipt_issue(
            session=open_session,
            payer=party,
            acting_user=clerk,
            items=[cs.Item(charge=charge, amount=D("25.00"))],
            tenders=[cs.TenderIn("cash", D("25.00"))],
        )


def test_a_party_barred_from_checks_cannot_pay_by_check(open_session, party, make_charge, clerk, admin_user):
    CheckRestriction.objects.create(
        party=party, until=services.city_today(), reason="NSF check 1042", created_by=admin_user
    )
    charge = make_charge(party, "20.00")
    with pytest.raises(cs.ChecksRefused, match="No checks are accepted"):
        cs.receipt_issue(
            session=open_session,
            payer=party,
            acting_user=clerk,
            items=[cs.Item(charge=charge, amount=D("20.00"))],
            tenders=[cs.TenderIn("check", D("20.00"), "1", "x")],
        )
    receipt = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,  # money orders are fine
        items=[cs.Item(charge=charge, amount=D("20.00"))],
        tenders=[cs.TenderIn("money_order", D("20.00"), "MO-77")],
    )
    assert receipt.tenders.get().kind == Tender.Kind.MONEY_ORDER


def test_only_the_sessions_clerk_takes_money_in_it(open_session, party, make_charge, senior_clerk):
    charge = make_charge(party, "20.00")
    with pytest.raises(NotAllowed):
        cs.receipt_issue(
            session=open_session,
            payer=party,
            acting_user=senior_clerk,
            items=[cs.Item(charge=charge, amount=D("20.00"))],
            tenders=[cs.TenderIn("cash", D("20"))],
        )


def test_receipt_numbers_run_without_gaps_when_one_is_refused(open_session, party, make_charge, clerk):
    first = make_charge(party, "10.00")
    r1 = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=first, amount=D("10.00"))],
        tenders=[cs.TenderIn("cash", D("10"))],
    )
    with pytest.raises(OverApplied):  # refused in the posting, after its number was taken
        cs.receipt_issue(
            session=open_session,
            payer=party,
            acting_user=clerk,
            items=[cs.Item(charge=make_charge(party, "10.00"), amount=D("10.01"))],
            tenders=[cs.TenderIn("cash", D("10.01"))],
        )
    r2 = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=make_charge(party, "10.00"), amount=D("10.00"))],
        tenders=[cs.TenderIn("cash", D("10"))],
    )
    assert int(r2.number[-6:]) == int(r1.number[-6:]) + 1
    assert Charge.objects.filter(party=party).count() == 3
