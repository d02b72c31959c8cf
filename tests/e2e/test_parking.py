"""Parking in Chromium, as the counter works it: import the handheld file, look up a plate,
contest one citation and have it dismissed, pay the plate's two others (one with its late
penalty) on one receipt, and issue a residential permit from the tag stock. And a vendor's own
layout: the supervisor defines its import profile, previews a sample, imports the vendor's file
through it and reads the rejects by reason."""

import datetime
from pathlib import Path

import pytest

from cashiering import demo as counter_demo
from parking import demo as parking_demo
from parking.models import Citation, Permit, ViolationFine
from revenue import services as core
from tests.e2e.conftest import login
from tests.pdf import pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEADER = "citation_number,issued_at,plate,state,make,violation_code,location,badge,fine\n"


def _row(number, days_ago, code, fine, plate="7ABC123"):
    day = core.city_today() - datetime.timedelta(days=days_ago)
    return f"{number},{day:%Y-%m-%d} 09:15,{plate},CA,TOYT,{code},120 Elm St,1107,{fine}\n"


def test_import_lookup_contest_pay_and_issue_a_permit(
    browser, page, live_server, senior_clerk, supervisor, party, fees, admin_user, tmp_path, job_worker
):
    counter_demo.load_counter(acting_user=admin_user)
    parking_demo.load_parking(acting_user=admin_user)
    parking_demo.load_stock(acting_user=supervisor, count=5)
    _import_the_handheld_file(page, live_server, tmp_path)
    _contest_one_and_have_it_dismissed(page, browser, live_server)
    _pay_the_plates_other_two_on_one_receipt(page)
    _issue_a_residential_permit(page, live_server, party)


def _import_the_handheld_file(page, live_server, tmp_path):
    """The clerk imports four rows: three go in, one is rejected."""
    handheld = tmp_path / "handheld-2026-11-20.csv"
    handheld.write_text(
        HEADER
        + _row("E2E00001", 40, "22500(a)", "65.00")  # late: the penalty is added when paid
        + _row("E2E00002", 5, "10.20.030", "40.00")
        + _row("E2E00003", 10, "10.20.050", "55.00")  # contested and dismissed
        + _row("E2E00004", 2, "NOPE", "10.00")  # rejected: unknown violation
    )

    login(page, live_server, "clerk2")
    page.click("#nav-parking")
    page.get_by_role("link", name="Import handheld file").click()
    page.set_input_files("input[type=file]", str(handheld))
    page.click("#import-submit")
    page.wait_for_url("**/jobs/*/")  # checked, then queued: the job worker imports it
    assert "queued for import" in page.locator(".alert").first.inner_text()
    page.locator("#job-result").wait_for(timeout=60_000)  # the page refreshes itself until it is done
    assert "3 citations imported" in page.locator("#job-message").inner_text()
    page.click("#job-result")
    page.wait_for_url("**/parking/imports/*/")
    assert page.locator("#rows-imported").inner_text() == "3"
    assert page.locator("#rows-rejected").inner_text() == "1"
    assert "Unknown violation code" in page.locator("#reject-table").inner_text()


def _contest_one_and_have_it_dismissed(page, browser, live_server):
    """The plate looked up; the person contests one citation and the supervisor dismisses it."""
    # look up the plate
    page.click("#nav-parking")
    page.get_by_role("link", name="Citations", exact=True).click()
    page.fill("#id_q", "CA 7ABC123")
    page.press("#id_q", "Enter")
    assert "3 open" in page.locator("#lookup-label").inner_text()

    # the person contests one; the supervisor dismisses it
    page.get_by_role("link", name="E2E00003").click()
    page.fill("#id_statement", "The street sweeping sign was covered by a tree.")
    page.click("#request-contest")
    assert "Initial review requested" in page.locator(".alert").first.inner_text()
    sup_context = browser.new_context()
    sup = sup_context.new_page()
    login(sup, live_server, "supervisor")
    sup.goto(f"{live_server.url}/parking/citations/E2E00003/")
    sup.check("input[name=decision][value=dismissed]")
    sup.fill("#id_reason", "Photo shows the sign hidden by branches.")
    sup.click("#decide")
    assert sup.locator("#citation-status").inner_text() == "Dismissed"
    sup_context.close()


def _pay_the_plates_other_two_on_one_receipt(page):
    """The drawer opened, the other two paid on one receipt (one with its late penalty)."""
    # open the drawer, then pay the plate's other two on one receipt
    page.get_by_role("link", name="Counter", exact=True).click()
    page.fill("#id_count_b20", "5")
    page.get_by_role("button", name="Open drawer").click()
    page.fill("#find", "7ABC123")
    page.press("#find", "Enter")
    assert page.locator("#due").inner_text() == "$170.00"  # 65.00 + 65.00 late penalty + 40.00
    page.fill("#id_cash", "200.00")
    page.click("#post-receipt")
    page.wait_for_url("**/receipts/*/?new=1")
    body = page.locator("main").inner_text()
    assert "E2E00001" in body and "E2E00002" in body and "Change due $30.00" in body
    statuses = dict(Citation.objects.values_list("number", "status"))
    assert statuses == {"E2E00001": "paid", "E2E00002": "paid", "E2E00003": "dismissed"}


def _issue_a_residential_permit(page, live_server, party):
    """A residential permit entered, paid at the counter and issued with the lowest tag."""
    # a residential permit from the tag stock
    page.click("#nav-parking")
    page.get_by_role("link", name="New permit").click()
    page.fill("#id_party_number", party.number)
    page.select_option("#id_permit_type", label="Residential — $45.00 for 12 months")
    page.fill("#id_address", "220 Elm Street")
    page.fill("#id_plate", "8abc 123")
    page.click("#permit-form button[type=submit]")
    page.wait_for_url("**/parking/permits/PP*/")
    permit = Permit.objects.get()
    assert permit.address == "220 ELM ST" and permit.plate == "8ABC123"
    page.get_by_role("link", name="Counter", exact=True).click()
    page.fill("#find", permit.number)
    page.press("#find", "Enter")
    assert page.locator("#due").inner_text() == "$45.00"
    page.fill("#id_cash", "45.00")
    page.click("#post-receipt")
    page.wait_for_url("**/receipts/*/?new=1")
    page.goto(f"{live_server.url}{permit.get_absolute_url()}")
    assert page.locator("#permit-status").inner_text() == "Issued"
    assert page.locator("#permit-tag").inner_text().startswith("R001000")  # the lowest tag on the shelf
    with page.expect_popup() as popup:
        page.click("#permit-letter")
    letter = pdf_text(page.request.get(popup.value.url).body())
    assert permit.number in letter and "R001000" in letter and "8ABC123" in letter


VENDOR_HEADER = "Ticket No,Viol Date,Viol Time,Tag,Tag State,Vehicle Make,Code,Where,Amount Due\n"


def _vendor_row(number, days_ago, at, code, amount, state="CA"):
    day = core.city_today() - datetime.timedelta(days=days_ago)
    return f"{number},{day:%m/%d/%Y},{at},7ABC123,{state},TOYT,{code},120 Elm St,{amount}\n"


def test_define_a_profile_preview_import_a_vendor_file_and_summarise_its_rejects(
    page, live_server, supervisor, fees, admin_user, tmp_path, job_worker
):
    """Issue 17: a supervisor defines the vendor's profile on its screen, previews a sample (the bad
    row marked), imports the vendor's file through it and reads the rejects by reason."""
    parking_demo.load_parking(acting_user=admin_user)
    vendor = tmp_path / "vendor-b.csv"
    vendor.write_text(
        VENDOR_HEADER
        + _vendor_row("VB000001", 3, "9:30 PM", "PK12", "$65.00")
        + _vendor_row("VB000002", 2, "7:05 AM", "MT01", "$40.00")
        + _vendor_row("VB000003", 2, "8:00 PM", "PK12", "$65.00", state="ZZ")  # rejected: state
        + _vendor_row("VB000004", 1, "10:15 AM", "XX99", "$65.00")  # rejected: a code nobody translated
    )

    login(page, live_server, "supervisor")
    page.click("#nav-reports")
    page.get_by_role("link", name="Import profiles").click()
    page.get_by_role("link", name="Parking citations (handheld exports)").click()
    page.fill("#id_name", "Handheld vendor B")
    for field, column in [
        ("citation_number", "Ticket No"),
        ("issued_at", "Viol Date + Viol Time"),
        ("plate", "Tag"),
        ("state", "Tag State"),
        ("make", "Vehicle Make"),
        ("violation_code", "Code"),
        ("location", "Where"),
        ("fine", "Amount Due"),
    ]:
        page.fill(f"#id_col_{field}", column)
    page.fill("#id_const_badge", "HV01")
    page.fill("#id_date_format", "%m/%d/%Y")
    page.fill("#id_time_format", "%I:%M %p")
    page.fill("#id_code_table", "PK12 = 22500(a)\nMT01 = 10.20.030")
    page.click("#profile-save")
    page.wait_for_url("**/imports/profiles/*/")
    assert "Import profile Handheld vendor B saved." in page.locator(".alert").first.inner_text()

    # the preview: the first rows mapped, each problem marked, nothing imported
    page.set_input_files("#id_file", str(vendor))
    page.click("#preview-submit")
    table = page.locator("#preview-table")
    assert "4 rows, 2 with a problem" in page.locator("#preview").inner_text(), table.inner_text()
    assert table.locator("tbody tr.table-danger").count() == 2
    assert (
        "'ZZ' is not a state" in table.inner_text() and "Unknown violation code 'XX99'" in table.inner_text()
    )
    assert "22500(a)" in table.locator("tbody tr").first.inner_text()
    assert not Citation.objects.exists()

    # the import page asks for the profile; the job imports what the preview said
    page.click("#nav-parking")
    page.get_by_role("link", name="Import handheld file").click()
    page.select_option("#id_profile", label="Handheld vendor B (parking.citations)")
    page.set_input_files("#id_file", str(vendor))
    page.click("#import-submit")
    page.wait_for_url("**/jobs/*/")
    assert "read through the profile Handheld vendor B" in page.locator(".alert").first.inner_text()
    page.locator("#job-result").wait_for(timeout=60_000)
    assert "2 citations imported ($105.00), 2 rows rejected" in page.locator("#job-message").inner_text()
    page.click("#job-result")
    page.wait_for_url("**/parking/imports/*/")
    assert sorted(Citation.objects.values_list("number", flat=True)) == ["VB000001", "VB000002"]
    assert "Handheld vendor B" in page.locator("#batch-profile").inner_text()

    # the rejects by reason; one reason's rows; the rejects file with the original rows
    summary = [" ".join(t.split()) for t in page.locator("#reject-summary tbody tr").all_inner_texts()]
    assert summary == ["State 1", "Unknown violation code 1"]
    page.get_by_role("link", name="State", exact=True).click()
    assert "VB000003" in page.locator("#reject-table").inner_text()
    assert "VB000004" not in page.locator("#reject-table").inner_text()
    with page.expect_download() as download:
        page.click("#rejects-csv")
    rejects = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert rejects[0] == VENDOR_HEADER.strip() + ",rejected_line,rejected_because"
    assert rejects[1].startswith(_vendor_row("VB000003", 2, "8:00 PM", "PK12", "$65.00", state="ZZ").strip())


def test_a_supervisor_sets_up_a_code_and_its_tiered_fine_on_one_page(
    page, live_server, supervisor, accounts, admin_user
):
    """The fine schedule in a few minutes: the codes by their number, a new code, and its fine
    with a late penalty that grows, typed on the code's own page; a wrong tier is refused there."""
    parking_demo.load_parking(acting_user=admin_user)
    login(page, live_server, "supervisor")
    page.click("#nav-parking")
    page.get_by_role("link", name="Fine schedule").click()
    codes = page.locator("#violations tbody tr td:first-child").all_inner_texts()
    assert codes.index("3") < codes.index("28") < codes.index("5200") < codes.index("22500(a)")

    page.fill("#id_code", "41")
    page.fill("#id_description", "Blocking a bicycle lane")
    page.click("#violation-form button[type=submit]")
    page.wait_for_url("**/parking/violations/*/")
    assert "No fine set yet" in page.locator("#fines").inner_text()

    today = core.city_today()
    page.fill("#id_effective_from", today.isoformat())
    page.fill("#id_fine", "40.00")
    page.fill("#id_late_penalty", "16.00")
    page.fill("#id_tier_1_days", "15")  # before the first penalty's 21 days: refused
    page.fill("#id_tier_1_amount", "32.00")
    page.click("#add-fine")
    assert (
        "A tier comes after the first late penalty" in page.locator("#fine-form .alert-danger").inner_text()
    )
    assert page.input_value("#id_fine") == "40.00"  # what was typed stays for the correction

    page.fill("#id_tier_1_days", "60")
    page.fill("#id_tier_2_days", "90")
    page.fill("#id_tier_2_amount", "50.00")
    page.click("#add-fine")
    page.wait_for_url("**/parking/violations/*/")
    row = page.locator("#fines tbody tr").first.inner_text()
    assert (
        "$40.00" in row
        and "+$32.00 after 60 days" in row
        and "+$50.00 after 90 days" in row
        and "In force" in row
    )
    assert page.locator("#history tbody tr").count() == 2  # the code and its fine, each recorded
    fine = ViolationFine.objects.get(violation__code="41")
    assert [(t.after_days, t.amount) for t in fine.tiers.all()] == [(60, 32), (90, 50)]
