"""Payments by mail: batches and their remittances."""

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from revenue.access import require_perm
from revenue.documents import pdf_response, render_pdf
from revenue.exceptions import RevenueError
from revenue.web import Repeated, post_once

from .. import services
from ..forms import BatchForm, RemittanceForm, RemittanceResolveForm
from ..models import MailBatch, Remittance, SuspenseItem
from .common import record_id


@require_perm("cashiering.take_payment")
@require_http_methods(["GET", "POST"])
def batch_list(request):
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(
                control_count=form.cleaned_data["control_count"],
                control_total=form.cleaned_data["control_total"],
                acting_user=request.user,
            )
        except RevenueError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(batch)
    batches = MailBatch.objects.select_related("created_by").annotate(
        keyed=Count("remittances"),
        keyed_total=Sum("remittances__amount"),
        exceptions=Count("remittances", filter=~Q(remittances__status__in=["ready", "posted"])),
    )[:50]
    open_suspense = (
        SuspenseItem.objects.filter(status=SuspenseItem.Status.OPEN).count()
        if request.user.has_perm("cashiering.view_suspenseitem")
        else 0
    )
    return render(
        request,
        "cashiering/batch_list.html",
        {"form": form, "batches": batches, "open_suspense": open_suspense},
    )


@require_perm("cashiering.take_payment")
@require_http_methods(["GET", "POST"])
def batch_detail(request, number):
    batch = get_object_or_404(MailBatch, number=number)
    form = RemittanceForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "post":
        try:
            services.batch_post(batch=batch, acting_user=request.user)
        except RevenueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{batch} posted.")
        return redirect(batch)
    if request.method == "POST" and request.POST.get("action") == "resolve":
        _resolve(request, batch)
        return redirect(batch)
    if request.method == "POST" and request.POST.get("action") == "remove":
        remittance = get_object_or_404(batch.remittances, pk=record_id(request.POST.get("remittance")))
        try:
            services.remittance_remove(remittance=remittance, acting_user=request.user)
        except RevenueError as exc:
            messages.error(request, str(exc))
        return redirect(batch)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "token"}
        remittance = post_once(
            request, form, lambda: services.remittance_add(batch=batch, acting_user=request.user, **data)
        )
        if isinstance(remittance, Repeated):
            return redirect(batch)
        if remittance:
            if remittance.status == remittance.Status.EXCEPTION:
                messages.warning(request, f"Kept as an exception: {remittance.exception_reason}")
            return redirect(batch)
    count, total = services.batch_totals(batch)
    tally = services.batch_tally(batch)
    return render(
        request,
        "cashiering/batch_detail.html",
        {
            "batch": batch,
            "form": form,
            "count": count,
            "total": total,
            "tally": tally,
            "balanced": tally.balanced,
            "remittances": batch.remittances.select_related("receipt__payment", "party", "suspense_item"),
            "session": services.session_for(request.user),
            "resolve_choices": RemittanceResolveForm.HOW,
            "can_see_suspense": request.user.has_perm("cashiering.view_suspenseitem"),
        },
    )


def _resolve(request, batch: MailBatch) -> None:
    form = RemittanceResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return
    remittance = get_object_or_404(batch.remittances, pk=form.cleaned_data["remittance"])
    try:
        remittance = services.remittance_resolve(
            remittance=remittance,
            how=form.cleaned_data["how"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        )
    except RevenueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Check {remittance.check_number}: {remittance.get_status_display().lower()}."
        )


@require_perm("cashiering.take_payment")
def remittance_letter(request, number, pk):
    """The letter that goes back with a returned check (the return itself is recorded and audited)."""
    remittance = get_object_or_404(
        Remittance.objects.select_related("batch", "party", "resolved_by"),
        batch__number=number,
        pk=pk,
        status=Remittance.Status.RETURNED,
    )
    context = {
        "amount": remittance.amount,
        "check_number": remittance.check_number,
        "name": remittance.name_on_check,
        "party": remittance.party,
        "reason": remittance.return_reason,
        "reference": f"{remittance.batch.number}-{remittance.pk}",
        "on": remittance.resolved_at,
        "refund": False,
    }
    pdf = render_pdf("cashiering/print/return_letter.html", context, request=request)
    return pdf_response(pdf, f"return-{remittance.batch.number}-{remittance.pk}.pdf")
