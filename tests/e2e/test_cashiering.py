"""A clerk's day at the counter, walked in Chromium: open, take a split payment, print, void with a
supervisor, take another, close out a dollar short, sign-off, deposit slip."""

import datetime
import time

import pytest

from cashiering import demo as counter_demo
from cashiering import services as cs
from cashiering.models import CashierSession, CheckRestriction, Deposit, Drawer, Receipt
from revenue import selectors, services
from tests.conftest import D
from tests.e2e.conftest import ARTIFACTS, login
from tests.pdf import pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def scan(page, number):
    page.fill("#find", number)
    page.press("#find", "Enter")
    page.wait_for_selector(f"#basket td:text('{number}')")


def test_a_clerks_day_at_the_counter(
    browser, page, live_server, clerk, supervisor, other_supervisor, party, make_charge, fees, admin_user
):
    counter_demo.load_counter(acting_user=admin_user)
    license_tax = make_charge(party, "120.00", "Business license tax")
    notary = make_charge(party, "35.50", "Notary (per signature)")

    login(page, live_server, "clerk1")
    page.get_by_role("link", name="Counter", exact=True).click()
    page.fill("#id_count_b20", "5")  # a $100.00 float
    assert page.locator("#counts-total").inner_text() == "$100.00"
    page.get_by_role("button", name="Open drawer").click()
    page.wait_for_function("document.activeElement.id === 'find'")

    scan(page, license_tax.source_number)
    scan(page, notary.source_number)
    assert page.locator("#due").inner_text() == "$155.50"
    page.fill("#id_cash", "60.00")
    page.click("#tender-check")  # the check's fields open with its button
    page.fill("#id_check_amount", "100.00")
    page.fill("#id_check_number", "1042")
    page.fill("#id_check_name", "Rosa Alvarez")
    assert page.locator("#change").inner_text() == "$4.50"  # shown before committing
    page.click("#post-receipt")
    page.wait_for_url("**/receipts/*/?new=1")
    receipt = Receipt.objects.get()
    assert page.locator("#change-due").inner_text() == "Change $4.50"

    page.wait_for_function("document.activeElement.id === 'print-80mm'")  # Enter prints
    with page.expect_popup() as popup:  # the first print is the original, the print's own answer
        page.click("#print-letter")
    assert popup.value.url.endswith(f"/receipts/{receipt.number}/print/")
    for _ in range(100):  # the print is counted as the new tab loads
        receipt.refresh_from_db()
        if receipt.prints:
            break
        time.sleep(0.1)
    popup.value.close()
    assert receipt.prints == 1
    assert page.locator("#print-80mm").inner_text() == "Reprint receipt (DUPLICATE)"  # says what comes next
    # any later look at it is a duplicate (the unit tests read the original itself)
    text = pdf_text(page.request.get(f"{live_server.url}/receipts/{receipt.number}/roll.pdf").body())
    assert "DUPLICATE" in text
    assert receipt.number in text and "$155.50" in text and "$120.00" in text and "$4.50" in text

    page.get_by_role("link", name="Void…").click()
    page.fill("#id_reason", "Paid the wrong account")
    page.get_by_role("button", name="Ask a supervisor").click()
    assert "a supervisor will decide" in page.locator(".alert").first.inner_text()

    sup_context = browser.new_context()
    sup = sup_context.new_page()
    login(sup, live_server, "supervisor")
    sup.get_by_role("link", name="Approvals").click()
    sup.get_by_role("link", name="Void", exact=True).click()
    sup.get_by_role("button", name="Approve").click()
    assert "Request approved" in sup.locator(".alert").first.inner_text()
    receipt.refresh_from_db()
    assert receipt.status == "voided"

    page.get_by_role("link", name="Counter", exact=True).click()
    scan(page, notary.source_number)
    page.fill("#id_cash", "40.00")
    page.click("#post-receipt")
    page.wait_for_url("**/receipts/*/?new=1")

    page.get_by_role("link", name="Counter", exact=True).click()
    page.get_by_role("link", name="Close out").click()
    page.fill("#id_count_b20", "6")
    page.fill("#id_count_b10", "1")
    page.fill("#id_count_b1", "4")
    page.fill("#id_count_c25", "2")  # 134.50 of 135.50 expected: a dollar short
    page.fill("#id_card_batch_total", "0")
    page.fill("#id_explanation", "Short a dollar; recounted twice")
    page.get_by_role("button", name="Close out").click()
    assert "Session closed" in page.locator(".alert").first.inner_text()
    session = CashierSession.objects.get()
    assert session.over_short() == {"cash": D("-1.00"), "checks": D("0.00"), "cards": D("0.00")}

    sup.click("#nav-reports")
    sup.get_by_role("link", name="Daily reconciliation").click()
    sup.get_by_role("link", name="Review and sign off").click()
    sup.click("#sign-off")
    session.refresh_from_db()
    assert session.status == "signed_off" and session.signed_off_by == supervisor

    sup.click("#nav-reports")
    sup.get_by_role("link", name="Deposits").click()
    sup.get_by_role("button", name="Prepare deposit").click()
    deposit = Deposit.objects.get()
    slip = pdf_text(
        sup.request.get(live_server.url + sup.locator("#deposit-slip").get_attribute("href")).body()
    )
    assert deposit.number in slip and "$34.50" in slip
    sup_context.close()
    # who prepares a deposit does not also confirm it: a second supervisor marks it deposited
    other_context = browser.new_context()
    other = other_context.new_page()
    login(other, live_server, other_supervisor.username)
    other.goto(live_server.url + deposit.get_absolute_url())
    other.fill("#id_bank_reference", "BK-2026-1126")
    other.get_by_role("button", name="Mark deposited").click()
    deposit.refresh_from_db()
    assert deposit.status == "deposited"
    other_context.close()
    assert selectors.trial_balance(as_of=services.city_today()).in_balance


def _prints(receipt) -> int:
    for _ in range(100):  # the print is counted as the frame loads
        receipt.refresh_from_db()
        if receipt.prints:
            break
        time.sleep(0.1)
    return receipt.prints


def test_print_on_post_the_80mm_page_and_a_void_approved_at_the_window(
    page, live_server, clerk, supervisor, party, make_charge, fees, admin_user, office
):
    counter_demo.load_counter(acting_user=admin_user)
    first, second = make_charge(party, "20.00", "Dog license"), make_charge(party, "35.50", "Notary")
    login(page, live_server, "clerk1")
    page.get_by_role("link", name="Counter", exact=True).click()
    page.fill("#id_count_b20", "5")
    page.get_by_role("button", name="Open drawer").click()
    page.wait_for_function("document.activeElement.id === 'find'")

    scan(page, first.source_number)
    page.fill("#id_cash", "20.00")
    page.click("#post-receipt")
    page.wait_for_url("**/receipts/*/?new=1")
    receipt = Receipt.objects.get()
    page.wait_for_function("document.activeElement.id === 'print-80mm'")  # focus on Print after posting
    assert receipt.prints == 0  # this workstation does not print on its own (yet)
    page.keyboard.press("Enter")  # print: the 80 mm page, in a frame, printing itself
    assert _prints(receipt) == 1
    frame = page.frame_locator("#print-frame")
    assert f"RECEIPT {receipt.number}" in frame.locator("body").inner_text()
    assert "DUPLICATE" not in frame.locator("body").inner_text()
    assert "Checks are accepted subject to collection" in frame.locator("body").inner_text()
    page.wait_for_function("document.activeElement.id === 'next-customer'")  # then Next customer
    page.check("#auto-print")  # this workstation prints every receipt on posting from now on
    page.get_by_role("link", name="Next customer").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'find'")

    scan(page, second.source_number)
    page.fill("#id_cash", "40.00")
    page.click("#post-receipt")
    page.wait_for_url("**/receipts/*/?new=1")
    second_receipt = Receipt.objects.exclude(pk=receipt.pk).get()
    assert _prints(second_receipt) == 1  # printed on posting, the original
    page.wait_for_function("document.activeElement.id === 'next-customer'")
    assert (
        f"RECEIPT {second_receipt.number}" in page.frame_locator("#print-frame").locator("body").inner_text()
    )
    page.reload()  # a reload finds it printed: no second original
    time.sleep(1)
    second_receipt.refresh_from_db()
    assert second_receipt.prints == 1

    page.get_by_role("link", name="Void…").click()
    page.fill("#id_reason", "Customer paid twice")
    page.fill("#id_supervisor", "supervisor")
    page.fill("#id_supervisor_password", "wrong password")
    page.press("#id_supervisor_password", "Enter")
    assert "Wrong user name or password" in page.locator(".alert-danger").first.inner_text()
    page.fill("#id_supervisor_password", "counter-demo")
    page.press("#id_supervisor_password", "Enter")  # Enter in the password: the supervisor's approval
    assert "approved at the window by Supervisor" in page.locator(".alert").first.inner_text()
    second_receipt.refresh_from_db()
    assert second_receipt.status == "voided"
    assert "Approved by Supervisor" in page.locator("#void-note").inner_text()
    # the clerk is still the one signed in at this screen
    assert page.locator("form[action$='/logout/'] button").get_attribute("title") == "Clerk1"


# --------------------------------------------------------------------------- the counter screen (issue 11)

SCREEN = {"width": 1366, "height": 768}
SHOTS = ARTIFACTS


@pytest.fixture
def counter_page(browser, live_server, clerk, admin_user):
    """A clerk at the counter with a drawer open, in a 1366×768 window."""
    counter_demo.load_counter(acting_user=admin_user)
    cs.session_open(drawer=Drawer.objects.get(code="D1"), clerk=clerk, opening_counts={"b20": 5})
    context = browser.new_context(viewport=SCREEN)
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, live_server, "clerk1")
    page.goto(f"{live_server.url}/counter/")
    yield page
    context.close()


def in_view(page, selector) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"]


def test_with_ten_lines_change_and_post_stay_in_view(counter_page, party, make_charge):
    page = counter_page
    charges = [make_charge(party, f"{10 + i}.00", f"Copies set {i + 1}") for i in range(10)]
    for c in charges:
        scan(page, c.source_number)
    assert page.locator("#basket tbody tr").count() == 10
    assert page.locator("main .alert-success").count() == 1  # one line says what was added
    assert page.evaluate("window.scrollY") == 0
    for selector in ("#due", "#id_cash", "#change", "#post-receipt"):
        assert in_view(page, selector), selector
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "counter-ten-lines.png"))
    page.focus("#id_pay-9")  # the last line's amount: the page scrolls, the payment panel stays
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("window.scrollY") > 0
    assert in_view(page, "#change") and in_view(page, "#post-receipt")

    # the tender buttons open only their fields; by keyboard too; a split tender still posts
    assert page.locator("#id_check_amount").is_hidden() and page.locator("#id_card_amount").is_hidden()
    page.focus("#tender-check")
    page.keyboard.press("Enter")
    assert page.locator("#id_check_amount").is_visible()
    assert page.evaluate("document.activeElement.id") == "id_check_amount"
    assert page.locator("#tender-check").get_attribute("aria-pressed") == "true"
    assert page.locator("#id_card_last4").is_hidden()
    page.fill("#id_check_amount", "100.00")
    page.fill("#id_check_number", "311")
    page.fill("#id_check_name", "Rosa Alvarez")
    page.fill("#id_cash", "60.00")  # 145.00 due: 100 by check, 45 of the 60 cash, 15 change
    assert page.locator("#change").inner_text() == "$15.00"
    assert in_view(page, "#post-receipt")
    page.screenshot(path=str(SHOTS / "counter-split-tender.png"))
    page.click("#post-receipt")
    page.wait_for_url("**/receipts/*/?new=1")
    receipt = Receipt.objects.get()
    assert receipt.total == D("145.00") and receipt.change_given == D("15.00")
    assert sorted(t.kind for t in receipt.tenders.all()) == ["cash", "check"]


def test_enter_on_an_empty_cash_box_fills_exact_cash_and_enter_again_posts(counter_page, party, make_charge):
    page = counter_page
    a, b = make_charge(party, "120.00"), make_charge(party, "35.50")
    scan(page, a.source_number)
    scan(page, b.source_number)
    page.focus("#id_cash")
    page.keyboard.press("Enter")
    assert page.input_value("#id_cash") == "155.50"
    assert page.locator("#change").inner_text() == "$0.00"
    assert "Exact cash $155.50" in page.locator("#pay-live").inner_text()
    assert not Receipt.objects.exists()  # nothing posts on the first Enter
    page.keyboard.press("Enter")
    page.wait_for_url("**/receipts/*/?new=1")
    receipt = Receipt.objects.get()
    assert receipt.total == D("155.50") and receipt.change_given == D("0.00")
    assert [(t.kind, t.amount) for t in receipt.tenders.all()] == [("cash", D("155.50"))]


def test_alerts_on_the_payer_show_before_a_tender_is_chosen(
    counter_page, live_server, party, make_charge, admin_user
):
    page = counter_page
    CheckRestriction.objects.create(
        party=party,
        until=services.city_today() + datetime.timedelta(days=90),
        reason="check 1042 returned",
        created_by=admin_user,
    )
    services.party_update(
        party=party, acting_user=admin_user, notes="Pays only by money order; asks for a receipt by mail."
    )
    charge = make_charge(party, "20.00")
    scan(page, charge.source_number)
    alert = page.locator("#party-alerts[role=alert]")
    assert "No checks accepted until" in alert.inner_text() and "check 1042 returned" in alert.inner_text()
    assert "Pays only by money order" not in alert.inner_text()  # a note not marked as an alert stays quiet
    assert alert.bounding_box()["y"] < page.locator(".tender-buttons").bounding_box()["y"]
    assert in_view(page, "#party-alerts")
    assert page.evaluate("document.activeElement.id") == "find"  # the alert does not take the scanner's box

    # the clerk marks the note as an alert on the party's page; the counter shows it too
    page.goto(live_server.url + party.get_absolute_url())
    assert "No checks accepted until" in page.locator("#party-alerts").inner_text()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Show the notes as an alert").check()
    page.get_by_role("button", name="Save").click()
    assert "Pays only by money order" in page.locator("#party-alerts[role=alert]").inner_text()
    page.goto(f"{live_server.url}/counter/")
    assert "Pays only by money order" in page.locator("#party-alerts").inner_text()
    page.screenshot(path=str(SHOTS / "counter-alerts.png"))


def test_a_mail_batch_with_over_payments_to_credit_and_to_suspense_and_a_blind_close_out(
    browser, page, live_server, clerk, supervisor, party, other_party, make_charge, fees, admin_user
):
    from cashiering.models import CashieringPolicy, MailBatch, Remittance, SuspenseItem

    counter_demo.load_counter(acting_user=admin_user)
    policy = CashieringPolicy.objects.get()
    policy.pk, policy.effective_from, policy.blind_close_out = None, services.city_today(), True
    policy.save()  # a later policy turns blind close-out on from today
    invoice = make_charge(party, "280.00", "Invoice")
    permit = make_charge(other_party, "200.00", "Permit")

    login(page, live_server, "clerk1")
    page.get_by_role("link", name="Counter", exact=True).click()
    page.select_option("#id_drawer", label=page.locator("#id_drawer option", has_text="MAIL").inner_text())
    page.get_by_role("button", name="Open drawer").click()
    page.wait_for_function("document.activeElement.id === 'find'")

    page.get_by_role("link", name="Mail", exact=True).click()
    page.fill("#id_control_count", "2")
    page.fill("#id_control_total", "830.00")
    page.get_by_role("button", name="Start").click()
    for stub, amount, check, name in (
        (invoice.source_number, "480.00", "1001", "Rosa Alvarez"),
        (permit.source_number, "350.00", "1002", "Harbor Light Hotel"),
    ):
        page.fill("#id_stub_number", stub)
        page.fill("#id_amount", amount)
        page.fill("#id_check_number", check)
        page.fill("#id_name_on_check", name)
        page.press("#id_name_on_check", "Enter")
        page.wait_for_selector(f"#remittances td:text('{check} · {name}')")
    assert page.locator("#balance-badge").inner_text() == "not balanced"  # keyed = control, two exceptions
    assert page.locator("#post-batch").is_disabled()
    over, other = Remittance.objects.order_by("pk")
    page.select_option(f"#how-{over.pk}", "credit")
    page.locator(f"#resolve-{over.pk}").get_by_role("button", name="Resolve").click()
    page.wait_for_selector(f"#resolve-{over.pk}", state="detached")
    page.select_option(f"#how-{other.pk}", "suspense")
    page.locator(f"#resolve-{other.pk}").get_by_role("button", name="Resolve").click()
    page.wait_for_selector(f"#resolve-{other.pk}", state="detached")
    assert page.locator("#balance-badge").inner_text() == "balanced"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.click("#post-batch")
    page.wait_for_selector("#batch-tally")
    assert MailBatch.objects.get().status == "posted"
    item = SuspenseItem.objects.get()
    invoice.refresh_from_db()
    assert invoice.is_settled and party.credit_balance() == D("200.00") and item.amount == D("350.00")

    # blind close-out: the clerk counts without seeing what the drawer should hold
    page.get_by_role("link", name="Counter", exact=True).click()
    page.get_by_role("link", name="Close out").click()
    assert page.locator("#blind-note").is_visible() and page.locator("#expected").count() == 0
    assert "$830.00" not in page.content()
    tender = Receipt.objects.get().tenders.get()
    page.check(f"#check-{tender.pk}")
    page.check(f"#suspense-{item.pk}")
    page.fill("#id_card_batch_total", "0")
    page.get_by_role("button", name="Close out").click()
    assert "Session closed" in page.locator(".alert").first.inner_text()
    session = CashierSession.objects.get()
    assert session.counted_checks == D("830.00") and session.over_short_total == D("0.00")
    assert page.locator("#over-short").is_visible()  # once the count is saved, the clerk sees it

    # a supervisor resolves the suspense item to the hotel: its permit, the rest on account
    sup_context = browser.new_context(viewport={"width": 1366, "height": 768})
    sup = sup_context.new_page()
    login(sup, live_server, "supervisor")
    sup.click("#nav-reports")
    sup.get_by_role("link", name="Money in suspense").click()
    assert sup.evaluate("document.documentElement.scrollWidth") <= 1366
    sup.get_by_role("link", name=item.number).click()
    sup.fill("#id_party_number", other_party.number)
    sup.fill("#id_note", "Stub matched the hotel's permit")
    sup.click("#apply-suspense")
    assert "applied" in sup.locator(".alert").first.inner_text()
    item.refresh_from_db()
    permit.refresh_from_db()
    assert item.status == "applied" and permit.is_settled and other_party.credit_balance() == D("150.00")

    sup.click("#nav-reports")
    sup.get_by_role("link", name="Daily reconciliation").click()
    assert sup.evaluate("document.documentElement.scrollWidth") <= 1366
    exceptions = sup.locator("#day-exceptions").inner_text()
    assert (
        "Overage to credit" in exceptions
        and "Held in suspense" in exceptions
        and "Suspense applied" in exceptions
    )
    sup.get_by_role("link", name="Review and sign off").click()
    sup.click("#sign-off")
    session.refresh_from_db()
    assert session.status == "signed_off"
    sup_context.close()
    assert selectors.trial_balance(as_of=services.city_today()).in_balance
