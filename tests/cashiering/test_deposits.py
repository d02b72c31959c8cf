"""Bank deposits from signed-off sessions: cash less the float, checks, the slip, the posting."""

import pytest
from django.urls import reverse

from cashiering import services as cs
from cashiering.models import Deposit
from revenue import selectors, services
from revenue.exceptions import NotAllowed
from tests.conftest import D, balance_of
from tests.pdf import pdf_text


@pytest.mark.parametrize(
    ("counts", "amount", "expected"),
    [
        ({"b20": 5, "b5": 4, "b1": 10, "c25": 8}, D("100.00"), {"b20": 5}),
        ({"b100": 1, "b20": 3, "b1": 10, "c25": 40}, D("165.00"), {"b100": 1, "b20": 3, "b1": 5}),
        ({"c25": 3, "c10": 3}, D("0.30"), {"c10": 3}),  # greedy would take a quarter and be stuck
        ({"b20": 2}, D("0.00"), {}),
        ({"b50": 1, "b20": 3}, D("60.00"), {"b20": 3}),  # largest-first alone would take the 50 and be stuck
        ({"b100": 2, "b20": 5, "c1": 300}, D("203.00"), {"b100": 2, "c1": 300}),
    ],
)
def test_deposit_split_takes_large_notes_and_leaves_the_float(counts, amount, expected):
    assert cs.deposit_split(counts, amount) == expected


def test_deposit_split_says_when_it_cannot(db):
    with pytest.raises(services.RevenueError, match="recount"):
        cs.deposit_split({"b20": 1}, D("10.00"))


@pytest.fixture
def signed_off(open_session, clerk, supervisor, party, make_charge):
    cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=make_charge(party, "50.00"), amount=D("50.00"))],
        tenders=[cs.TenderIn("cash", D("50.00"))],
    )
    cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=make_charge(party, "25.00"), amount=D("25.00"))],
        tenders=[cs.TenderIn("check", D("25.00"), "1001", "R Alvarez")],
    )
    counts = dict(open_session.opening_counts)
    counts["b50"] = 1
    check = cs.session_checks(open_session).get()
    session = cs.session_close(
        session=open_session,
        counted_counts=counts,
        confirmed_check_ids=[check.pk],
        card_batch_total="0",
        explanation="",
        acting_user=clerk,
    )
    return cs.session_sign_off(session=session, acting_user=supervisor)


def test_a_deposit_is_prepared_then_posted_when_the_bank_takes_it(
    signed_off, supervisor, other_supervisor, accounts
):
    deposit = cs.deposit_prepare(sessions=[signed_off], acting_user=supervisor)
    assert (deposit.cash_total, deposit.checks_total) == (D("50.00"), D("25.00"))
    assert deposit.cash_counts == {"b50": 1}
    assert balance_of(accounts["100-1010"]) == D("0.00")  # nothing posts yet
    with pytest.raises(services.RevenueError, match="already in deposit"):
        cs.deposit_prepare(sessions=[signed_off], acting_user=supervisor)

    with pytest.raises(services.RevenueError, match="bank's reference"):
        cs.deposit_confirm(deposit=deposit, bank_reference=" ", acting_user=other_supervisor)
    with pytest.raises(services.NotAllowed, match="You prepared this deposit"):
        cs.deposit_confirm(deposit=deposit, bank_reference="BK-88231", acting_user=supervisor)
    cs.deposit_confirm(deposit=deposit, bank_reference="BK-88231", acting_user=other_supervisor)
    deposit.refresh_from_db()
    assert deposit.status == Deposit.Status.DEPOSITED
    assert balance_of(accounts["100-1010"]) == D("75.00")
    assert balance_of(accounts["100-1050"]) == D("0.00") and balance_of(accounts["100-1051"]) == D("0.00")
    assert selectors.trial_balance(as_of=services.city_today()).in_balance
    with pytest.raises(services.RevenueError, match="already marked"):
        cs.deposit_confirm(deposit=deposit, bank_reference="again", acting_user=other_supervisor)


def test_only_signed_off_sessions_go_to_the_bank(open_session, supervisor):
    with pytest.raises(services.RevenueError, match="not signed off"):
        cs.deposit_prepare(sessions=[open_session], acting_user=supervisor)


def test_a_clerk_cannot_prepare_a_deposit(signed_off, clerk):
    with pytest.raises(NotAllowed):
        cs.deposit_prepare(sessions=[signed_off], acting_user=clerk)


def test_deposit_screens_and_slip(client, supervisor, other_supervisor, signed_off):
    client.force_login(supervisor)
    listing = client.get(reverse("cashiering:deposit_list"))
    assert list(listing.context["ready"]) == [signed_off]
    response = client.post(reverse("cashiering:deposit_list"), {"sessions": [signed_off.pk]}, follow=True)
    deposit = Deposit.objects.get()
    assert f"Deposit {deposit.number} prepared" in response.content.decode()
    text = pdf_text(client.get(reverse("cashiering:deposit_slip", args=[deposit.number])).content)
    assert deposit.number in text and "$75.00" in text and "1001" in text and "$50 bills" in text
    client.force_login(other_supervisor)  # who prepares a deposit does not also confirm it
    client.post(reverse("cashiering:deposit_confirm", args=[deposit.number]), {"bank_reference": "BK-1"})
    deposit.refresh_from_db()
    assert deposit.bank_reference == "BK-1" and deposit.entry is not None


def test_a_check_not_ticked_at_close_out_is_not_deposited(
    open_session, clerk, supervisor, other_supervisor, party, make_charge, accounts
):
    cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=make_charge(party, "40.00"), amount=D("40.00"))],
        tenders=[cs.TenderIn("check", D("40.00"), "77", "R A")],
    )
    cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=make_charge(party, "10.00"), amount=D("10.00"))],
        tenders=[cs.TenderIn("cash", D("10.00"))],
    )
    counts = dict(open_session.opening_counts)
    counts["b10"] = 1
    session = cs.session_close(
        session=open_session,
        counted_counts=counts,
        confirmed_check_ids=[],
        card_batch_total="0",
        explanation="The check is missing",
        acting_user=clerk,
    )
    cs.session_sign_off(session=session, acting_user=supervisor)  # posts the 40.00 check short
    deposit = cs.deposit_prepare(sessions=[session], acting_user=supervisor)
    assert (deposit.cash_total, deposit.checks_total) == (D("10.00"), D("0.00"))
    cs.deposit_confirm(deposit=deposit, bank_reference="BK-2", acting_user=other_supervisor)
    assert balance_of(accounts["100-1051"]) == D("0.00")  # never negative
    assert balance_of(accounts["100-1010"]) == D("10.00")


def test_a_card_only_session_has_nothing_for_the_bank(
    open_session, clerk, supervisor, party, make_charge, client
):
    cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=make_charge(party, "40.00"), amount=D("40.00"))],
        tenders=[cs.TenderIn("card", D("40.00"), "AUTH", card_last4="4242")],
    )
    session = cs.session_close(
        session=open_session,
        counted_counts=open_session.opening_counts,
        confirmed_check_ids=[],
        card_batch_total="40.00",
        explanation="",
        acting_user=clerk,
    )
    cs.session_sign_off(session=session, acting_user=supervisor)
    with pytest.raises(services.RevenueError, match="no cash or checks"):
        cs.deposit_prepare(sessions=[session], acting_user=supervisor)
    client.force_login(supervisor)
    assert list(client.get(reverse("cashiering:deposit_list")).context["ready"]) == []


def test_a_supervisor_does_not_deposit_the_money_they_took(
    counter, supervisor, other_supervisor, party, make_charge
):
    session = cs.session_open(drawer=counter["D3"], clerk=supervisor, opening_counts={})
    cs.receipt_issue(
        session=session,
        payer=party,
        acting_user=supervisor,
        items=[cs.Item(charge=make_charge(party, "20.00"), amount=D("20.00"))],
        tenders=[cs.TenderIn("cash", D("20.00"))],
    )
    session = cs.session_close(
        session=session,
        counted_counts={"b20": 1},
        confirmed_check_ids=[],
        card_batch_total="0",
        explanation="",
        acting_user=supervisor,
    )
    cs.session_sign_off(session=session, acting_user=other_supervisor)
    with pytest.raises(NotAllowed, match="is yours"):
        cs.deposit_prepare(sessions=[session], acting_user=supervisor)
    deposit = cs.deposit_prepare(sessions=[session], acting_user=other_supervisor)
    with pytest.raises(NotAllowed, match="money you took"):
        cs.deposit_confirm(deposit=deposit, bank_reference="BK", acting_user=supervisor)


def test_a_drawer_short_below_its_float_charges_the_change_fund(
    open_session, clerk, supervisor, party, make_charge, accounts
):
    cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=make_charge(party, "5.00"), amount=D("5.00"))],
        tenders=[cs.TenderIn("cash", D("5.00"))],
    )
    counts = dict(open_session.opening_counts)
    counts["b5"] += 1  # the 5.00 taken
    counts["b20"] -= 1  # float 160.00 + 5.00 taken; 145.00 counted: 20.00 short, 15.00 of it from the float
    session = cs.session_close(
        session=open_session,
        counted_counts=counts,
        confirmed_check_ids=[],
        card_batch_total="0",
        explanation="A twenty is missing",
        acting_user=clerk,
    )
    cs.session_sign_off(session=session, acting_user=supervisor)
    assert balance_of(accounts["100-1050"]) == D("0.00")
    assert balance_of(accounts["100-1020"]) == D("-15.00")
    assert balance_of(accounts["100-7990"]) == D("20.00")
