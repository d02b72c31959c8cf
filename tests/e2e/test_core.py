"""The core, walked in Chromium as clerks and supervisors use it."""

import io

import openpyxl
import pytest

from revenue import services
from tests.conftest import D
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_clerk_finds_a_party_by_part_of_its_name_from_the_keyboard(
    page, live_server, clerk, party, other_party, make_charge
):
    make_charge(party, "42.50", "Notary (per signature)")
    login(page, live_server, "clerk1")
    page.wait_for_function("document.activeElement.name === 'q'")  # the start page's search box has the focus
    page.keyboard.type("alvar")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=alvar")
    results = page.locator("#party-results tbody tr")
    assert results.count() == 1
    page.get_by_role("link", name="Alvarez, Rosa").click()
    page.wait_for_url(f"**/parties/{party.number}/")
    assert page.locator("h1").inner_text() == "Alvarez, Rosa"
    assert page.locator("#total-due").inner_text() == "$42.50"
    assert "Notary (per signature)" in page.locator("#open-charges").inner_text()

    page.keyboard.press("/")  # from any page, "/" jumps to the search box
    page.wait_for_function("document.activeElement.id === 'global-search'")
    page.keyboard.type("harbor hotel")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=harbor+hotel")
    page.wait_for_function("document.activeElement.textContent === 'Harbor Light Hotel LLC'")  # first result
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/parties/{other_party.number}/")


def test_supervisor_downloads_the_trial_balance_xlsx(
    page, live_server, supervisor, party, make_charge, undeposited, clerk
):
    charge = make_charge(party, "250.00")
    services.payment_post(
        party=party,
        amount=D("100.00"),
        applications=[(charge, D("100.00"))],
        debit_account=undeposited,
        acting_user=clerk,
    )
    login(page, live_server, "supervisor")
    page.click("#nav-reports")  # the Supervisor menu
    page.get_by_role("link", name="Trial balance").first.click()
    assert "Trial balance as of" in page.locator("h1").inner_text()
    with page.expect_download() as info:
        page.click("#tb-xlsx")
    download = info.value
    assert download.suggested_filename.startswith("trial-balance-")
    with open(download.path(), "rb") as f:  # a download has no file extension; openpyxl wants one or bytes
        ws = openpyxl.load_workbook(io.BytesIO(f.read())).active
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    total = rows[-1]
    assert total[0] == "Total" and total[4] == total[5] == 250
    assert {r[0]: (r[4], r[5]) for r in rows[:-1]} == {
        "100-1050": (100, None),
        "100-1210": (150, None),
        "100-4150": (None, 250),
    }


def test_clerk_asks_for_a_waiver_and_a_supervisor_approves_it(
    browser, page, live_server, clerk, supervisor, party, make_charge
):
    charge = make_charge(party, "35.00", "Returned check fee")
    login(page, live_server, "clerk1")
    page.goto(f"{live_server.url}/parties/{party.number}/")
    page.locator("#open-charges").get_by_role("link", name="Waiver").click()
    page.fill("#id_amount", "35.00")
    page.fill("#id_reason", "Bank error, letter on file")
    page.get_by_role("button", name="Send to a supervisor").click()
    assert "a supervisor will decide" in page.locator(".alert").first.inner_text()

    sup_context = browser.new_context()
    sup = sup_context.new_page()
    login(sup, live_server, "supervisor")
    sup.get_by_role("link", name="Approvals").click()
    sup.get_by_role("link", name="Waiver").click()
    sup.get_by_role("button", name="Approve").click()
    assert "Request approved" in sup.locator(".alert").first.inner_text()
    sup_context.close()
    charge.refresh_from_db()
    assert charge.is_settled

    page.reload()
    assert page.locator("#total-due").inner_text() == "$0.00"
