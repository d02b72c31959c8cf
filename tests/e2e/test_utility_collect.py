# ruff: noqa: F811 - the fixtures are imported from collect_fixtures and named as arguments
"""Utility collection in Chromium: a supervisor runs the late fees (a job), then a clerk takes the
payment at the counter by scanning the bill's remittance stub (typed into the find box as a
scanner types it): the bill's lines and its late fee come in oldest first and are paid."""

import datetime

import pytest

from cashiering import demo as counter_demo
from cashiering.models import Receipt
from revenue import services as core
from revenue.models import Charge
from tests.e2e.conftest import login
from tests.utility_billing.collect_fixtures import (  # noqa: F401 - fixtures
    D,
    make_account,
    make_bill,
    utility,
)
from utility_billing import collect_rules as rules
from utility_billing.models import DelinquencyNotice

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_late_fee_then_payment_by_the_stub(
    browser, page, live_server, clerk, supervisor, make_account, make_bill, fees, admin_user, job_worker
):
    counter_demo.load_counter(acting_user=admin_user)
    account = make_account()
    today = core.city_today()
    older = make_bill(account, today - datetime.timedelta(days=45), water="30.00", sewer="20.00")
    bill = make_bill(account, today - datetime.timedelta(days=15))  # 100.00, past its 10 grace days

    # 6. a late fee: 10% of the current bill unpaid plus 1% of the 50.00 past due
    login(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/utility/late-fees/")
    page.click("#run-late-fees")
    page.locator("#job-result").wait_for(timeout=60_000)
    assert "2 late fees added" in page.locator("#job-message").inner_text()
    fee = Charge.objects.get(source_number=bill.number, description__startswith="Late fee")
    assert fee.amount == D("10.50")
    page.click("#job-result")
    assert page.locator("#late-fees").get_by_text(bill.number).count() == 1

    # the shut-off list: an account 75 days delinquent with a notice 20 days ago; a disconnect order
    late = make_account(name="Okafor, Ben", address="7 Elm St")
    late_bill = make_bill(late, today - datetime.timedelta(days=75))
    DelinquencyNotice.objects.create(
        account=late, bill=late_bill, sent_on=today - datetime.timedelta(days=20), shutoff_on=today,
        past_due=D("100.00"), created_by=supervisor,
    )  # fmt: skip
    page.goto(f"{live_server.url}/utility/delinquency/")
    assert page.locator("#delinquent").get_by_text(late.number).count() == 1
    page.get_by_role("link", name="Shut-off list").click()
    page.get_by_label(f"Disconnect {late.number}").check()
    page.click("#order-disconnects")
    assert "1 disconnect order opened" in page.locator(".alert-success").inner_text()
    page.goto(f"{live_server.url}/utility/accounts/{late.number}/collection/")
    page.click("#plan-new")
    page.fill("#id_months", "3")
    page.click("#plan-set-up")
    assert "Payment plan" in page.locator("h1").inner_text()
    page.goto(f"{live_server.url}/utility/disconnections/")
    page.goto(f"{live_server.url}/utility/notices/")

    # 7. pay at the counter by scanning the stub: every open charge of the account, oldest first
    page.context.clear_cookies()
    login(page, live_server, "clerk1")
    page.get_by_role("link", name="Counter", exact=True).click()
    page.fill("#id_count_b20", "5")
    page.get_by_role("button", name="Open drawer").click()
    page.wait_for_function("document.activeElement.id === 'find'")
    page.keyboard.type(rules.stub_text(account.number, bill.number))
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#basket td:text('{bill.number}')")
    numbers = page.locator("#basket tbody tr td:first-child").all_inner_texts()
    assert numbers == [older.number] * 3 + [bill.number] * 3  # the older bill and its late fee first
    due = sum((c.balance for c in Charge.objects.filter(party=account.party)), D("0"))
    assert due == D("165.50")
    assert page.locator("#due").inner_text() == f"${due:,.2f}"
    page.fill("#id_cash", f"{due:.2f}")
    page.click("#post-receipt")
    page.wait_for_url("**/receipts/*/?new=1")
    receipt = Receipt.objects.get()
    assert receipt.total == due
    assert all(c.is_settled for c in Charge.objects.filter(party=account.party))
    assert f"Utility account {account.number}" in page.content()
