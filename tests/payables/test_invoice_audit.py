"""The invoice audit through its services on real PostgreSQL: duplicates in any year, the match
two- and three-way with partial receipts and a return, exceptions held or disputed, credit memos
and corrected invoices, approval with its posting and the encumbrance it relieves, and a held
invoice that no payment path can take."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from payables import models as pm
from payables.services import invoice_approval, invoice_entry, invoice_exceptions, invoice_match
from revenue import services as core
from tests.conftest import balance_of

from .audit_setup import bill, make_order, receive

pytest_plugins = ["tests.payables.audit_setup"]

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def order(audit_vendor, audit_department, audit_terms, pay_accounts, audit_policy, clerk):
    return make_order(
        vendor=audit_vendor,
        department=audit_department,
        terms=audit_terms["2/10 net 30"],
        lines=[
            ("Asphalt patch, 50 lb bag", "10", "10.00", pay_accounts["supplies"]),
            ("Traffic cones", "20", "25.00", pay_accounts["supplies"]),
        ],
        user=clerk,
    )


def checks(invoice):
    """{line_no or None: [failing checks]} from the stored match."""
    out = {}
    for r in pm.MatchResult.objects.filter(invoice=invoice).select_related("line"):
        out[r.line.line_no if r.line else None] = [f["check"] for f in r.failures]
    return out


def open_encumbrance(po_line):
    return sum((e.amount for e in pm.Encumbrance.objects.filter(po_line=po_line)), D(0))


# --- duplicates -------------------------------------------------------------------------------


@pytest.mark.parametrize("again", ["INV-1001", "inv-1001", "INV 1001", "Inv.1001", " INV--1001 ", "inv1001"])
def test_the_same_number_with_other_case_spaces_or_dashes_is_refused(order, clerk, again):
    receive(order, {1: "10"}, user=clerk)
    first = bill(order, {1: ("5", "10.00")}, number="INV-1001", user=clerk)
    with pytest.raises(invoice_entry.DuplicateInvoice) as refused:
        bill(order, {1: ("5", "10.00")}, number=again, user=clerk)
    assert refused.value.existing == first
    assert "INV-1001" in str(refused.value)
    assert pm.Invoice.objects.count() == 1


def test_a_duplicate_is_refused_across_fiscal_years_and_whatever_its_status(order, clerk):
    long_ago = core.city_today() - datetime.timedelta(days=420)
    first = bill(
        order, {1: ("5", "10.00")}, number="A-77", user=clerk, invoice_date=long_ago, received_on=long_ago
    )
    assert core.fiscal_year_of(first.invoice_date) < core.fiscal_year_of(core.city_today())
    pm.Invoice.objects.filter(pk=first.pk).update(status="void")
    with pytest.raises(invoice_entry.DuplicateInvoice, match="already entered"):
        bill(order, {1: ("5", "10.00")}, number="a 77", user=clerk)


def test_the_database_refuses_a_duplicate_key_too(order, clerk):
    first = bill(order, {1: ("5", "10.00")}, number="X-1", user=clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        pm.Invoice.objects.filter(pk=first.pk).update(number="x1")  # still the same key
        clone = pm.Invoice.objects.get(pk=first.pk)
        clone.pk = None
        clone.save()


def test_same_amount_and_date_under_another_number_warns(order, clerk):
    first = bill(order, {1: ("5", "10.00")}, number="INV-1", user=clerk)
    second = bill(order, {1: ("5", "10.00")}, number="INV-2", user=clerk)
    assert "INV-1" in second.duplicate_warning
    assert "$50.00" in second.duplicate_warning
    assert first.duplicate_warning == ""
    other_day = bill(
        order,
        {1: ("5", "10.00")},
        number="INV-3",
        user=clerk,
        invoice_date=core.city_today() - datetime.timedelta(days=10),
    )
    assert other_day.duplicate_warning == ""


# --- the match --------------------------------------------------------------------------------


def test_three_way_with_partial_receipts_and_a_return(order, clerk):
    receive(order, {1: "6"}, user=clerk)
    receive(order, {1: "-2"}, user=clerk, kind="return")  # 4 kept
    over = bill(order, {1: ("6", "10.00")}, number="P-1", user=clerk)
    result = invoice_match.invoice_match(invoice=over, acting_user=clerk)
    over.refresh_from_db()
    assert not result.passed and over.status == "exception"
    assert checks(over) == {1: ["quantity"], None: []}
    assert "4 received net of returns" in result.lines[0].failures[0].message

    right = bill(order, {1: ("4", "10.00")}, number="P-2", user=clerk)
    assert invoice_match.invoice_match(invoice=right, acting_user=clerk).passed
    right.refresh_from_db()
    assert right.status == "matched"

    # the rest arrives; the second partial bill may take only what the first did not
    receive(order, {1: "6"}, user=clerk)  # 10 net received
    too_much = bill(order, {1: ("7", "10.00")}, number="P-3", user=clerk)
    assert (
        checks(too_much) == {} and not invoice_match.invoice_match(invoice=too_much, acting_user=clerk).passed
    )
    rest = bill(order, {1: ("6", "10.00")}, number="P-4", user=clerk)
    assert invoice_match.invoice_match(invoice=rest, acting_user=clerk).passed


def test_two_way_matches_against_the_order(
    audit_vendor, audit_department, audit_terms, pay_accounts, audit_policy, clerk
):
    order = make_order(
        vendor=audit_vendor,
        department=audit_department,
        terms=audit_terms["net 30"],
        lines=[("Annual software licence", "1", "1200.00", pay_accounts["repairs"])],
        match="two_way",
        user=clerk,
    )
    ok = bill(order, {1: ("1", "1200.00")}, number="S-1", user=clerk, terms=audit_terms["net 30"])
    assert invoice_match.invoice_match(invoice=ok, acting_user=clerk).passed  # nothing received
    twice = bill(order, {1: ("1", "1200.00")}, number="S-2", user=clerk, terms=audit_terms["net 30"])
    assert not invoice_match.invoice_match(invoice=twice, acting_user=clerk).passed
    assert checks(twice)[1] == ["quantity"]


def test_a_price_over_the_tolerance_is_an_exception_named_by_line(order, clerk):
    receive(order, {1: "10", 2: "20"}, user=clerk)
    invoice = bill(order, {1: ("10", "10.51"), 2: ("20", "25.00")}, number="PR-1", user=clerk)
    result = invoice_match.invoice_match(invoice=invoice, acting_user=clerk)
    invoice.refresh_from_db()
    assert invoice.status == "exception"
    assert checks(invoice) == {1: ["price", "line_total"], 2: [], None: []}
    assert result.lines[0].failures[0].label == "Unit price"


def test_terms_worse_than_the_order_fail(order, clerk, audit_terms):
    receive(order, {1: "10"}, user=clerk)
    invoice = bill(order, {1: ("10", "10.00")}, number="T-1", user=clerk, terms=audit_terms["net 30"])
    invoice_match.invoice_match(invoice=invoice, acting_user=clerk)
    assert checks(invoice)[None] == ["terms"]


def test_footing_that_does_not_add_up_fails(order, clerk):
    receive(order, {1: "10"}, user=clerk)
    invoice = bill(order, {1: ("10", "10.00")}, number="F-1", user=clerk, freight="5.00", total="110.00")
    invoice_match.invoice_match(invoice=invoice, acting_user=clerk)
    assert checks(invoice)[None] == ["footing"]


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows, kw, message",
    [
        ({1: ("-1", "10.00")}, {}, "more than zero"),
        ({1: ("1", "10.005")}, {}, "two decimal places"),
        ({1: ("1.0001", "10.00")}, {}, "3 decimal places"),
        ({1: ("1", "10.00")}, {"invoice_date": "future"}, "in the future"),
        ({1: ("1", "10.00")}, {"number": " -/ "}, "letter or digit"),
    ],
)
def test_bad_input_is_refused_with_a_sentence(order, clerk, rows, kw, message):
    if kw.get("invoice_date") == "future":
        kw["invoice_date"] = core.city_today() + datetime.timedelta(days=1)
        kw["received_on"] = core.city_today() + datetime.timedelta(days=1)
    number = kw.pop("number", "BAD-1")
    with pytest.raises(core.RevenueError, match=message):
        bill(order, rows, number=number, user=clerk, total="10.00", **kw)
    assert not pm.Invoice.objects.exists()


def test_an_inactive_vendor_is_refused(order, clerk, audit_vendor):
    pm.Vendor.objects.filter(pk=audit_vendor.pk).update(status="inactive")
    order.vendor.refresh_from_db()
    with pytest.raises(core.RevenueError, match="inactive"):
        bill(order, {1: ("1", "10.00")}, number="IN-1", user=clerk)


# --- holds, disputes, corrections -------------------------------------------------------------


@pytest.fixture
def over_billed(order, clerk):
    receive(order, {1: "10"}, user=clerk)
    invoice = bill(order, {1: ("10", "10.60")}, number="OB-1", user=clerk)
    invoice_match.invoice_match(invoice=invoice, acting_user=clerk)
    invoice.refresh_from_db()
    assert invoice.status == "exception"
    return invoice


def test_a_held_invoice_is_refused_by_every_payment_path(over_billed, clerk, supervisor, senior_clerk):
    today = core.city_today()
    invoice_exceptions.invoice_hold(
        invoice=over_billed,
        reason="Waiting for the signed delivery ticket",
        follow_up_on=today,
        acting_user=clerk,
    )
    over_billed.refresh_from_db()
    assert over_billed.status == "held" and over_billed.follow_up_on == today
    with pytest.raises(invoice_entry.InvoiceRefused, match="until its hold is released"):
        invoice_approval.invoice_approve(invoice=over_billed, variance_reason="ok", acting_user=supervisor)
    run = pm.PaymentRun.objects.create(
        number="PR2027-000001", pay_date=today, due_by=today, created_by=senior_clerk
    )
    with pytest.raises(IntegrityError, match="cannot be paid"), transaction.atomic():
        pm.PaymentLine.objects.create(run=run, invoice=over_billed, gross=D("106.00"), net=D("106.00"))
    with pytest.raises(IntegrityError, match="cannot be paid"), transaction.atomic():
        pm.Invoice.objects.filter(pk=over_billed.pk).update(status="paid")


def test_a_hold_needs_a_reason_and_a_date_not_past(over_billed, clerk):
    with pytest.raises(invoice_entry.InvoiceRefused, match="reason"):
        invoice_exceptions.invoice_hold(
            invoice=over_billed, reason=" ", follow_up_on=core.city_today(), acting_user=clerk
        )
    with pytest.raises(invoice_entry.InvoiceRefused, match="past"):
        invoice_exceptions.invoice_hold(
            invoice=over_billed,
            reason="Proof of delivery",
            follow_up_on=core.city_today() - datetime.timedelta(days=1),
            acting_user=clerk,
        )


def test_release_matches_again(over_billed, clerk):
    invoice_exceptions.invoice_hold(
        invoice=over_billed, reason="Price quote", follow_up_on=core.city_today(), acting_user=clerk
    )
    released = invoice_exceptions.invoice_release(
        invoice=over_billed, note="Quote received", acting_user=clerk
    )
    assert released.status == "exception"  # still over the order's price
    assert released.hold_reason == "" and released.follow_up_on is None


def test_a_dispute_writes_a_letter_naming_each_problem(over_billed, clerk, client, office):
    letter = invoice_exceptions.invoice_dispute(
        invoice=over_billed, respond_by=core.city_today() + datetime.timedelta(days=14), acting_user=clerk
    )
    over_billed.refresh_from_db()
    assert over_billed.status == "disputed"
    assert [p["check"] for p in letter.problems] == ["price", "line_total"]
    assert letter.number.startswith("DL")
    from tests.pdf import pdf_text

    client.force_login(clerk)
    response = client.get(f"/payables/letters/{letter.number}.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "OB-1" in text and letter.number in text
    assert "Unit price" in text and "$10.60" in text
    assert "Acme Paving Supply Inc" in text


def test_a_price_credit_memo_resolves_the_exception_and_posts_net(
    over_billed, clerk, senior_clerk, supervisor, pay_accounts
):
    memo = invoice_exceptions.invoice_correct(
        original=over_billed,
        kind="credit",
        number="CM-OB-1",
        invoice_date=core.city_today(),
        received_on=core.city_today(),
        lines=[
            invoice_entry.NewLine(
                description="Price correction",
                quantity="10",
                unit_price="0.60",
                po_line=over_billed.order.lines.get(line_no=1),
            )
        ],
        total="6.00",
        acting_user=clerk,
    )
    over_billed.refresh_from_db()
    memo.refresh_from_db()
    assert memo.status == "matched"
    assert over_billed.status == "matched"
    assert checks(over_billed) == {1: [], None: []}
    po_line = over_billed.order.lines.get(line_no=1)
    assert open_encumbrance(po_line) == D("100.00")
    invoice_approval.invoice_approve(invoice=over_billed, acting_user=senior_clerk)
    over_billed.refresh_from_db()
    memo.refresh_from_db()
    assert over_billed.status == memo.status == "approved"
    assert balance_of(pay_accounts["payable"]) == D("-100.00")  # 106.00 owed less 6.00 credited
    assert balance_of(pay_accounts["supplies"]) == D("100.00")
    assert open_encumbrance(po_line) == D("0.00")


def test_a_corrected_invoice_replaces_the_original(over_billed, clerk):
    corrected = invoice_exceptions.invoice_correct(
        original=over_billed,
        kind="invoice",
        number="OB-1-R",
        invoice_date=core.city_today(),
        received_on=core.city_today(),
        lines=[
            invoice_entry.NewLine(
                description="Asphalt",
                quantity="10",
                unit_price="10.00",
                po_line=over_billed.order.lines.get(line_no=1),
            )
        ],
        total="100.00",
        acting_user=clerk,
    )
    over_billed.refresh_from_db()
    assert over_billed.status == "void" and "OB-1-R" in over_billed.void_reason
    assert corrected.status == "matched" and corrected.corrects == over_billed


# --- approval ---------------------------------------------------------------------------------


def test_approval_posts_expense_and_payable_and_relieves_the_encumbrance(
    order, clerk, senior_clerk, pay_accounts
):
    receive(order, {1: "10", 2: "8"}, user=clerk)
    invoice = bill(
        order, {1: ("10", "10.00"), 2: ("8", "25.00")}, number="OK-1", freight="15.00", tax="9.00", user=clerk
    )
    invoice_match.invoice_match(invoice=invoice, acting_user=clerk)
    invoice_approval.invoice_approve(invoice=invoice, acting_user=senior_clerk)
    invoice.refresh_from_db()
    assert invoice.status == "approved" and invoice.approved_by == senior_clerk
    assert invoice.journal_entry is not None
    assert balance_of(pay_accounts["payable"]) == D("-324.00")
    assert balance_of(pay_accounts["supplies"]) == D("324.00")  # lines, freight and tax
    line1, line2 = order.lines.order_by("line_no")
    assert open_encumbrance(line1) == D("0.00")
    assert open_encumbrance(line2) == D("300.00")  # 500 ordered, 200 billed


def test_whoever_entered_it_cannot_approve_it(order, senior_clerk):
    receive(order, {1: "10"}, user=senior_clerk)
    invoice = bill(order, {1: ("10", "10.00")}, number="SOD-1", user=senior_clerk)
    invoice_match.invoice_match(invoice=invoice, acting_user=senior_clerk)
    with pytest.raises(core.NotAllowed, match="another person"):
        invoice_approval.invoice_approve(invoice=invoice, acting_user=senior_clerk)


def test_a_variance_needs_a_supervisor_and_a_reason(over_billed, senior_clerk, supervisor, pay_accounts):
    with pytest.raises(core.NotAllowed, match="supervisor"):
        invoice_approval.invoice_approve(
            invoice=over_billed, variance_reason="fine", acting_user=senior_clerk
        )
    with pytest.raises(invoice_entry.InvoiceRefused, match="reason"):
        invoice_approval.invoice_approve(invoice=over_billed, acting_user=supervisor)
    assert invoice_approval.variance_of(over_billed) == D("6.00")
    invoice_approval.invoice_approve(
        invoice=over_billed, variance_reason="Fuel surcharge agreed by phone", acting_user=supervisor
    )
    over_billed.refresh_from_db()
    assert over_billed.status == "approved"
    assert over_billed.variance_reason == "Fuel surcharge agreed by phone"
    assert balance_of(pay_accounts["payable"]) == D("-106.00")
    assert open_encumbrance(over_billed.order.lines.get(line_no=1)) == D("0.00")  # never below zero
