"""The counter's find box and its walk-in customer, as services (the view only parses and renders)."""

import datetime
import importlib
import pathlib

import pytest
from django.apps import apps
from django.urls import reverse

from cashiering import services as cs
from cashiering.models import CashieringPolicy
from revenue import services
from revenue.models import Party
from tests.conftest import D

WALK_IN_MIGRATION = importlib.import_module("cashiering.migrations.0004_policy_walk_in_party")


def test_a_document_number_finds_its_open_charges(counter, party, make_charge, clerk):
    charge = make_charge(party, "42.00")
    found = cs.counter_find(text=charge.source_number.lower(), acting_user=clerk)
    assert found.matched and found.charges == [charge] and found.party is None and not found.message
    assert found.added_message([charge]) == f"Added {charge.source_number}: Test fee, balance $42.00."


def test_a_paid_document_says_so_and_adds_nothing(counter, open_session, party, make_charge, clerk):
    charge = make_charge(party, "5.00")
    cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=charge, amount=D("5.00"))],
        tenders=[cs.TenderIn("cash", D("5.00"))],
    )
    found = cs.counter_find(text=charge.source_number, acting_user=clerk)
    assert found.matched and found.charges == []
    assert found.message == f"{charge.source_number} is already paid in full."


def test_a_party_number_finds_the_payer(counter, party, clerk):
    found = cs.counter_find(text=party.number, acting_user=clerk)
    assert found.matched and found.party == party and found.charges == []


def test_text_that_is_no_number_matches_nothing(counter, clerk):
    found = cs.counter_find(text="no such thing", acting_user=clerk)
    assert not found.matched and found.charges == [] and found.party is None


def test_the_walk_in_customer_is_the_one_the_policy_in_force_names(counter, walk_in, other_party, admin_user):
    assert cs.walk_in_party() == walk_in
    later = services.city_today() + datetime.timedelta(days=30)
    CashieringPolicy.objects.create(
        effective_from=later,
        over_short_explain_over=D("5.00"),
        check_overpayment="credit",
        card_overpayment="refuse",
        no_checks_days=180,
        walk_in_party=other_party,
        created_by=admin_user,
    )
    assert cs.walk_in_party() == walk_in  # the new policy is not in force yet
    assert cs.walk_in_party(later) == other_party


@pytest.fixture
def no_walk_in(counter):
    CashieringPolicy.objects.update(walk_in_party=None)


def test_without_a_walk_in_customer_the_service_says_counter_fees_need_a_payer(no_walk_in):
    with pytest.raises(cs.NoWalkInParty, match="counter fees need a payer"):
        cs.walk_in_party()


def test_without_a_walk_in_customer_the_counter_says_so_plainly(
    client, clerk, open_session, fees, no_walk_in
):
    client.force_login(clerk)
    page = client.post(reverse("cashiering:basket"), {"action": "walk_in"}, follow=True)
    assert "names no walk-in customer" in page.content.decode() and page.context["payer"] is None
    page = client.post(
        reverse("cashiering:basket"),
        {"action": "add_fee", "fee_type": fees["COPY"].pk, "quantity": "4", "amount": ""},
        follow=True,
    )
    # the fee is in the basket; the clerk is told to choose who pays
    assert page.context["due"] == D("1.00") and page.context["payer"] is None
    assert "counter fees need a payer" in page.content.decode()


def test_the_migration_names_the_walk_in_customer_of_existing_policies(counter, walk_in, no_walk_in):
    WALK_IN_MIGRATION.name_the_walk_in_party(apps, None)
    assert {p.walk_in_party_id for p in CashieringPolicy.objects.all()} == {walk_in.pk}


def test_the_migration_leaves_the_field_empty_without_such_a_party(counter, walk_in, no_walk_in):
    Party.objects.filter(pk=walk_in.pk).update(name="Counter customer")
    WALK_IN_MIGRATION.name_the_walk_in_party(apps, None)
    assert not CashieringPolicy.objects.filter(walk_in_party__isnull=False).exists()


def test_no_production_module_imports_the_demo():
    app = pathlib.Path(__file__).resolve().parents[2] / "cashiering"
    importing = [
        str(path.relative_to(app))
        for path in app.rglob("*.py")
        if path.name != "demo.py"
        and ("from .demo" in path.read_text() or "cashiering.demo" in path.read_text())
    ]
    assert importing == []


def test_a_receipt_email_to_a_bad_address_is_refused_before_anything_is_sent(
    open_session, party, make_charge, clerk, mailoutbox
):
    charge = make_charge(party, "5.00")
    receipt = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=charge, amount=D("5.00"))],
        tenders=[cs.TenderIn("cash", D("5.00"))],
    )
    with pytest.raises(services.RevenueError, match="Enter a valid e-mail address"):
        cs.receipt_email(receipt=receipt, address="not an address", acting_user=clerk)
    assert mailoutbox == []
