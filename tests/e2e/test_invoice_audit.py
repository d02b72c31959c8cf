"""The invoice audit in Chromium: a clerk enters an invoice billed above the order's price, runs
the match (it fails, line by line), disputes it and prints the discrepancy letter; a supervisor
approves it with a variance. Every page is checked by axe-core."""

from decimal import Decimal

import pytest

from payables.models import Invoice
from tests.e2e.conftest import login
from tests.payables.audit_setup import make_order, receive
from tests.pdf import pdf_text

pytest_plugins = ["tests.payables.audit_setup"]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_over_billed_invoice_disputed_and_approved_with_a_variance(
    browser,
    page,
    live_server,
    clerk,
    supervisor,
    audit_vendor,
    audit_department,
    audit_terms,
    pay_accounts,
    audit_policy,
    office,
):
    order = make_order(
        vendor=audit_vendor,
        department=audit_department,
        terms=audit_terms["2/10 net 30"],
        lines=[("Asphalt patch, 50 lb bag", "10", "10.00", pay_accounts["supplies"])],
        user=clerk,
    )
    receive(order, {1: "10"}, user=clerk)
    login(page, live_server, clerk.username)
    page.goto(f"{live_server.url}/payables/invoices/")
    page.click("#invoice-new")
    page.fill("#id_order", order.number)
    page.click("#pick-order-go")
    line = order.lines.get()
    page.fill("#id_number", "INV-77")
    page.fill("#id_invoice_date", "")
    page.fill("#id_invoice_date", str(order.order_date))
    page.fill(f"#id_q_{line.pk}", "10")
    page.fill(f"#id_p_{line.pk}", "10.60")
    page.fill("#id_total", "106.00")
    page.click("#invoice-save")
    page.wait_for_selector("#run-match")
    page.click("#run-match")
    page.wait_for_selector("#dispute")
    assert "Unit price" in page.inner_text("#line-1-match")
    page.click("#dispute")
    page.wait_for_selector("#letters")
    invoice = Invoice.objects.get(number="INV-77")
    letter = invoice.letters.get()
    text = pdf_text(page.request.get(f"{live_server.url}/payables/letters/{letter.number}.pdf").body())
    assert "Unit price" in text and "INV-77" in text

    context = browser.new_context()
    boss = context.new_page()
    login(boss, live_server, supervisor.username)
    boss.goto(f"{live_server.url}/payables/invoices/{invoice.pk}/")
    boss.fill("#id_variance_reason", "Fuel surcharge agreed by phone")
    boss.click("#approve")
    boss.wait_for_selector("#variance-facts")
    invoice.refresh_from_db()
    assert invoice.status == "approved" and invoice.total == Decimal("106.00")
