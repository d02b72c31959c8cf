"""Approving an invoice for payment: a matched invoice by a senior clerk or a supervisor, an
invoice in exception or disputed only by a supervisor approving the variance with a reason (and
within the role's variance limit, where one is set). Never by the person who entered it.

Approval posts Dr expense (each line's account, freight and tax spread over the lines by their
amounts), Cr accounts payable (the policy's account, the vendor's party on the line), through
the core's journal_post; the credit memos that correct the invoice are approved with it, each
posting the reverse. It relieves the encumbrance of each order line through pay-core's encumbrance_relieve: what the
line bills, never more than the line still holds (billing above the order is spent, not
relieved)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from revenue import services as core
from revenue.money import ZERO, round_money

from .. import match_rules as mr
from ..models import ApprovalLimit, Invoice, PayablesPolicy
from .encumbrances import encumbrance_relieve
from .invoice_entry import InvoiceRefused
from .invoice_match import evaluate, line_facts

APPROVE = "payables.approve_invoice"
APPROVE_VARIANCE = "payables.approve_variance"
VARIANCE_FROM = (Invoice.Status.EXCEPTION, Invoice.Status.DISPUTED)


def variance_of(invoice: Invoice) -> Decimal:
    """What the invoice bills above what the order allows: its total less each line's billable
    quantity at the order's price, freight and tax (never below zero)."""
    lines = list(invoice.lines.select_related("po_line").order_by("line_no"))
    allowed = invoice.freight + invoice.tax
    for f in line_facts(invoice, lines):
        base = (f.received if f.received is not None else f.ordered) - f.billed_before
        if f.by_amount:
            allowed += min(f.amount, max(base, ZERO))
        else:
            allowed += round_money(min(f.quantity, max(base, ZERO)) * f.order_price)
    return max(invoice.total - allowed, ZERO)


def variance_limit(user, on) -> Decimal | None:
    """The most variance the user's roles may approve (None: no limit is set for their roles)."""
    limits = [
        core.in_force(ApprovalLimit.objects.filter(role=group, document=ApprovalLimit.Document.VARIANCE), on)
        for group in user.groups.all()
    ]
    limits = [lim.max_amount for lim in limits if lim is not None]
    return max(limits) if limits else None


def _authorize(invoice: Invoice, *, acting_user, reason: str) -> tuple[str, Decimal]:
    if invoice.created_by_id == acting_user.pk:
        raise core.NotAllowed("You entered this invoice: another person must approve it.")
    if invoice.status == Invoice.Status.MATCHED:
        if not acting_user.has_perm(APPROVE):
            raise core.NotAllowed("Your role may not approve invoices for payment.")
        return "", ZERO
    if invoice.status not in VARIANCE_FROM:
        raise InvoiceRefused(
            f"Invoice {invoice.number} is {invoice.get_status_display().lower()}: it cannot be approved"
            + (" until its hold is released." if invoice.status == Invoice.Status.HELD else ".")
        )
    if not acting_user.has_perm(APPROVE_VARIANCE):
        raise core.NotAllowed(
            f"Invoice {invoice.number} failed the match: only a supervisor may approve it with a variance."
        )
    reason = (reason or "").strip()
    if not reason:
        raise InvoiceRefused("Approving with a variance needs the reason.")
    variance = variance_of(invoice)
    limit = variance_limit(acting_user, core.city_today())
    if limit is not None and variance > limit:
        raise core.NotAllowed(
            f"The variance ${variance:,.2f} is more than the ${limit:,.2f} your role may approve."
        )
    return reason[:250], variance


def _entry_lines(invoice: Invoice, policy: PayablesPolicy, *, sign: int) -> list[core.Line]:
    lines = list(invoice.lines.select_related("account").order_by("line_no"))
    extra = mr.allocate(invoice.freight + invoice.tax, [ln.amount for ln in lines])
    by_account: dict = defaultdict(lambda: ZERO)
    accounts = {}
    for ln, share in zip(lines, extra, strict=True):
        by_account[ln.account_id] += ln.amount + share
        accounts[ln.account_id] = ln.account
    party = invoice.vendor.party
    memo = f"{invoice.vendor} {invoice.get_kind_display().lower()} {invoice.number}"
    out = []
    for account_id, amount in sorted(by_account.items()):
        side = {"debit": amount} if sign > 0 else {"credit": amount}
        out.append(core.Line(account=accounts[account_id], party=party, memo=memo, **side))
    side = {"credit": invoice.total} if sign > 0 else {"debit": invoice.total}
    out.append(core.Line(account=policy.payable_account, party=party, memo=memo, **side))
    return out


def _post(invoice: Invoice, policy: PayablesPolicy, *, acting_user, today) -> None:
    sign = invoice.sign
    verb = "Vendor invoice" if sign > 0 else "Vendor credit memo"
    invoice.journal_entry = core.journal_post(
        lines=_entry_lines(invoice, policy, sign=sign),
        memo=f"{verb} {invoice.number} from {invoice.vendor}",
        acting_user=acting_user,
        entry_date=today,
        source=invoice,
    )


def _approve_one(invoice: Invoice, policy, *, acting_user, today, now, reason="") -> None:
    _post(invoice, policy, acting_user=acting_user, today=today)
    invoice.status = Invoice.Status.APPROVED
    invoice.approved_by = acting_user
    invoice.approved_at = now
    invoice.variance_reason = reason
    invoice.save(update_fields=["status", "approved_by", "approved_at", "variance_reason", "journal_entry"])


@transaction.atomic
def invoice_approve(*, invoice: Invoice, acting_user, variance_reason: str = "") -> Invoice:
    """Approve for payment: post the expense and the payable, relieve the encumbrance."""
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("vendor__party", "order", "terms")
        .get(pk=invoice.pk)
    )
    if invoice.kind != Invoice.Kind.INVOICE:
        raise InvoiceRefused("A credit memo is approved with the invoice it corrects.")
    # a matched invoice is matched again: receipts or other invoices may have changed since
    if invoice.status == Invoice.Status.MATCHED and not evaluate(invoice).passed:
        raise InvoiceRefused(f"Invoice {invoice.number} no longer passes the match: run the match again.")
    reason, variance = _authorize(invoice, acting_user=acting_user, reason=variance_reason)
    memos = list(
        Invoice.objects.select_for_update(of=("self",))
        .filter(corrects=invoice, kind=Invoice.Kind.CREDIT_MEMO, status=Invoice.Status.MATCHED)
        .order_by("pk")
    )
    for memo in memos:
        if memo.created_by_id == acting_user.pk:
            raise core.NotAllowed(
                f"You entered credit memo {memo.number}: another person must approve this invoice."
            )
    today, now = core.city_today(), timezone.now()
    policy = core.policy_on(PayablesPolicy, today, related=["payable_account"])
    before = invoice.status
    _approve_one(invoice, policy, acting_user=acting_user, today=today, now=now, reason=reason)
    for memo in memos:
        _approve_one(memo, policy, acting_user=acting_user, today=today, now=now)
    relieved = encumbrance_relieve(invoice=invoice, acting_user=acting_user, on=today)
    core.audit(
        actor=acting_user,
        action="payables.invoice_approved",
        obj=invoice,
        before={"status": before},
        after={
            "status": invoice.status,
            "entry": invoice.journal_entry.number,
            "variance": str(variance),
            "credit_memos": [m.number for m in memos],
            "relieved": str(relieved),
        },
        reason=reason,
    )
    return invoice
