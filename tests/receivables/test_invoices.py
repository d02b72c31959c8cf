"""AR invoices: creating (charges and ledger), refusals, status following the money, the PDF with
its remittance stub, e-mail, credit memos through a supervisor's approval, and the pages."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from receivables import selectors
from receivables import services as ar
from receivables.models import CreditMemo, Invoice, InvoiceLine
from revenue import demo as revenue_demo
from revenue import services as core
from revenue.exceptions import NotAllowed, OverApplied, RevenueError
from revenue.models import ApprovalRequest, AuditEvent, Charge, JournalEntry
from tests.conftest import D, balance_of
from tests.pdf import pdf_text

from .factories import due_days_ago

pytestmark = pytest.mark.django_db

TODAY = core.city_today


@pytest.fixture
def make_invoice(ar_policy, fees, accounts, clerk):
    def make(party, *, lines=None, **kwargs):
        lines = lines if lines is not None else [
            {"fee_type": fees["HALL"], "quantity": D("4")},
            {"description": "Broken window, Oak Park restroom", "revenue_account": accounts["100-4156"],
             "quantity": 1, "unit_price": "212.50"},
        ]  # fmt: skip
        return ar.invoice_create(
            party=party, lines=lines, acting_user=kwargs.pop("acting_user", clerk), **kwargs
        )

    return make


def _pay(invoice, amount, undeposited, user, on=None):
    charges = list(invoice.charges())
    left, apps = D(amount), []
    for c in charges:
        take = min(c.balance, left)
        if take > 0:
            apps.append((c, take))
            left -= take
    return core.payment_post(
        party=invoice.party,
        amount=D(amount),
        applications=apps,
        debit_account=undeposited,
        acting_user=user,
        received_on=on,
        reference="TEST",
    )


# --------------------------------------------------------------------------- creating


def test_invoice_with_fee_and_gl_lines_assesses_one_charge_per_line(make_invoice, party, accounts, clerk):
    invoice = make_invoice(party, reference="PO 4471")

    assert invoice.number.startswith(f"INV{core.fiscal_year_of(TODAY())}-")
    assert invoice.total == D("512.50")
    assert invoice.terms_days == 30
    assert invoice.due_on == TODAY() + datetime.timedelta(days=30)
    assert invoice.status == Invoice.Status.OPEN
    lines = list(invoice.lines.order_by("pk"))
    assert [(ln.description, ln.quantity, ln.unit_price, ln.amount) for ln in lines] == [
        ("Community hall rental (per hour)", D("4.00"), D("75.00"), D("300.00")),
        ("Broken window, Oak Park restroom", D("1.00"), D("212.50"), D("212.50")),
    ]
    charges = list(invoice.charges())
    assert [c.pk for c in charges] == [ln.charge_id for ln in lines]
    for c in charges:
        assert c.source_number == invoice.number
        assert c.source == invoice
        assert c.due_on == invoice.due_on
        assert c.receivable_account.number == "100-1210"
    assert charges[0].revenue_account.number == "100-4155"
    assert charges[1].revenue_account.number == "100-4156"
    # Dr receivable, Cr each revenue account
    assert balance_of(accounts["100-1210"]) == D("512.50")
    assert balance_of(accounts["100-4155"]) == D("-300.00")
    assert balance_of(accounts["100-4156"]) == D("-212.50")
    assert AuditEvent.objects.filter(action="invoice.created", object_id=invoice.pk).exists()


def test_back_dated_invoice_takes_its_date_and_terms(make_invoice, party, fees):
    day = TODAY() - datetime.timedelta(days=100)
    invoice = make_invoice(
        party, lines=[{"fee_type": fees["ALARM"], "quantity": 1}], invoice_date=day, terms_days=15
    )
    assert invoice.invoice_date == day
    assert invoice.due_on == day + datetime.timedelta(days=15)
    charge = invoice.charges().get()
    assert charge.assessed_on == day
    assert charge.journal_entry.entry_date == day
    assert charge.amount == D("150.00")


def test_fee_without_a_set_amount_takes_the_keyed_price(make_invoice, party, fees):
    invoice = make_invoice(
        party, lines=[{"fee_type": fees["MISC"], "quantity": "2.5", "unit_price": "10.00"}]
    )
    assert invoice.total == D("25.00")
    assert invoice.lines.get().revenue_account.number == "100-4150"


def test_fee_with_a_scheduled_rate_refuses_another_price(make_invoice, party, fees):
    with pytest.raises(RevenueError, match="fee schedule"):
        make_invoice(party, lines=[{"fee_type": fees["ALARM"], "quantity": 1, "unit_price": "99.00"}])


BAD_LINES = {
    "no lines": ([], "at least one line"),
    "zero quantity": ([{"description": "x", "revenue_account": "100-4156", "quantity": 0, "unit_price": "5"}],
                      "more than zero"),
    "negative quantity": ([{"description": "x", "revenue_account": "100-4156", "quantity": -2, "unit_price": "5"}],
                          "more than zero"),
    "three places": ([{"description": "x", "revenue_account": "100-4156", "quantity": "1.005", "unit_price": "5"}],
                     "two decimal"),
    "zero price": ([{"description": "x", "revenue_account": "100-4156", "quantity": 1, "unit_price": "0"}],
                   "more than zero"),
    "negative price": ([{"description": "x", "revenue_account": "100-4156", "quantity": 1, "unit_price": "-5"}],
                       "more than zero"),
    "unknown account": ([{"description": "x", "revenue_account": "100-9999", "quantity": 1, "unit_price": "5"}],
                        "no GL account"),
    "not revenue": ([{"description": "x", "revenue_account": "100-1210", "quantity": 1, "unit_price": "5"}],
                    "not an active revenue account"),
    "no description": ([{"description": " ", "revenue_account": "100-4156", "quantity": 1, "unit_price": "5"}],
                       "describe"),
    "absurd total": ([{"description": "x", "revenue_account": "100-4156", "quantity": 3, "unit_price": "400000"}],
                     "more than an invoice may bill"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_LINES))
def test_bad_lines_are_refused_and_nothing_is_written(make_invoice, party, case):
    lines, message = BAD_LINES[case]
    entries = JournalEntry.objects.count()
    with pytest.raises(RevenueError, match=message):
        make_invoice(party, lines=lines)
    assert not Invoice.objects.exists()
    assert not Charge.objects.exists()
    assert JournalEntry.objects.count() == entries


@pytest.mark.parametrize(
    ("days", "message"), [(-1, "future"), (400, "back-dated")], ids=["tomorrow", "over a year ago"]
)
def test_invoice_dates_out_of_range_are_refused(make_invoice, party, days, message):
    with pytest.raises(RevenueError, match=message):
        make_invoice(party, invoice_date=TODAY() - datetime.timedelta(days=days))
    assert not Invoice.objects.exists()
    assert not Charge.objects.exists()


def test_a_refused_invoice_does_not_use_up_a_number(make_invoice, party):
    with pytest.raises(RevenueError):
        make_invoice(
            party, lines=[{"description": "x", "revenue_account": "100-9999", "quantity": 1, "unit_price": 1}]
        )
    first = make_invoice(party)
    assert first.number.endswith("-000001")


# --------------------------------------------------------------------------- status follows money


def test_paid_at_the_counter_is_paid_and_a_void_opens_it_again(make_invoice, party, undeposited, clerk):
    invoice = make_invoice(party)
    partial = _pay(invoice, "100.00", undeposited, clerk)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert selectors.invoice_balance(invoice) == D("412.50")

    rest = _pay(invoice, "412.50", undeposited, clerk)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice.status_on == TODAY()
    assert selectors.invoice_balance(invoice) == 0

    core.payment_reverse(payment=rest, acting_user=clerk, reason="Check returned")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert selectors.invoice_balance(invoice) == D("412.50")
    assert partial.status == "posted"


def test_the_counter_finds_the_invoice_charges_by_its_number(make_invoice, party):
    invoice = make_invoice(party)
    open_by_number = Charge.objects.filter(source_number=invoice.number)
    assert open_by_number.count() == 2
    assert sum(c.balance for c in open_by_number) == invoice.total


def test_write_off_makes_the_invoice_written_off(make_invoice, party, supervisor):
    invoice = make_invoice(party)
    for c in invoice.charges():
        core.charge_adjust(
            charge=c, amount=c.balance, kind="write_off", acting_user=supervisor, reason="Bankrupt"
        )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.WRITTEN_OFF


def test_receiver_does_not_overwrite_a_written_off_status(
    make_invoice, party, supervisor, undeposited, clerk
):
    invoice = make_invoice(party, lines=[{"description": "x", "revenue_account": "100-4156", "quantity": 1,
                                          "unit_price": "80.00"}])  # fmt: skip
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.WRITTEN_OFF)
    _pay(invoice, "80.00", undeposited, clerk)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.WRITTEN_OFF


# --------------------------------------------------------------------------- documents and sending


def test_invoice_pdf_has_the_number_amount_and_remittance_stub(make_invoice, party):
    invoice = make_invoice(party, reference="PO 4471")
    text = pdf_text(ar.invoice_pdf(invoice))
    assert invoice.number in text
    assert "$512.50" in text
    assert "Alvarez, Rosa" in text
    assert "Return this part with your payment" in text
    assert invoice.due_on.strftime("%m/%d/%Y") in text
    assert "Community hall rental (per hour)" in text
    assert text.count(invoice.number) >= 3  # the facts, the stub and the number under the barcode


def test_email_sends_the_pdf_and_records_it(make_invoice, party, clerk):
    party.email = "rosa@example.org"
    party.save(update_fields=["email"])
    invoice = make_invoice(party)
    ar.invoice_email(invoice=invoice, acting_user=clerk)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rosa@example.org"]
    assert invoice.number in message.subject
    name, content, mimetype = message.attachments[0]
    assert name == f"{invoice.number}.pdf"
    assert mimetype == "application/pdf"
    assert invoice.number in pdf_text(content)
    invoice.refresh_from_db()
    assert invoice.sent_at is not None
    assert invoice.sent_by_email_to == "rosa@example.org"
    assert AuditEvent.objects.filter(action="invoice.emailed", object_id=invoice.pk).exists()


def test_email_is_refused_without_an_address(make_invoice, party, clerk):
    invoice = make_invoice(party)
    with pytest.raises(ar.NoEmail):
        ar.invoice_email(invoice=invoice, acting_user=clerk)
    assert mail.outbox == []
    invoice.refresh_from_db()
    assert invoice.sent_at is None


# --------------------------------------------------------------------------- credit memos


def _request(invoice, amount, user, reason="Hall booked for 3 hours, not 4"):
    return ar.credit_memo_request(invoice=invoice, amount=amount, reason=reason, acting_user=user)


def test_credit_memo_waits_for_a_supervisor_then_reduces_the_balance(
    make_invoice, party, clerk, supervisor, accounts
):
    invoice = make_invoice(party)
    memo = _request(invoice, "75.00", clerk)
    assert memo.number.startswith("CM")
    assert memo.status == CreditMemo.Status.PENDING
    assert selectors.invoice_balance(invoice) == D("512.50")
    request = selectors.approval_for(memo)
    assert request.status == ApprovalRequest.Status.PENDING
    assert request.amount is None

    core.approval_decide(request=request, approve=True, acting_user=supervisor)
    memo.refresh_from_db()
    assert memo.status == CreditMemo.Status.APPLIED
    assert memo.applied_on == TODAY()
    assert selectors.invoice_balance(invoice) == D("437.50")
    first, second = invoice.charges()
    assert first.amount_adjusted == D("75.00") and second.amount_adjusted == 0
    assert balance_of(accounts["100-4155"]) == D("-225.00")  # the waiver debits the revenue
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN


def test_credit_memo_spreads_over_lines_first_to_last_and_credits_in_full(
    make_invoice, party, clerk, supervisor
):
    invoice = make_invoice(party)
    memo = _request(invoice, "512.50", clerk, reason="Event cancelled by the City")
    core.approval_decide(request=selectors.approval_for(memo), approve=True, acting_user=supervisor)
    assert [c.balance for c in invoice.charges()] == [0, 0]
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.CREDITED


def test_a_senior_clerk_within_a_waiver_limit_still_waits_for_a_supervisor(
    make_invoice, party, senior_clerk, admin_user
):
    revenue_demo.load_exception_limits(acting_user=admin_user)
    memo = _request(make_invoice(party), "20.00", senior_clerk)
    assert selectors.approval_for(memo).status == ApprovalRequest.Status.PENDING
    memo.refresh_from_db()
    assert memo.status == CreditMemo.Status.PENDING


def test_nobody_approves_their_own_credit_memo(make_invoice, party, clerk, supervisor, other_supervisor):
    invoice = make_invoice(party)
    by_clerk = _request(invoice, "10.00", clerk)
    with pytest.raises(NotAllowed):
        core.approval_decide(request=selectors.approval_for(by_clerk), approve=True, acting_user=clerk)
    own = _request(invoice, "20.00", supervisor)
    with pytest.raises(NotAllowed):
        core.approval_decide(request=selectors.approval_for(own), approve=True, acting_user=supervisor)
    core.approval_decide(request=selectors.approval_for(own), approve=True, acting_user=other_supervisor)
    own.refresh_from_db()
    assert own.status == CreditMemo.Status.APPLIED


def test_credit_memo_over_the_open_balance_is_refused(make_invoice, party, clerk, undeposited):
    invoice = make_invoice(party)
    _pay(invoice, "500.00", undeposited, clerk)
    with pytest.raises(OverApplied):
        _request(invoice, "12.51", clerk)
    _request(invoice, "10.00", clerk)
    with pytest.raises(OverApplied, match="waiting for approval"):
        _request(invoice, "2.51", clerk)  # 10.00 of the 12.50 is already asked for
    assert CreditMemo.objects.count() == 1


def test_approval_checks_the_balance_again(make_invoice, party, clerk, supervisor, undeposited):
    invoice = make_invoice(party)
    memo = _request(invoice, "100.00", clerk)
    _pay(invoice, "450.00", undeposited, clerk)
    request = selectors.approval_for(memo)
    with pytest.raises(OverApplied):
        core.approval_decide(request=request, approve=True, acting_user=supervisor)
    request.refresh_from_db()
    memo.refresh_from_db()
    assert request.status == ApprovalRequest.Status.PENDING
    assert memo.status == CreditMemo.Status.PENDING
    assert selectors.invoice_balance(invoice) == D("62.50")


def test_denied_credit_memo_is_denied_and_changes_nothing(make_invoice, party, clerk, supervisor):
    invoice = make_invoice(party)
    memo = _request(invoice, "50.00", clerk)
    core.approval_decide(
        request=selectors.approval_for(memo), approve=False, acting_user=supervisor, note="No basis"
    )
    memo.refresh_from_db()
    assert memo.status == CreditMemo.Status.DENIED
    assert selectors.invoice_balance(invoice) == D("512.50")


# --------------------------------------------------------------------------- pages


def test_field_crew_cannot_see_invoices(client, field_crew, make_invoice, party):
    invoice = make_invoice(party)
    client.force_login(field_crew)
    assert client.get(reverse("receivables:invoice_list")).status_code == 403
    assert client.get(invoice.get_absolute_url()).status_code == 403
    assert client.get(reverse("receivables:invoice_pdf", args=[invoice.number])).status_code == 403


def test_auditor_sees_but_cannot_create_or_send(client, auditor, make_invoice, party):
    invoice = make_invoice(party)
    client.force_login(auditor)
    assert client.get(reverse("receivables:invoice_list")).status_code == 200
    page = client.get(invoice.get_absolute_url())
    assert page.status_code == 200
    assert b"print-invoice" not in page.content
    assert client.get(reverse("receivables:invoice_new")).status_code == 403
    assert client.post(reverse("receivables:invoice_email", args=[invoice.number])).status_code == 403
    assert client.post(reverse("receivables:invoice_pdf", args=[invoice.number])).status_code == 403
    assert client.get(reverse("receivables:credit_memo_new", args=[invoice.number])).status_code == 403


def _form(party, **extra):
    data = {
        "token": "0b6f1c1e-6a7e-4c39-9d7f-5f2a3b9a0c11",
        "party_number": party.number,
        "invoice_date": TODAY().isoformat(),
        "terms_days": "",
        "reference": "Event 12",
        "memo": "",
        "line-TOTAL_FORMS": "6",
        "line-INITIAL_FORMS": "0",
        "line-MIN_NUM_FORMS": "0",
        "line-MAX_NUM_FORMS": "20",
    }
    data.update(extra)
    return data


def test_clerk_creates_an_invoice_on_the_page_once(client, clerk, party, ar_policy, fees, accounts):
    client.force_login(clerk)
    page = client.get(reverse("receivables:invoice_new") + f"?party={party.number}")
    assert page.status_code == 200
    assert b"autofocus" in page.content
    data = _form(
        party,
        **{
            "line-0-fee_type": str(fees["HALL"].pk),
            "line-0-quantity": "3",
            "line-1-description": "Cleaning after event",
            "line-1-revenue_account": str(accounts["100-4155"].pk),
            "line-1-unit_price": "$40.00",
        },
    )
    response = client.post(reverse("receivables:invoice_new"), data)
    invoice = Invoice.objects.get()
    assert response.status_code == 302 and response["Location"] == invoice.get_absolute_url()
    assert invoice.total == D("265.00")
    assert InvoiceLine.objects.count() == 2
    again = client.post(reverse("receivables:invoice_new"), data)
    assert again.status_code == 302
    assert Invoice.objects.count() == 1  # a double submit posts once

    detail = client.get(invoice.get_absolute_url())
    assert b"pay at the counter with number" in detail.content
    assert invoice.number.encode() in detail.content
    pdf = client.get(reverse("receivables:invoice_pdf", args=[invoice.number]))
    assert pdf["Content-Type"] == "application/pdf"
    invoice.refresh_from_db()
    assert invoice.sent_at is None  # looking at the PDF does not mark it sent
    client.post(
        reverse("receivables:invoice_pdf", args=[invoice.number]),
        {"token": "5d8e2c44-0c61-4f9b-a1b8-3c0e0f7e8a21"},
    )
    invoice.refresh_from_db()
    assert invoice.sent_at is not None and invoice.sent_by_email_to == ""


def test_bad_input_on_the_page_is_told_and_nothing_is_made(client, clerk, party, ar_policy, accounts):
    client.force_login(clerk)
    no_lines = client.post(reverse("receivables:invoice_new"), _form(party))
    assert no_lines.status_code == 200
    assert b"An invoice needs at least one line" in no_lines.content
    negative = client.post(
        reverse("receivables:invoice_new"),
        _form(
            party,
            **{
                "token": "4c1d6a33-2b55-4d87-9a0e-0f1e2d3c4b5a",
                "line-0-description": "Damage",
                "line-0-revenue_account": str(accounts["100-4156"].pk),
                "line-0-quantity": "-1",
                "line-0-unit_price": "10",
            },
        ),
    )
    assert negative.status_code == 200
    assert b"Quantity must be more than zero" in negative.content
    assert b'is-invalid" aria-invalid="true' in negative.content  # the bad box is marked
    future = client.post(
        reverse("receivables:invoice_new"),
        _form(
            party,
            **{
                "token": "7a9b3c2d-1e0f-4a5b-8c7d-6e5f4a3b2c1d",
                "invoice_date": (TODAY() + datetime.timedelta(days=3)).isoformat(),
                "line-0-description": "Damage",
                "line-0-revenue_account": str(accounts["100-4156"].pk),
                "line-0-unit_price": "10",
            },
        ),
    )
    assert b"cannot be in the future" in future.content
    assert not Invoice.objects.exists()
    assert not Charge.objects.exists()


def test_email_and_credit_memo_from_the_page(client, clerk, supervisor, make_invoice, party):
    invoice = make_invoice(party)
    client.force_login(clerk)
    response = client.post(
        reverse("receivables:invoice_email", args=[invoice.number]),
        {"token": "1f2e3d4c-5b6a-4789-8abc-def012345678"},
    )
    assert response.status_code == 302
    assert mail.outbox == []  # no address on file: refused with a message
    party.email = "rosa@example.org"
    party.save(update_fields=["email"])
    client.post(
        reverse("receivables:invoice_email", args=[invoice.number]),
        {"token": "2f2e3d4c-5b6a-4789-8abc-def012345678"},
    )
    assert len(mail.outbox) == 1

    url = reverse("receivables:credit_memo_new", args=[invoice.number])
    assert client.get(url).status_code == 200
    too_much = client.post(
        url, {"token": "3f2e3d4c-5b6a-4789-8abc-def012345678", "amount": "600", "reason": "x"}
    )
    assert too_much.status_code == 200 and b"too much" in too_much.content
    ok = client.post(
        url, {"token": "4f2e3d4c-5b6a-4789-8abc-def012345678", "amount": "25.00", "reason": "Goodwill"}
    )
    assert ok.status_code == 302
    memo = CreditMemo.objects.get()
    assert memo.amount == D("25.00") and memo.status == CreditMemo.Status.PENDING
    client.force_login(supervisor)
    detail = client.get(invoice.get_absolute_url())
    assert memo.number.encode() in detail.content


def test_invoice_list_searches_by_number_and_customer_and_filters_status(
    client, clerk, make_invoice, party, other_party, undeposited
):
    mine = make_invoice(party)
    theirs = make_invoice(other_party)
    _pay(theirs, str(theirs.total), undeposited, clerk)
    client.force_login(clerk)
    url = reverse("receivables:invoice_list")
    by_name = client.get(url, {"q": "harbor light"}).content
    assert theirs.number.encode() in by_name and mine.number.encode() not in by_name
    by_number = client.get(url, {"q": mine.number}).content
    assert mine.number.encode() in by_number and theirs.number.encode() not in by_number
    paid = client.get(url, {"status": "paid"}).content
    assert theirs.number.encode() in paid and mine.number.encode() not in paid


def test_invoice_list_nul_in_query_is_not_500(client, ar_policy, clerk, admin_user, party):
    due_days_ago(party, 5, "10.00", acting_user=admin_user)
    client.force_login(clerk)
    client.raise_request_exception = False
    for params in ({"q": "INV\x00"}, {"q": "\x00"}, {"status": "open\x00"}, {"q": "x", "status": "\x00"}):
        response = client.get(reverse("receivables:invoice_list"), params)
        assert response.status_code == 400, params  # a NUL is refused before any view, changing nothing


def test_invoice_list_search_still_works(client, ar_policy, clerk, admin_user, party):
    invoice = due_days_ago(party, 5, "10.00", acting_user=admin_user)
    client.force_login(clerk)
    found = client.get(reverse("receivables:invoice_list"), {"q": f"  {invoice.number} "})
    assert list(found.context["invoices"]) == [invoice]
    assert found.context["q"] == invoice.number
    by_name = client.get(reverse("receivables:invoice_list"), {"q": "rosa alvarez"})
    assert list(by_name.context["invoices"]) == [invoice]


def test_new_invoice_nul_in_party_is_not_500(client, ar_policy, clerk, party):
    client.force_login(clerk)
    client.raise_request_exception = False
    url = reverse("receivables:invoice_new")
    assert (
        client.get(url, {"party": "P\x00"}).status_code == 400
    )  # a NUL is refused before any view, changing nothing
    ok = client.get(url, {"party": party.number})
    assert ok.status_code == 200 and ok.context["customer"] == party


def test_new_invoice_post_with_nul_in_party_is_not_500(client, ar_policy, clerk):
    client.force_login(clerk)
    client.raise_request_exception = False
    url = reverse("receivables:invoice_new")
    token = client.get(url).context["form"].initial["token"]
    posted = client.post(url, {"token": token, "party_number": "P\x00", "line-TOTAL_FORMS": "6",
                               "line-INITIAL_FORMS": "0"})  # fmt: skip
    assert posted.status_code == 400  # a NUL is refused before any view, changing nothing
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("days_past_due", "colour", "text"),
    [(-1, "primary", "Open"), (0, "primary", "Open"), (1, "danger", "Open · past due")],
    ids=["due tomorrow", "due today", "due yesterday"],
)
def test_the_invoice_badge_turns_past_due_the_day_after_the_due_date(
    client, clerk, ar_policy, party, admin_user, days_past_due, colour, text
):
    invoice = due_days_ago(party, days_past_due, "10.00", acting_user=admin_user)
    assert invoice.past_due is (days_past_due > 0)
    client.force_login(clerk)
    page = client.get(invoice.get_absolute_url()).content.decode()
    assert f'<span class="badge text-bg-{colour}" id="invoice-status">{text}</span>' in page


def test_a_paid_invoice_badge_is_green(client, clerk, ar_policy, party, admin_user, undeposited):
    invoice = due_days_ago(party, 5, "10.00", acting_user=admin_user)
    _pay(invoice, "10.00", undeposited, admin_user)
    invoice.refresh_from_db()
    client.force_login(clerk)
    page = client.get(invoice.get_absolute_url()).content.decode()
    assert '<span class="badge text-bg-success" id="invoice-status">Paid</span>' in page
