"""Reads for the counter's pages and reports."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from revenue import services as core
from revenue.extensions import search_finder
from revenue.models import ZERO, ApprovalRequest
from revenue.selectors import DocumentHit

from .models import CashierSession, Receipt

TENDER_GROUPS = ("cash", "checks", "cards")


def day_sessions(day: datetime.date):
    """A business day's sessions with their receipt and void counts and what they took."""
    posted = Q(receipts__status=Receipt.Status.POSTED)
    return (
        CashierSession.objects.filter(business_date=day)
        .select_related("drawer", "clerk", "signed_off_by")
        .annotate(
            receipt_count=Count("receipts", filter=posted, distinct=True),
            void_count=Count("receipts", filter=Q(receipts__status=Receipt.Status.VOIDED), distinct=True),
            taken=Sum("receipts__total", filter=posted),
        )
        .order_by("drawer__code", "opened_at")
    )


def counted_totals(sessions) -> dict[str, object]:
    """What the day's drawers counted, per tender group."""
    return {k: sum(((getattr(s, f"counted_{k}") or ZERO) for s in sessions), ZERO) for k in TENDER_GROUPS}


def sessions_visible_to(user):
    """Every session for a supervisor or an auditor; a clerk's own otherwise."""
    qs = CashierSession.objects.select_related("drawer", "clerk", "signed_off_by")
    if user.has_perm("cashiering.view_cashiersession") and (
        user.has_perm("cashiering.sign_off_session") or user.has_perm("cashiering.view_tender")
    ):
        return qs
    return qs.filter(clerk=user)


def sessions_ready_to_deposit():
    """Signed-off sessions not yet in a deposit that have cash above their float or a confirmed check."""
    return (
        CashierSession.objects.filter(status=CashierSession.Status.SIGNED_OFF, deposit__isnull=True)
        .select_related("drawer", "clerk")
        .annotate(cash_to_deposit=F("counted_cash") - F("opening_float"))
        .filter(
            Q(cash_to_deposit__gt=0)
            | Q(receipts__tenders__confirmed=True)
            | Q(suspense_items__confirmed=True)
        )
        .distinct()
        .order_by("business_date", "drawer__code")
    )


def receipt_offers(receipt: Receipt, charges: list, request) -> list[dict]:
    """What the receipt page offers beside the receipt: the documents its payment brought about,
    as the duty apps say (`revenue.extensions.receipt_offer`); nothing for a voided receipt."""
    from revenue.extensions import receipt_offers as offers

    if receipt.status != Receipt.Status.POSTED or not charges:
        return []
    return [offer for fn in offers for offer in (fn(charges, request) or [])]


def receipt_lines(receipt: Receipt) -> list:
    """A receipt's lines, each with `detail`: what it paid for, in the words of the app that owns
    the charge (a citation's plate, a license's period), for the page and every print."""
    lines = list(receipt.lines.select_related("charge").order_by("pk"))
    details = core.charge_details([line.charge for line in lines])
    for line in lines:
        line.detail = details.get(line.charge_id, "")
    return lines


def void_request(receipt: Receipt):
    """The receipt's void request that is pending or that voided it (who asked, who approved)."""
    return (
        ApprovalRequest.objects.filter(
            kind=ApprovalRequest.Kind.VOID,
            target_type=ContentType.objects.get_for_model(Receipt),
            target_id=receipt.pk,
            status__in=[
                ApprovalRequest.Status.PENDING,
                ApprovalRequest.Status.APPROVED,
                ApprovalRequest.Status.PERFORMED,
            ],
        )
        .select_related("requested_by", "decided_by")
        .order_by("-pk")
        .first()
    )


@search_finder
def _receipt_by_number(text: str, *, user, limit: int) -> list[DocumentHit]:
    """A receipt's number (a scanned receipt) finds the receipt, for those who may read receipts."""
    if not user.has_perm("cashiering.view_receipt"):
        return []
    return [
        DocumentHit(
            "Receipt",
            r.number,
            f"${r.total:,.2f} on {timezone.localtime(r.created_at):%m/%d/%Y}"
            + (" (voided)" if r.status == Receipt.Status.VOIDED else ""),
            r.party,
            r.get_absolute_url(),
        )
        for r in Receipt.objects.filter(number__iexact=text.strip()).select_related("party")[:limit]
    ]


def day_mail_exceptions(day: datetime.date) -> list[tuple]:
    """The day's mail payment exceptions, for the reconciliation: checks applied with the overage
    to credit, held in suspense or returned to the sender (in batches posted into that day's
    sessions), and suspense items resolved that day. Rows: kind, batch or item, check, name,
    payer, amount, credit or reference, note."""
    from .models import Remittance, SuspenseItem

    remittances = (
        Remittance.objects.filter(batch__session__business_date=day)
        .filter(Q(status=Remittance.Status.POSTED, to_credit=True) | Q(status__in=["suspense", "returned"]))
        .select_related("batch", "party", "receipt__payment", "suspense_item")
        .order_by("batch__number", "pk")
    )
    rows = []
    for r in remittances:
        if r.status == Remittance.Status.POSTED:
            kind, ref, note = (
                "Overage to credit",
                r.receipt.number,
                f"{r.receipt.payment.credit_amount:,.2f} on account",
            )
        elif r.status == Remittance.Status.SUSPENSE:
            kind, ref, note = "Held in suspense", getattr(r.suspense_item, "number", ""), r.exception_reason
        else:
            kind, ref, note = "Returned to sender", "letter", r.return_reason
        payer = r.party.name if r.party else ""
        rows.append((kind, r.batch.number, r.check_number, r.name_on_check, payer, r.amount, ref, note))
    resolved = (
        SuspenseItem.objects.filter(resolved_at__date=day)  # the city's day (the current time zone)
        .select_related("party")
        .order_by("number")
    )
    for i in resolved:
        kind = "Suspense applied" if i.status == SuspenseItem.Status.APPLIED else "Suspense returned (refund)"
        payer = i.party.name if i.party else ""
        rows.append((kind, i.number, i.check_number, i.name_on_check, payer, i.amount, "", i.resolution_note))
    return rows
