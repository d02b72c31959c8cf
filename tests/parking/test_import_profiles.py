"""Issue 17: a vendor's citation export read through an import profile (other column names, a
constant badge, AM/PM times, the vendor's violation codes), previewed before anything is
imported; rejects summarised by reason; the rejects file, corrected, imports again."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from parking import selectors
from parking.models import Citation, ImportBatch
from parking.services import imports
from revenue import services as core
from revenue.models import AuditEvent, ImportProfile, Job
from revenue.services import jobs
from tests.conftest import D
from tests.parking.test_import import csv_file, good_rows, row

VENDOR_HEADER = "Ticket No,Viol Date,Viol Time,Tag,Tag State,Vehicle Make,Code,Where,Amount Due"


def vendor_row(
    number, *, days_ago=3, at="9:30 PM", plate="7ABC123", state="CA", code="PK12", amount="$65.00"
):
    day = core.city_today() - datetime.timedelta(days=days_ago)
    return f"{number},{day:%m/%d/%Y},{at},{plate},{state},TOYT,{code},100 ELM ST,{amount}"


def vendor_file(*rows) -> io.BytesIO:
    return csv_file(*rows, header=VENDOR_HEADER)


@pytest.fixture
def vendor_profile(policy, supervisor):
    return core.profile_save(
        acting_user=supervisor,
        target="parking.citations",
        name="Handheld vendor B",
        mapping={
            "citation_number": ["Ticket No"],
            "issued_at": ["Viol Date", "Viol Time"],
            "plate": ["Tag"],
            "state": ["Tag State"],
            "make": ["Vehicle Make"],
            "violation_code": ["Code"],
            "location": ["Where"],
            "fine": ["Amount Due"],
        },
        constants={"badge": "HV01"},
        date_format="%m/%d/%Y",
        time_format="%I:%M %p",
        code_table={"PK12": "22500(a)", "MT01": "10.20.030"},
    )


def test_the_profile_is_audited_configuration_with_its_header_signature(vendor_profile, supervisor):
    assert vendor_profile.header_signature == (
        "amount due,code,tag,tag state,ticket no,vehicle make,viol date,viol time,where"
    )
    created = AuditEvent.objects.get(action="importprofile.created")
    assert created.actor == supervisor and created.after["constants"] == {"badge": "HV01"}
    core.profile_save(acting_user=supervisor, profile=vendor_profile, constants={"badge": "HV02"})
    changed = AuditEvent.objects.get(action="importprofile.changed")
    assert changed.before["constants"] == {"badge": "HV01"} and changed.after["constants"] == {
        "badge": "HV02"
    }


def test_a_profile_that_does_not_fit_its_target_is_refused(policy, supervisor, senior_clerk):
    base = {"acting_user": supervisor, "target": "parking.citations", "name": "X"}
    with pytest.raises(core.ProfileInvalid, match="Say which column .* feeds Issued at"):
        core.profile_save(**base, mapping={"citation_number": ["No"]})
    with pytest.raises(core.ProfileInvalid, match="has no field colour"):
        core.profile_save(**base, mapping={"colour": ["C"]})
    full = {f: [f] for f in imports.COLUMNS}
    with pytest.raises(core.ProfileInvalid, match="12-hour hour"):
        core.profile_save(**base, mapping=full, date_format="%m/%d/%Y", time_format="%I:%M")
    with pytest.raises(core.ProfileInvalid, match="not a pattern"):
        core.profile_save(**base, mapping=full, date_format="%m/%d/%Y %Z", time_format="%H:%M")
    with pytest.raises(core.NotAllowed):
        core.profile_save(**{**base, "acting_user": senior_clerk}, mapping=full)
    assert not ImportProfile.objects.exists()


def test_the_preview_marks_the_bad_row_and_the_import_brings_in_what_it_showed(vendor_profile, senior_clerk):
    rows = [
        vendor_row("V0000001"),  # line 2: PK12 is 22500(a), $65.00, 9:30 PM
        vendor_row("V0000002", at="25:10 PM"),  # line 3: not a time
        vendor_row("V0000003", at="7:05 am", code="MT01", amount="$40.00"),  # line 4
        vendor_row("V0000004", code="ZZ99"),  # line 5: not a code of the city's, nor translated
    ]
    preview = core.profile_preview(profile=vendor_profile, source=vendor_file(*rows))
    by_line = {r.line: r for r in preview.rows}
    assert [r.line for r in preview.rows] == [2, 3, 4, 5] and preview.bad == 2
    ok = by_line[2].values
    assert ok[:2] == ["V0000001", f"{core.city_today() - datetime.timedelta(days=3):%Y-%m-%d} 21:30:00"]
    assert (ok[5], ok[7], ok[8]) == (
        "22500(a)",
        "HV01",
        "65.00",
    )  # translated, the constant badge, the amount
    assert by_line[2].problems == [] and by_line[4].problems == []
    assert [p.reason for p in by_line[3].problems] == ["Issued at"]
    assert (
        "25:10 PM' is not written as the profile says (like 03/14/2025 09:30 PM)"
        in by_line[3].problems[0].message
    )
    assert [p.reason for p in by_line[5].problems] == ["Unknown violation code"]
    assert not Citation.objects.exists()  # a preview writes nothing

    batch = imports.citations_import(
        vendor_file(*rows), "vendor.csv", acting_user=senior_clerk, profile=vendor_profile
    )
    fine = [r.values[0] for r in preview.rows if not r.problems]
    assert sorted(Citation.objects.values_list("number", flat=True)) == fine == ["V0000001", "V0000003"]
    assert (batch.rows_imported, batch.rows_rejected, batch.amount, batch.profile) == (
        2,
        2,
        D("105.00"),
        vendor_profile,
    )
    first = Citation.objects.get(number="V0000001")
    assert timezone.localtime(first.issued_at).strftime("%H:%M") == "21:30"
    assert (first.badge, first.violation.code, first.fine) == ("HV01", "22500(a)", D("65.00"))
    assert timezone.localtime(Citation.objects.get(number="V0000003").issued_at).strftime("%H:%M") == "07:05"
    assert dict(selectors.reject_summary(batch)) == {"Issued at": 1, "Unknown violation code": 1}


def test_the_header_picks_the_profile_and_the_built_in_layout_still_works(vendor_profile, senior_clerk):
    assert imports.citations_check(vendor_file(vendor_row("V0000001")))[1] == vendor_profile
    assert imports.citations_check(csv_file(*good_rows(1)))[1] is None  # the nine columns: no profile
    with pytest.raises(imports.ImportRefused, match="no import profile matches it"):
        imports.citations_check(csv_file(vendor_row("V1"), header=VENDOR_HEADER.replace("Tag State", "St")))
    batch = imports.citations_import(
        vendor_file(vendor_row("V0000009")), "picked.csv", acting_user=senior_clerk
    )
    assert batch.profile == vendor_profile and batch.rows_imported == 1


def test_an_amount_in_another_number_format_is_read_or_refused_never_misread(
    vendor_profile, supervisor, senior_clerk
):
    core.profile_save(
        acting_user=supervisor, profile=vendor_profile, decimal_separator=",", thousands_separator=".",
        currency_symbol="€",
    )  # fmt: skip
    vendor_profile.refresh_from_db()
    rows = [vendor_row("V0000001", amount='"65,00 €"'), vendor_row("V0000002", amount="65.00")]
    preview = core.profile_preview(profile=vendor_profile, source=vendor_file(*rows))
    assert preview.rows[0].values[8] == "65.00" and preview.rows[0].problems == []
    assert [p.reason for p in preview.rows[1].problems] == ["Fine"]  # 65.00 is not 6500 nor 65 here
    assert "written like 1.234,50" in preview.rows[1].problems[0].message


def test_rejects_are_summarised_by_reason_and_the_corrected_rejects_file_imports_again(
    client, vendor_profile, senior_clerk
):
    rows = [
        vendor_row("V0000001"),
        vendor_row("V0000002", state="ZZ"),
        vendor_row("V0000003", state="QQ"),
        vendor_row("V0000004", code="ZZ99", state="XX"),  # two problems: counted under each
        vendor_row("V0000005", plate="7AB*123"),
    ]
    batch = imports.citations_import(
        vendor_file(*rows), "day.csv", acting_user=senior_clerk, profile=vendor_profile
    )
    assert (batch.rows_imported, batch.rows_rejected) == (1, 4)
    assert selectors.reject_summary(batch) == [("State", 3), ("Plate", 1), ("Unknown violation code", 1)]

    client.force_login(senior_clerk)
    page = client.get(batch.get_absolute_url())
    assert page.context["summary"] == [("State", 3), ("Plate", 1), ("Unknown violation code", 1)]
    only_plate = client.get(batch.get_absolute_url(), {"reason": "Plate"}).context["rejects"]
    assert [r.citation_number for r in only_plate] == ["V0000005"]

    body = b"".join(
        client.get(reverse("parking:import_rejects_csv", args=[batch.pk])).streaming_content
    ).decode()
    lines = body.splitlines()
    assert lines[0] == VENDOR_HEADER + ",rejected_line,rejected_because"
    assert lines[1].startswith(vendor_row("V0000002", state="ZZ") + ",3,")
    assert "'ZZ' is not a state" in lines[1]
    corrected = (
        body.replace(",ZZ,TOYT,PK12", ",CA,TOYT,PK12").replace(",QQ,", ",NV,").replace(",XX,", ",CA,")
        .replace("ZZ99", "PK12").replace("7AB*123", "7AB-123")
    )  # fmt: skip
    again = imports.citations_import(
        io.BytesIO(corrected.encode()), "day-corrected.csv", acting_user=senior_clerk, profile=vendor_profile
    )
    assert (again.rows_imported, again.rows_rejected) == (4, 0)
    assert Citation.objects.count() == 5


def test_the_built_in_layout_s_rejects_file_re_imports_too(policy, senior_clerk, client):
    batch = imports.citations_import(
        csv_file(*good_rows(2), row("B0000001", state="ZZ")), "a.csv", acting_user=senior_clerk
    )
    client.force_login(senior_clerk)
    body = b"".join(
        client.get(reverse("parking:import_rejects_csv", args=[batch.pk])).streaming_content
    ).decode()
    assert body.splitlines()[0] == ",".join([*imports.COLUMNS, "rejected_line", "rejected_because"])
    again = imports.citations_import(
        io.BytesIO(body.replace(",ZZ,", ",CA,").encode()), "b.csv", acting_user=senior_clerk
    )
    assert (again.rows_imported, again.rows_rejected, again.profile) == (1, 0, None)


def test_the_upload_page_reads_through_the_chosen_profile_and_words_counts_in_the_singular(
    client, vendor_profile, senior_clerk
):
    client.force_login(senior_clerk)
    page = client.get(reverse("parking:import_list"))
    assert list(page.context["form"].fields["profile"].queryset) == [vendor_profile]
    token = page.context["form"].initial["token"]
    upload = SimpleUploadedFile(
        "vendor.csv", vendor_file(vendor_row("V0000001"), vendor_row("V0000002", state="ZZ")).getvalue()
    )
    response = client.post(
        reverse("parking:import_new"),
        {"token": token, "file": upload, "profile": vendor_profile.pk},
        follow=True,
    )
    assert "read through the profile Handheld vendor B" in response.content.decode()
    job = jobs.job_execute(Job.objects.get().pk)
    assert job.params["profile"] == vendor_profile.pk
    assert job.message == "1 citation imported ($65.00), 1 row rejected"
    assert ImportBatch.objects.get().profile == vendor_profile


def test_reloading_the_import_page_after_a_refused_upload_shows_the_form(client, policy, senior_clerk):
    client.force_login(senior_clerk)
    token = client.get(reverse("parking:import_list")).context["form"].initial["token"]
    bad = SimpleUploadedFile("x.csv", b"hello, world\nthis is not, a citation file\n")
    refused = client.post(reverse("parking:import_new"), {"token": token, "file": bad})
    assert refused.status_code == 400 and "no import profile matches it" in refused.content.decode()
    reloaded = client.get(reverse("parking:import_new"), follow=True)  # the address bar's GET
    assert reloaded.status_code == 200 and reloaded.context["form"] is not None
    assert reloaded.redirect_chain == [(reverse("parking:import_list"), 302)]


def test_import_messages_say_one_row_not_one_rows(policy, senior_clerk):
    with pytest.raises(imports.ImportRefused, match="1 of 1 row does not have the header's 9 columns"):
        imports.citations_import(csv_file("A1000001,2025-01-01 10:00"), "x.csv", acting_user=senior_clerk)
    batch = imports.citations_import(
        csv_file("A1000001,2025-01-01 10:00", *good_rows(2)), "y.csv", acting_user=senior_clerk
    )
    assert batch.rejects.get().message == "The row has 2 fields; the header has 9."


def test_the_command_reads_through_a_named_profile(vendor_profile, senior_clerk, tmp_path):
    path = tmp_path / "vendor.csv"
    path.write_bytes(vendor_file(vendor_row("V0000001")).getvalue())
    out = io.StringIO()
    call_command(
        "import_citations", str(path), "--user", "clerk2", "--profile", "Handheld vendor B", stdout=out
    )
    assert "1 citation imported ($65.00), 0 rows rejected" in out.getvalue()
    assert ImportBatch.objects.get().profile == vendor_profile
    with pytest.raises(CommandError, match="No citation import profile named 'Nobody'"):
        call_command(
            "import_citations", str(path), "--user", "clerk2", "--profile", "Nobody", stdout=io.StringIO()
        )
