"""The counter screen (issue 11): a post after the drawer closed, alerts on the payer, one search."""

import datetime
import uuid

import pytest
from django.urls import reverse

from cashiering import services as cs
from cashiering.models import CheckRestriction, Receipt
from licensing import services as ls
from revenue import services
from tests.conftest import D
from tests.licensing import conftest as licensing_fixtures
from tests.parking import conftest as parking_fixtures

# borrowed fixtures: a licensed business; hand-written citations
classes, make_business = licensing_fixtures.classes, licensing_fixtures.make_business
policy, cite = parking_fixtures.policy, parking_fixtures.cite


@pytest.fixture
def at_counter(client, clerk, open_session):
    client.force_login(clerk)
    return client


def _find(client, q):
    return client.post(reverse("cashiering:basket"), {"action": "find", "q": q}, follow=True)


def _pay_data(client, lines, **tenders):
    signature = client.get(reverse("cashiering:counter")).context["basket"].signature
    return {
        "token": str(uuid.uuid4()),
        "basket": signature,
        **{f"pay-{i}": v for i, v in enumerate(lines)},
        **tenders,
    }


def _close_drawer(client):
    """The close-out, as another tab sends it: the float counted back exactly."""
    response = client.post(
        reverse("cashiering:close_out"),
        {"count_b20": "5", "count_b5": "8", "count_b1": "10", "count_c25": "40", "card_batch_total": "0"},
    )
    assert response.status_code == 302


def test_a_receipt_posted_after_the_drawer_closed_says_so_and_keeps_the_basket(
    at_counter, counter, party, make_charge
):
    charge = make_charge(party, "42.00")
    _find(at_counter, charge.source_number)
    data = _pay_data(at_counter, ["42.00"], cash="50.00")  # the pay form, filled in the first tab
    _close_drawer(at_counter)  # the drawer closed in a second tab
    response = at_counter.post(reverse("cashiering:pay"), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cashiering:session_open")
    body = response.content.decode()
    assert "The payment was NOT taken" in body and 'role="alert"' in body
    assert "Open a drawer to take payments." not in body  # not the plain word for a fresh start
    assert not Receipt.objects.exists()
    # a new drawer opened: the basket is there, and posts
    at_counter.post(reverse("cashiering:session_open"), {"drawer": counter["D2"].pk, "count_b20": "5"})
    page = at_counter.get(reverse("cashiering:counter"))
    assert [ln["charge"] for ln, _f, _i in page.context["pay_rows"]] == [charge]
    at_counter.post(reverse("cashiering:pay"), _pay_data(at_counter, ["42.00"], cash="50.00"))
    assert Receipt.objects.get().total == D("42.00")


# --------------------------------------------------------------------------- 14: alerts on the payer


def _ban(party, admin_user, days=30):
    return CheckRestriction.objects.create(
        party=party,
        until=services.city_today() + datetime.timedelta(days=days),
        reason="check 1042 returned",
        created_by=admin_user,
    )


def test_a_check_ban_and_an_alert_note_show_at_the_counter_and_on_the_party_page(
    at_counter, party, other_party, make_charge, admin_user
):
    _find(at_counter, make_charge(party, "20.00").source_number)
    assert "party-alerts" not in at_counter.get(reverse("cashiering:counter")).content.decode()
    ban = _ban(party, admin_user)
    _ban(other_party, admin_user, days=-1)  # a ban that has run out says nothing
    services.party_update(party=party, acting_user=admin_user, notes="Asks for receipts by mail.")
    for url in (reverse("cashiering:counter"), party.get_absolute_url()):
        page = at_counter.get(url)
        assert page.context["alerts"] == [
            f"No checks accepted until {ban.until:%m/%d/%Y} (check 1042 returned)."
        ]
        assert 'role="alert" id="party-alerts"' in page.content.decode()
    assert at_counter.get(other_party.get_absolute_url()).context["alerts"] == []
    services.party_update(party=party, acting_user=admin_user, notes_alert=True)
    page = at_counter.get(reverse("cashiering:counter")).content.decode()
    alerts = page[page.index('id="party-alerts"') : page.index("Total due")]  # above the tenders
    assert "Asks for receipts by mail." in alerts and "No checks accepted until" in alerts


def test_the_alert_flag_is_set_on_the_party_form_and_audited(at_counter, party):
    data = {
        "kind": "person",
        "name": party.name,
        "address_line1": party.address_line1,
        "city": party.city,
        "state": "CA",
        "postal_code": party.postal_code,
        "notes": "Do not accept third-party checks.",
        "notes_alert": "on",
    }
    response = at_counter.post(reverse("party_edit", args=[party.number]), data, follow=True)
    party.refresh_from_db()
    assert party.notes_alert and response.context["alerts"] == ["Do not accept third-party checks."]
    (event,) = [e for e in services.audit_trail(party) if e.action == "party.updated"]
    assert event.after["notes_alert"] is True and event.before["notes_alert"] is False


# --------------------------------------------------------------------------- 15: one search for both boxes


def _header(client, q):
    """What the header's search box finds: the parties it lists and those of its documents, or
    the page it goes straight to."""
    response = client.get(reverse("search"), {"q": q})
    if response.status_code == 302:
        return response.url
    return {p.pk for p in response.context["parties"]} | {
        d.party.pk for d in response.context["documents"] if d.party
    }


def _counter(client, q):
    """What the counter's find box finds: charges put in the basket, or the payers it offers."""
    response = _find(client, q)
    basket = {ln["charge"].party_id for ln in response.context["basket"].lines() if "charge" in ln}
    client.post(reverse("cashiering:basket"), {"action": "clear"})
    return basket | {p.pk for p, _charges in response.context["candidates"]}


def test_the_header_search_finds_what_the_counter_finds(
    at_counter, open_session, party, other_party, make_charge, make_business, clerk, admin_user
):
    services.party_update(
        party=party, acting_user=admin_user, email="rosa@example.org", phone="(707) 555-0142"
    )
    license = ls.application_submit(
        business=make_business(location_address="77 Harbor Way"), acting_user=clerk
    )
    paid = make_charge(party, "5.00")
    make_charge(party, "7.50")
    receipt = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=paid, amount=D("5.00"))],
        tenders=[cs.TenderIn("cash", D("5.00"))],
    )
    for q in ("ROSA@example.org", "707-555-0142", "7075550142", "harbor way", receipt.number.lower()):
        assert party.pk in _counter(at_counter, q), q
    for q in ("ROSA@example.org", "707-555-0142", "7075550142"):
        assert party.pk in _header(at_counter, q), q
    # one document found: the header's box goes straight to it
    assert _header(at_counter, "harbor way") == license.get_absolute_url()
    assert _header(at_counter, receipt.number.lower()) == receipt.get_absolute_url()
    assert party.pk in _counter(at_counter, license.number)
    assert _header(at_counter, license.number) == license.get_absolute_url()
    assert other_party.pk not in _counter(at_counter, "707-555-0142")


def test_a_plate_or_citation_number_in_the_header_finds_the_citations(at_counter, cite, auditor, client):
    first, second = cite(plate="7ABC123"), cite(plate="7ABC123", days=2)
    response = at_counter.get(reverse("search"), {"q": "ca 7abc123"})
    assert [d.number for d in response.context["documents"]] == [first.number, second.number]
    assert at_counter.get(reverse("search"), {"q": second.number}).url == second.get_absolute_url()
    assert "T0000001" in _find(at_counter, "7ABC123").content.decode()  # the counter adds them to the basket


def test_one_search_function_serves_both_boxes():
    """The counter's view asks the core's `search`, as the header's does; there is no second one."""
    import inspect

    from cashiering.views import counter as counter_views
    from revenue import views as core_views

    assert "selectors.search(" in inspect.getsource(counter_views.counter)
    assert "selectors.search(" in inspect.getsource(core_views.search)
    assert "party_search" not in inspect.getsource(counter_views)


# --------------------------------------------------------------------------- 9: one line for what was added


def test_a_license_with_several_charges_is_added_in_one_line(at_counter, make_business, clerk, supervisor):
    license = ls.application_submit(business=make_business(code="PRO", employees=4), acting_user=clerk)
    ls.signoff_add(license=license, item="Zoning", acting_user=supervisor)
    license = ls.application_approve(license=license, acting_user=supervisor)
    response = _find(at_counter, license.number)
    lines = response.context["basket"].lines()
    assert len(lines) > 1  # the tax and its add-ons
    said = [str(m) for m in response.context["messages"]]
    total = sum(ln["balance"] for ln in lines)
    assert said == [f"Added {len(lines)} charges of {license.number}: ${total:,.2f} in all."]
