"""The reads' screens: a read entered by hand (letters and a negative read told on the form,
nothing written), the exceptions list filtered by code and route and each decision, the upload
queuing the import job, and who may open what."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from revenue.models import Job
from utility_billing.models import ReadBatch, Reading, ServiceOrder
from utility_billing.services import reading_record
from utility_billing.services.read_import import reads_import_job

from . import reads_setup
from .reads_setup import today

utility, site = reads_setup.utility, reads_setup.site  # the fixtures

pytestmark = pytest.mark.django_db


def _token(client, url):
    page = client.get(url)
    assert page.status_code == 200
    return str(page.context["form"]["token"].value())


@pytest.mark.parametrize(("typed", "says"), [("12A4", "letters"), ("-7", "negative")])
def test_a_read_typed_with_letters_or_negative_is_told_on_the_form(client, clerk, site, typed, says):
    meter = site("M1")
    client.force_login(clerk)
    url = reverse("utility_billing:read_new")
    before = Reading.objects.count()
    data = {"serial": "M1", "read_on": today().isoformat(), "value": typed, "token": _token(client, url)}
    page = client.post(url, data)
    assert page.status_code == 200 and says in page.content.decode()
    assert Reading.objects.count() == before
    data.update(value=str(meter.last_value + 10), token=_token(client, url))
    assert client.post(url, data).status_code == 302
    assert Reading.objects.get(meter=meter, read_on=today()).status == "accepted"


@pytest.fixture
def held(site, clerk):
    out = []
    for serial, route, add in (("H1", "R1", 50), ("H2", "R2", 0), ("H3", "R2", 60)):
        meter = site(serial, route=route)
        out.append(
            reading_record(meter=meter, read_on=today(), value=meter.last_value + add, acting_user=clerk)
        )
    return out


def test_the_exceptions_list_filters_by_code_and_route(client, clerk, held):
    client.force_login(clerk)
    url = reverse("utility_billing:read_exceptions")
    shown = lambda **q: {r.meter.serial for r, _label, _f in client.get(url, q).context["rows"]}  # noqa: E731
    assert shown() == {"H1", "H2", "H3"}
    assert shown(code="high") == {"H1", "H3"}
    assert shown(route="r2") == {"H2", "H3"}
    assert shown(code="high", route="R2") == {"H3"}
    assert shown(code="nonsense") == {"H1", "H2", "H3"}


def test_each_decision_from_the_list(client, clerk, held):
    client.force_login(clerk)
    h1, h2, h3 = held
    page = client.get(reverse("utility_billing:read_exceptions"))
    tokens = {r.pk: str(f["token"].value()) for r, _l, f in page.context["rows"]}
    client.post(
        reverse("utility_billing:read_accept", args=[h1.pk]), {"token": tokens[h1.pk], "note": "pool filled"}
    )
    h1.refresh_from_db()
    assert h1.status == "accepted"
    client.post(reverse("utility_billing:read_reread", args=[h2.pk]), {"token": tokens[h2.pk]})
    assert ServiceOrder.objects.get(kind="reread").details["reading"] == h2.pk
    url = reverse("utility_billing:read_correct", args=[h3.pk])
    client.post(
        url, {"value": str(h3.value - 50), "read_on": today().isoformat(), "token": _token(client, url)}
    )
    h3.refresh_from_db()
    assert h3.status == "replaced"
    assert Reading.objects.get(replaces=h3).value == h3.value - 50
    left = {r.pk for r, _l, _f in client.get(reverse("utility_billing:read_exceptions")).context["rows"]}
    assert left == {h2.pk}  # held until the crew's re-read comes back


def test_the_upload_queues_the_job_and_the_job_imports(client, clerk, site):
    meter = site("M1")
    client.force_login(clerk)
    url = reverse("utility_billing:read_import")
    token = _token(client, url)
    body = f"meter_serial,read_date,read_value\r\nM1,{today():%m/%d/%Y},{meter.last_value + 10}\r\n".encode()
    page = client.post(
        reverse("utility_billing:read_import_new"),
        {"token": token, "file": SimpleUploadedFile("r.csv", body)},
    )
    job = Job.objects.get(kind="utility_billing.import_reads")
    assert page.status_code == 302 and page.url == job.get_absolute_url()
    assert reads_import_job(job, lambda *a: None) == ReadBatch.objects.get().get_absolute_url()
    assert Reading.objects.get(meter=meter, read_on=today()).batch.job == job
    # a citation file is refused on the form, nothing queued
    page = client.post(
        reverse("utility_billing:read_import_new"),
        {
            "token": _token(client, url),
            "file": SimpleUploadedFile("c.csv", b"citation_number,plate\r\nA1,X\r\n"),
        },
    )
    assert page.status_code == 400 and "not a read file" in page.content.decode()
    assert Job.objects.count() == 1


def test_who_opens_what(client, clerk, auditor, field_crew, held):
    pages = ["read_import", "read_new", "read_exceptions"]
    expected = {clerk: [200, 200, 200], auditor: [200, 403, 200], field_crew: [403, 403, 403]}
    for user, statuses in expected.items():
        client.force_login(user)
        assert [client.get(reverse(f"utility_billing:{p}")).status_code for p in pages] == statuses
    client.force_login(auditor)
    assert client.post(reverse("utility_billing:read_accept", args=[held[0].pk])).status_code == 403
