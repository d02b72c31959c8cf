"""A business license from the counter to the wall, in Chromium: apply, review, approve, pay at the
counter, print the certificate, verify it publicly."""

import datetime

import pytest

from cashiering import demo as counter_demo
from licensing import demo as licensing_demo
from licensing.models import License
from tests.e2e.conftest import login
from tests.pdf import pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_apply_review_pay_print_and_verify(
    browser, page, live_server, clerk, supervisor, party, fees, admin_user
):
    counter_demo.load_counter(acting_user=admin_user)
    classes = licensing_demo.load_licensing(acting_user=admin_user)

    login(page, live_server, "clerk1")
    page.get_by_role("link", name="Licenses").click()
    page.get_by_role("link", name="New application").click()
    page.fill("#id_party_number", party.number)
    page.fill("#id_dba", "Rosa's Gifts")
    page.select_option("#id_classification", str(classes["RET"].pk))
    page.fill("#id_location_address", "100 Main St")
    page.fill("#id_location_city", "Alder Bay")
    page.select_option("#id_ownership", "sole")
    page.fill("#id_owner_name", "Rosa Alvarez")
    page.fill("#id_started_on", "2015-05-01")
    page.fill("#id_employees", "3")
    page.fill("#id_gross_receipts", "150,000.00")
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_url("**/licenses/BL*/")
    license = License.objects.get()
    assert (
        "175.00" in page.locator("#computation").inner_text()
    )  # the arithmetic, before anything is assessed

    sup_context = browser.new_context()
    sup = sup_context.new_page()
    login(sup, live_server, "supervisor")
    sup.goto(f"{live_server.url}{license.get_absolute_url()}")
    sup.get_by_role("button", name="Sign off Zoning").click()
    sup.click("#approve")
    assert "Approved" in sup.locator(".alert").first.inner_text()

    page.get_by_role("link", name="Counter", exact=True).click()
    page.fill("#id_count_b20", "5")
    page.get_by_role("button", name="Open drawer").click()
    page.fill("#find", license.number)  # scanned from the application: all its charges
    page.press("#find", "Enter")
    assert page.locator("#due").inner_text() == "$204.00"  # 175.00 tax + 25.00 processing + 4.00 SB 1186
    page.fill("#id_cash", "220.00")
    page.click("#post-receipt")
    page.wait_for_url("**/receipts/*/?new=1")
    license.refresh_from_db()
    assert license.status == License.Status.ACTIVE

    page.goto(f"{live_server.url}{license.get_absolute_url()}")
    with page.expect_popup() as popup:  # the original, as the counted print's own answer
        page.click("#print-certificate")
    assert popup.value.url.endswith(f"/licenses/{license.number}/print/")
    certificate = pdf_text(
        page.request.get(f"{live_server.url}/licenses/{license.number}/certificate.pdf").body()
    )
    assert "DUPLICATE" in certificate
    assert license.number in certificate and "Rosa's Gifts" in certificate

    public_context = browser.new_context()  # no login
    public = public_context.new_page()
    public.goto(f"{live_server.url}/verify/")
    public.fill("input[name=number]", license.number)
    public.press("input[name=number]", "Enter")
    result = public.locator("#verify-result").inner_text()
    assert "Valid" in result and "100 Main St" in result and "Rosa Alvarez" not in result
    public_context.close()
    sup_context.close()


def test_a_late_renewal_paid_with_its_penalty(
    browser, page, live_server, clerk, supervisor, party, fees, admin_user, job_worker
):
    import datetime

    from licensing import services as ls
    from licensing.tax import months_late
    from revenue.dates import city_today
    from tests.conftest import D

    counter_demo.load_counter(acting_user=admin_user)
    classes = licensing_demo.load_licensing(acting_user=admin_user)
    year = ls.current_tax_year()
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
    License.objects.create(
        number=f"BL{year - 1}-000042",
        business=business,
        tax_year=year - 1,
        status="active",
        valid_from=datetime.date(year - 1, 3, 1),
        valid_to=datetime.date(year, 2, 28),
        created_by=admin_user,
    )

    sup_context = browser.new_context()
    sup = sup_context.new_page()
    login(sup, live_server, "supervisor")
    sup.goto(f"{live_server.url}/licenses/renewals/?tax_year={year}")
    sup.click("#run-renewals")  # queued: the job worker runs it and the job page follows
    sup.locator("#job-result").wait_for(timeout=60_000)
    assert "1 created of 1" in sup.locator("#job-message").inner_text()
    renewal = License.objects.get(tax_year=year)
    sup_context.close()

    login(page, live_server, "clerk1")
    page.goto(f"{live_server.url}{renewal.get_absolute_url()}")
    late_months = months_late(ls.delinquency_date(year), city_today())
    expected_penalty = min(D("175.00") * D("0.10") * late_months, D("87.50")).quantize(D("0.01"))
    assert f"penalty ${expected_penalty:,.2f}" in page.locator("#late-penalty").inner_text()
    page.fill("#id_gross_receipts", "150000.00")
    page.click("#assess-renewal")
    assert "Renewal assessed" in page.locator(".alert").first.inner_text()

    page.get_by_role("link", name="Counter", exact=True).click()
    page.fill("#id_count_b20", "5")
    page.get_by_role("button", name="Open drawer").click()
    page.fill("#find", renewal.number)
    page.press("#find", "Enter")
    due = D("175.00") + expected_penalty + D("25.00") + D("4.00")
    assert page.locator("#due").inner_text() == f"${due:,.2f}"
    page.fill("#id_cash", str(due))
    page.click("#post-receipt")
    page.wait_for_url("**/receipts/*/?new=1")
    renewal.refresh_from_db()
    assert renewal.status == License.Status.ACTIVE


def test_a_supervisor_withdraws_a_mistaken_fee_rate_and_licensing_works_the_same_day(
    page, live_server, clerk, supervisor, party, fees, admin_user
):
    from licensing import services as ls
    from revenue import services
    from revenue.models import AuditEvent

    classes = licensing_demo.load_licensing(acting_user=admin_user)
    today = services.city_today().isoformat()
    business = ls.business_create(
        party=party,
        acting_user=clerk,
        dba="Rosa's Gifts",
        location_address="100 Main St",
        location_city="Alder Bay",
        ownership="sole",
        owner_name="Rosa Alvarez",
        started_on=datetime.date(2015, 5, 1),
        employees=1,
        classification=classes["HOME"],
        gross_receipts="40000.00",
    )
    license = ls.application_submit(business=business, acting_user=clerk)

    login(page, live_server, "supervisor")
    page.get_by_role("link", name="Configuration").click()
    page.get_by_role("link", name="Fee types").click()
    page.get_by_role("link", name="BL-PROC", exact=True).click()
    page.locator("input[name$='-effective_from']:visible").fill(today)
    page.locator("input[name$='-amount']:visible").fill("0.00")  # meant 30.00
    page.get_by_role("button", name="Save and continue editing").click()
    assert f"from {today}: 0.00" in page.locator("#rates-group").inner_text()

    page.locator("#rates-group").get_by_role("link", name="Withdraw…").first.click()
    page.fill("#id_reason", "Typed 0.00 for 30.00")
    page.get_by_role("button", name="Withdraw").click()
    assert "is withdrawn" in page.locator(".messagelist").inner_text()
    assert "Typed 0.00 for 30.00" in page.locator("#rates-group").inner_text()
    page.locator("input[name$='-effective_from']:visible").fill(today)  # the same day, corrected
    page.locator("input[name$='-amount']:visible").fill("30.00")
    page.get_by_role("button", name="Save and continue editing").click()
    assert services.fee_rate_on(fee_type=fees["BL-PROC"]).amount.to_eng_string() == "30.00"
    assert AuditEvent.objects.filter(action="feerate.withdrawn", actor=supervisor).exists()

    page.goto(f"{live_server.url}{license.get_absolute_url()}")
    page.get_by_role("button", name="Sign off Zoning").click()
    page.click("#approve")
    assert "Approved" in page.locator(".alert").first.inner_text()
    license.refresh_from_db()
    assert license.status == License.Status.ASSESSED
    processing = license.charges().get(fee_type=fees["BL-PROC"])
    assert processing.amount.to_eng_string() == "30.00"
