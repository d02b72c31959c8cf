"""Issue 12, points 10-13: input that used to reach a 500 is refused with a clear answer.

10. A NUL anywhere in the request: 400, a plain page, before any view, signed in or not.
11. Dates outside 1900-2199 are refused on the form; integer parameters are bounded (int_param).
12. Too long a text is refused on the form, not by the database (the license change).
13. Free text (a party's notes) is bounded: the form takes its limit from the model, or 4,000.
"""

import datetime

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse

from revenue import services
from revenue.forms import (
    DATE_OUT_OF_RANGE,
    TEXT_MAX_LENGTH,
    AsOfForm,
    BoundedDateField,
    DateRangeForm,
    PartyForm,
    int_param,
)
from revenue.models import Party
from tests.licensing import conftest as licensing_fixtures
from tests.parking import conftest as parking_fixtures

classes, make_business = licensing_fixtures.classes, licensing_fixtures.make_business
policy, permit_types = parking_fixtures.policy, parking_fixtures.permit_types

# --------------------------------------------------------------------------- 10. NUL

Q_FILTERS = [
    "licensing:license_list",
    "parking:citation_lookup",
    "parking:permit_list",
    "parking:plan_new",
    "tot:operator_list",
    "receivables:invoice_list",
    "search",
]


@pytest.fixture
def as_supervisor(client, supervisor):
    client.force_login(supervisor)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("value", ["\x00", "abc\x00", "\x00\x00def"])
def test_a_nul_in_the_public_verify_page_is_refused_with_400(client, db, value):
    client.raise_request_exception = False
    response = client.get(reverse("licensing:verify_form"), {"number": value})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "NUL" in response.content.decode()


def test_a_percent_00_in_the_raw_query_string_is_refused(client, db):
    client.raise_request_exception = False
    assert client.get("/verify/?number=%00").status_code == 400
    assert client.get("/verify/%00/").status_code == 400
    assert client.get("/verify/?num%00ber=1").status_code == 400  # in a name, too


@pytest.mark.parametrize("name", Q_FILTERS)
def test_a_nul_in_a_q_filter_is_400_anonymous_or_signed_in(client, supervisor, policy, name):
    client.raise_request_exception = False
    url = reverse(name)
    assert client.get(url, {"q": "ab\x00c"}).status_code == 400  # anonymous: refused, not a login redirect
    client.force_login(supervisor)
    assert client.get(url, {"q": "ab\x00c"}).status_code == 400
    assert client.get(url, {"q": "abc"}).status_code == 200  # the same filter without the NUL works


def test_a_nul_in_a_posted_value_is_refused_and_changes_nothing(as_supervisor, supervisor):
    import uuid

    response = as_supervisor.post(
        reverse("party_create"),
        {"token": str(uuid.uuid4()), "kind": "person", "name": "Lee\x00, Dana", "state": "CA"},
    )
    assert response.status_code == 400
    assert not Party.objects.exists()


def test_an_uploaded_files_content_may_hold_nul(as_supervisor):
    """Only values and names are checked: a file's bytes are its import's to judge."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("x.csv", b"a,b\x00,c\n", content_type="text/csv")
    response = as_supervisor.post(reverse("parking:import_new"), {"file": upload})
    assert "NUL" not in response.content.decode()  # the import's own answer, not the middleware's


def test_the_middleware_sits_before_sessions_and_auth():
    from django.conf import settings

    order = settings.MIDDLEWARE
    mine = order.index("revenue.middleware.RefuseNulMiddleware")
    assert mine < order.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert mine < order.index("django.contrib.auth.middleware.LoginRequiredMiddleware")


# --------------------------------------------------------------------------- 11. dates and integers


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01"])
def test_a_date_outside_the_calendar_on_the_trial_balance_is_refused(as_supervisor, accounts, as_of):
    for name in ("trial_balance", "trial_balance_xlsx"):
        response = as_supervisor.get(reverse(name), {"as_of": as_of})
        assert response.status_code == 200, (name, as_of)
    page = as_supervisor.get(reverse("trial_balance"), {"as_of": as_of})
    assert DATE_OUT_OF_RANGE in page.content.decode()
    assert page.context["as_of"] == services.city_today()


@pytest.mark.parametrize("end", ["0001-01-01", "9999-12-31"])
def test_a_date_outside_the_calendar_at_the_end_of_the_permits_report_is_refused(
    as_supervisor, permit_types, end
):
    for name in ("parking:permit_report", "parking:permit_report_xlsx"):
        response = as_supervisor.get(reverse(name), {"start": "2026-01-01", "end": end})
        assert response.status_code == 200, (name, end)


@pytest.mark.parametrize("day", ["1900-01-01", "2199-12-31", "2026-07-01"])
def test_dates_inside_the_calendar_are_accepted(day):
    assert AsOfForm({"as_of": day}).is_valid()
    assert DateRangeForm({"start": "1900-01-01", "end": day}).is_valid()


def test_the_bounded_date_field_says_why_and_bounds_the_date_picker():
    field = BoundedDateField(widget=forms.DateInput(attrs={"type": "date"}))
    with pytest.raises(forms.ValidationError, match="between 01/01/1900 and 12/31/2199"):
        field.clean("9999-12-31")
    assert field.clean("2026-02-28") == datetime.date(2026, 2, 28)
    attrs = field.widget_attrs(field.widget)
    assert attrs["min"] == "1900-01-01" and attrs["max"] == "2199-12-31"


def _get(query: str):
    return RequestFactory().get("/x/?" + query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 1),
        ("part=3", 3),
        ("part=0", 1),
        ("part=-4", 1),
        ("part=99999999999999999999", 1),
        ("part=1e9", 1),
        ("part=%C2%B2", 1),  # a superscript two: a digit to str.isdigit, not to int()
        ("part=%D9%A3", 1),  # an Arabic-Indic three
        ("part=%2B2", 1),
        ("part=+2", 2),  # "+" in a query string is a space
        ("part=%202%20", 2),
        ("part=500", 500),
        ("part=501", 1),
    ],
)
def test_int_param_is_bounded(query, expected):
    assert int_param(_get(query), "part", default=1, min=1, max=500) == expected


def test_int_param_allows_negative_bounds():
    assert int_param(_get("offset=-3"), "offset", default=0, min=-5, max=5) == -3


@pytest.mark.parametrize("part", ["99999999999999999999", "0", "-1", "x"])
def test_a_huge_part_on_the_parking_notices_is_not_a_server_error(as_supervisor, supervisor, policy, part):
    from parking.models import NoticeRun

    run = NoticeRun.objects.create(run_on=services.city_today(), created_by=supervisor)
    response = as_supervisor.get(reverse("parking:notice_letters", args=[run.pk]), {"part": part})
    assert response.status_code == 200


@pytest.mark.parametrize("part", ["99999999999999999999", "0", "x"])
def test_a_huge_part_on_the_renewal_notices_is_not_a_server_error(as_supervisor, classes, part):
    year = services.city_today().year
    response = as_supervisor.get(reverse("licensing:renewal_notices", args=[year]), {"part": part})
    assert response.status_code == 200


# --------------------------------------------------------------------------- 12. the license change


@pytest.fixture
def active_license(make_business, clerk, supervisor, admin_user):
    from licensing import services as ls
    from licensing.models import License
    from tests.licensing.test_licenses import _pay_all

    license = ls.application_submit(business=make_business(code="PRO", employees=4), acting_user=clerk)
    ls.signoff_add(license=license, item="Zoning", acting_user=supervisor)
    ls.application_approve(license=license, acting_user=supervisor)
    _pay_all(license, clerk, admin_user)
    license.refresh_from_db()
    assert license.status == License.Status.ACTIVE
    return license


def test_a_nul_in_the_owners_name_on_the_license_change_is_refused(as_supervisor, active_license):
    from licensing.models import License

    before = License.objects.count()
    url = reverse("licensing:change", args=[active_license.number])
    response = as_supervisor.post(url, {"owner_name": "Rosa\x00Alvarez"})
    assert response.status_code == 400
    assert License.objects.count() == before


@pytest.mark.parametrize(
    "data",
    [{"location_address": "1" * 201}, {"location_city": "C" * 101}, {"owner_name": "N" * 201}],
    ids=["address over 200", "city over 100", "owner over 200"],
)
def test_too_long_a_value_on_the_license_change_is_refused(as_supervisor, active_license, data):
    from licensing.models import License

    before = License.objects.count()
    url = reverse("licensing:change", args=[active_license.number])
    response = as_supervisor.post(url, data)
    assert response.status_code == 302  # back to the license, with the form's message
    assert License.objects.count() == before
    assert "at most" in " ".join(str(m) for m in get_messages(response.wsgi_request))


# --------------------------------------------------------------------------- 13. free text


def _party_data(**extra):
    import uuid

    return {"token": str(uuid.uuid4()), "kind": "person", "name": "Lee, Dana", "state": "CA", **extra}


def test_a_partys_notes_are_bounded_on_the_form():
    form = PartyForm(_party_data(notes="x" * (TEXT_MAX_LENGTH + 1)))
    assert not form.is_valid()
    assert "at most 4000 characters" in str(form.errors["notes"])
    assert PartyForm(_party_data(notes="x" * TEXT_MAX_LENGTH)).is_valid()
    assert PartyForm().fields["notes"].widget.attrs["maxlength"] == str(TEXT_MAX_LENGTH)


def test_a_megabyte_of_notes_is_refused_through_the_web_and_changes_nothing(as_supervisor, party):
    response = as_supervisor.post(reverse("party_create"), _party_data(notes="x" * 1_000_000))
    assert response.status_code == 200
    assert "at most 4000 characters" in response.content.decode()
    assert Party.objects.count() == 1  # the fixture's
    edit = as_supervisor.post(
        reverse("party_edit", args=[party.number]),
        {"kind": "person", "name": party.name, "state": "CA", "notes": "y" * 1_000_000},
    )
    assert edit.status_code == 200
    party.refresh_from_db()
    assert party.notes == ""


def test_model_char_fields_keep_their_own_limits_on_the_form():
    form = PartyForm()
    assert form.fields["name"].max_length == Party._meta.get_field("name").max_length
    assert form.fields["city"].max_length == Party._meta.get_field("city").max_length


@pytest.mark.parametrize(
    ("method", "name", "data"),
    [
        ("get", "licensing:renewals", {"tax_year": "\u00b2"}),
        ("post", "licensing:renewals", {"tax_year": "\u00b2"}),
        ("post", "licensing:roll_forward", {"from_year": "\u00b2"}),
        ("post", "cashiering:basket", {"action": "payer", "party": "\u00b2"}),
        ("post", "cashiering:basket", {"action": "add_charge", "charge": "\u00b2"}),
        ("get", "parking:inventory", {"tag": "R\u00b2"}),
    ],
)
def test_a_digit_that_is_not_ascii_is_never_a_server_error(
    as_supervisor, policy, classes, method, name, data
):
    """'²'.isdigit() is True but int('²') fails: numbers are read from ASCII digits only."""
    response = getattr(as_supervisor, method)(reverse(name), data)
    assert response.status_code < 500
