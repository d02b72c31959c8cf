"""Invoice audit pages: the list by status, entering an invoice against its order, the invoice
with its match line by line, and the steps on it (match, hold, release, dispute with a letter,
credit memo or corrected invoice, approve). Thin: parse, call one service, message, redirect."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from revenue import services as core
from revenue.access import require_perm
from revenue.documents import pdf_response
from revenue.web import Repeated, post_once

from ..invoice_forms import (
    ApproveForm,
    CorrectionForm,
    DisputeForm,
    HoldForm,
    InvoiceForm,
    MatchForm,
    OrderPickForm,
    ReleaseForm,
)
from ..models import DiscrepancyLetter, Invoice, PurchaseOrder
from ..services.invoice_approval import invoice_approve, variance_of
from ..services.invoice_entry import invoice_enter
from ..services.invoice_exceptions import (
    invoice_correct,
    invoice_dispute,
    invoice_hold,
    invoice_release,
    letter_email,
    letter_pdf,
)
from ..services.invoice_match import invoice_match

VIEW = "payables.view_invoice"
ADD = "payables.add_invoice"
CHANGE = "payables.change_invoice"
APPROVE = "payables.approve_invoice"
DISPUTE = "payables.add_discrepancyletter"
VIEW_LETTER = "payables.view_discrepancyletter"
PER_PAGE = 50


def _invoice(pk) -> Invoice:
    return get_object_or_404(
        Invoice.objects.select_related("vendor__party", "order__terms", "terms", "corrects"), pk=pk
    )


@require_perm(VIEW)
def invoice_list(request):
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:40].replace("\x00", "")
    rows = Invoice.objects.select_related("vendor__party", "order")
    if status in Invoice.Status.values:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(
            Q(number__icontains=q) | Q(vendor__party__name__icontains=q) | Q(order__number__iexact=q)
        )
    page = Paginator(rows.order_by("-received_on", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "payables/invoice_list.html",
        {"page": page, "status": status, "q": q, "statuses": Invoice.Status.choices},
    )


def _order_from(request) -> tuple[PurchaseOrder | None, OrderPickForm]:
    pick = OrderPickForm(request.GET if "order" in request.GET else None)
    if pick.is_bound and pick.is_valid():
        return pick.cleaned_data["order"], pick
    return None, pick


@require_perm(ADD)
@require_http_methods(["GET", "POST"])
def invoice_new(request):
    order, pick = _order_from(request)
    if order is None:
        return render(request, "payables/invoice_pick_order.html", {"pick": pick})
    if request.method == "POST":
        form = InvoiceForm(request.POST, order=order)
    else:
        today = core.city_today()
        form = InvoiceForm(order=order, initial={"received_on": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def work():
            return invoice_enter(
                vendor=order.vendor,
                order=order,
                number=data["number"],
                invoice_date=data["invoice_date"],
                received_on=data["received_on"],
                terms=data["terms"],
                lines=form.lines(),
                freight=data["freight"] or 0,
                tax=data["tax"] or 0,
                total=data["total"],
                acting_user=request.user,
            )

        invoice = post_once(request, form, work)
        if isinstance(invoice, Repeated):
            return redirect(invoice.url or "payables:invoice_list")
        if invoice:
            messages.success(request, f"Invoice {invoice.number} entered; run the match next.")
            if invoice.duplicate_warning:
                messages.warning(request, invoice.duplicate_warning)
            if invoice.w9_warning:
                messages.warning(request, invoice.w9_warning)
            return redirect(invoice)
    return render(request, "payables/invoice_form.html", {"form": form, "order": order})


@require_perm(VIEW)
def invoice_detail(request, pk):
    invoice = _invoice(pk)
    results = {r.line_id: r for r in invoice.match_results.all()}
    lines = list(invoice.lines.select_related("po_line", "account").order_by("line_no"))
    for line in lines:
        line.result = results.get(line.pk)
    variance = None
    if invoice.status in (Invoice.Status.EXCEPTION, Invoice.Status.DISPUTED):
        try:
            variance = variance_of(invoice)
        except core.RevenueError:
            variance = None
    today = core.city_today()
    return render(
        request,
        "payables/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": lines,
            "invoice_result": results.get(None),
            "letters": list(invoice.letters.order_by("-pk")),
            "corrections": list(invoice.corrections.order_by("pk")),
            "variance": variance,
            "match_form": MatchForm(),
            "hold_form": HoldForm(initial={"follow_up_on": today + datetime.timedelta(days=14)}),
            "release_form": ReleaseForm(),
            "dispute_form": DisputeForm(initial={"respond_by": today + datetime.timedelta(days=14)}),
            "approve_form": ApproveForm(),
            "S": Invoice.Status,
            "audit": core.audit_trail(invoice),
        },
    )


def _step(request, pk, form_class, work, done):
    """A POST step on an invoice: bind the form, run the service once, say what happened."""
    invoice = _invoice(pk)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect(invoice)
    result = post_once(request, form, lambda: work(invoice, form.cleaned_data))
    if result is None:
        for e in form.non_field_errors():
            messages.error(request, e)
    elif not isinstance(result, Repeated):
        messages.success(request, done(result))
    return redirect(invoice)


@require_perm(CHANGE)
@require_POST
def invoice_match_run(request, pk):
    def done(result):
        if result.passed:
            return "The invoice passed the match: it is ready for approval."
        return f"The invoice failed {len(result.all_failures())} check(s): it is an exception."

    return _step(
        request,
        pk,
        MatchForm,
        lambda inv, d: invoice_match(invoice=inv, acting_user=request.user),
        done,
    )


@require_perm(CHANGE)
@require_POST
def invoice_hold_view(request, pk):
    return _step(
        request,
        pk,
        HoldForm,
        lambda inv, d: invoice_hold(
            invoice=inv, reason=d["reason"], follow_up_on=d["follow_up_on"], acting_user=request.user
        ),
        lambda inv: (
            f"Invoice {inv.number} held until the evidence comes; follow up {inv.follow_up_on:%m/%d/%Y}."
        ),
    )


@require_perm(CHANGE)
@require_POST
def invoice_release_view(request, pk):
    return _step(
        request,
        pk,
        ReleaseForm,
        lambda inv, d: invoice_release(invoice=inv, note=d["note"], acting_user=request.user),
        lambda inv: f"Hold released: invoice {inv.number} is {inv.get_status_display().lower()}.",
    )


@require_perm(DISPUTE)
@require_POST
def invoice_dispute_view(request, pk):
    invoice = _invoice(pk)
    form = DisputeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect(invoice)
    d = form.cleaned_data
    letter = post_once(
        request,
        form,
        lambda: invoice_dispute(
            invoice=invoice,
            respond_by=d["respond_by"],
            sent_by=d["sent_by"],
            emailed_to=d["emailed_to"],
            acting_user=request.user,
        ),
    )
    if letter is None:
        for e in form.non_field_errors():
            messages.error(request, e)
    elif not isinstance(letter, Repeated):
        if letter.emailed_to:
            try:
                letter_email(letter, request=request)
                messages.success(
                    request, f"Invoice disputed: letter {letter.number} e-mailed to {letter.emailed_to}."
                )
            except OSError:
                messages.error(
                    request, f"Letter {letter.number} is recorded but the e-mail failed: print it."
                )
        else:
            messages.success(
                request, f"Invoice disputed: discrepancy letter {letter.number} is ready to print."
            )
    return redirect(invoice)


@require_perm(APPROVE)
@require_POST
def invoice_approve_view(request, pk):
    return _step(
        request,
        pk,
        ApproveForm,
        lambda inv, d: invoice_approve(
            invoice=inv, variance_reason=d["variance_reason"], acting_user=request.user
        ),
        lambda inv: f"Invoice {inv.number} approved for payment (entry {inv.journal_entry.number}).",
    )


@require_perm(ADD)
@require_http_methods(["GET", "POST"])
def invoice_correct_view(request, pk):
    original = _invoice(pk)
    if original.order is None:
        messages.error(request, "Only an invoice against an order is corrected here.")
        return redirect(original)
    if request.method == "POST":
        form = CorrectionForm(request.POST, order=original.order)
    else:
        initial = {
            "received_on": core.city_today(),
            "kind": request.GET.get("kind", Invoice.Kind.CREDIT_MEMO),
        }
        form = CorrectionForm(order=original.order, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def work():
            return invoice_correct(
                original=original,
                kind=data["kind"],
                number=data["number"],
                invoice_date=data["invoice_date"],
                received_on=data["received_on"],
                lines=form.lines(),
                freight=data["freight"] or 0,
                tax=data["tax"] or 0,
                total=data["total"],
                acting_user=request.user,
            )

        document = post_once(request, form, work)
        if isinstance(document, Repeated):
            return redirect(document.url or original)
        if document:
            messages.success(request, f"{document.get_kind_display()} {document.number} entered and matched.")
            return redirect(document if document.kind == Invoice.Kind.INVOICE else original)
    return render(request, "payables/invoice_correct.html", {"form": form, "original": original})


@require_perm(VIEW_LETTER)
def letter_pdf_view(request, number):
    letter = get_object_or_404(
        DiscrepancyLetter.objects.select_related("invoice__vendor__party", "invoice__order__terms"),
        number=number,
    )
    pdf = letter_pdf(letter, request=request)
    return pdf_response(pdf, f"{letter.number}.pdf")


urlpatterns = [
    path("invoices/", invoice_list, name="invoice_list"),
    path("invoices/new/", invoice_new, name="invoice_new"),
    path("invoices/<int:pk>/", invoice_detail, name="invoice"),
    path("invoices/<int:pk>/match/", invoice_match_run, name="invoice_match"),
    path("invoices/<int:pk>/hold/", invoice_hold_view, name="invoice_hold"),
    path("invoices/<int:pk>/release/", invoice_release_view, name="invoice_release"),
    path("invoices/<int:pk>/dispute/", invoice_dispute_view, name="invoice_dispute"),
    path("invoices/<int:pk>/approve/", invoice_approve_view, name="invoice_approve"),
    path("invoices/<int:pk>/correct/", invoice_correct_view, name="invoice_correct"),
    path("letters/<str:number>.pdf", letter_pdf_view, name="discrepancy_letter"),
]
