"""The encumbrance memo ledger: what open purchase orders hold against the budget.

Encumbrances are budgetary control, not money owed, so they are kept in payables' own
append-only ledger (`Encumbrance`, one signed row per movement) rather than in the core's
journal: the trial balance shows only real money, and budget against actual reads the
encumbered column from here and the spent column from the core ledger's expense accounts."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Sum

from revenue import services as core

from .. import rules
from ..models import Encumbrance, Invoice, PurchaseOrder, PurchaseOrderLine

ZERO = Decimal("0.00")


def open_by_line(line_ids) -> dict[int, Decimal]:
    """What each order line still holds (the sum of its rows)."""
    rows = (
        Encumbrance.objects.filter(po_line_id__in=list(line_ids))
        .values("po_line_id")
        .annotate(t=Sum("amount"))
    )
    return {r["po_line_id"]: r["t"] for r in rows}


def order_open_encumbrance(order: PurchaseOrder) -> Decimal:
    return Encumbrance.objects.filter(po_line__order=order).aggregate(t=Sum("amount"))["t"] or ZERO


def _row(
    line: PurchaseOrderLine, *, kind, amount, on, acting_user, invoice_line=None, memo=""
) -> Encumbrance:
    return Encumbrance(
        po_line=line,
        account_id=line.account_id,
        fiscal_year=core.fiscal_year_of(line.order.order_date),
        entry_date=on,
        kind=kind,
        amount=amount,
        invoice_line=invoice_line,
        memo=memo[:250],
        created_by=acting_user,
    )


def encumber_order(*, order: PurchaseOrder, acting_user) -> list[Encumbrance]:
    """An order issued encumbers each line's amount on the order date. Caller holds the transaction."""
    rows = [
        _row(ln, kind=Encumbrance.Kind.ENCUMBER, amount=ln.amount, on=order.order_date, acting_user=acting_user,
             memo=f"{order.number} line {ln.line_no}")
        for ln in order.lines.all() if ln.amount > 0
    ]  # fmt: skip
    return Encumbrance.objects.bulk_create(rows)


def encumbrance_change(
    *, line: PurchaseOrderLine, delta: Decimal, on: datetime.date, acting_user, memo=""
) -> None:
    """An order change moves the line's encumbrance by the change in its amount."""
    if delta:
        _row(
            line, kind=Encumbrance.Kind.CHANGE, amount=delta, on=on, acting_user=acting_user, memo=memo
        ).save()


def encumbrance_release(*, order: PurchaseOrder, on: datetime.date, acting_user) -> Decimal:
    """Closing an order releases what each line still holds; returns the total released."""
    held = open_by_line(order.lines.values_list("pk", flat=True))
    rows = [
        _row(ln, kind=Encumbrance.Kind.RELEASE, amount=-held[ln.pk], on=on, acting_user=acting_user,
             memo=f"{order.number} closed")
        for ln in order.lines.all() if held.get(ln.pk, ZERO) > 0
    ]  # fmt: skip
    Encumbrance.objects.bulk_create(rows)
    return -sum((r.amount for r in rows), ZERO)


def encumbrance_relieve(*, invoice: Invoice, acting_user, on: datetime.date | None = None) -> Decimal:
    """An approved invoice relieves, on each order line it bills, what it bills (never more than
    the line still holds). Call inside the approval's transaction; returns the total relieved.
    A credit memo relieves nothing (it lowers what was spent)."""
    if invoice.kind == Invoice.Kind.CREDIT_MEMO:
        return ZERO
    on = on or core.city_today()
    lines = list(invoice.lines.filter(po_line__isnull=False).select_related("po_line__order"))
    held = open_by_line({ln.po_line_id for ln in lines})
    rows = []
    for ln in lines:
        amount = rules.relief_amount(open_encumbrance=held.get(ln.po_line_id, ZERO), billed=ln.amount)
        if amount > 0:
            held[ln.po_line_id] -= amount
            rows.append(_row(ln.po_line, kind=Encumbrance.Kind.RELIEVE, amount=-amount, on=on,
                             acting_user=acting_user, invoice_line=ln, memo=f"Invoice {invoice.number}"))  # fmt: skip
    Encumbrance.objects.bulk_create(rows)
    return -sum((r.amount for r in rows), ZERO)


def encumbrance_restore(*, invoice: Invoice, acting_user, on: datetime.date | None = None) -> Decimal:
    """An approved invoice voided gives back what it relieved on lines of orders still open
    (a closed order released its remainder; nothing is re-encumbered on it)."""
    on = on or core.city_today()
    relieved = (
        Encumbrance.objects.filter(invoice_line__invoice=invoice, kind=Encumbrance.Kind.RELIEVE)
        .filter(po_line__order__status=PurchaseOrder.Status.OPEN)
        .select_related("po_line__order")
    )
    restored = {r.invoice_line_id: r.amount for r in Encumbrance.objects.filter(
        invoice_line__invoice=invoice, kind=Encumbrance.Kind.RESTORE)}  # fmt: skip
    rows = [
        Encumbrance(po_line=r.po_line, account_id=r.account_id, fiscal_year=r.fiscal_year, entry_date=on,
                    kind=Encumbrance.Kind.RESTORE, amount=-r.amount, invoice_line_id=r.invoice_line_id,
                    memo=f"Invoice {invoice.number} voided", created_by=acting_user)
        for r in relieved if r.invoice_line_id not in restored
    ]  # fmt: skip
    Encumbrance.objects.bulk_create(rows)
    return sum((r.amount for r in rows), ZERO)
