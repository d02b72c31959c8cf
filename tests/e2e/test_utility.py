"""Issue 13's walk in Chromium, one customer from move-in to move-out in the demo city:

1. a clerk starts service at the counter with its deposit and fee, and takes them at the counter;
2. the field crew completes the read-in on a phone-sized page (390×844);
3. the clerk imports a read file with one exception (a high read) and resolves it;
4. a Representative II runs the month's bills, a supervisor approves and posts the run;
5. the bill's PDF holds the account number and the amounts;
6. the supervisor runs the late fees (the run's bill date is in the past, so its grace is over);
7. the clerk takes the payment by scanning the bill's stub into the counter's find box;
8. service stops: the final bill with the deposit applied, the rest on account as a credit
   (the demo's policy), and the trial balance page balances.

The run is dated in the past (a period three months back) the way the collection tests date
their bills in the past: the customer moves in at the period's start."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import transaction

from cashiering import demo as counter_demo
from revenue import services as core
from revenue.models import Account, Charge
from tests.e2e.conftest import login
from tests.pdf import pdf_text
from tests.utility_billing.orders_fixtures import premise_setup
from utility_billing import collect_rules, demo
from utility_billing.models import (
    Bill,
    BillRun,
    DelinquencyPolicy,
    Deposit,
    Reading,
    ServiceAccount,
    ServiceOrder,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
D = Decimal


def _phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    login(phone, live_server, "field")
    return phone


def _crew_completes(browser, live_server, order, read):
    """The crew member opens the order on the phone, enters the read and completes it."""
    phone = _phone(browser, live_server)
    phone.goto(f"{live_server.url}/utility/field/")
    phone.click(f"#field-{order.number}")
    phone.fill("#id_read", str(read))
    button = phone.get_by_role("button", name="Complete order")
    box = button.bounding_box()
    assert box["width"] <= 390 and box["x"] >= 0  # fits the phone's width
    button.click()
    phone.wait_for_url("**/utility/field/")
    assert "completed" in phone.locator(".alert").first.inner_text()
    phone.context.close()


def _schedule_and_assign(page, live_server, order, crew):
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    page.fill("#id_on", core.city_today().isoformat())
    page.locator("#schedule-form").get_by_role("button", name="Schedule").click()
    page.wait_for_url(f"**{order.get_absolute_url()}")
    page.select_option("#id_to", label=crew.username)
    page.locator("#assign-form").get_by_role("button", name="Assign").click()
    page.wait_for_url(f"**{order.get_absolute_url()}")
    assert "Assigned" in page.locator("#order-status").inner_text()


def _money(text: str) -> Decimal:
    return D(re.sub(r"[^0-9.\-]", "", text))


def test_issue_13_walk(
    browser, page, live_server, accounts, admin_user, clerk, senior_clerk, supervisor, field_crew, party, fees,
    job_worker, tmp_path,
):  # fmt: skip
    with transaction.atomic():  # as seed_demo loads it
        city = demo.load_utility(acting_user=admin_user)
    counter_demo.load_counter(acting_user=admin_user)
    DelinquencyPolicy.objects.create(  # the collection part's demo policy (SB 998's defaults)
        effective_from=datetime.date(2020, 1, 1), late_fee_revenue_account=Account.objects.get(number="501-4340"),
        created_by=admin_user,
    )  # fmt: skip
    cycle = city["cycles"]["monthly"]
    start, end = demo.month_end(4) + datetime.timedelta(days=1), demo.month_end(3)
    utility = {"cycle": cycle, "class": city["classes"]["residential"], "sizes": city["sizes"]}
    premise = premise_setup(utility, admin_user, address="9 Heron Ct", route="M1", meter_serial="E2E100")

    # 1. start service at the counter with its deposit and the fee to establish service; pay them
    login(page, live_server, "clerk1")
    page.get_by_role("link", name="Counter", exact=True).click()
    page.fill("#id_count_b20", "5")
    page.get_by_role("button", name="Open drawer").click()
    page.goto(f"{live_server.url}{premise.get_absolute_url()}")
    page.click("#start-service")
    page.fill("#id_party_number", party.number)
    page.fill("#id_move_in", start.isoformat())
    page.fill("#id_deposit", "100.00")
    page.get_by_role("button", name="Open order").click()
    page.wait_for_url("**/utility/orders/SO*/")
    order = ServiceOrder.objects.get(kind="start", premise=premise)
    account = ServiceAccount.objects.get(pk=order.account_id)
    assert "Establishing service" in page.locator("#order-fees").inner_text()
    page.get_by_role("link", name="Counter", exact=True).click()
    page.fill("#find", account.number)  # the account's open charges: the deposit and the order's fee
    page.press("#find", "Enter")
    page.wait_for_selector(f"#basket td:text('{order.number}')")
    assert page.locator("#due").inner_text() == "$135.00"  # the deposit and the fee
    page.fill("#id_cash", "135.00")
    page.click("#post-receipt")
    page.wait_for_url("**/receipts/*/?new=1")
    assert Deposit.objects.get(account=account).charge.is_settled

    # 2. the crew completes the read-in on a phone
    _schedule_and_assign(page, live_server, order, field_crew)
    _crew_completes(browser, live_server, order, 1004)
    account.refresh_from_db()
    assert account.status == ServiceAccount.Status.ACTIVE
    assert Reading.objects.get(order=order).value == 1004

    # 3. the route's read file: the new meter's month-end read, and a neighbour's read ten times high
    other = (
        ServiceAccount.objects.filter(
            status="active", premise__cycle=cycle, premise__rate_class__code="residential"
        )
        .exclude(pk=account.pk)
        .order_by("number")
        .first()
    )
    at = {
        r.read_on: r.value
        for r in Reading.objects.filter(
            premise=other.premise, read_on__in=[start - datetime.timedelta(days=1), end]
        )
    }
    typical = at[end] - at[start - datetime.timedelta(days=1)]  # the neighbour's usage that month
    last = Reading.objects.filter(premise=other.premise, status="accepted").order_by("-read_on").first()
    usual = (
        last.value
        - Reading.objects.filter(meter=last.meter, read_on__lt=last.read_on).latest("read_on").value
    )
    day = f"{core.city_today():%m/%d/%Y}"
    file = tmp_path / "route-m1.csv"
    file.write_text(
        "meter_serial,read_date,read_value,read_code,route\r\n"
        f"E2E100,{end:%m/%d/%Y},{1004 + typical},,M1\r\n"
        f"{last.meter.serial},{day},{last.value + 10 * max(usual, 10)},,M1\r\n"
    )
    page.goto(f"{live_server.url}/utility/reads/")
    page.set_input_files("input[type=file]", str(file))
    page.click("#read-import-submit")
    page.wait_for_url("**/jobs/*/")
    page.locator("#job-result").wait_for(timeout=60_000)
    assert "2 reads in" in page.locator("#job-message").inner_text()
    page.click("#job-result")
    page.wait_for_url("**/utility/reads/import/*/")
    held = Reading.objects.get(meter=last.meter, read_on=core.city_today(), status="exception")
    assert held.exception == "high"
    mine = Reading.objects.get(meter__serial="E2E100", read_on=end)
    if mine.status == "exception":  # a meter with one month's history: the clerk looks and accepts it
        page.goto(f"{live_server.url}/utility/reads/exceptions/")
        page.click(f"#accept-{mine.pk}")
        page.wait_for_url("**/utility/reads/exceptions/**")
        mine.refresh_from_db()
    assert mine.status == "accepted", (mine.exception, mine.exception_note)
    page.goto(f"{live_server.url}/utility/reads/exceptions/")
    page.click(f"#correct-{held.pk}")
    page.wait_for_url(f"**/utility/reads/{held.pk}/correct/")
    page.fill("#id_value", str(last.value + usual))
    page.fill("#id_note", "Misread the tens dial")
    page.click("#correct-submit")
    page.wait_for_url("**/utility/reads/exceptions/")
    assert "corrected to" in page.locator(".alert").first.inner_text()
    assert page.locator(f"#exception-{held.pk}").count() == 0

    # 4. a Representative II runs the period's bills; a supervisor approves and posts them
    rep = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(rep, live_server, "clerk2")
    rep.goto(f"{live_server.url}/utility/runs/")
    rep.click("#run-new")
    rep.select_option("#id_cycle", str(cycle.pk))
    rep.fill("#id_period_start", start.isoformat())
    rep.fill("#id_period_end", end.isoformat())
    rep.fill("#id_bill_date", (end + datetime.timedelta(days=1)).isoformat())
    rep.click("#start-run")
    rep.wait_for_url("**/utility/runs/BR*/")
    try:
        rep.wait_for_selector("#run-status:has-text('Calculated')", timeout=180_000)
    except Exception as e:  # say what the run and its page show
        run = BillRun.objects.values().first()
        raise AssertionError(f"{run} / {rep.locator('main').inner_text()[:1500]}") from e
    run = BillRun.objects.get()
    rep.context.close()

    boss = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(boss, live_server, "supervisor")
    boss.goto(f"{live_server.url}{run.get_absolute_url()}")
    boss.click("#approve-run")
    boss.click("#post-run")
    boss.wait_for_selector("#run-status:has-text('Posted')", timeout=180_000)
    bill = Bill.objects.get(run=run, account=account)
    assert bill.status == Bill.Status.POSTED and bill.current_charges > 0

    # 5. the bill and its PDF
    boss.goto(f"{live_server.url}{bill.get_absolute_url()}")
    assert f"{bill.current_charges:,.2f}" in boss.locator("#bill-sums").inner_text()
    printed = pdf_text(boss.request.get(f"{live_server.url}/utility/bills/{bill.number}/pdf/").body())
    assert account.number in printed
    assert f"{bill.current_charges:,.2f}" in printed and f"{bill.amount_due:,.2f}" in printed

    # 6. the late fees: the bill was due three months ago, well past its grace days
    boss.goto(f"{live_server.url}/utility/late-fees/")
    boss.click("#run-late-fees")
    boss.locator("#job-result").wait_for(timeout=120_000)
    assert "late fees added" in boss.locator("#job-message").inner_text()
    fee = Charge.objects.get(source_number=bill.number, description__startswith="Late fee")
    assert fee.amount == (bill.current_charges * D("0.10")).quantize(D("0.01"))

    # 7. pay at the counter by scanning the stub: the bill's lines and its late fee
    page.get_by_role("link", name="Counter", exact=True).click()
    page.wait_for_selector("#find")
    page.locator("#find").click()
    page.keyboard.type(collect_rules.stub_text(account.number, bill.number))
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#basket td:text('{bill.number}')")
    due = sum((c.balance for c in Charge.objects.filter(party=account.party)), D("0"))
    assert due == bill.current_charges + fee.amount
    assert page.locator("#due").inner_text() == f"${due:,.2f}"
    page.fill("#id_cash", f"{due:.2f}")
    page.click("#post-receipt")
    page.wait_for_url("**/receipts/*/?new=1")
    assert all(c.is_settled for c in Charge.objects.filter(party=account.party))

    # 8. stop service the day after the period: the final bill, the deposit applied, the rest refunded
    page.goto(f"{live_server.url}{account.get_absolute_url()}")
    page.get_by_role("link", name="Stop service").click()
    page.fill("#id_move_out", (end + datetime.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Open order").click()
    page.wait_for_url("**/utility/orders/SO*/")
    stop = ServiceOrder.objects.get(kind="stop", account=account)
    _schedule_and_assign(page, live_server, stop, field_crew)
    _crew_completes(browser, live_server, stop, 1004 + typical + 1)
    account.refresh_from_db()
    assert account.status == ServiceAccount.Status.FINAL
    final = Bill.objects.filter(account=account).exclude(pk=bill.pk).get()
    deposit = Deposit.objects.get(account=account)
    assert deposit.final_bill_id == final.pk
    assert deposit.applied == final.amount_due > 0
    assert deposit.applied + deposit.refunded == D("100.00") + deposit.interest_paid and deposit.refunded > 0
    page.goto(f"{live_server.url}{account.get_absolute_url()}")
    # the rest stays on account as a credit (the demo's policy)
    assert f"{deposit.refunded:,.2f}" in page.locator("#account-balance").inner_text()

    # the trial balance balances, on the page
    boss.goto(f"{live_server.url}/reports/trial-balance/")
    debit, credit = (_money(t) for t in boss.locator("#trial-balance tfoot th.money").all_inner_texts())
    assert debit == credit and debit > 0
    assert boss.locator(".alert-danger").count() == 0
    boss.context.close()
