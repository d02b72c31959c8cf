"""In Chromium: start service at the counter (the account, the fee to establish service and,
once ub-deposits is merged, the deposit), pay them at the counter by the order's number, and the
field crew completes the read-in on a phone-sized page (390×844); the account is then active."""

import pytest

from cashiering import demo as counter_demo
from revenue import services as core
from tests.e2e.conftest import login
from tests.utility_billing.orders_fixtures import premise_setup, utility_setup
from utility_billing.models import Reading, ServiceAccount, ServiceOrder

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_start_service_at_the_counter_and_the_crew_reads_in_on_a_phone(
    browser, page, live_server, clerk, field_crew, party, accounts, admin_user
):
    counter_demo.load_counter(acting_user=admin_user)
    premise = premise_setup(utility_setup(accounts, admin_user), admin_user)

    login(page, live_server, "clerk1")
    page.get_by_role("link", name="Counter", exact=True).click()
    page.fill("#id_count_b20", "5")
    page.get_by_role("button", name="Open drawer").click()

    page.goto(f"{live_server.url}{premise.get_absolute_url()}")
    page.click("#start-service")
    page.fill("#id_party_number", party.number)
    page.fill("#id_move_in", core.city_today().isoformat())
    page.fill("#id_deposit", "100.00")
    page.get_by_role("button", name="Open order").click()
    page.wait_for_url("**/utility/orders/SO*/")
    order = ServiceOrder.objects.get(kind="start")
    assert "Establishing service" in page.locator("#order-fees").inner_text()

    page.get_by_role("link", name="Counter", exact=True).click()
    page.fill("#find", order.number)
    page.press("#find", "Enter")
    due = "$35.00"
    assert page.locator("#due").inner_text() == due
    page.fill("#id_cash", "35.00")
    page.click("#post-receipt")
    page.wait_for_url("**/receipts/*/?new=1")

    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    page.fill("#id_on", core.city_today().isoformat())
    page.locator("#schedule-form").get_by_role("button", name="Schedule").click()
    page.wait_for_url(f"**{order.get_absolute_url()}")
    page.select_option("#id_to", label=field_crew.username)
    page.locator("#assign-form").get_by_role("button", name="Assign").click()
    page.wait_for_url(f"**{order.get_absolute_url()}")
    assert "Assigned" in page.locator("#order-status").inner_text()

    phone_context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone = phone_context.new_page()
    login(phone, live_server, "field")
    phone.goto(f"{live_server.url}/utility/field/")
    phone.click(f"#field-{order.number}")
    phone.fill("#id_read", "10x4")
    phone.get_by_role("button", name="Complete order").click()
    assert "whole digits" in phone.locator("form#field-complete").inner_text()
    phone.fill("#id_read", "1004")
    phone.fill("#id_notes", "Meter box lid cracked")
    button = phone.get_by_role("button", name="Complete order")
    box = button.bounding_box()
    assert box["width"] <= 390 and box["x"] >= 0  # fits the phone's width
    button.click()
    phone.wait_for_url("**/utility/field/")
    assert "completed" in phone.locator(".alert").first.inner_text()
    phone_context.close()

    account = ServiceAccount.objects.get(pk=order.account_id)
    assert account.status == ServiceAccount.Status.ACTIVE
    assert Reading.objects.get(order=order).value == 1004
