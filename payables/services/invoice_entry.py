"""Entering a vendor's invoice (or credit memo): its lines matched to the order's lines, freight
and tax, the duplicate check and the warnings the clerk sees before the match.

The duplicate check is the vendor and the invoice number compared by letters and digits only
(match_rules.invoice_number_key), in every year and every status: the vendor's row is locked
first so two clerks entering the same number queue, and the table's unique constraint holds it
whatever the code path. The same vendor, total and invoice date under another number is only a
warning (a vendor may bill twice in a day), kept on the invoice and shown on the approval."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from revenue import services as core
from revenue.money import money

from .. import match_rules, rules
from ..errors import PayablesError
from ..models import (
    Invoice,
    InvoiceLine,
    PayablesPolicy,
    PaymentTerms,
    PurchaseOrder,
    PurchaseOrderLine,
    Vendor,
)
from .vendors import vendor_usable

MAX_LINES = 200


class InvoiceRefused(PayablesError):
    """The invoice cannot be entered or moved as asked; the sentence says why."""


class DuplicateInvoice(InvoiceRefused):
    def __init__(self, message: str, existing: Invoice):
        super().__init__(message)
        self.existing = existing


@dataclass(frozen=True)
class NewLine:
    """One line as the clerk typed it. `po_line` None: charged straight to `account`."""

    description: str
    quantity: object
    unit_price: object
    amount: object = None  # None: quantity x unit price
    po_line: PurchaseOrderLine | None = None
    account: object = None


def duplicate_of(*, vendor: Vendor, number: str, exclude_pk=None) -> Invoice | None:
    """The invoice of this vendor already entered under the same number (any year, any status)."""
    key = match_rules.invoice_number_key(number)
    qs = Invoice.objects.filter(vendor=vendor, normalized_number=key)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def same_amount_and_date(*, vendor: Vendor, total: Decimal, invoice_date, number: str) -> list[Invoice]:
    """Other invoices of the vendor with the same total and date under another number."""
    key = match_rules.invoice_number_key(number)
    return list(
        Invoice.objects.filter(vendor=vendor, total=total, invoice_date=invoice_date)
        .exclude(normalized_number=key)
        .exclude(status=Invoice.Status.VOID)
        .order_by("pk")
    )


def _refuse_duplicate(vendor: Vendor, number: str) -> None:
    existing = duplicate_of(vendor=vendor, number=number)
    if existing is not None:
        raise DuplicateInvoice(
            f"{vendor} invoice {existing.number} dated {existing.invoice_date:%m/%d/%Y} is already "
            f"entered ({existing.get_status_display().lower()}): {number.strip()} is the same number.",
            existing,
        )


def repeat_warning(*, vendor: Vendor, total: Decimal, invoice_date, number: str) -> str:
    """The warning when the vendor, amount and date repeat under another number ("" if not)."""
    repeats = same_amount_and_date(vendor=vendor, total=total, invoice_date=invoice_date, number=number)
    if not repeats:
        return ""
    return (
        f"Same vendor, amount ${total:,.2f} and date {invoice_date:%m/%d/%Y} as invoice "
        + ", ".join(r.number for r in repeats[:3])
        + ": check it is not billed twice."
    )


def _check_header(*, vendor, number, invoice_date, received_on, order, corrects, kind):
    today = core.city_today()
    vendor_usable(vendor, doing="entering its invoices")
    if not match_rules.invoice_number_key(number):
        raise InvoiceRefused("The vendor's invoice number needs at least one letter or digit.")
    if len(number.strip()) > 40:
        raise InvoiceRefused("The vendor's invoice number is longer than 40 characters.")
    if invoice_date > today:
        raise InvoiceRefused(f"The invoice date {invoice_date:%m/%d/%Y} is in the future.")
    if received_on > today:
        raise InvoiceRefused(f"The received date {received_on:%m/%d/%Y} is in the future.")
    if received_on < invoice_date:
        raise InvoiceRefused("The invoice cannot have been received before its date.")
    if order is not None:
        if order.vendor_id != vendor.pk:
            raise InvoiceRefused(f"Purchase order {order.number} is not to {vendor}.")
        if order.status != PurchaseOrder.Status.OPEN and kind == Invoice.Kind.INVOICE:
            raise InvoiceRefused(f"Purchase order {order.number} is {order.get_status_display().lower()}.")
    if corrects is not None:
        if corrects.vendor_id != vendor.pk:
            raise InvoiceRefused("A correction must be from the same vendor as the invoice it corrects.")
        if corrects.status not in (Invoice.Status.EXCEPTION, Invoice.Status.HELD, Invoice.Status.DISPUTED):
            raise InvoiceRefused(
                f"Invoice {corrects.number} is {corrects.get_status_display().lower()}: only an invoice "
                "in exception, held or disputed is resolved by a credit memo or a corrected invoice."
            )
    elif kind == Invoice.Kind.CREDIT_MEMO and order is None:
        raise InvoiceRefused("A credit memo names the invoice it credits or the order it belongs to.")


def _clean_lines(lines: list[NewLine], order) -> list[dict]:
    if not lines:
        raise InvoiceRefused("An invoice needs at least one line.")
    if len(lines) > MAX_LINES:
        raise InvoiceRefused(f"An invoice has at most {MAX_LINES} lines.")
    cleaned = []
    for n, line in enumerate(lines, start=1):
        label = f"Line {n}"
        problem = rules.quantity_problem(line.quantity) or rules.unit_price_problem(line.unit_price)
        if problem:
            raise InvoiceRefused(f"{label}: {problem}")
        qty, price = Decimal(str(line.quantity).strip()), Decimal(str(line.unit_price).strip())
        amount = (
            rules.line_amount(qty, price)
            if line.amount in (None, "")
            else money(line.amount, field=f"{label}: amount", allow_zero=True)
        )
        po_line = line.po_line
        if po_line is not None:
            if order is None or po_line.order_id != order.pk:
                raise InvoiceRefused(f"{label} is matched to a line of another order.")
            account = po_line.account
        else:
            if order is not None:
                raise InvoiceRefused(f"{label} must be matched to a line of order {order.number}.")
            account = line.account
            if account is None:
                raise InvoiceRefused(f"{label} needs an expense account.")
        description = (line.description or (po_line.description if po_line else "")).strip()[:250]
        if not description:
            raise InvoiceRefused(f"{label} needs a description.")
        cleaned.append(
            {
                "line_no": n,
                "po_line": po_line,
                "description": description,
                "quantity": qty,
                "unit_price": price,
                "amount": amount,
                "account": account,
            }
        )
    return cleaned


def _w9_warning(vendor: Vendor, policy) -> str:
    if vendor.w9_on_file or policy.w9_rule == policy.W9Rule.NONE:
        return ""
    return f"{vendor} has no W-9 on file ({policy.get_w9_rule_display().lower()})."


@transaction.atomic
def invoice_enter(
    *,
    vendor: Vendor,
    number: str,
    invoice_date: datetime.date,
    received_on: datetime.date,
    lines: list[NewLine],
    total,
    freight=0,
    tax=0,
    terms: PaymentTerms | None = None,
    order: PurchaseOrder | None = None,
    kind: str = Invoice.Kind.INVOICE,
    corrects: Invoice | None = None,
    acting_user,
) -> Invoice:
    """Enter an invoice as billed. Refuses a duplicate number; keeps the warnings (same amount
    and date under another number, W-9) on the invoice. The match is a separate step."""
    vendor = Vendor.objects.select_for_update(of=("self",)).select_related("party", "terms").get(pk=vendor.pk)
    if corrects is not None:
        corrects = Invoice.objects.select_for_update(of=("self",)).get(pk=corrects.pk)
        order = order or corrects.order
    _check_header(
        vendor=vendor,
        number=number,
        invoice_date=invoice_date,
        received_on=received_on,
        order=order,
        corrects=corrects,
        kind=kind,
    )
    _refuse_duplicate(vendor, number)
    freight = money(freight, field="Freight", allow_zero=True)
    tax = money(tax, field="Tax", allow_zero=True)
    total = money(total, field="Invoice total")
    rows = _clean_lines(lines, order)
    subtotal = sum((r["amount"] for r in rows), core.ZERO)
    terms = terms or (order.terms if order else vendor.terms)
    rule = match_rules.Terms.of(terms)
    policy = core.policy_on(PayablesPolicy, received_on)
    warning = repeat_warning(vendor=vendor, total=total, invoice_date=invoice_date, number=number)
    invoice = Invoice.objects.create(
        vendor=vendor,
        kind=kind,
        number=number.strip(),
        normalized_number=match_rules.invoice_number_key(number),
        order=order,
        invoice_date=invoice_date,
        received_on=received_on,
        terms=terms,
        discount_on=rule.discount_date(invoice_date),
        discount_available=match_rules.discount_allowed_on(subtotal, rule),
        due_on=rule.net_due(invoice_date),
        subtotal=subtotal,
        freight=freight,
        tax=tax,
        total=total,
        match=(order.match if order else "none"),
        duplicate_warning=warning[:250],
        w9_warning=_w9_warning(vendor, policy)[:250],
        corrects=corrects,
        created_by=acting_user,
    )
    InvoiceLine.objects.bulk_create(InvoiceLine(invoice=invoice, **r) for r in rows)
    core.audit(
        actor=acting_user,
        action="payables.invoice_entered",
        obj=invoice,
        after={
            "vendor": vendor.number,
            "number": invoice.number,
            "kind": kind,
            "total": str(total),
            "order": order.number if order else None,
            "corrects": corrects.number if corrects else None,
            "warning": warning,
        },
    )
    return invoice
