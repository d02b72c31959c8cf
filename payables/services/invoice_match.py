"""The match run: an invoice's lines against their order lines (two-way) and what was received
(three-way), by the order's method, with the policy's tolerances in force on the day the invoice
was received. The result is stored line by line (and one row for the invoice's own checks), each
failing check named; an invoice that fails is an exception.

What a line may bill: the order line's quantity (two-way) or what was received net of returns
(three-way; a return is a receipt with negative lines), less what other live invoices (matched,
approved or paid) billed on the same order line, their credit memos netted. An invoice in
exception, held or disputed does not count against another: it has not been accepted.
A credit memo that corrects an invoice is netted into that invoice's lines (same order line):
its amount comes off the line; its quantity too when it credits at the line's unit price (goods
returned), not when it is a price credit. An invoice with no order is matched against itself:
only its arithmetic, terms and discount are checked."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from revenue import services as core
from revenue.money import ZERO

from .. import match_rules as mr
from ..models import Invoice, InvoiceLine, MatchResult, PayablesPolicy, PurchaseOrderLine
from .invoice_entry import InvoiceRefused
from .purchasing import received_by_line

LIVE = (Invoice.Status.MATCHED, Invoice.Status.APPROVED, Invoice.Status.PAID)
NOT_LIVE = (
    Invoice.Status.ENTERED,
    Invoice.Status.EXCEPTION,
    Invoice.Status.HELD,
    Invoice.Status.DISPUTED,
    Invoice.Status.VOID,
)
MATCHABLE = (Invoice.Status.ENTERED, Invoice.Status.MATCHED, Invoice.Status.EXCEPTION)
W9_FOLLOW_UP_DAYS = 14


def terms_rule(terms) -> mr.Terms:
    return mr.Terms.of(terms)


def tolerances_of(policy: PayablesPolicy) -> mr.Tolerances:
    return mr.Tolerances(
        price_percent=policy.price_tolerance_percent,
        price_amount=policy.price_tolerance_amount,
        quantity_percent=policy.quantity_tolerance_percent,
        total_amount=policy.total_tolerance_amount,
    )


def _by_amount(po_line: PurchaseOrderLine) -> bool:
    return po_line.receive_by == PurchaseOrderLine.ReceiveBy.AMOUNT


def _billed_before(po_line_ids, invoice: Invoice) -> dict[int, tuple[Decimal, Decimal]]:
    """Quantity and amount billed on each order line by other live invoices, credit memos netted
    (one query). The invoice itself and the credit memos that correct it are left out."""
    out: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    rows = (
        InvoiceLine.objects.filter(po_line_id__in=po_line_ids, invoice__status__in=LIVE)
        .exclude(invoice=invoice)
        .exclude(invoice__corrects=invoice)
        # a memo counts only with its invoice: one whose invoice is still an exception does not
        .exclude(invoice__kind=Invoice.Kind.CREDIT_MEMO, invoice__corrects__status__in=NOT_LIVE)
        .values("po_line_id", "invoice__kind")
        .annotate(q=Sum("quantity"), a=Sum("amount"))
    )
    for r in rows:
        sign = -1 if r["invoice__kind"] == Invoice.Kind.CREDIT_MEMO else 1
        out[r["po_line_id"]][0] += sign * r["q"]
        out[r["po_line_id"]][1] += sign * r["a"]
    return {k: (v[0], v[1]) for k, v in out.items()}


def _credits(invoice: Invoice) -> dict[int, list[InvoiceLine]]:
    """The lines of the live credit memos that correct this invoice, by order line."""
    out: dict[int, list[InvoiceLine]] = defaultdict(list)
    memos = InvoiceLine.objects.filter(
        invoice__corrects=invoice, invoice__kind=Invoice.Kind.CREDIT_MEMO
    ).exclude(invoice__status=Invoice.Status.VOID)
    for line in memos:
        out[line.po_line_id].append(line)
    return out


def _netted(line: InvoiceLine, credits: list[InvoiceLine]) -> tuple[Decimal, Decimal, Decimal]:
    """Quantity, unit price and amount of a line after the credit memos that correct it."""
    qty, amount = line.quantity, line.amount
    for credit in credits:
        amount -= credit.amount
        if credit.unit_price == line.unit_price:  # goods credited at the billed price
            qty -= credit.quantity
    if qty <= 0:
        return ZERO, line.unit_price, amount
    price = amount / qty if (credits and amount != line.amount) else line.unit_price
    return qty, price, amount


def line_facts(invoice: Invoice, lines: list[InvoiceLine]) -> list[mr.LineFacts]:
    """What the rules need to know about each line, read set-based."""
    po_ids = [ln.po_line_id for ln in lines if ln.po_line_id]
    received = received_by_line(po_ids)
    before = _billed_before(po_ids, invoice)
    credits = _credits(invoice) if invoice.kind == Invoice.Kind.INVOICE else {}
    facts = []
    for line in lines:
        qty, price, amount = _netted(line, credits.get(line.po_line_id, []))
        po = line.po_line
        if po is None:  # no order: matched against itself
            facts.append(
                mr.LineFacts(
                    key=str(line.line_no),
                    quantity=qty,
                    unit_price=price,
                    amount=amount,
                    ordered=qty,
                    order_price=price,
                    received=qty,
                )
            )
            continue
        by_amount = _by_amount(po)
        got = received.get(po.pk, (ZERO, ZERO))
        was = before.get(po.pk, (ZERO, ZERO))
        facts.append(
            mr.LineFacts(
                key=str(line.line_no),
                quantity=qty,
                unit_price=price,
                amount=amount,
                ordered=po.amount if by_amount else po.quantity,
                order_price=po.unit_price,
                received=got[1] if by_amount else got[0],
                billed_before=was[1] if by_amount else was[0],
                by_amount=by_amount,
            )
        )
    return facts


def _invoice_facts(invoice: Invoice, lines: list[InvoiceLine]) -> mr.InvoiceFacts:
    total = invoice.total
    if invoice.kind == Invoice.Kind.INVOICE:
        memos = Invoice.objects.filter(corrects=invoice, kind=Invoice.Kind.CREDIT_MEMO).exclude(
            status=Invoice.Status.VOID
        )
        credited = sum((m.total - m.freight - m.tax for m in memos), ZERO)
        freight_back = sum((m.freight for m in memos), ZERO)
        tax_back = sum((m.tax for m in memos), ZERO)
        return mr.InvoiceFacts(
            total=total - credited - freight_back - tax_back,
            freight=invoice.freight - freight_back,
            tax=invoice.tax - tax_back,
            terms=terms_rule(invoice.terms),
        )
    return mr.InvoiceFacts(total=total, freight=invoice.freight, tax=invoice.tax)


def evaluate(invoice: Invoice) -> mr.MatchResult:
    """The match as the rules see it, changing nothing (the screens show it before a rerun)."""
    lines = list(invoice.lines.select_related("po_line").order_by("line_no"))
    policy = core.policy_on(PayablesPolicy, invoice.received_on)
    order = invoice.order
    if invoice.kind == Invoice.Kind.CREDIT_MEMO or order is None:
        method, tolerances = mr.TWO_WAY, mr.Tolerances()
    else:
        method, tolerances = order.match, tolerances_of(policy)
    expected = terms_rule(order.terms if order else invoice.vendor.terms)
    facts = line_facts(invoice, lines)
    if invoice.kind == Invoice.Kind.CREDIT_MEMO:
        facts = [
            mr.LineFacts(
                key=f.key,
                quantity=f.quantity,
                unit_price=f.unit_price,
                amount=f.amount,
                ordered=f.quantity,
                order_price=f.unit_price,
                received=f.quantity,
            )
            for f in facts
        ]
    return mr.match_invoice(
        facts,
        _invoice_facts(invoice, lines),
        method=method,
        tolerances=tolerances,
        expected_terms=expected,
    )


def _store(invoice: Invoice, result: mr.MatchResult, acting_user) -> None:
    lines = {str(ln.line_no): ln for ln in invoice.lines.all()}
    MatchResult.objects.filter(invoice=invoice).delete()
    rows = [
        MatchResult(
            invoice=invoice,
            line=lines[r.key],
            passed=r.passed,
            failures=[_failure(f) for f in r.failures],
            matched_by=acting_user,
        )
        for r in result.lines
    ]
    rows.append(
        MatchResult(
            invoice=invoice,
            line=None,
            passed=not result.failures,
            failures=[_failure(f) for f in result.failures],
            matched_by=acting_user,
        )
    )
    MatchResult.objects.bulk_create(rows)


def _failure(f: mr.Failure) -> dict:
    return {"check": f.check, "label": f.label, "message": f.message}


def match_store(*, invoice: Invoice, acting_user) -> mr.MatchResult:
    """Run the match and store it, moving the invoice to matched or exception (held instead when
    the W-9 rule holds a vendor without one). The caller holds the invoice's lock."""
    result = evaluate(invoice)
    _store(invoice, result, acting_user)
    before = invoice.status
    invoice.status = Invoice.Status.MATCHED if result.passed else Invoice.Status.EXCEPTION
    policy = core.policy_on(PayablesPolicy, invoice.received_on)
    w9_holds = policy.w9_rule == PayablesPolicy.W9Rule.HOLD and not invoice.vendor.w9_on_file
    if w9_holds and invoice.kind == Invoice.Kind.INVOICE:
        invoice.status = Invoice.Status.HELD
        invoice.hold_reason = "No W-9 on file for the vendor (the policy holds its invoices)."
        invoice.follow_up_on = core.city_today() + datetime.timedelta(days=W9_FOLLOW_UP_DAYS)
        invoice.held_by = acting_user
        invoice.held_at = timezone.now()
    invoice.save(update_fields=["status", "hold_reason", "follow_up_on", "held_by", "held_at"])
    core.audit(
        actor=acting_user,
        action="payables.invoice_matched",
        obj=invoice,
        before={"status": before},
        after={
            "status": invoice.status,
            "method": result.method,
            "failures": [f"{key or 'invoice'}: {f.check}" for key, f in result.all_failures()],
        },
    )
    return result


@transaction.atomic
def invoice_match(*, invoice: Invoice, acting_user) -> mr.MatchResult:
    """The match run for one invoice (entered, matched or in exception): stored line by line."""
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("order__terms", "vendor__terms")
        .get(pk=invoice.pk)
    )
    if invoice.status not in MATCHABLE:
        raise InvoiceRefused(
            f"Invoice {invoice.number} is {invoice.get_status_display().lower()}; it is not matched again."
        )
    return match_store(invoice=invoice, acting_user=acting_user)
