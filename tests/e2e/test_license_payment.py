"""In Chromium: the license page's Take payment button takes the clerk to the counter with the
license's charges; the receipt that issues the license offers its certificate; the public page
tells a license not yet in force from a number never issued."""

import datetime

import pytest

from cashiering import demo as counter_demo
from licensing import demo as licensing_demo
from licensing import services as ls
from licensing.models import License
from tests.conftest import D
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_take_payment_from_the_license_page_and_print_the_certificate_from_the_receipt(
    browser, page, live_server, clerk, supervisor, party, fees, admin_user
):
    counter_demo.load_counter(acting_user=admin_user)
    classes = licensing_demo.load_licensing(acting_user=admin_user)
    business = ls.business_create(
        party=party,
        acting_user=admin_user,
        dba="Rosa's Gifts",
        location_address="100 Main St",
        location_city="Alder Bay",
        ownership="sole",
        owner_name="Rosa Alvarez",
        started_on=datetime.date(2015, 5, 1),
        employees=3,
        classification=classes["RET"],
        gross_receipts=D("150000.00"),
    )
    license = ls.application_submit(business=business, acting_user=clerk)
    ls.signoff_add(license=license, item="Zoning", acting_user=supervisor)
    ls.application_approve(license=license, acting_user=supervisor)

    public_context = browser.new_context()  # no login: assessed, not yet paid
    public = public_context.new_page()
    public.goto(f"{live_server.url}/verify/{license.number}/")
    assert "Not yet in force" in public.locator("#verify-result").inner_text()
    public.goto(f"{live_server.url}/verify/BL2000-999999/")
    assert "No license with the number" in public.locator("#verify-result").inner_text()

    login(page, live_server, "clerk1")
    page.get_by_role("link", name="Counter", exact=True).click()
    page.fill("#id_count_b20", "5")
    page.get_by_role("button", name="Open drawer").click()

    page.goto(f"{live_server.url}{license.get_absolute_url()}")
    page.locator("#take-payment").focus()
    page.keyboard.press("Enter")  # by keyboard, as at the counter
    page.wait_for_url("**/counter/")
    assert page.locator("#due").inner_text() == "$204.00"  # 175.00 tax + 25.00 processing + 4.00 SB 1186
    page.fill("#id_cash", "204.00")
    page.click("#post-receipt")
    page.wait_for_url("**/receipts/*/?new=1")
    license.refresh_from_db()
    assert license.status == License.Status.ACTIVE

    offer = page.locator(f"#certificate-{license.number}")
    assert offer.inner_text() == f"Print certificate {license.number}"
    with page.expect_popup() as popup:  # the original certificate, counted
        offer.click()
    assert popup.value.url.endswith(f"/licenses/{license.number}/print/")
    license.refresh_from_db()
    assert license.prints == 1

    public.goto(f"{live_server.url}/verify/{license.number}/")
    assert "Valid" in public.locator("#verify-result").inner_text()
    public_context.close()
