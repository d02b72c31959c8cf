"""The fine schedule: violation codes by their number, and on each code's page its fines from a
date with their late penalty tiers and the range the officer may write, added by a supervisor in
one form."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from revenue import services as core
from revenue.access import require_perm
from revenue.web import Repeated, post_once

from .. import selectors
from .. import services as ps
from ..forms import FineForm, ViolationForm
from ..models import Violation

LIST_LIMIT = 200


def _list(request, form: ViolationForm | None = None):
    q = request.GET.get("q", "").strip()[:40]
    return render(
        request,
        "parking/violations/violation_list.html",
        {
            "rows": selectors.violations_listed(q, LIST_LIMIT),
            "q": q,
            "limit": LIST_LIMIT,
            "form": form or ViolationForm(),
        },
    )


@require_perm("parking.view_violation")
def violation_list(request):
    return _list(request)


@require_perm("parking.add_violation")
@require_POST
def violation_new(request):
    form = ViolationForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        violation = post_once(
            request,
            form,
            lambda: ps.violation_add(code=d["code"], description=d["description"], acting_user=request.user),
        )
        if isinstance(violation, Repeated):
            return redirect(violation.url or "parking:violation_list")
        if violation:
            messages.success(request, f"Violation {violation.code} added: now set its fine.")
            return redirect(violation)
    return _list(request, form)


def _detail(request, violation: Violation, form: FineForm | None = None):
    if form is None:
        form = FineForm(initial={"effective_from": core.city_today()})
    return render(
        request,
        "parking/violations/violation_detail.html",
        {
            "violation": violation,
            "fines": selectors.violation_fines(violation),
            "policy": selectors.policy_on(),
            "form": form,
            "history": selectors.violation_history(violation)[:20],
        },
    )


@require_perm("parking.view_violation")
def violation_detail(request, pk: int):
    return _detail(request, get_object_or_404(Violation, pk=pk))


@require_perm("parking.add_violationfine")
@require_POST
def violation_fine_add(request, pk: int):
    violation = get_object_or_404(Violation, pk=pk)
    form = FineForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        row = post_once(
            request,
            form,
            lambda: ps.fine_add(
                violation=violation,
                effective_from=d["effective_from"],
                fine=d["fine"],
                late_penalty=d["late_penalty"],
                fine_min=d["fine_min"],
                fine_max=d["fine_max"],
                tiers=form.tiers(),
                acting_user=request.user,
            ),
        )
        if isinstance(row, Repeated):
            return redirect(violation)
        if row:
            messages.success(
                request, f"Fine of {row.fine} for {violation.code} from {row.effective_from:%m/%d/%Y} added."
            )
            return redirect(violation)
    return _detail(request, violation, form)


urlpatterns = [
    path("violations/", violation_list, name="violation_list"),
    path("violations/new/", violation_new, name="violation_new"),
    path("violations/<int:pk>/", violation_detail, name="violation_detail"),
    path("violations/<int:pk>/fines/", violation_fine_add, name="violation_fine_add"),
]
