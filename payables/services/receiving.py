"""Receiving: the department records what it accepted (goods by quantity, services by amount),
on what date and by whom. Partial receipts add up; a return is a receipt of the return kind
with negative lines, never more than was received. What a quantity is worth is the order's
price; the receipt that completes a line takes the line's remaining cents."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from revenue import services as core

from .. import rules
from ..errors import ReceiptRefused, WrongStatus
from ..models import PayablesPolicy, PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine
from .purchasing import received_by_line
from .vendors import vendor_usable

ZERO = Decimal("0.00")


def _allowance(ordered: Decimal, percent: Decimal) -> Decimal:
    return ordered + ordered * percent / 100


def _receipt_line(
    ln: PurchaseOrderLine, value, *, got: tuple[Decimal, Decimal], returning: bool, tolerance
) -> tuple:
    """(quantity, amount) for one line of the receipt, signed; refuses what cannot be."""
    got_q, got_a = got
    if ln.receive_by == PurchaseOrderLine.ReceiveBy.AMOUNT:
        amount = core.money(value, field=f"Line {ln.line_no}'s amount")
        if returning and amount > got_a:
            raise ReceiptRefused(
                f"Line {ln.line_no}: only {got_a:,.2f} was accepted; no more can be returned."
            )
        if not returning and got_a + amount > _allowance(ln.amount, tolerance):
            raise ReceiptRefused(
                f"Line {ln.line_no}: {got_a + amount:,.2f} would be more than the {ln.amount:,.2f} ordered."
            )
        return (ZERO, -amount) if returning else (ZERO, amount)
    problem = rules.quantity_problem(value)
    if problem:
        raise ReceiptRefused(f"Line {ln.line_no}: {problem}")
    quantity = Decimal(str(value))
    if returning:
        if quantity > got_q:
            raise ReceiptRefused(f"Line {ln.line_no}: {got_q} were received; no more can be returned.")
        amount = got_a if quantity == got_q else rules.line_amount(quantity, ln.unit_price)
        return -quantity, -amount
    if got_q + quantity > _allowance(ln.quantity, tolerance):
        raise ReceiptRefused(
            f"Line {ln.line_no}: {got_q + quantity} {ln.unit} would be more than the {ln.quantity} ordered."
        )
    if got_q + quantity == ln.quantity:
        amount = ln.amount - got_a  # the completing receipt takes the line's remaining cents
    else:
        amount = rules.line_amount(quantity, ln.unit_price)
    return quantity, max(amount, ZERO)


@transaction.atomic
def receipt_record(
    *, order: PurchaseOrder, lines: dict[int, object], received_by: str, acting_user,
    received_on: datetime.date | None = None, kind: str = Receipt.Kind.RECEIPT, packing_slip: str = "", note: str = "",
) -> Receipt:  # fmt: skip
    """Record a receipt (or a return) on an open order: {order line id: quantity, or amount for a
    line received by amount}; blank or zero entries are left out."""
    order = PurchaseOrder.objects.select_for_update().select_related("vendor").get(pk=order.pk)
    if order.status != PurchaseOrder.Status.OPEN:
        raise WrongStatus(
            f"{order.number} is {order.get_status_display().lower()}: nothing more is received on it."
        )
    vendor_usable(order.vendor, doing="receiving from it")
    if kind not in Receipt.Kind.values:
        raise ReceiptRefused("Choose a receipt or a return.")
    today = core.city_today()
    received_on = received_on or today
    if received_on > today:
        raise ReceiptRefused("Goods are received today or on a past day, not a future one.")
    if received_on < order.order_date:
        raise ReceiptRefused(f"Nothing can be received before the order's date, {order.order_date:%m/%d/%Y}.")
    if not (received_by or "").strip():
        raise ReceiptRefused("Say who accepted the goods or the work.")
    tolerance = core.policy_on(PayablesPolicy, received_on).quantity_tolerance_percent
    by_id = {ln.pk: ln for ln in order.lines.all()}
    wanted = {
        k: v for k, v in lines.items() if v not in (None, "") and str(v).strip() not in ("0", "0.00", "0.000")
    }
    if not wanted:
        raise ReceiptRefused("Enter what was received on at least one line.")
    got = received_by_line(by_id)
    returning = kind == Receipt.Kind.RETURN
    rows = []
    for line_id, value in sorted(wanted.items()):
        ln = by_id.get(line_id)
        if ln is None:
            raise ReceiptRefused("A line received is not on this order.")
        rows.append(
            (
                ln,
                *_receipt_line(
                    ln, value, got=got.get(ln.pk, (ZERO, ZERO)), returning=returning, tolerance=tolerance
                ),
            )
        )
    receipt = Receipt.objects.create(
        number=core.number_next(kind="RC", on=received_on), order=order, kind=kind, received_on=received_on,
        received_by=received_by.strip()[:120], packing_slip=packing_slip.strip()[:40], note=note.strip()[:250],
        created_by=acting_user,
    )  # fmt: skip
    ReceiptLine.objects.bulk_create(
        ReceiptLine(receipt=receipt, po_line=ln, quantity=q, amount=a) for ln, q, a in rows
    )
    core.audit(actor=acting_user, action=f"payables.{kind}_recorded", obj=order,
               after={"receipt": receipt.number, "lines": {ln.line_no: str(q) if q else str(a) for ln, q, a in rows}})  # fmt: skip
    return receipt
