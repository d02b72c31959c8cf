"""The budget: this year's adopted lines with their amendments (a supervisor adopts, asks for an
amendment, and approves another supervisor's), and budget against actual as of any date."""

import uuid

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from revenue import services as core
from revenue.access import require_perm
from revenue.reporting import report_response
from revenue.web import Repeated, post_once

from .. import services
from ..forms.core import AmendmentForm, BudgetActualForm, BudgetForm, DecideForm
from ..models import Budget, BudgetAmendment
from ..reports import budget_actual_report
from ..selectors.budget import budget_actual

VIEW, ADD, AMEND = "payables.view_budget", "payables.add_budget", "payables.add_budgetamendment"
APPROVE = "payables.approve_budgetamendment"


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else core.fiscal_year_of(core.city_today())


def _errors(request, form):
    for error in [*form.non_field_errors(), *[e for f in form.errors.values() for e in f]][:1]:
        messages.error(request, error)


@require_perm(VIEW)
def budget_list(request):
    year = _year(request)
    budgets = list(Budget.objects.filter(fiscal_year=year).select_related("account", "department"))
    for b in budgets:
        b.total, b.token = services.budget_total(b), uuid.uuid4()  # each row's form posts once
    pending = list(BudgetAmendment.objects.filter(budget__fiscal_year=year).select_related(
        "budget__account", "requested_by", "decided_by"))  # fmt: skip
    for a in pending:
        a.token = uuid.uuid4()
    return render(request, "payables/budget/budget_list.html", {
        "year": year, "budgets": budgets, "amendments": pending, "budget_form": BudgetForm(),
    })  # fmt: skip


@require_perm(ADD)
@require_POST
def budget_adopt(request):
    year = _year(request)
    form = BudgetForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        work = lambda: services.budget_adopt(fiscal_year=year, account=d["account"], department=d["department"],  # noqa: E731
                                             amount=d["amount"], acting_user=request.user)  # fmt: skip
        done = post_once(request, form, work)
        if done and not isinstance(done, Repeated):
            messages.success(request, f"FY{year} budget of {done.account} adopted: ${done.adopted:,.2f}.")
    _errors(request, form)
    return redirect(f"{reverse('payables:budget_list')}?year={year}")


@require_perm(AMEND)
@require_POST
def amendment_new(request, pk):
    budget = get_object_or_404(Budget, pk=pk)
    form = AmendmentForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        work = lambda: services.amendment_request(budget=budget, amount=d["amount"], reason=d["reason"],  # noqa: E731
                                                  effective_on=d["effective_on"], acting_user=request.user)  # fmt: skip
        done = post_once(request, form, work)
        if done and not isinstance(done, Repeated):
            messages.success(request, "Amendment sent for another supervisor's approval.")
    _errors(request, form)
    return redirect(f"{reverse('payables:budget_list')}?year={budget.fiscal_year}")


@require_perm(APPROVE)
@require_POST
def amendment_decide(request, pk):
    amendment = get_object_or_404(BudgetAmendment.objects.select_related("budget"), pk=pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        approve = request.POST.get("decision") == "approve"
        work = lambda: services.amendment_decide(amendment=amendment, approve=approve,  # noqa: E731
                                                 note=form.cleaned_data["note"], acting_user=request.user)  # fmt: skip
        done = post_once(request, form, work)
        if done and not isinstance(done, Repeated):
            messages.success(request, f"Amendment {done.get_status_display().lower()}.")
    _errors(request, form)
    return redirect(f"{reverse('payables:budget_list')}?year={amendment.budget.fiscal_year}")


@require_perm(VIEW)
def budget_actual_view(request, fmt=None):
    form = BudgetActualForm(request.GET or None)
    as_of, level = core.city_today(), "account"
    if form.is_bound and form.is_valid():
        as_of = form.cleaned_data["as_of"] or as_of
        level = form.cleaned_data["level"] or level
    elif not form.is_bound:
        form = BudgetActualForm(initial={"as_of": as_of, "level": level})
    report = budget_actual_report(budget_actual(as_of=as_of), level=level)
    return report_response(request, report, fmt, template="payables/budget/budget_actual.html",
                           context={"form": form, "level": level})  # fmt: skip


urlpatterns = [
    path("budget/", budget_list, name="budget_list"),
    path("budget/adopt/", budget_adopt, name="budget_adopt"),
    path("budget/<int:pk>/amend/", amendment_new, name="amendment_new"),
    path("budget/amendments/<int:pk>/decide/", amendment_decide, name="amendment_decide"),
    path("budget/actual/", budget_actual_view, name="budget_actual"),
    path("budget/actual.xlsx", budget_actual_view, {"fmt": "xlsx"}, name="budget_actual_xlsx"),
]
