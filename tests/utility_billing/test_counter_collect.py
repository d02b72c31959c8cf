# ruff: noqa: F811 - the fixtures are imported from collect_fixtures and named as arguments
"""Utility bills at the counter: by account number or the scanned stub, the account's open charges
oldest first, a partial payment spread oldest first, the one search, the receipt's words, and a
returned check that re-opens the charges it paid."""

import datetime

import pytest
from django.urls import reverse

from cashiering import services as cs
from revenue import selectors
from revenue import services as core
from revenue.models import Charge
from tests.utility_billing.collect_fixtures import (  # noqa: F401 - fixtures
    D,
    counter,
    make_account,
    make_bill,
    open_session,
    utility,
)
from utility_billing import collect_rules as rules

DUE = datetime.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("U000123", rules.StubRead("U000123")),
        (" u000123 ", rules.StubRead("U000123")),
        ("U000123.B2027-000456", rules.StubRead("U000123", "B2027-000456")),
        ("U000123/B2027-000456", rules.StubRead("U000123", "B2027-000456")),
        ("u000123/b2027-000456", rules.StubRead("U000123", "B2027-000456")),
        ("U000123*B2027-000456", rules.StubRead("U000123", "B2027-000456")),
        ("B2027-000456", None),
        ("P000123", None),
        ("U000123/", None),
    ],
)
def test_the_stub_and_the_account_number_are_read(text, read):
    assert rules.stub_read(text) == read


def test_the_stub_text_is_read_back():
    assert rules.stub_read(rules.stub_text("U000042", "B2027-000001")) == rules.StubRead(
        "U000042", "B2027-000001"
    )


@pytest.fixture
def owing(make_account, make_bill):
    """An account with two bills, the newer one made first (so the order assessed is not the age)."""
    account = make_account()
    newer = make_bill(account, DUE + datetime.timedelta(days=30), water="30.00", sewer="20.00")
    older = make_bill(account, DUE, water="60.00", sewer="40.00")
    return account, older, newer


@pytest.mark.parametrize("how", ["account", "stub"])
def test_the_find_box_takes_every_open_charge_of_the_account_oldest_first(owing, clerk, how):
    account, older, newer = owing
    text = account.number if how == "account" else rules.stub_text(account.number, newer.number)
    found = cs.counter_find(text=text, acting_user=clerk)
    assert found.matched and not found.message
    assert [(c.source_number, c.amount) for c in found.charges] == [
        (older.number, D("60.00")),
        (older.number, D("40.00")),
        (newer.number, D("30.00")),
        (newer.number, D("20.00")),
    ]


def test_the_find_box_takes_the_accounts_deposit_too(make_account, clerk, admin_user):
    """A deposit charged at the start of service is paid at the counter by the account number."""
    from utility_billing.services.deposits import deposit_charge

    account = make_account()
    deposit = deposit_charge(account=account, amount="100.00", acting_user=admin_user)
    found = cs.counter_find(text=account.number, acting_user=clerk)
    assert [(c.source_number, c.amount) for c in found.charges] == [(deposit.number, D("100.00"))]


def test_a_stub_of_another_account_is_refused(owing, make_account, clerk):
    account, older, _newer = owing
    other = make_account(name="Okafor, Ben", address="7 Elm St")
    found = cs.counter_find(text=rules.stub_text(other.number, older.number), acting_user=clerk)
    assert not found.charges and "is not a bill of account" in found.message


def test_an_account_that_owes_nothing_is_said(make_account, clerk):
    account = make_account()
    found = cs.counter_find(text=account.number, acting_user=clerk)
    assert not found.charges and "owes nothing" in found.message


def test_a_partial_payment_at_the_counter_pays_the_oldest_first(client, owing, open_session, clerk):
    account, older, newer = owing
    client.force_login(clerk)
    client.post(
        reverse("cashiering:basket"), {"action": "find", "q": rules.stub_text(account.number, newer.number)}
    )
    client.post(reverse("cashiering:basket"), {"action": "spread", "amount": "75.00"})
    page = client.get(reverse("cashiering:counter"))
    form = page.context["pay_form"]
    lines = [(ln["number"], form[f"pay-{i}"].value()) for ln, _f, i in page.context["pay_rows"]]
    # 60.00 of the older bill's water in full, 15.00 of its sewer; the newer bill left out
    assert [(n, D(str(v))) for n, v in lines] == [(older.number, D("60.00")), (older.number, D("15.00"))]
    data = {f"pay-{i}": v for i, (_n, v) in enumerate(lines)}
    data.update(cash="80.00", basket=page.context["basket"].signature, **_token(page))
    response = client.post(reverse("cashiering:pay"), data)
    assert response.status_code == 302
    balances = {(c.source_number, c.amount): c.balance for c in Charge.objects.filter(party=account.party)}
    assert balances == {
        (older.number, D("60.00")): D("0.00"),
        (older.number, D("40.00")): D("25.00"),
        (newer.number, D("30.00")): D("30.00"),
        (newer.number, D("20.00")): D("20.00"),
    }


def _token(page) -> dict:
    form = page.context["pay_form"]
    return {form["token"].html_name: form["token"].value()}


def test_the_search_finds_an_account_by_number_address_or_name(owing, clerk):
    account, _older, _newer = owing
    for text in (account.number, "42 willow", "Nguyen"):
        hits = selectors.search(text, user=clerk, limit=10).documents
        assert account.number in [h.number for h in hits if h.kind == "Utility account"], text


def test_the_receipt_names_the_service_address(owing, open_session, clerk):
    account, older, _newer = owing
    charges = list(Charge.objects.filter(source_number=older.number))
    receipt = cs.receipt_issue(
        session=open_session, payer=account.party, acting_user=clerk,
        items=[cs.Item(charge=c, amount=c.balance) for c in charges], tenders=[cs.TenderIn("cash", D("100.00"))],
    )  # fmt: skip
    words = core.charge_details(charges)
    assert set(words.values()) == {f"Utility account {account.number}, 42 Willow Way"}
    assert receipt.total == D("100.00")


def test_a_returned_check_reopens_the_utility_charges(
    owing, open_session, clerk, supervisor, other_supervisor
):
    account, older, _newer = owing
    water, sewer = Charge.objects.filter(source_number=older.number).order_by("pk")
    receipt = cs.receipt_issue(
        session=open_session, payer=account.party, acting_user=clerk,
        items=[cs.Item(charge=water, amount=D("60.00")), cs.Item(charge=sewer, amount=D("40.00"))],
        tenders=[cs.TenderIn("check", D("100.00"), "311", "Thao Nguyen")],
    )  # fmt: skip
    check = receipt.tenders.get(kind="check")
    session = cs.session_close(
        session=open_session, counted_counts=dict(open_session.opening_counts), confirmed_check_ids=[check.pk],
        card_batch_total="0", explanation="", acting_user=clerk,
    )  # fmt: skip
    cs.session_sign_off(session=session, acting_user=supervisor)
    deposit = cs.deposit_prepare(sessions=[session], acting_user=supervisor)
    cs.deposit_confirm(deposit=deposit, bank_reference="BK-9", acting_user=other_supervisor)
    water.refresh_from_db()
    assert water.balance == D("0.00")
    cs.check_return(tender=check, reason="Insufficient funds", acting_user=supervisor)
    water.refresh_from_db()
    sewer.refresh_from_db()
    assert (water.balance, sewer.balance) == (D("60.00"), D("40.00"))
    again = cs.counter_find(text=account.number, acting_user=clerk)
    assert [c.pk for c in again.charges][:2] == [water.pk, sewer.pk]  # back at the counter, oldest first
    assert selectors.trial_balance(as_of=core.city_today()).in_balance


def test_a_stub_keyed_in_a_mail_batch_pays_the_account_oldest_first(owing, open_session, clerk):
    account, older, newer = owing
    batch = cs.batch_create(control_count=1, control_total="70.00", acting_user=clerk)
    remittance = cs.remittance_add(
        batch=batch, stub_number=rules.stub_text(account.number, newer.number), amount="70.00",
        check_number="5120", name_on_check="Thao Nguyen", acting_user=clerk,
    )  # fmt: skip
    assert remittance.status == "ready" and remittance.party == account.party
    cs.batch_post(batch=batch, acting_user=clerk)
    balances = {(c.source_number, c.amount): c.balance for c in Charge.objects.filter(party=account.party)}
    assert balances[(older.number, D("60.00"))] == D("0.00")
    assert balances[(older.number, D("40.00"))] == D("30.00")
    assert balances[(newer.number, D("30.00"))] == D("30.00")
