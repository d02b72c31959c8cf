"""Payments by mail: batches and their remittances."""

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from revenue.access import require_perm
from revenue.exceptions import RevenueError
from revenue.web import Repeated, post_once

from .. import services
from ..forms import BatchForm, RemittanceForm
from ..models import MailBatch
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
        exceptions=Count("remittances", filter=Q(remittances__status="exception")),
    )[:50]
    return render(request, "cashiering/batch_list.html", {"form": form, "batches": batches})


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
    return render(
        request,
        "cashiering/batch_detail.html",
        {
            "batch": batch,
            "form": form,
            "count": count,
            "total": total,
            "balanced": (count, total) == (batch.control_count, batch.control_total),
            "remittances": batch.remittances.select_related("receipt", "party"),
            "session": services.session_for(request.user),
        },
    )
