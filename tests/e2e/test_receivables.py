"""Receivables and TOT in Chromium: create and print an invoice, run aging and dunning, record a
follow-up call, take payment at the counter; file a late TOT return and pay it with its penalty
and interest."""

import datetime
from decimal import Decimal

import pytest

from cashiering import demo as counter_demo
from receivables import demo as receivables_demo
from receivables import services as ar
from receivables.models import DunningNotice, FollowUp, Invoice
from revenue import services as core
from revenue.models import Account, FeeType
from tests.e2e.conftest import login
from tests.pdf import pdf_text
from tot import demo as tot_demo
from tot import services as tot_services
from tot.models import TotReturn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_invoice_aging_dunning_followup_and_payment(
    browser, page, live_server, senior_clerk, supervisor, party, fees, admin_user, job_worker
):
    counter_demo.load_counter(acting_user=admin_user)
    receivables_demo.load_receivables(acting_user=admin_user)
    today = core.city_today()
    # an older invoice of the same customer, 95 days past due: the dunning run's work
    old = ar.invoice_create(
        party=party,
        lines=[{"fee_type": FeeType.objects.get(code="ALARM"), "quantity": Decimal("1")}],
        invoice_date=today - datetime.timedelta(days=125),
        acting_user=admin_user,
    )

    login(page, live_server, "clerk2")
    page.click("#nav-billing")
    page.get_by_role("link", name="New invoice").click()
    page.fill("#id_party_number", party.number)
    page.select_option("#id_line-0-fee_type", str(FeeType.objects.get(code="HALL").pk))
    page.fill("#id_line-0-quantity", "4")
    page.fill("#id_line-1-description", "Replace damaged park bench")
    page.select_option("#id_line-1-revenue_account", str(Account.objects.get(number="100-4156").pk))
    page.fill("#id_line-1-quantity", "1")
    page.fill("#id_line-1-unit_price", "480.00")
    page.click("#create-invoice")
    page.wait_for_url("**/receivables/invoices/INV*/")
    invoice = Invoice.objects.exclude(pk=old.pk).get()
    assert invoice.total == Decimal("780.00")
    with page.expect_popup() as popup:
        page.click("#print-invoice")
    printed = pdf_text(
        page.request.get(f"{live_server.url}/receivables/invoices/{invoice.number}/pdf/").body()
    )
    popup.value.close()
    assert invoice.number in printed and "780.00" in printed and "Return this part" in printed

    # aging: the old invoice is in the over-90 bucket, the new one current
    page.goto(f"{live_server.url}/receivables/aging/")
    customers = page.locator("#aging-customers").inner_text()
    assert party.name in customers and "150.00" in customers and "780.00" in customers

    # dunning: the old invoice gets the final notice with its late fee, once
    page.goto(f"{live_server.url}/receivables/dunning/")
    page.click("#run-dunning")  # queued: the job worker runs it and the job page follows
    page.locator("#job-result").wait_for(timeout=60_000)
    assert "1 letter for 1 past-due invoices" in page.locator("#job-message").inner_text()
    notice = DunningNotice.objects.get()
    assert notice.invoice == old and notice.level_number == 3 and notice.fee_charge.amount == Decimal("25.00")
    page.click("#job-result")
    page.click("#run-dunning")
    page.locator("#job-result").wait_for(timeout=60_000)
    assert "0 letters" in page.locator("#job-message").inner_text()
    assert DunningNotice.objects.count() == 1

    # a follow-up call from the worklist
    page.click("#nav-billing")
    page.get_by_role("link", name="Past-due worklist").click()
    row = page.locator("#worklist tr", has_text=party.name)
    row.get_by_role("link", name="Record a call").click()
    page.wait_for_selector("#followup-form")
    page.fill("#id_note", "Spoke with Rosa: will pay both at the counter this week.")
    page.fill("#id_next_action_on", (today + datetime.timedelta(days=7)).isoformat())
    page.locator("#followup-form button[type=submit]").click()
    page.wait_for_load_state()
    assert FollowUp.objects.get().note.startswith("Spoke with Rosa")

    # payment at the counter: scanning both numbers brings the invoice lines and the late fee
    page.get_by_role("link", name="Counter", exact=True).click()
    page.fill("#id_count_b20", "5")
    page.get_by_role("button", name="Open drawer").click()
    for number in (invoice.number, old.number):
        page.fill("#find", number)
        page.press("#find", "Enter")
    assert page.locator("#due").inner_text() == "$955.00"  # 780 + 150 + 25 late fee
    page.click("#tender-check")
    page.fill("#id_check_amount", "955.00")
    page.fill("#id_check_number", "2201")
    page.fill("#id_check_name", "Rosa Alvarez")
    page.click("#post-receipt")
    page.wait_for_url("**/receipts/*/?new=1")
    for inv in (invoice, old):
        inv.refresh_from_db()
        assert inv.status == Invoice.Status.PAID
    page.goto(f"{live_server.url}/receivables/worklist/")
    assert party.name not in page.locator("main").inner_text()  # paid: off the worklist


def test_a_late_tot_return_paid_with_penalty_and_interest(
    browser, page, live_server, clerk, party, fees, admin_user
):
    counter_demo.load_counter(acting_user=admin_user)
    tot_demo.load_tot(acting_user=admin_user)
    operator = tot_services.operator_create(
        acting_user=admin_user,
        party=party,
        certificate_number="TOT-9001",
        name="Harbor Light Hotel",
        kind="hotel",
        location="400 Harbor Blvd",
        rooms=40,
        opened_on=datetime.date(2024, 1, 1),
    )
    today = core.city_today()
    # two months back: due the last day of last month, so late today
    period = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1) - datetime.timedelta(days=1)
    period = period.replace(day=1)

    login(page, live_server, "clerk1")
    page.goto(f"{live_server.url}/tot/operators/{operator.certificate_number}/returns/new/")
    page.select_option("#id_period", f"{period:%Y-%m}")
    page.fill("#id_received_on", today.isoformat())
    page.fill("#id_gross_rents", "52,000.00")
    page.fill("#id_exempt_long_stay", "2,000.00")
    page.click("#file")
    page.wait_for_url("**/tot/returns/TOT*/")
    ret = TotReturn.objects.get()
    rate = Decimal("12") if period >= datetime.date(2026, 7, 1) else Decimal("10")
    tax = (Decimal("50000.00") * rate / 100).quantize(Decimal("0.01"))
    assert page.locator("#tax").inner_text() == f"${tax:,.2f}"
    assert (
        "Penalty" in page.locator("#late-lines").inner_text()
        and "Interest" in page.locator("#late-lines").inner_text()
    )

    page.get_by_role("link", name="Counter", exact=True).click()
    page.fill("#id_count_b20", "5")
    page.get_by_role("button", name="Open drawer").click()
    page.fill("#find", ret.number)
    page.press("#find", "Enter")
    rows = page.locator("#basket").inner_text()
    assert "Penalty" in rows and "Interest" in rows  # line by line
    due = Decimal(page.locator("#due").inner_text().replace("$", "").replace(",", ""))
    penalty = (tax * Decimal("0.10")).quantize(Decimal("0.01"))
    interest = (tax * Decimal("0.005")).quantize(Decimal("0.01"))  # one month or part of one
    assert due == tax + penalty + interest
    page.click("#tender-check")
    page.fill("#id_check_amount", f"{due}")
    page.fill("#id_check_number", "5120")
    page.fill("#id_check_name", "Harbor Light Hotel LLC")
    page.click("#post-receipt")
    page.wait_for_url("**/receipts/*/?new=1")
    assert sum((c.balance for c in ret.charges()), Decimal("0")) == Decimal("0.00")
