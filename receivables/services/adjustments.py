"""Reductions of an invoice, each approved by a supervisor (never the one who asks): a credit
memo (a core waiver request with no amount, so no one's own limit covers it) and a write-off of
everything owed on the invoice (Dr bad debt, Cr receivable)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.db.models.signals import post_save
from django.dispatch import receiver

from revenue import services as core
from revenue.exceptions import OverApplied, RevenueError
from revenue.models import ApprovalRequest, Charge

from ..models import ZERO, CreditMemo, Invoice
from ..selectors import invoice_balance, lines_balance
from ..selectors.invoices import content_type_id
from .invoices import InvoiceError, lock_invoice


def _line_charges(invoice: Invoice) -> list[Charge]:
    """The invoice's line charges, locked (in primary-key order, the order a payment takes)."""
    return list(core.lock_charges(invoice.lines.values_list("charge_id", flat=True)).values())


# --------------------------------------------------------------------------- credit memos


@transaction.atomic
def credit_memo_request(*, invoice: Invoice, amount, reason: str, acting_user) -> CreditMemo:
    """Ask for a credit memo; it waits for a supervisor (a core waiver request with no amount, so
    no one's own limit covers it) and reduces the invoice only when approved."""
    amount = core.money(amount, field="Credit amount")
    reason = (reason or "").strip()
    if not reason:
        raise InvoiceError("A reason is required.")
    invoice = lock_invoice(invoice.pk)
    open_balance = lines_balance(invoice)
    pending = (
        CreditMemo.objects.filter(invoice=invoice, status=CreditMemo.Status.PENDING).aggregate(
            s=Sum("amount")
        )["s"]
        or ZERO
    )
    if amount > open_balance - pending:
        extra = f" ({pending} already waiting for approval)" if pending else ""
        raise OverApplied(
            f"{invoice.number} has {open_balance} open{extra}; a credit memo of {amount} is too much."
        )
    memo = CreditMemo.objects.create(
        number=core.number_next(kind="CM"),
        invoice=invoice,
        amount=amount,
        reason=reason,
        created_by=acting_user,
    )
    core.audit(
        actor=acting_user,
        action="credit_memo.requested",
        obj=memo,
        after={"number": memo.number, "invoice": invoice.number, "amount": str(amount)},
        reason=reason,
    )
    core.approval_request(
        kind=ApprovalRequest.Kind.WAIVER,
        target=memo,
        reason=f"Credit memo {memo.number} ${amount:,.2f} on {invoice.number}: {reason}",
        acting_user=acting_user,
        amount=None,
    )
    return memo


@core.approval_handler(ApprovalRequest.Kind.WAIVER, CreditMemo)
def _credit_memo_apply(request: ApprovalRequest, acting_user) -> None:
    """Approved: waive the amount across the invoice's open line charges, first to last."""
    memo = CreditMemo.objects.select_for_update(no_key=True).get(pk=request.target_id)
    if memo.status != CreditMemo.Status.PENDING:
        raise InvoiceError(f"Credit memo {memo.number} is {memo.get_status_display().lower()}.")
    # charges are locked before the invoice (the receiver locks it), the order a payment takes
    invoice = Invoice.objects.get(pk=memo.invoice_id)
    charges = _line_charges(invoice)
    open_balance = sum((c.balance for c in charges), ZERO)
    if memo.amount > open_balance:
        raise OverApplied(
            f"{invoice.number} has only {open_balance} open now; credit memo {memo.number} is {memo.amount}."
        )
    remaining = memo.amount
    for charge in charges:
        take = min(charge.balance, remaining)
        if take <= 0:
            continue
        core.charge_adjust(
            charge=charge,
            amount=take,
            kind=ApprovalRequest.Kind.WAIVER,
            acting_user=acting_user,
            reason=f"Credit memo {memo.number}: {memo.reason}",
        )
        remaining -= take
        if remaining == 0:
            break
    memo.status = CreditMemo.Status.APPLIED
    memo.applied_on = core.city_today()
    memo.save(update_fields=["status", "applied_on"])
    core.audit(
        actor=acting_user,
        action="credit_memo.applied",
        obj=memo,
        before={"status": "pending"},
        after={"status": "applied", "applied_on": memo.applied_on.isoformat()},
    )


@receiver(post_save, sender=ApprovalRequest)
def _credit_memo_denied(sender, instance: ApprovalRequest, **kwargs) -> None:
    """The core tells handlers only of approvals; a denied request makes its memo DENIED here
    (same transaction as the decision)."""
    if instance.status != ApprovalRequest.Status.DENIED or instance.kind != ApprovalRequest.Kind.WAIVER:
        return
    if instance.target_type_id != content_type_id(CreditMemo):
        return
    updated = CreditMemo.objects.filter(pk=instance.target_id, status=CreditMemo.Status.PENDING).update(
        status=CreditMemo.Status.DENIED
    )
    if updated:
        core.audit(
            actor=instance.decided_by,
            action="credit_memo.denied",
            obj=CreditMemo.objects.get(pk=instance.target_id),
            before={"status": "pending"},
            after={"status": "denied"},
            reason=instance.decision_note,
        )


# --------------------------------------------------------------------------- write-offs


@transaction.atomic
def write_off_request(*, invoice: Invoice, reason: str, acting_user) -> ApprovalRequest:
    """Ask a supervisor to write off what is owed on an invoice. Nothing changes until a
    supervisor (never the requester) approves; there is no amount, so no role's own limit applies."""
    invoice = lock_invoice(invoice.pk)
    if invoice.status != Invoice.Status.OPEN:
        raise RevenueError(f"{invoice} is {invoice.get_status_display().lower()}; nothing to write off.")
    if invoice_balance(invoice) <= ZERO:
        raise RevenueError(f"Nothing is owed on {invoice}.")
    return core.approval_request(
        kind=ApprovalRequest.Kind.WRITE_OFF,
        target=invoice,
        reason=reason,
        acting_user=acting_user,
        amount=None,
    )


@core.approval_handler(ApprovalRequest.Kind.WRITE_OFF, Invoice)
def _approve_invoice_write_off(request: ApprovalRequest, acting_user) -> None:
    """On approval: every open charge of the invoice (lines and late fees) is written off
    (Dr bad debt, Cr receivable) and the invoice is marked written off."""
    invoice = lock_invoice(request.target_id)
    if invoice.status != Invoice.Status.OPEN:
        raise RevenueError(f"{invoice} is {invoice.get_status_display().lower()} now; nothing to write off.")
    ids = Charge.objects.filter(source_type_id=content_type_id(Invoice), source_id=invoice.pk).values_list(
        "pk", flat=True
    )
    written = ZERO
    for charge in core.lock_charges(ids).values():
        if charge.balance > ZERO:
            core.charge_adjust(
                charge=charge,
                amount=charge.balance,
                kind=ApprovalRequest.Kind.WRITE_OFF,
                acting_user=acting_user,
                reason=request.reason,
            )
            written += charge.balance
    if written == ZERO:
        raise RevenueError(f"Nothing is owed on {invoice} now.")
    today = core.city_today()
    before = {
        "status": invoice.status,
        "status_on": invoice.status_on.isoformat() if invoice.status_on else None,
    }
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.WRITTEN_OFF, status_on=today)
    core.audit(
        actor=acting_user,
        action="invoice.written_off",
        obj=invoice,
        before=before,
        after={"status": Invoice.Status.WRITTEN_OFF, "status_on": today.isoformat(), "amount": str(written)},
        reason=request.reason,
    )
