"""Importing the handheld devices' export files: rows checked in Python, written set-based per
chunk with one journal entry per chunk and a core charge per citation; bad rows listed, bad files
refused before anything is written, the same file never twice."""

import datetime
import hashlib
import io
from pathlib import Path

import psycopg
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from parking.models import Citation, ImportBatch, ImportReject
from parking.services import imports
from revenue import services as core
from revenue.models import Charge, Job, JournalEntry, SubmissionToken
from revenue.services import jobs
from tests.conftest import D, balance_of

HEADER = "citation_number,issued_at,plate,state,make,violation_code,location,badge,fine"


def _day(days_ago: int) -> datetime.date:
    return core.city_today() - datetime.timedelta(days=days_ago)


def row(number, *, days_ago=5, at="09:30", plate="7ABC123", state="CA", make="TOYT", code="22500(a)",
        location="100 ELM ST", badge="B214", fine="65.00", us=False):  # fmt: skip
    day = _day(days_ago)
    issued = f"{day:%m/%d/%Y} {at}" if us else f"{day:%Y-%m-%d} {at}"
    return ",".join([number, issued, plate, state, make, code, location, badge, fine])


def csv_file(*rows, header=HEADER, bom=False) -> io.BytesIO:
    text = "\r\n".join([header, *rows]) + "\r\n"
    return io.BytesIO(("\ufeff" if bom else "").encode() + text.encode())


def good_rows(n=10, start=1):
    codes = [("22500(a)", "65.00"), ("10.20.030", "40.00"), ("22502(a)", "45.00")]
    return [
        row(
            f"T{start + i:07d}",
            days_ago=1 + i % 20,
            code=codes[i % 3][0],
            fine=codes[i % 3][1],
            us=i % 2 == 1,
        )
        for i in range(n)
    ]


def nothing_written():
    return (
        ImportBatch.objects.count() == 0
        and Citation.objects.count() == 0
        and not JournalEntry.objects.filter(
            source_type=ContentType.objects.get_for_model(ImportBatch)
        ).exists()
        and not Charge.objects.filter(source_type=ContentType.objects.get_for_model(Citation)).exists()
    )


@pytest.mark.django_db(transaction=True)  # each chunk commits: the ledger's commit-time checks run
def test_a_good_file_makes_citations_charges_and_one_balanced_entry(policy, senior_clerk):
    rows = good_rows(10)
    batch = imports.citations_import(csv_file(*rows, bom=True), "day1.csv", acting_user=senior_clerk)

    assert batch.status == ImportBatch.Status.FINISHED
    assert (batch.rows_total, batch.rows_read, batch.rows_imported, batch.rows_rejected) == (10, 10, 10, 0)
    total = sum(D(r.rsplit(",", 1)[1]) for r in rows)
    assert batch.amount == total
    assert Citation.objects.filter(batch=batch, status="open").count() == 10

    first = Citation.objects.get(number="T0000001")
    assert first.issued_on == _day(1)
    assert timezone.localtime(first.issued_at).strftime("%H:%M") == "09:30"
    assert (first.plate, first.state, first.violation.code, first.fine) == (
        "7ABC123",
        "CA",
        "22500(a)",
        D("65"),
    )

    charges = Charge.objects.filter(source_type=ContentType.objects.get_for_model(Citation))
    assert charges.count() == 10
    charge = charges.get(source_number="T0000001")
    assert charge.source_id == first.pk
    assert charge.amount == D("65.00") and charge.balance == D("65.00")
    assert charge.description == "Citation 22500(a) Parking in an intersection"
    assert charge.assessed_on == first.issued_on
    assert charge.due_on == first.issued_on + datetime.timedelta(days=policy.penalty_after_days)
    assert charge.party == policy.citation_party
    assert (charge.receivable_account, charge.revenue_account) == (
        policy.citation_receivable_account,
        policy.fine_revenue_account,
    )

    entries = JournalEntry.objects.filter(source_type=ContentType.objects.get_for_model(ImportBatch))
    assert entries.count() == 1
    entry = entries.get()
    lines = entry.lines.aggregate(dr=Sum("debit"), cr=Sum("credit"))
    assert lines["dr"] == lines["cr"] == total
    assert set(charges.values_list("journal_entry", flat=True)) == {entry.pk}
    assert balance_of(policy.citation_receivable_account) == total
    assert balance_of(policy.fine_revenue_account) == -total
    assert core.audit_trail(batch).filter(action="citations.imported").count() == 1


@pytest.mark.django_db(transaction=True)
def test_chunks_give_the_same_result_with_an_entry_per_chunk(policy, senior_clerk):
    seen = []
    batch = imports.citations_import(
        csv_file(*good_rows(10)),
        "day1.csv",
        acting_user=senior_clerk,
        chunk=3,
        progress=lambda *a: seen.append(a),
    )
    assert (batch.rows_imported, batch.rows_rejected) == (10, 0)
    assert seen == [(3, 10, 3, 0), (6, 10, 6, 0), (9, 10, 9, 0), (10, 10, 10, 0)]
    entries = JournalEntry.objects.filter(source_type=ContentType.objects.get_for_model(ImportBatch))
    assert entries.count() == 4
    assert Charge.objects.values("journal_entry").distinct().count() == 4
    assert (
        balance_of(policy.citation_receivable_account)
        == batch.amount
        == Citation.objects.aggregate(t=Sum("fine"))["t"]
    )


@pytest.mark.django_db
def test_bad_rows_are_listed_by_line_and_the_good_rows_go_in(policy, senior_clerk):
    future = timezone.localtime() + datetime.timedelta(days=2)
    rows = [
        row("G0000001"),  # line 2
        row("B0000001", code="99999"),  # unknown violation
        row("B0000002", plate="7AB*123"),  # no state issues that character
        row("B0000003", state="ZZ"),
        f"B0000004,{future:%Y-%m-%d %H:%M},7ABC123,CA,TOYT,22500(a),100 ELM ST,B214,65.00",
        row("B0000005", fine="50.00"),  # the schedule says 65.00
        row("G0000001"),  # twice in the file
        row("B0000006", location=""),
        row("B0000007", days_ago=4 * 365),  # too old
        row("B0000008", badge=""),
        "B0000009,yesterday,7ABC123,CA,TOYT,22500(a),100 ELM ST,B214,65.00",
        "B0000010,2025-02-30 10:00,7ABC123,CA,TOYT,22500(a),100 ELM ST,B214,65.00",
        row("B-11"),
        row("G0000002", code="10.20.030", fine="40.00"),  # line 15
        "B0000012,2025-01-01 10:00,7ABC123,CA",  # short row
    ]
    batch = imports.citations_import(csv_file(*rows), "bad.csv", acting_user=senior_clerk)
    assert (batch.rows_read, batch.rows_imported, batch.rows_rejected) == (15, 2, 13)
    assert batch.amount == D("105.00")
    assert set(Citation.objects.values_list("number", flat=True)) == {"G0000001", "G0000002"}
    rejects = {r.line: (r.citation_number, r.message) for r in ImportReject.objects.filter(batch=batch)}
    assert rejects[3] == ("B0000001", "Unknown violation code '99999'.")
    assert "'7AB*123' is not a plate" in rejects[4][1]
    assert "'ZZ' is not a state" in rejects[5][1]
    assert "in the future" in rejects[6][1]
    assert "50.00" in rejects[7][1] and "65.00" in rejects[7][1]
    assert rejects[8] == ("G0000001", "Citation G0000001 is in the file twice (first on line 2).")
    assert rejects[9][1] == "The location is blank."
    assert "more than 3 years ago" in rejects[10][1]
    assert "badge is blank" in rejects[11][1]
    assert "'yesterday' is not a date" in rejects[12][1]
    assert "not a real date" in rejects[13][1]
    assert "4 to 20 letters and digits" in rejects[14][1]
    assert rejects[16][1] == "The row has 4 fields; the header has 9."
    assert Charge.objects.filter(source_number__in=["G0000001", "G0000002"]).count() == 2


@pytest.mark.django_db
def test_a_row_with_several_problems_names_them_all(policy, senior_clerk):
    future = timezone.localtime() + datetime.timedelta(days=2)
    bad = f"B0000020,{future:%Y-%m-%d %H:%M},7ABC123,ZZ,TOYT,22500(a),,B214,-5"
    batch = imports.citations_import(csv_file(row("G0000001"), bad), "several.csv", acting_user=senior_clerk)
    (reject,) = ImportReject.objects.filter(batch=batch)
    assert "in the future" in reject.message and "'ZZ' is not a state" in reject.message
    assert "location is blank" in reject.message
    assert batch.rows_imported == 1


@pytest.mark.django_db
def test_the_same_file_twice_is_refused_and_nothing_changes(policy, senior_clerk):
    content = csv_file(*good_rows(4)).getvalue()
    first = imports.citations_import(io.BytesIO(content), "a.csv", acting_user=senior_clerk)
    counts = (Citation.objects.count(), Charge.objects.count(), JournalEntry.objects.count())
    with pytest.raises(
        imports.ImportRefused, match=rf"already imported on .* \(import {first.pk}\): nothing"
    ):
        imports.citations_import(io.BytesIO(content), "renamed.csv", acting_user=senior_clerk)
    assert ImportBatch.objects.count() == 1
    assert (Citation.objects.count(), Charge.objects.count(), JournalEntry.objects.count()) == counts


@pytest.mark.django_db
def test_a_number_already_on_file_is_rejected(policy, senior_clerk):
    imports.citations_import(csv_file(*good_rows(2)), "a.csv", acting_user=senior_clerk)
    batch = imports.citations_import(
        csv_file(*good_rows(3, start=2)), "b.csv", acting_user=senior_clerk
    )  # T0000002 is in already
    assert (batch.rows_imported, batch.rows_rejected) == (2, 1)
    reject = batch.rejects.get()
    assert reject.line == 2 and reject.citation_number == "T0000002"
    earlier = ImportBatch.objects.get(file_name="a.csv")
    assert reject.message == f"Citation T0000002 is already on file (import {earlier.pk}): left out."
    assert Charge.objects.filter(source_number="T0000002").count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"%PDF-1.7\n\x00\x01\x02binary", "not a text file"),
        ("citation_number;issued_at\n".encode("utf-16"), "not a text file"),
        (b"\xff\xfe\xfa caf\xe9", "not UTF-8"),
        (b"hello, world\nthis is not, a citation file\n", "header row lacks citation_number, issued_at"),
        (HEADER.encode() + b"\r\n", "header but no citations"),
        (b"\r\n\r\n", "no header row"),
        (
            (HEADER.replace(",", ";") + "\n" + "A1;2025-01-01 10:00;X;CA;T;1;L;B;1.00\n").encode(),
            "header row lacks",
        ),
        (
            (HEADER + "\n" + "A1000001,2025-01-01 10:00\n" * 3 + "A1,2,3,4,5,6,7,8,9\n").encode(),
            "3 of 4 rows do not have the header's 9 columns",
        ),
    ],
)
@pytest.mark.django_db
def test_a_malformed_file_is_refused_before_anything_is_written(policy, senior_clerk, content, message):
    with pytest.raises(imports.ImportRefused, match=message):
        imports.citations_import(io.BytesIO(content), "x.csv", acting_user=senior_clerk)
    assert nothing_written()


@pytest.mark.django_db
def test_columns_in_any_order_and_any_case(policy, senior_clerk):
    header = "FINE,Badge,location,violation_code,make,state,plate,issued_at,Citation_Number,extra"
    day = _day(2)
    batch = imports.citations_import(
        csv_file(
            f'65.00,B1,"1 ELM ST, corner",22500(a),,ca,7abc 123,{day:%Y-%m-%d} 08:05:09,x12345,?',
            header=header,
        ),
        "o.csv",
        acting_user=senior_clerk,
    )
    assert batch.rows_imported == 1
    c = Citation.objects.get()
    assert (c.number, c.plate, c.state, c.location, c.make) == (
        "X12345",
        "7ABC123",
        "CA",
        "1 ELM ST, corner",
        "",
    )


@pytest.mark.django_db
def test_a_clerk_may_not_import(policy, clerk):
    with pytest.raises(imports.NotAllowed):
        imports.citations_import(csv_file(*good_rows(1)), "a.csv", acting_user=clerk)


@pytest.mark.django_db
def test_a_failure_part_way_keeps_the_committed_chunks_and_the_same_file_finishes_it(
    policy, senior_clerk, monkeypatch
):
    content = csv_file(*good_rows(6)).getvalue()
    real = imports._write_chunk
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(imports, "_write_chunk", flaky)
    with pytest.raises(
        imports.ImportFailed, match="after 3 of 6 rows .*disk full.*3 citations already imported"
    ):
        imports.citations_import(io.BytesIO(content), "a.csv", acting_user=senior_clerk, chunk=3)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED and "disk full" in batch.message
    assert Citation.objects.count() == 3

    monkeypatch.setattr(imports, "_write_chunk", real)
    again = imports.citations_import(io.BytesIO(content), "a.csv", acting_user=senior_clerk, chunk=3)
    assert again.pk == batch.pk and again.status == ImportBatch.Status.FINISHED
    assert (again.rows_imported, again.rows_rejected, again.amount) == (
        6,
        0,
        Citation.objects.aggregate(t=Sum("fine"))["t"],
    )
    assert Charge.objects.filter(source_type=ContentType.objects.get_for_model(Citation)).count() == 6


# --------------------------------------------------------------------------- screens


@pytest.mark.django_db
def test_a_senior_clerk_uploads_a_file_and_sees_the_batch(client, policy, senior_clerk):
    client.force_login(senior_clerk)
    page = client.get(reverse("parking:import_list"))
    assert page.status_code == 200 and b"citation_number" in page.content
    token = page.context["form"].initial["token"]
    rows = [*good_rows(3), row("B0000001", state="ZZ")]
    upload = SimpleUploadedFile("day1.csv", csv_file(*rows).getvalue(), content_type="text/csv")
    response = client.post(reverse("parking:import_new"), {"token": token, "file": upload}, follow=True)
    job = Job.objects.get()  # checked and queued: the request imports nothing itself
    assert response.redirect_chain[-1][0] == job.get_absolute_url() and not ImportBatch.objects.exists()
    assert "queued for import" in response.content.decode()
    job = jobs.job_execute(job.pk)  # what the worker does
    batch = ImportBatch.objects.get()
    assert job.status == "done" and job.result_url == batch.get_absolute_url()
    assert not Path(job.params["path"]).exists()  # the kept upload is gone once imported
    html = client.get(batch.get_absolute_url()).content.decode()
    assert "&#x27;ZZ&#x27; is not a state" in html
    assert reverse("parking:import_rejects_csv", args=[batch.pk]) in html

    again = SimpleUploadedFile("day1.csv", csv_file(*rows).getvalue(), content_type="text/csv")
    response = client.post(reverse("parking:import_new"), {"token": token, "file": again}, follow=True)
    assert "already submitted" in response.content.decode()
    assert ImportBatch.objects.count() == 1

    csv_response = client.get(reverse("parking:import_rejects_csv", args=[batch.pk]))
    body = b"".join(csv_response.streaming_content).decode()
    assert body.splitlines()[0] == f"{HEADER},rejected_line,rejected_because" and "B0000001" in body
    listing = client.get(reverse("parking:import_list")).content.decode()
    assert "day1.csv" in listing


@pytest.mark.django_db
def test_a_bad_file_is_an_error_on_the_form_and_the_form_can_be_sent_again(client, policy, senior_clerk):
    client.force_login(senior_clerk)
    token = client.get(reverse("parking:import_list")).context["form"].initial["token"]
    bad = SimpleUploadedFile("x.pdf", b"%PDF-1.7\x00\x01", content_type="application/pdf")
    response = client.post(reverse("parking:import_new"), {"token": token, "file": bad})
    assert response.status_code == 400 and "not a text file" in response.content.decode()
    assert not SubmissionToken.objects.filter(key=token).exists() and nothing_written()
    good = SimpleUploadedFile("day1.csv", csv_file(*good_rows(2)).getvalue(), content_type="text/csv")
    response = client.post(reverse("parking:import_new"), {"token": token, "file": good})
    assert response.status_code == 302
    jobs.job_execute(Job.objects.get().pk)
    assert ImportBatch.objects.get().rows_imported == 2


@pytest.mark.django_db
def test_a_clerk_sees_the_imports_but_may_not_upload(client, policy, clerk):
    client.force_login(clerk)
    page = client.get(reverse("parking:import_list"))
    assert page.status_code == 200 and page.context["form"] is None
    upload = SimpleUploadedFile("day1.csv", csv_file(*good_rows(1)).getvalue(), content_type="text/csv")
    response = client.post(reverse("parking:import_new"), {"file": upload})
    assert response.status_code == 403
    assert nothing_written()


@pytest.mark.django_db
def test_the_command_imports_a_file_and_prints_progress(policy, senior_clerk, tmp_path):

    path = tmp_path / "day1.csv"
    path.write_bytes(csv_file(*good_rows(5)).getvalue())
    out = io.StringIO()
    call_command("import_citations", str(path), "--user", "clerk2", "--chunk", "2", stdout=out)
    text = out.getvalue()
    assert "40.0%  2 of 5 rows read" in text and "100.0%  5 of 5 rows read" in text and "rows/s" in text
    assert "5 citations imported" in text
    with pytest.raises(CommandError, match="already imported"):
        call_command("import_citations", str(path), "--user", "clerk2", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_file_being_imported_elsewhere_is_refused_and_a_stale_running_batch_is_taken_up(
    policy, senior_clerk
):

    content = csv_file(*good_rows(3)).getvalue()
    sha = hashlib.sha256(content).hexdigest()
    cfg = connection.settings_dict
    other = psycopg.connect(
        host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], password=cfg["PASSWORD"],
        dbname=cfg["NAME"], autocommit=True,
    )  # fmt: skip
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [int(sha[:15], 16)])
        with pytest.raises(imports.ImportRefused, match="being imported right now"):
            imports.citations_import(io.BytesIO(content), "a.csv", acting_user=senior_clerk)
    finally:
        other.close()  # the other process "dies": its lock goes with it
    stale = ImportBatch.objects.create(file_name="a.csv", sha256=sha, started_by=senior_clerk)
    batch = imports.citations_import(io.BytesIO(content), "a.csv", acting_user=senior_clerk)
    assert batch.pk == stale.pk and batch.status == ImportBatch.Status.FINISHED and batch.rows_imported == 3


@pytest.mark.django_db
@pytest.mark.parametrize("width", [101, 40_000, 1_000_000])
def test_a_header_far_too_wide_is_refused_at_once_with_nothing_written(policy, senior_clerk, width):
    """Many distinct extra column names once cost time growing with their square (40,000 took
    25 s; a million held a worker until it was killed): the header is bounded first."""
    header = ",".join([*imports.COLUMNS, *(f"extra{i}" for i in range(width - len(imports.COLUMNS)))])
    data = csv_file(*good_rows(1), header=header)
    with pytest.raises(imports.ImportRefused, match=f"has {width:,} columns"):
        imports.citations_check(data)
    with pytest.raises(imports.ImportRefused, match=f"has {width:,} columns"):
        imports.citations_import(csv_file(*good_rows(1), header=header), "wide.csv", acting_user=senior_clerk)
    assert nothing_written()
