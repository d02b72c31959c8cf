"""Reads of invoices: the receivables policy in force, an invoice's balance, payments and
approvals, and open invoices with their balance (one query).

An invoice's charges are every core charge billed under its number: its lines and any late fee
a dunning run assessed on it (the fee carries the invoice number, so the counter collects it
with the invoice)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from revenue import services as core
from revenue.models import ApprovalRequest, Charge, Party, PaymentApplication

from ..models import ZERO, CreditMemo, Invoice, ReceivablesPolicy


def policy_on(on: datetime.date | None = None) -> ReceivablesPolicy:
    """The receivables policy in force on a date (default today); NoPolicyInForce when none is."""
    return core.policy_on(ReceivablesPolicy, on, related=("receivable_account",))


def aging_edges(policy: ReceivablesPolicy) -> list[int]:
    """The policy's bucket edges in days, ascending."""
    return sorted(int(e) for e in (policy.aging_edges or []))


def content_type_id(model) -> int:
    return ContentType.objects.get_for_model(model).pk


def sql_rows(sql: str, params) -> list[dict]:
    """The rows of a query as dicts keyed by column name."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# --------------------------------------------------------------------------- one invoice


def invoice_balance(invoice: Invoice) -> Decimal:
    """What is owed under the invoice's number now (its lines and anything billed on it since)."""
    return invoice.charges().balance_total()


def lines_balance(invoice: Invoice) -> Decimal:
    """What is open on the invoice's own lines (what a credit memo can reduce)."""
    return Charge.objects.filter(invoice_line__invoice=invoice).balance_total()


def invoice_payments(invoice: Invoice) -> list[dict]:
    """The payments applied to the invoice's charges, one row per payment, oldest first."""
    rows: dict[int, dict] = {}
    apps = (
        PaymentApplication.objects.filter(charge__in=invoice.charges())
        .select_related("payment", "payment__reversal_entry")
        .order_by("payment__received_on", "payment_id")
    )
    for app in apps:
        row = rows.setdefault(app.payment_id, {"payment": app.payment, "amount": ZERO})
        row["amount"] += app.amount
    return list(rows.values())


def approval_for(memo: CreditMemo) -> ApprovalRequest | None:
    """The approval request of a credit memo (the latest, should there be more)."""
    return (
        ApprovalRequest.objects.filter(
            kind=ApprovalRequest.Kind.WAIVER, target_type=content_type_id(CreditMemo), target_id=memo.pk
        )
        .order_by("-pk")
        .first()
    )


def write_off_requests(invoice: Invoice, *, limit: int = 5):
    """The latest write-off requests of an invoice."""
    return ApprovalRequest.objects.filter(
        kind=ApprovalRequest.Kind.WRITE_OFF, target_type=content_type_id(Invoice), target_id=invoice.pk
    ).order_by("-requested_at")[:limit]


def invoice_totals(invoices) -> dict:
    """Total and balance of every invoice in a queryset: one aggregate over the invoices and one
    over their charges (dunning fees included, as in `with_balance`)."""
    total = invoices.aggregate(total=Sum("total"))["total"]
    balance = Charge.objects.filter(
        source_type_id=content_type_id(Invoice), source_id__in=invoices.values("pk")
    ).balance_total()
    return {"total": total or ZERO, "balance": balance}


def with_balance(invoices):
    """Annotate a queryset of invoices with `balance` (owed now) in the same query."""
    charges = (
        Charge.objects.filter(source_type_id=content_type_id(Invoice), source_id=OuterRef("pk"))
        .with_balance()
        .order_by()
        .values("source_id")
        .annotate(b=Sum("open_balance"))
        .values("b")
    )
    return invoices.annotate(balance=Coalesce(Subquery(charges), ZERO))


def open_invoices(party: Party, today: datetime.date) -> list[Invoice]:
    """A customer's open invoices, oldest due first, with balance, days past due and notices."""
    invoices = list(
        with_balance(Invoice.objects.filter(party=party, status=Invoice.Status.OPEN))
        .order_by("due_on", "number")
        .prefetch_related("notices")
    )
    for inv in invoices:
        inv.days_past_due = (today - inv.due_on).days
    return invoices
