"""The core screens through the web: bad input changes nothing and says why; a form posts once."""

import io
import uuid
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse

from revenue import services
from revenue.models import AuditEvent, Charge, Party
from tests.conftest import D


@pytest.fixture
def as_clerk(client, clerk):
    client.force_login(clerk)
    return client


def _charge_form(fee, **extra):
    return {"token": str(uuid.uuid4()), "fee_type": str(fee.pk), "quantity": "1", **extra}


def test_assess_a_fee_from_the_party_page(as_clerk, party, fees):
    response = as_clerk.post(
        reverse("charge_create", args=[party.number]), _charge_form(fees["NOTARY"], quantity="2"), follow=True
    )
    charge = Charge.objects.get(party=party)
    assert charge.amount == D("30.00")
    body = response.content.decode()
    assert f"Charge {charge.source_number} assessed" in body and "$30.00" in body


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1.005", "at most two decimal places"),
        ("-5.00", "more than zero"),
        ("12345678901.00", "larger than the system accepts"),
        ("", "enter the amount"),
    ],
)
def test_bad_amounts_on_the_form_change_nothing_and_say_why(as_clerk, party, fees, amount, message):
    response = as_clerk.post(
        reverse("charge_create", args=[party.number]), _charge_form(fees["MISC"], amount=amount)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Charge.objects.count() == 0


@pytest.mark.parametrize(
    ("quantity", "message"), [("0", "at least 1"), ("2.5", "whole number"), ("x", "whole number")]
)
def test_bad_quantity_is_refused(as_clerk, party, fees, quantity, message):
    response = as_clerk.post(
        reverse("charge_create", args=[party.number]), _charge_form(fees["COPY"], quantity=quantity)
    )
    assert message in response.content.decode()
    assert Charge.objects.count() == 0


def test_unknown_party_is_a_clear_404(as_clerk, fees):
    response = as_clerk.post(reverse("charge_create", args=["P999999"]), _charge_form(fees["NOTARY"]))
    assert response.status_code == 404
    assert "There is nothing at this address" in response.content.decode()
    assert Charge.objects.count() == 0


def test_a_form_submitted_twice_posts_once(as_clerk, party, fees):
    data = _charge_form(fees["NOTARY"])
    first = as_clerk.post(reverse("charge_create", args=[party.number]), data)
    second = as_clerk.post(reverse("charge_create", args=[party.number]), data, follow=True)
    assert first.status_code == 302
    assert "already submitted" in second.content.decode()
    assert Charge.objects.filter(party=party).count() == 1


def test_a_form_refused_once_can_be_corrected_and_sent_with_the_same_token(as_clerk, party, fees):
    data = _charge_form(fees["MISC"], amount="")
    as_clerk.post(reverse("charge_create", args=[party.number]), data)  # refused: no amount
    data["amount"] = "12.00"
    as_clerk.post(reverse("charge_create", args=[party.number]), data)
    assert Charge.objects.get(party=party).amount == D("12.00")


def test_party_create_and_edit_are_audited(as_clerk, clerk):
    response = as_clerk.post(
        reverse("party_create"),
        {
            "token": str(uuid.uuid4()),
            "kind": "business",
            "name": "Wharf Street Coffee",
            "address_line1": "12 Wharf St",
            "city": "Alder Bay",
            "state": "ca",
            "postal_code": "95000",
        },
    )
    party = Party.objects.get(name="Wharf Street Coffee")
    assert response.url == party.get_absolute_url() and party.state == "CA"
    as_clerk.post(
        reverse("party_edit", args=[party.number]),
        {
            "kind": "business",
            "name": "Wharf Street Coffee Roasters",
            "address_line1": "12 Wharf St",
            "city": "Alder Bay",
            "state": "CA",
            "postal_code": "95000",
        },
    )
    event = AuditEvent.objects.filter(action="party.updated").get()
    assert event.actor == clerk
    assert event.changes() == [("name", "Wharf Street Coffee", "Wharf Street Coffee Roasters")]
    page = as_clerk.get(party.get_absolute_url()).content.decode()
    assert "Party updated" in page and "Wharf Street Coffee Roasters" in page  # in plain words


def test_party_form_requires_a_name(as_clerk):
    response = as_clerk.post(reverse("party_create"), {"kind": "person", "name": ""})
    assert "This field is required" in response.content.decode()
    assert Party.objects.count() == 0


def test_search_finds_parties_by_part_of_a_name_address_or_number(as_clerk, party, other_party):
    def names(q):
        return [p.name for p in as_clerk.get(reverse("search"), {"q": q}).context["parties"]]

    assert names("alva") == ["Alvarez, Rosa"]
    assert names("harbor hotel") == ["Harbor Light Hotel LLC"]
    assert names("ocean") == ["Harbor Light Hotel LLC"]
    assert names(party.number.lower()) == ["Alvarez, Rosa"]
    assert names("nobody-by-this-name") == []


def test_search_by_document_number_goes_to_its_party(as_clerk, party, make_charge):
    charge = make_charge(party, "10.00")
    response = as_clerk.get(reverse("search"), {"q": charge.source_number})
    assert response.status_code == 302 and response.url == party.get_absolute_url()


def test_party_page_shows_open_charges_payments_and_credit(as_clerk, party, make_charge, undeposited, clerk):
    a, b = make_charge(party, "25.00", "Copies"), make_charge(party, "10.00", "Notary")
    services.payment_post(
        party=party,
        amount=D("40.00"),
        applications=[(a, D("25.00"))],
        debit_account=undeposited,
        acting_user=clerk,
        reference="R2027-000009",
    )
    page = as_clerk.get(party.get_absolute_url())
    assert [c.pk for c in page.context["charges"]] == [b.pk]
    assert page.context["total_due"] == D("10.00") and page.context["credit"] == D("15.00")
    assert "R2027-000009" in page.content.decode()


def test_party_page_query_count_does_not_grow_with_history(
    as_clerk, party, make_charge, undeposited, clerk, django_assert_max_num_queries
):
    for _ in range(6):
        c = make_charge(party, "5.00")
        services.payment_post(
            party=party,
            amount=D("5.00"),
            applications=[(c, D("5.00"))],
            debit_account=undeposited,
            acting_user=clerk,
        )
    # a bound that does not move with the history (each duty app's panel asks once)
    with django_assert_max_num_queries(24):
        as_clerk.get(party.get_absolute_url())


def test_approval_flow_through_the_web(client, clerk, supervisor, party, make_charge):
    charge = make_charge(party, "60.00")
    client.force_login(clerk)
    client.post(
        reverse("approval_request", args=[charge.pk, "waiver"]),
        {"token": str(uuid.uuid4()), "amount": "60.00", "reason": "Duplicate charge"},
    )
    client.force_login(supervisor)
    listing = client.get(reverse("approval_list"))
    (req,) = listing.context["requests"]
    response = client.post(
        reverse("approval_decide", args=[req.pk]), {"decision": "approve", "note": ""}, follow=True
    )
    assert "Request approved" in response.content.decode()
    charge.refresh_from_db()
    assert charge.is_settled


def test_trial_balance_screen_pdf_and_xlsx(client, supervisor, party, make_charge, undeposited, clerk):
    charge = make_charge(party, "100.00")
    services.payment_post(
        party=party,
        amount=D("60.00"),
        applications=[(charge, D("60.00"))],
        debit_account=undeposited,
        acting_user=clerk,
    )
    client.force_login(supervisor)
    today = services.city_today().isoformat()
    page = client.get(reverse("trial_balance"), {"as_of": today})
    assert page.context["tb"].total_debit == D("100.00") and page.context["tb"].in_balance

    pdf = client.get(reverse("trial_balance_pdf"), {"as_of": today})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    xlsx = client.get(reverse("trial_balance_xlsx"), {"as_of": today})
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert ws.freeze_panes == "A5"
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    by_account = {r[0]: (r[4], r[5]) for r in rows[:-1]}
    assert by_account == {"100-1050": (60, None), "100-1210": (40, None), "100-4150": (None, 100)}
    assert rows[-1][0] == "Total" and rows[-1][4] == rows[-1][5] == 100
    assert ws.cell(row=5, column=5).number_format == "#,##0.00;(#,##0.00)"


def test_trial_balance_as_of_an_earlier_date_leaves_out_later_entries(client, supervisor, party, make_charge):
    make_charge(party, "10.00")
    client.force_login(supervisor)
    yesterday = services.city_today() - timedelta(days=1)
    assert client.get(reverse("trial_balance"), {"as_of": yesterday.isoformat()}).context["tb"].rows == []


def test_login_and_logout(client, clerk):
    response = client.post(reverse("login"), {"username": "clerk1", "password": "counter-demo"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_a_wrong_password_says_so(client, clerk):
    response = client.post(reverse("login"), {"username": "clerk1", "password": "nope"})
    assert "didn't match" in response.content.decode()


urlpatterns = None  # set by the fixture below


def _boom(request):
    raise RuntimeError("secret internals")


@pytest.fixture
def broken_urls(settings):
    from django.urls import include, path

    global urlpatterns
    urlpatterns = [path("boom/", _boom), path("", include("revenue.urls"))]
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    yield
    urlpatterns = None


def test_a_server_error_shows_no_stack_trace(client, clerk, broken_urls):
    client.raise_request_exception = False
    client.force_login(clerk)
    response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in body and "secret internals" not in body and "Traceback" not in body


def test_a_form_with_a_missing_or_broken_token_is_renewed_not_lost(as_clerk, party, fees):
    url = reverse("charge_create", args=[party.number])
    for broken in ("", "not-a-uuid"):
        response = as_clerk.post(url, {"token": broken, "fee_type": str(fees["NOTARY"].pk), "quantity": "1"})
        assert "has been renewed" in response.content.decode()
        fresh = response.context["form"].data["token"]
        uuid.UUID(fresh)  # the page now carries a good token
        assert Charge.objects.count() == 0
    as_clerk.post(url, {"token": fresh, "fee_type": str(fees["NOTARY"].pk), "quantity": "1"})
    assert Charge.objects.count() == 1


def test_a_new_party_submitted_twice_is_created_once(as_clerk):
    data = {"token": str(uuid.uuid4()), "kind": "person", "name": "Twice, Pat", "state": "CA"}
    first = as_clerk.post(reverse("party_create"), data)
    second = as_clerk.post(reverse("party_create"), data, follow=True)
    assert Party.objects.filter(name="Twice, Pat").count() == 1
    assert first.url == second.redirect_chain[-1][0]  # the second lands on the party made by the first
    assert "already submitted" in second.content.decode()


def test_a_decision_must_say_approve_or_deny(client, clerk, supervisor, party, make_charge):
    charge = make_charge(party, "60.00")
    req = services.approval_request(
        kind="waiver", target=charge, amount="5.00", reason="x", acting_user=clerk
    )
    client.force_login(supervisor)
    response = client.post(reverse("approval_decide", args=[req.pk]), {"note": "n" * 2001}, follow=True)
    body = response.content.decode()
    assert "Decision: This field is required." in body and "Note: Ensure this value has at most 2000" in body
    req.refresh_from_db()
    assert req.status == "pending"


@pytest.mark.parametrize(
    "path",
    [
        "/parties/%00/",
        "/parties/%00/edit/",
        "/parties/%00/charges/new/",
        "/reports/accounts/%00/",
        "/ledger/entries/%00/",
        "/search/?q=%00",
    ],
)
def test_odd_characters_in_addresses_are_not_server_errors(client, supervisor, path):
    client.force_login(supervisor)
    assert client.get(path).status_code in (200, 400, 404)  # a NUL is refused with 400 (issue 12)


def test_a_date_that_is_not_a_date_says_so(client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("trial_balance"), {"as_of": "2026-02-30"})
    assert "is not a date" in response.content.decode()


def test_a_session_ends_after_the_idle_time_and_activity_keeps_it_alive(client, clerk, settings):
    import time

    settings.SESSION_COOKIE_AGE = 2  # seconds, for the test; SESSION_IDLE_MINUTES in production
    client.force_login(clerk)
    for _ in range(3):  # active for 3 s in all, longer than the idle limit
        time.sleep(1)
        assert client.get(reverse("home")).status_code == 200
    time.sleep(2.2)  # idle past the limit
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_forms_that_post_once_carry_their_token(as_clerk, party, fees, make_charge):
    charge = make_charge(party, "5.00")
    for url in (
        reverse("party_create"),
        reverse("charge_create", args=[party.number]),
        reverse("approval_request", args=[charge.pk, "waiver"]),
    ):
        assert 'type="hidden" name="token"' in as_clerk.get(url).content.decode(), url


def test_party_page_shows_open_charges_a_page_at_a_time_with_the_total_of_all(
    as_clerk, party, make_charge, django_assert_max_num_queries
):
    from revenue.views import PARTY_CHARGES_PER_PAGE

    for i in range(PARTY_CHARGES_PER_PAGE + 3):
        make_charge(party, "2.00", f"Copies {i}")
    page = as_clerk.get(party.get_absolute_url())
    assert len(page.context["charges"]) == PARTY_CHARGES_PER_PAGE
    assert page.context["total_due"] == D("2.00") * (PARTY_CHARGES_PER_PAGE + 3)
    assert "Page 1 of 2" in page.content.decode()
    second = as_clerk.get(party.get_absolute_url(), {"page": 2})
    assert [c.description for c in second.context["charges"]] == [f"Copies {i}" for i in range(100, 103)]
    assert as_clerk.get(party.get_absolute_url(), {"page": "x"}).status_code == 200  # a bad page: the first
