"""A receipt: its page, its print (original, then DUPLICATE), its e-mail and its void."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from revenue import services as core
from revenue.access import require_perm
from revenue.auth import countersign
from revenue.documents import pdf_response
from revenue.exceptions import RevenueError
from revenue.web import Repeated, post_once

from .. import selectors, services
from ..forms import VoidForm
from ..models import Receipt, Tender


def _receipt(number):
    return get_object_or_404(
        Receipt.objects.select_related("session__drawer", "session__clerk", "party", "created_by", "payment"),
        number=number,
    )


def _returnable(request, receipt: Receipt) -> list[Tender]:
    """The receipt's deposited checks the user may record as returned by the bank."""
    if not request.user.has_perm("cashiering.return_check") or receipt.status != Receipt.Status.POSTED:
        return []
    return [
        t
        for t in receipt.tenders.all()
        if t.kind == Tender.Kind.CHECK
        and t.confirmed
        and receipt.session.deposit_id
        and not hasattr(t, "returned")
    ]


@require_perm("cashiering.view_receipt")
def receipt_detail(request, number):
    receipt = _receipt(number)
    lines = selectors.receipt_lines(receipt)
    void = selectors.void_request(receipt)
    void_pending = void is not None and void.status == void.Status.PENDING
    return render(
        request,
        "cashiering/receipt_detail.html",
        {
            "receipt": receipt,
            "lines": lines,
            "offers": selectors.receipt_offers(receipt, [ln.charge for ln in lines if ln.charge_id], request),
            "tenders": receipt.tenders.all(),
            "new": request.GET.get("new") == "1",
            "print_layouts": [("80mm", "receipt"), ("letter", "letter size")],
            "returnable": _returnable(request, receipt),
            "returned_checks": receipt.returned_checks.all(),
            "void": void,
            "void_pending": void_pending,
            "can_void": receipt.status == Receipt.Status.POSTED
            and receipt.session.is_open
            and request.user.has_perm("revenue.request_exception"),
            "audit_events": core.audit_trail(receipt),
        },
    )


@require_perm("cashiering.view_receipt")
def receipt_pdf(request, number, layout) -> HttpResponse:
    """A receipt's PDF to read: always marked DUPLICATE, or COPY · VIEW ONLY for a role that does
    not print. The original comes only once, as the answer to the counted print (a POST)."""
    receipt = _receipt(number)
    if layout not in ("roll", "letter"):
        raise Http404("No such layout.")
    view_only = not request.user.has_perm("cashiering.print_receipt")  # the auditor reads, never prints
    pdf = services.receipt_pdf(receipt, layout=layout, duplicate=True, view_only=view_only, request=request)
    return pdf_response(pdf, f"{receipt.number}-{layout}{'-copy' if view_only else ''}.pdf")


@require_perm("cashiering.print_receipt")
@require_POST
def receipt_print(request, number):
    receipt = _receipt(number)
    try:
        copy = services.receipt_printed(receipt=receipt, acting_user=request.user)
    except RevenueError as exc:
        messages.error(request, str(exc))
        return redirect(receipt)
    layout = request.POST.get("layout")
    duplicate, copy = copy != 1, copy - 1 if copy > 1 else 0
    if layout == "80mm":  # the roll as a page the counter's browser prints itself (kiosk printing)
        context = services.receipt_print_context(receipt, duplicate=duplicate, copy=copy)
        response = render(request, "cashiering/print/receipt_80mm.html", {**context, "autoprint": True})
        response["X-Receipt-Print"] = "80mm"  # the receipt page's script prints only this answer
        return response
    layout = "letter" if layout == "letter" else "roll"
    pdf = services.receipt_pdf(receipt, layout=layout, duplicate=duplicate, copy=copy, request=request)
    return pdf_response(pdf, f"{receipt.number}-{layout}.pdf")  # the original only here, only once


@require_perm("cashiering.email_receipt")
@require_POST
def receipt_email(request, number):
    """E-mail a copy (marked DUPLICATE: the payer already has the original) to the payer."""
    receipt = _receipt(number)
    try:
        address = services.receipt_email(
            receipt=receipt, address=request.POST.get("email", ""), acting_user=request.user, request=request
        )
    except RevenueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Receipt {receipt.number} e-mailed to {address}.")
    return redirect(receipt)


@require_perm("revenue.request_exception")
@require_http_methods(["GET", "POST"])
def receipt_void(request, number):
    """Ask to void; or a supervisor at the window approves it on the spot with their password."""
    receipt = _receipt(number)
    pending = selectors.void_request(receipt)
    pending = pending if pending and pending.status == pending.Status.PENDING else None
    form = VoidForm(request.POST or None, pending=pending)
    if request.method == "POST" and form.is_valid():
        req = _void_post(request, form, receipt, pending)
        if isinstance(req, Repeated):
            return redirect(receipt)
        if req:
            if req.status == req.Status.PERFORMED:
                messages.success(request, f"Receipt {receipt.number} voided within your limit.")
            elif req.status == req.Status.APPROVED:
                who = req.decided_by.get_full_name() or req.decided_by.username
                messages.success(
                    request, f"Receipt {receipt.number} voided, approved at the window by {who}."
                )
            else:
                messages.success(request, f"Void of {receipt.number} requested; a supervisor will decide.")
            return redirect(receipt)
    return render(
        request,
        "cashiering/receipt_void.html",
        {
            "receipt": receipt,
            "form": form,
            "pending": pending,
            "lines": selectors.receipt_lines(receipt),
            "tenders": receipt.tenders.all(),
            "limit": core.exception_limit(user=request.user, kind="void"),
        },
    )


def _void_post(request, form, receipt, pending):
    """The supervisor's password is checked first, outside the posting transaction, so that
    django-axes keeps the count of a wrong one; then the request and its decision in one."""
    reason = pending.reason if pending else form.cleaned_data["reason"]
    if not form.at_window:
        if pending:
            form.add_error(None, "A void of this receipt is already waiting for a supervisor.")
            return None
        return post_once(
            request,
            form,
            lambda: services.receipt_void_request(receipt=receipt, reason=reason, acting_user=request.user),
        )
    try:
        approver = countersign(
            request,
            username=form.cleaned_data["supervisor"],
            password=form.cleaned_data["supervisor_password"],
            token=form.cleaned_data["supervisor_code"],
        )
    except RevenueError as exc:
        form.add_error(None, str(exc))
        return None
    return post_once(
        request,
        form,
        lambda: services.receipt_void_at_window(
            receipt=receipt, reason=reason, acting_user=request.user, approver=approver
        ),
    )
