"""Utility bill runs in Chromium: a Representative II starts a run over the demo city's monthly
cycle (the job worker calculates it), reads the proof register; a supervisor approves and posts
it, opens a bill and its PDF (the account number and the amounts in its text)."""

import datetime

import pytest
from django.db import transaction

from tests.e2e.conftest import login
from tests.pdf import pdf_text
from utility_billing import demo
from utility_billing.models import Bill, BillRun

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_run_approve_and_post_a_bill_run_and_open_a_bill(
    browser, page, live_server, accounts, admin_user, field_crew, senior_clerk, supervisor, office, job_worker
):
    with transaction.atomic():  # as seed_demo loads it: numbers are taken inside a transaction
        city = demo.load_utility(acting_user=admin_user)
    cycle = city["cycles"]["monthly"]
    start, end = demo.month_end(2) + datetime.timedelta(days=1), demo.month_end(1)

    login(page, live_server, "clerk2")
    page.goto(f"{live_server.url}/utility/runs/")
    page.click("#run-new")
    page.select_option("#id_cycle", str(cycle.pk))
    page.fill("#id_period_start", start.isoformat())
    page.fill("#id_period_end", end.isoformat())
    page.fill("#id_bill_date", (end + datetime.timedelta(days=1)).isoformat())
    page.click("#start-run")
    page.wait_for_url("**/utility/runs/BR*/")
    page.wait_for_selector("#run-status:has-text('Calculated')", timeout=180_000)  # the page follows the job
    run = BillRun.objects.get()
    assert run.bill_count > 100
    page.click("#proof-register")
    assert page.locator("table tbody tr").count() >= 100
    assert "bills" in page.locator("table tfoot, table").last.inner_text()

    other = browser.new_context().new_page()
    login(other, live_server, "supervisor")
    other.goto(f"{live_server.url}{run.get_absolute_url()}")
    other.click("#approve-run")
    other.click("#post-run")
    other.wait_for_selector("#run-status:has-text('Posted')", timeout=180_000)
    bill = Bill.objects.filter(run=run, current_charges__gt=0).order_by("number").first()
    assert bill.status == Bill.Status.POSTED
    other.goto(f"{live_server.url}{bill.get_absolute_url()}")
    assert f"{bill.current_charges:,.2f}" in other.locator("#bill-sums").inner_text()
    printed = pdf_text(other.request.get(f"{live_server.url}/utility/bills/{bill.number}/pdf/").body())
    assert bill.account.number in printed
    assert f"{bill.current_charges:,.2f}" in printed and f"{bill.amount_due:,.2f}" in printed
    other.context.close()
