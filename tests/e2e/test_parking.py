"""Parking in Chromium, as the counter works it: import the handheld file, look up a plate,
contest one citation and have it dismissed, pay the plate's two others (one with its late
penalty) on one receipt, and issue a residential permit from the tag stock."""

import datetime

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
    assert "3 imported" in page.locator("#job-message").inner_text()
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
