"""An invoice that failed the match: held pending evidence (a reason and a follow-up date; a
held invoice is never paid: the database refuses a payment line for any invoice that is not
approved, migration 0003), or disputed with a discrepancy letter to the vendor naming each
problem. A vendor's credit memo or corrected invoice resolves it: the memo is netted into the
invoice's match, the corrected invoice replaces it (the original is voided)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from revenue import services as core
from revenue.documents import render_pdf

from ..models import DiscrepancyLetter, Invoice, MatchResult
from .invoice_entry import InvoiceRefused, NewLine, invoice_enter
from .invoice_match import match_store

HOLDABLE = (
    Invoice.Status.ENTERED,
    Invoice.Status.MATCHED,
    Invoice.Status.EXCEPTION,
    Invoice.Status.DISPUTED,
    Invoice.Status.APPROVED,
)
DISPUTABLE = (Invoice.Status.EXCEPTION, Invoice.Status.HELD)
OPEN_EXCEPTION = (Invoice.Status.EXCEPTION, Invoice.Status.HELD, Invoice.Status.DISPUTED)
LETTER_KIND = "DL"


def _locked(invoice: Invoice) -> Invoice:
    return (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("vendor__party", "vendor__terms", "order__terms", "terms")
        .get(pk=invoice.pk)
    )


def _reason(text: str, *, what: str = "A reason") -> str:
    text = (text or "").strip()
    if not text:
        raise InvoiceRefused(f"{what} is required.")
    if len(text) > 250:
        raise InvoiceRefused(f"{what} is longer than 250 characters.")
    return text


@transaction.atomic
def invoice_hold(*, invoice: Invoice, reason: str, follow_up_on: datetime.date, acting_user) -> Invoice:
    """Withhold payment pending evidence: the reason and the day to follow up are required. An
    invoice already in a payment run must have its payment voided first (the database says so
    too)."""
    invoice = _locked(invoice)
    reason = _reason(reason, what="The reason for the hold")
    if invoice.status not in HOLDABLE:
        raise InvoiceRefused(
            f"Invoice {invoice.number} is {invoice.get_status_display().lower()}: it cannot be held."
        )
    if follow_up_on < core.city_today():
        raise InvoiceRefused("The follow-up date cannot be in the past.")
    if invoice.payment_lines.filter(voided=False).exists():
        raise InvoiceRefused(
            f"Invoice {invoice.number} is in a payment run: void its payment before holding it."
        )
    before = invoice.status
    invoice.status = Invoice.Status.HELD
    invoice.hold_reason = reason
    invoice.follow_up_on = follow_up_on
    invoice.held_at = timezone.now()
    invoice.held_by = acting_user
    invoice.save(update_fields=["status", "hold_reason", "follow_up_on", "held_at", "held_by"])
    core.audit(
        actor=acting_user,
        action="payables.invoice_held",
        obj=invoice,
        before={"status": before},
        after={"status": invoice.status, "follow_up_on": follow_up_on.isoformat()},
        reason=reason,
    )
    return invoice


@transaction.atomic
def invoice_release(*, invoice: Invoice, note: str, acting_user) -> Invoice:
    """The evidence came: release the hold. An invoice approved before its hold goes back to
    approved (its entry stands); any other is matched again."""
    invoice = _locked(invoice)
    note = _reason(note, what="What was received (the evidence)")
    if invoice.status != Invoice.Status.HELD:
        raise InvoiceRefused(f"Invoice {invoice.number} is not held.")
    if not invoice.vendor.w9_on_file and invoice.hold_reason.startswith("No W-9"):
        raise InvoiceRefused(f"{invoice.vendor} still has no W-9 on file: record it on the vendor first.")
    invoice.hold_reason = ""
    invoice.follow_up_on = None
    if invoice.journal_entry_id:
        invoice.status = Invoice.Status.APPROVED
        invoice.save(update_fields=["status", "hold_reason", "follow_up_on"])
    else:
        invoice.status = Invoice.Status.ENTERED
        invoice.save(update_fields=["status", "hold_reason", "follow_up_on"])
        match_store(invoice=invoice, acting_user=acting_user)
    core.audit(
        actor=acting_user,
        action="payables.invoice_released",
        obj=invoice,
        before={"status": Invoice.Status.HELD},
        after={"status": invoice.status},
        reason=note,
    )
    return invoice


def problems_of(invoice: Invoice) -> list[dict]:
    """The failing checks of the stored match, as a letter names them: line, check, sentence."""
    problems = []
    for row in MatchResult.objects.filter(invoice=invoice).select_related("line").order_by("line__line_no"):
        for failure in row.failures:
            problems.append(
                {
                    "line": row.line.line_no if row.line else None,
                    "description": row.line.description if row.line else "",
                    "check": failure.get("check", ""),
                    "label": failure.get("label", ""),
                    "message": failure.get("message", ""),
                }
            )
    return problems


@transaction.atomic
def invoice_dispute(
    *,
    invoice: Invoice,
    respond_by: datetime.date,
    acting_user,
    sent_by: str = DiscrepancyLetter.Sent.PRINT,
    emailed_to: str = "",
) -> DiscrepancyLetter:
    """Dispute an invoice in exception (or held) with the vendor: a numbered discrepancy letter
    naming each failing check, kept as sent; the invoice is disputed until a credit memo or a
    corrected invoice resolves it or a supervisor approves the variance."""
    invoice = _locked(invoice)
    if invoice.status not in DISPUTABLE:
        raise InvoiceRefused(
            f"Invoice {invoice.number} is {invoice.get_status_display().lower()}: only an invoice "
            "in exception or held is disputed."
        )
    problems = problems_of(invoice)
    if not problems:
        raise InvoiceRefused(f"Invoice {invoice.number} has no failing check to put to the vendor.")
    if respond_by <= core.city_today():
        raise InvoiceRefused("The date to respond by must be after today.")
    if sent_by == DiscrepancyLetter.Sent.EMAIL and not emailed_to:
        emailed_to = invoice.vendor.contact_email
        if not emailed_to:
            raise InvoiceRefused(f"{invoice.vendor} has no contact e-mail: print the letter instead.")
    letter = DiscrepancyLetter.objects.create(
        invoice=invoice,
        number=core.number_next(kind=LETTER_KIND),
        problems=problems,
        sent_by=sent_by,
        emailed_to=emailed_to if sent_by == DiscrepancyLetter.Sent.EMAIL else "",
        respond_by=respond_by,
        created_by=acting_user,
    )
    before = invoice.status
    invoice.status = Invoice.Status.DISPUTED
    invoice.hold_reason = ""
    invoice.follow_up_on = None
    invoice.save(update_fields=["status", "hold_reason", "follow_up_on"])
    core.audit(
        actor=acting_user,
        action="payables.invoice_disputed",
        obj=invoice,
        before={"status": before},
        after={"status": invoice.status, "letter": letter.number, "problems": len(problems)},
    )
    return letter


@transaction.atomic
def invoice_correct(
    *,
    original: Invoice,
    kind: str,
    number: str,
    invoice_date: datetime.date,
    received_on: datetime.date,
    lines: list[NewLine],
    total,
    freight=0,
    tax=0,
    acting_user,
) -> Invoice:
    """Enter the vendor's credit memo or corrected invoice for an invoice in exception, held or
    disputed, and settle it:
    - a credit memo is netted into the original's match; when the original now passes it is
      matched (ready for approval) and the memo with it;
    - a corrected invoice replaces the original, which is voided, and is matched itself."""
    original = _locked(original)
    if original.status not in OPEN_EXCEPTION:
        raise InvoiceRefused(
            f"Invoice {original.number} is {original.get_status_display().lower()}: nothing to resolve."
        )
    document = invoice_enter(
        vendor=original.vendor,
        number=number,
        invoice_date=invoice_date,
        received_on=received_on,
        lines=lines,
        total=total,
        freight=freight,
        tax=tax,
        terms=original.terms,
        order=original.order,
        kind=kind,
        corrects=original,
        acting_user=acting_user,
    )
    if kind == Invoice.Kind.CREDIT_MEMO:
        memo_result = match_store(invoice=document, acting_user=acting_user)
        if not memo_result.passed:
            raise InvoiceRefused(
                "The credit memo does not add up: "
                + "; ".join(f.message for _, f in memo_result.all_failures())
            )
        before = original.status
        original.status = Invoice.Status.ENTERED
        original.hold_reason, original.follow_up_on = "", None
        original.save(update_fields=["status", "hold_reason", "follow_up_on"])
        result = match_store(invoice=original, acting_user=acting_user)
        action, after = "payables.invoice_credited", {"status": original.status, "passed": result.passed}
    else:
        before = original.status
        original.status = Invoice.Status.VOID
        original.hold_reason, original.follow_up_on = "", None
        original.void_reason = f"Replaced by the corrected invoice {document.number}."
        original.save(update_fields=["status", "hold_reason", "follow_up_on", "void_reason"])
        match_store(invoice=document, acting_user=acting_user)
        action, after = "payables.invoice_replaced", {"status": original.status}
    core.audit(
        actor=acting_user,
        action=action,
        obj=original,
        before={"status": before},
        after={**after, "by": document.number},
    )
    return document


def letter_pdf(letter: DiscrepancyLetter, *, request=None) -> bytes:
    invoice = letter.invoice
    return render_pdf(
        "payables/print/discrepancy_letter.html",
        {"letter": letter, "invoice": invoice, "vendor": invoice.vendor},
        request=request,
    )


def letter_email(letter: DiscrepancyLetter, *, request=None) -> None:
    """Send an e-mailed letter (after its dispute committed: slow and external work stays
    outside the transaction). A failure leaves the letter recorded; the clerk prints it."""
    invoice = letter.invoice
    message = EmailMessage(
        subject=f"{settings.CITY_NAME}: your invoice {invoice.number} ({letter.number})",
        body=(
            f"We cannot pay your invoice {invoice.number} dated {invoice.invoice_date:%m/%d/%Y} as billed. "
            f"The attached letter {letter.number} lists each problem. Please send a credit memo or a "
            f"corrected invoice by {letter.respond_by:%m/%d/%Y}.\n\n{settings.CITY_DEPARTMENT}\n"
            f"{settings.CITY_ADDRESS}"
        ),
        to=[letter.emailed_to],
    )
    message.attach(f"{letter.number}.pdf", letter_pdf(letter, request=request), "application/pdf")
    message.send()
