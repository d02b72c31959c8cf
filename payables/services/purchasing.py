"""Requisitions and purchase orders: a department asks (lines with an account each), an approver
within the limit of a role approves, a buyer issues the order (gapless number, encumbrance),
changes it (each change audited, the encumbrance moved by the change) and closes it (what the
order still holds is released)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from revenue import services as core

from .. import rules
from ..errors import BadLine, OverLimit, VendorNotUsable, WrongStatus
from ..models import (
    ApprovalLimit,
    Department,
    InvoiceLine,
    PayablesPolicy,
    PaymentTerms,
    PurchaseOrder,
    PurchaseOrderLine,
    Requisition,
    RequisitionLine,
    Vendor,
)
from ..selectors.budget import budget_warning
from . import encumbrances
from .lines import parse_lines
from .vendors import vendor_usable

APPROVE = "payables.approve_requisition"
ZERO = Decimal("0.00")


@transaction.atomic
def requisition_create(
    *, department: Department, lines: list[dict], acting_user, vendor: Vendor | None = None,
    needed_by: datetime.date | None = None, justification: str = "",
) -> Requisition:  # fmt: skip
    """A requisition sent for approval, with the budget warning its approver will read."""
    checked = parse_lines(lines)
    if vendor is not None:
        vendor_usable(vendor, doing="asking to buy from it")
    today = core.city_today()
    if needed_by and needed_by < today:
        raise BadLine("The date needed is today or later.")
    req = Requisition.objects.create(
        number=core.number_next(kind="RQ", on=today), department=department, vendor=vendor, needed_by=needed_by,
        justification=justification.strip()[:500], status=Requisition.Status.SUBMITTED,
        total=sum((ln.amount for ln in checked), ZERO), budget_warning=budget_warning(_amounts_of(checked), on=today),
        submitted_at=timezone.now(), created_by=acting_user,
    )  # fmt: skip
    RequisitionLine.objects.bulk_create(
        RequisitionLine(requisition=req, line_no=n, description=ln.description, quantity=ln.quantity, unit=ln.unit,
                        unit_price=ln.unit_price, amount=ln.amount, account=ln.account)
        for n, ln in enumerate(checked, start=1)
    )  # fmt: skip
    core.audit(actor=acting_user, action="payables.requisition_submitted", obj=req,
               after={"total": req.total, "lines": len(checked), "budget_warning": req.budget_warning})  # fmt: skip
    return req


def approval_limits(user, *, on: datetime.date | None = None) -> list[Decimal]:
    """The requisition limits in force for each of the user's roles."""
    on = on or core.city_today()
    limits = []
    for group_id in user.groups.values_list("pk", flat=True):
        row = core.in_force(ApprovalLimit.objects.filter(role_id=group_id, document="requisition"), on)
        if row is not None:
            limits.append(row.max_amount)
    return limits


@transaction.atomic
def requisition_decide(
    *, requisition: Requisition, approve: bool, acting_user, note: str = ""
) -> Requisition:
    """Approve (within the approver's limit) or deny a requisition; never one's own."""
    if not acting_user.has_perm(APPROVE):
        raise core.NotAllowed("Your role does not approve requisitions.")
    req = Requisition.objects.select_for_update().get(pk=requisition.pk)
    if req.status != Requisition.Status.SUBMITTED:
        raise core.AlreadyDecided(f"Requisition {req.number} is {req.get_status_display().lower()}.")
    if req.created_by_id == acting_user.pk:
        raise core.NotAllowed("Someone else must approve a requisition you entered.")
    if approve:
        limits = approval_limits(acting_user)
        if not rules.approval_limit_allows(req.total, limits):
            most = f"${max(limits):,.2f}" if limits else "no amount"
            raise OverLimit(f"{req.number} totals ${req.total:,.2f}; your role approves up to {most}: "
                            "a higher role must approve it.")  # fmt: skip
    if not approve and not (note or "").strip():
        raise BadLine("Say why the requisition is denied.")
    req.status = Requisition.Status.APPROVED if approve else Requisition.Status.DENIED
    req.decided_by, req.decided_at, req.decision_note = acting_user, timezone.now(), (note or "")[:250]
    req.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    core.audit(actor=acting_user, action=f"payables.requisition_{req.status}", obj=req,
               after={"total": req.total}, reason=note)  # fmt: skip
    return req


@transaction.atomic
def order_issue(
    *, requisition: Requisition, acting_user, vendor: Vendor, terms: PaymentTerms | None = None,
    match: str | None = None, ship_to: str = "", order_date: datetime.date | None = None,
) -> PurchaseOrder:  # fmt: skip
    """An approved requisition becomes a purchase order: gapless number, lines, encumbrance."""
    req = Requisition.objects.select_for_update().get(pk=requisition.pk)
    if req.status != Requisition.Status.APPROVED:
        raise WrongStatus(
            f"Requisition {req.number} is {req.get_status_display().lower()}: only an approved one is ordered."
        )
    vendor = vendor_usable(vendor, doing="ordering from it")
    if vendor.status == Vendor.Status.HOLD:
        raise VendorNotUsable(
            f"{vendor.name} is on hold ({vendor.hold_reason}): take it off hold before ordering."
        )
    policy = core.policy_on(PayablesPolicy)
    order_date = order_date or core.city_today()
    if order_date > core.city_today():
        raise BadLine("An order is dated today or earlier.")
    match = match or policy.default_match
    if match not in PurchaseOrder.Match.values:
        raise BadLine("Choose two-way or three-way match.")
    order = PurchaseOrder.objects.create(
        number=core.number_next(kind="PO", on=order_date), vendor=vendor, requisition=req, department=req.department,
        order_date=order_date, terms=terms or vendor.terms, match=match, ship_to=ship_to[:250], total=req.total,
        created_by=acting_user,
    )  # fmt: skip
    req_lines = list(req.lines.all())
    PurchaseOrderLine.objects.bulk_create(
        PurchaseOrderLine(order=order, line_no=ln.line_no, description=ln.description, quantity=ln.quantity,
                          unit=ln.unit, unit_price=ln.unit_price, amount=ln.amount, account_id=ln.account_id,
                          requisition_line=ln)
        for ln in req_lines
    )  # fmt: skip
    order.budget_warning = budget_warning(_amounts_of(req_lines), on=order_date)
    order.save(update_fields=["budget_warning"])
    encumbrances.encumber_order(order=order, acting_user=acting_user)
    req.status = Requisition.Status.ORDERED
    req.save(update_fields=["status"])
    core.audit(actor=acting_user, action="payables.order_issued", obj=order,
               after={"requisition": req.number, "vendor": vendor.name, "total": order.total, "match": match})  # fmt: skip
    return order


def _amounts_of(lines) -> dict[int, Decimal]:
    """Amount per account id, of checked new lines (with an account) or stored ones."""
    out: dict[int, Decimal] = {}
    for ln in lines:
        account_id = getattr(ln, "account_id", None) or ln.account.pk
        out[account_id] = out.get(account_id, ZERO) + ln.amount
    return out


def received_by_line(line_ids) -> dict[int, tuple[Decimal, Decimal]]:
    """(quantity, amount) received so far on each order line, returns netted."""
    from ..models import ReceiptLine

    rows = (ReceiptLine.objects.filter(po_line_id__in=list(line_ids)).values("po_line_id")
            .annotate(q=Sum("quantity"), a=Sum("amount")))  # fmt: skip
    return {r["po_line_id"]: (r["q"] or ZERO, r["a"] or ZERO) for r in rows}


def invoiced_by_line(line_ids) -> dict[int, tuple[Decimal, Decimal]]:
    """(quantity, amount) billed on each order line by invoices not void (credit memos net off)."""
    out: dict[int, tuple[Decimal, Decimal]] = {}
    rows = InvoiceLine.objects.filter(po_line_id__in=list(line_ids)).exclude(invoice__status="void")
    for ln in rows.values("po_line_id", "quantity", "amount", "invoice__kind"):
        sign = -1 if ln["invoice__kind"] == "credit" else 1
        q, a = out.get(ln["po_line_id"], (ZERO, ZERO))
        out[ln["po_line_id"]] = (q + sign * ln["quantity"], a + sign * ln["amount"])
    return out


def _plain(**values) -> dict:
    return {k: core.jsonable(v) for k, v in values.items()}


@transaction.atomic
def order_change(
    *, order: PurchaseOrder, changes: dict[int, dict], reason: str, acting_user
) -> PurchaseOrder:
    """Change lines of an open order ({line id: {quantity, unit_price, description}}): never below
    what was received or billed; the encumbrance moves by the change in each line's amount."""
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != PurchaseOrder.Status.OPEN:
        raise WrongStatus(
            f"{order.number} is {order.get_status_display().lower()}: only an open order is changed."
        )
    if not (reason or "").strip():
        raise BadLine("Say why the order is changed.")
    lines = {ln.pk: ln for ln in order.lines.select_for_update().order_by("pk")}
    received, billed = received_by_line(lines), invoiced_by_line(lines)
    held = encumbrances.open_by_line(lines)
    before, after, today = {}, {}, core.city_today()
    for line_id, new in changes.items():
        ln = lines.get(line_id)
        if ln is None:
            raise BadLine("A changed line is not on this order.")
        quantity = new.get("quantity", ln.quantity)
        price = new.get("unit_price", ln.unit_price)
        problem = rules.quantity_problem(quantity) or rules.unit_price_problem(price)
        if problem:
            raise BadLine(f"Line {ln.line_no}: {problem}")
        quantity, price = Decimal(str(quantity)), Decimal(str(price))
        floor = max(received.get(ln.pk, (ZERO, ZERO))[0], billed.get(ln.pk, (ZERO, ZERO))[0])
        if quantity < floor:
            raise BadLine(
                f"Line {ln.line_no}: {floor} were already received or billed; the order cannot ask for fewer."
            )
        amount = rules.line_amount(quantity, price)
        delta = amount - ln.amount
        if held.get(ln.pk, ZERO) + delta < 0:
            raise BadLine(f"Line {ln.line_no}: more has been billed than the changed line would hold.")
        description = (new.get("description") or ln.description).strip()[:250]
        if (quantity, price, description) == (ln.quantity, ln.unit_price, ln.description):
            continue
        before[ln.line_no] = _plain(
            quantity=ln.quantity, unit_price=ln.unit_price, description=ln.description
        )
        ln.quantity, ln.unit_price, ln.amount, ln.description = quantity, price, amount, description
        ln.save(update_fields=["quantity", "unit_price", "amount", "description"])
        after[ln.line_no] = _plain(quantity=quantity, unit_price=price, description=description)
        encumbrances.encumbrance_change(line=ln, delta=delta, on=today, acting_user=acting_user,
                                        memo=f"{order.number} revision {order.revision + 1}")  # fmt: skip
    if not after:
        raise BadLine("Nothing was changed.")
    order.total = sum((ln.amount for ln in lines.values()), ZERO)
    order.revision += 1
    order.save(update_fields=["total", "revision"])
    core.audit(actor=acting_user, action="payables.order_changed", obj=order,
               before={str(k): v for k, v in before.items()}, after={str(k): v for k, v in after.items()},
               reason=reason)  # fmt: skip
    return order


@transaction.atomic
def order_close(*, order: PurchaseOrder, reason: str, acting_user) -> Decimal:
    """Close an order: nothing more is received or billed on it, and what it still holds is
    released. Returns the amount released."""
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != PurchaseOrder.Status.OPEN:
        raise WrongStatus(f"{order.number} is already {order.get_status_display().lower()}.")
    if not (reason or "").strip():
        raise BadLine("Say why the order is closed (complete, cancelled, vendor cannot supply …).")
    pending = order.invoices.filter(status__in=["entered", "matched", "exception", "held", "disputed"])
    if pending.exists():
        raise WrongStatus(f"{order.number} has invoices still in audit: approve or void them first.")
    today = core.city_today()
    released = encumbrances.encumbrance_release(order=order, on=today, acting_user=acting_user)
    order.status = PurchaseOrder.Status.CLOSED
    order.closed_at, order.closed_by, order.close_reason = timezone.now(), acting_user, reason.strip()[:250]
    order.save(update_fields=["status", "closed_at", "closed_by", "close_reason"])
    core.audit(actor=acting_user, action="payables.order_closed", obj=order, after={"released": released},
               reason=reason)  # fmt: skip
    return released
