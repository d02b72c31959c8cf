"""Issue 17: import profiles are the supervisor's configuration, defined on a screen of the core
(per field the file's column or a constant, formats, a code translation table), previewed with
a sample file; clerks and the auditor may not open them."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parking import demo as parking_demo
from revenue import services as core
from revenue.models import AuditEvent, ImportProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(accounts, fees, admin_user):
    """The demo city's parking (the citation target's checks read its schedule and policy)."""
    return parking_demo.load_parking(acting_user=admin_user, since=datetime.date(2024, 1, 1))


FORM = {
    "name": "Handheld vendor B",
    "col_citation_number": "Ticket No",
    "col_issued_at": "Viol Date + Viol Time",
    "col_plate": "Tag",
    "col_state": "Tag State",
    "col_violation_code": "Code",
    "col_location": "Where",
    "col_fine": "Amount Due",
    "const_badge": "HV01",
    "date_format": "%m/%d/%Y",
    "time_format": "%I:%M %p",
    "decimal_separator": ".",
    "thousands_separator": ",",
    "currency_symbol": "$",
    "code_table": "PK12 = 22500(a)\nMT01 = 10.20.030\n",
    "active": "on",
}


def _new_url():
    return reverse("import_profile_new") + "?target=parking.citations"


def test_a_supervisor_defines_a_profile_on_the_screen_and_previews_a_sample(client, policy, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("import_profile_list")).status_code == 200
    page = client.get(_new_url())
    assert page.status_code == 200 and "Violation code" in page.content.decode()
    response = client.post(_new_url(), FORM)
    profile = ImportProfile.objects.get()
    assert response.status_code == 302 and response.url == profile.get_absolute_url()
    assert profile.mapping["issued_at"] == ["Viol Date", "Viol Time"] and "badge" not in profile.mapping
    assert profile.constants == {"badge": "HV01"}
    assert profile.code_table == {"PK12": "22500(a)", "MT01": "10.20.030"}
    assert (profile.created_by, profile.changed_by) == (supervisor, supervisor)
    assert AuditEvent.objects.filter(action="importprofile.created", object_id=profile.pk).count() == 1

    day = core.city_today() - datetime.timedelta(days=2)
    sample = (
        "Ticket No,Viol Date,Viol Time,Tag,Tag State,Code,Where,Amount Due\r\n"
        f"V0000001,{day:%m/%d/%Y},9:30 PM,7ABC123,CA,PK12,100 ELM ST,$65.00\r\n"
        f"V0000002,{day:%m/%d/%Y},9:45 PM,7ABC123,ZZ,PK12,100 ELM ST,$65.00\r\n"
    )
    preview = client.post(
        reverse("import_profile_preview", args=[profile.pk]),
        {"file": SimpleUploadedFile("sample.csv", sample.encode())},
    )
    assert preview.status_code == 200
    rows = preview.context["preview"].rows
    assert [bool(r.problems) for r in rows] == [False, True]
    assert rows[0].values[1] == f"{day:%Y-%m-%d} 21:30:00" and rows[0].values[5] == "22500(a)"
    html = preview.content.decode()
    assert 'class="table-danger"' in html and "is not a state" in html
    assert not ImportProfile.objects.exclude(pk=profile.pk).exists()  # nothing else was made
    # a reload of the preview's address goes back to the profile
    assert client.get(reverse("import_profile_preview", args=[profile.pk])).url == profile.get_absolute_url()


def test_a_bad_setting_is_told_on_the_form_and_nothing_is_saved(client, policy, supervisor):
    client.force_login(supervisor)
    response = client.post(_new_url(), {**FORM, "col_issued_at": "", "code_table": "PK12"})
    assert response.status_code == 400
    assert "Line 1 is not" in response.content.decode()
    response = client.post(_new_url(), {**FORM, "time_format": "%I:%M"})
    assert response.status_code == 400 and "12-hour hour" in response.content.decode()
    assert not ImportProfile.objects.exists()


def test_editing_a_profile_is_audited_with_before_and_after(client, policy, supervisor):
    client.force_login(supervisor)
    client.post(_new_url(), FORM)
    profile = ImportProfile.objects.get()
    response = client.post(profile.get_absolute_url(), {**FORM, "const_badge": "HV02"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="importprofile.changed")
    assert (event.before["constants"], event.after["constants"]) == ({"badge": "HV01"}, {"badge": "HV02"})
    page = client.get(profile.get_absolute_url()).content.decode()
    assert "HV02" in page and "Changes" in page


@pytest.mark.parametrize("persona", ["clerk", "senior_clerk", "auditor"])
def test_clerks_and_the_auditor_may_not_open_or_change_profiles(client, policy, supervisor, persona, request):
    profile = core.profile_save(
        acting_user=supervisor,
        target="parking.citations",
        name="Vendor",
        mapping={
            f: [f]
            for f in ("citation_number", "issued_at", "plate", "state", "violation_code", "location", "fine")
        },
        constants={"badge": "B1"},
    )
    client.force_login(request.getfixturevalue(persona))
    for url in (
        reverse("import_profile_list"),
        _new_url(),
        profile.get_absolute_url(),
        reverse("import_profile_preview", args=[profile.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(_new_url(), {**FORM, "name": "Other"}).status_code == 403
    assert client.post(profile.get_absolute_url(), {**FORM, "name": "Renamed"}).status_code == 403
    profile.refresh_from_db()
    assert profile.name == "Vendor" and ImportProfile.objects.count() == 1
