"""Issue 17 (part of 3): a fine schedule file uploaded through an import profile (violation code,
description, fine, effective date) becomes fine schedule rows, all or none, audited, by a
supervisor only."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parking import selectors
from parking.models import Violation, ViolationFine
from parking.services import schedule_import
from revenue import services as core
from revenue.models import AuditEvent
from tests.conftest import D

pytestmark = pytest.mark.django_db

COUNCIL_HEADER = "Section,Offense,Amount,Starts,Late"


def _day(days_ahead: int) -> datetime.date:
    return core.city_today() + datetime.timedelta(days=days_ahead)


@pytest.fixture
def council_profile(policy, supervisor):
    return core.profile_save(
        acting_user=supervisor,
        target="parking.fine_schedule",
        name="Council fine table",
        mapping={
            "violation_code": ["Section"],
            "description": ["Offense"],
            "fine": ["Amount"],
            "effective_from": ["Starts"],
            "late_penalty": ["Late"],
        },
        date_format="%m/%d/%Y",
        code_table={"VC 22500A": "22500(a)"},
    )


def council_file(*rows) -> io.BytesIO:
    return io.BytesIO(("\r\n".join([COUNCIL_HEADER, *rows]) + "\r\n").encode())


def test_a_schedule_file_through_a_profile_adds_fines_and_new_codes_audited(council_profile, supervisor):
    starts = _day(30)
    fines = schedule_import.fine_schedule_import(
        council_file(
            f'VC 22500A,Parking in an intersection,"$70.00",{starts:%m/%d/%Y},',  # the penalty carries on
            f"10.30.010,Blocking a driveway,55.00,{starts:%m/%d/%Y},35.00",
        ),
        acting_user=supervisor,
    )  # the header picks the profile
    assert len(fines) == 2
    raised = ViolationFine.objects.get(violation__code="22500(a)", effective_from=starts)
    assert (raised.fine, raised.late_penalty, raised.created_by) == (D("70.00"), D("65.00"), supervisor)
    new = Violation.objects.get(code="10.30.010")
    assert new.description == "Blocking a driveway"
    assert (new.fines.get().fine, new.fines.get().late_penalty) == (D("55.00"), D("35.00"))
    schedule = selectors.fine_schedule()
    assert schedule.fine("22500(a)", starts).fine == D("70.00")
    assert schedule.fine("22500(a)", starts - datetime.timedelta(days=1)).fine == D("65.00")  # the past stays
    assert AuditEvent.objects.filter(action="violationfine.imported").count() == 2
    assert AuditEvent.objects.get(action="violation.created").object_repr.startswith("10.30.010")
    assert (
        AuditEvent.objects.filter(action="violationfine.imported").first().after["profile"]
        == "Council fine table"
    )


def test_a_file_with_a_bad_row_adds_nothing_and_names_each_problem(council_profile, supervisor):
    before = ViolationFine.objects.count()
    with pytest.raises(
        schedule_import.ScheduleRefused, match="3 rows of 5 have a problem: nothing was added"
    ) as refused:
        schedule_import.fine_schedule_import(
            council_file(
                f"VC 22500A,,70.00,{_day(10):%m/%d/%Y},",
                f"10.30.010,,55.00,{_day(10):%m/%d/%Y},20.00",  # a new code needs its description
                f"22502(a),,-5,{_day(10):%m/%d/%Y},",  # not an amount the city charges
                f"22502(a),,50.00,{_day(-1):%m/%d/%Y},",  # yesterday: the past is not rewritten
                f"10.20.030,,45.00,{_day(10):%m/%d/%Y},",
            ),
            acting_user=supervisor,
        )
    reasons = {r.line: [p.reason for p in r.problems] for r in refused.value.rows}
    assert reasons == {3: ["Description"], 4: ["Fine"], 5: ["Effective date in the past"]}
    assert ViolationFine.objects.count() == before and not Violation.objects.filter(code="10.30.010").exists()


def test_the_same_fine_twice_is_refused(council_profile, supervisor):
    row = f"VC 22500A,,70.00,{_day(10):%m/%d/%Y},"
    with pytest.raises(schedule_import.ScheduleRefused) as twice:
        schedule_import.fine_schedule_import(council_file(row, row), acting_user=supervisor)
    assert [p.reason for p in twice.value.rows[0].problems] == ["Twice in the file"]
    schedule_import.fine_schedule_import(council_file(row), acting_user=supervisor)
    with pytest.raises(schedule_import.ScheduleRefused) as again:
        schedule_import.fine_schedule_import(council_file(row), acting_user=supervisor)
    assert [p.reason for p in again.value.rows[0].problems] == ["Already on the schedule"]


def test_the_built_in_columns_work_without_a_profile(policy, supervisor):
    text = f"violation_code,description,fine,effective_from\r\n10.20.030,Expired meter,42.00,{_day(5):%Y-%m-%d}\r\n"
    (fine,) = schedule_import.fine_schedule_import(io.BytesIO(text.encode()), acting_user=supervisor)
    assert (fine.violation.code, fine.fine, fine.late_penalty) == ("10.20.030", D("42.00"), D("40.00"))


def test_only_a_supervisor_uploads_the_schedule(client, council_profile, supervisor, senior_clerk, auditor):
    url = reverse("parking:fine_schedule_import")
    upload = f"VC 22500A,,70.00,{_day(10):%m/%d/%Y},"
    for persona in (senior_clerk, auditor):
        client.force_login(persona)
        assert client.get(url).status_code == 403
        response = client.post(url, {"file": SimpleUploadedFile("f.csv", council_file(upload).getvalue())})
        assert response.status_code == 403
        with pytest.raises(core.NotAllowed):
            schedule_import.fine_schedule_import(council_file(upload), acting_user=persona)
    assert not ViolationFine.objects.filter(effective_from=_day(10)).exists()

    client.force_login(supervisor)
    page = client.get(url)
    assert page.status_code == 200 and list(page.context["form"].fields["profile"].queryset) == [
        council_profile
    ]
    token = page.context["form"].initial["token"]
    bad = SimpleUploadedFile("f.csv", council_file(upload.replace("70.00", "x")).getvalue())
    refused = client.post(url, {"token": token, "file": bad, "profile": council_profile.pk})
    assert refused.status_code == 400 and "is not" in refused.content.decode()
    assert len(refused.context["refused"]) == 1
    good = SimpleUploadedFile("f.csv", council_file(upload).getvalue())
    done = client.post(url, {"token": token, "file": good, "profile": council_profile.pk}, follow=True)
    assert "1 fine added to the schedule." in done.content.decode()
    assert ViolationFine.objects.get(effective_from=_day(10)).fine == D("70.00")
