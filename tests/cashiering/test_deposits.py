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


def test_a_deposit_is_prepared_then_posted_when_the_bank_takes_it(signed_off, supervisor, accounts):
    deposit = cs.deposit_prepare(sessions=[signed_off], acting_user=supervisor)
    assert (deposit.cash_total, deposit.checks_total) == (D("50.00"), D("25.00"))
    assert deposit.cash_counts == {"b50": 1}
    assert balance_of(accounts["100-1010"]) == D("0.00")  # nothing posts yet
    with pytest.raises(services.RevenueError, match="already in deposit"):
        cs.deposit_prepare(sessions=[signed_off], acting_user=supervisor)

    with pytest.raises(services.RevenueError, match="bank's reference"):
        cs.deposit_confirm(deposit=deposit, bank_reference=" ", acting_user=supervisor)
    cs.deposit_confirm(deposit=deposit, bank_reference="BK-88231", acting_user=supervisor)
    deposit.refresh_from_db()
    assert deposit.status == Deposit.Status.DEPOSITED
    assert balance_of(accounts["100-1010"]) == D("75.00")
    assert balance_of(accounts["100-1050"]) == D("0.00") and balance_of(accounts["100-1051"]) == D("0.00")
    assert selectors.trial_balance(as_of=services.city_today()).in_balance
    with pytest.raises(services.RevenueError, match="already marked"):
        cs.deposit_confirm(deposit=deposit, bank_reference="again", acting_user=supervisor)


def test_only_signed_off_sessions_go_to_the_bank(open_session, supervisor):
    with pytest.raises(services.RevenueError, match="not signed off"):
        cs.deposit_prepare(sessions=[open_session], acting_user=supervisor)


def test_a_clerk_cannot_prepare_a_deposit(signed_off, clerk):
    with pytest.raises(NotAllowed):
        cs.deposit_prepare(sessions=[signed_off], acting_user=clerk)


def test_deposit_screens_and_slip(client, supervisor, signed_off):
    client.force_login(supervisor)
    listing = client.get(reverse("cashiering:deposit_list"))
    assert list(listing.context["ready"]) == [signed_off]
    response = client.post(reverse("cashiering:deposit_list"), {"sessions": [signed_off.pk]}, follow=True)
    deposit = Deposit.objects.get()
    assert f"Deposit {deposit.number} prepared" in response.content.decode()
    text = pdf_text(client.get(reverse("cashiering:deposit_slip", args=[deposit.number])).content)
    assert deposit.number in text and "$75.00" in text and "1001" in text and "$50 bills" in text
    client.post(reverse("cashiering:deposit_confirm", args=[deposit.number]), {"bank_reference": "BK-1"})
    deposit.refresh_from_db()
    assert deposit.bank_reference == "BK-1" and deposit.entry is not None
