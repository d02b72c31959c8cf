"""Rate screens: the schedules per service and rate class with what is in force, one schedule
with its rows (and its withdrawal), a new schedule from a date with its blocks typed as rows, and
the calculation preview (an account and a period, line by line, before anything is posted)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from revenue import services as core
from revenue.access import require_perm
from revenue.exceptions import RevenueError
from revenue.forms import int_param
from revenue.web import Repeated, post_once

from .. import rate_selectors as selectors
from ..models import RateClass, Service, ServiceAccount
from ..rate_forms import PreviewForm, ScheduleForm, WithdrawForm, initial_from
from ..services.calc import calculate
from ..services.rates import rate_schedule_add

VIEW = "utility_billing.view_rateschedule"
ADD = "utility_billing.add_rateschedule"


def _pick(model, request, name):
    pk = int_param(request, name, 0, 1, 2**31 - 1)
    return model.objects.filter(pk=pk).first() if pk else None


@require_perm(VIEW)
def rates_list(request):
    service = _pick(Service, request, "service")
    rate_class = _pick(RateClass, request, "rate_class")
    today = core.city_today()
    groups = selectors.schedule_groups(on=today, service=service, rate_class=rate_class)
    return render(
        request,
        "utility_billing/rates_list.html",
        {
            "groups": groups,
            "today": today,
            "services": Service.objects.all(),
            "rate_classes": RateClass.objects.all(),
            "service": service,
            "rate_class": rate_class,
            "words": selectors.STATUS_WORDS,
        },
    )


def _schedule(pk):
    schedule = selectors.schedule_with_rows(pk)
    if schedule is None:
        raise Http404("No such rate schedule.")
    return schedule


@require_perm(VIEW)
def rates_detail(request, pk):
    schedule = _schedule(pk)
    return render(
        request, "utility_billing/rates_detail.html", _detail_context(request, schedule, WithdrawForm())
    )


def _detail_context(request, schedule, withdraw_form):
    until = core.config_in_force_until(schedule)
    return {
        "schedule": schedule,
        "blocks": selectors.block_table(schedule),
        "until": until,
        "why_not": core.config_usage(schedule),
        "may_withdraw": request.user.has_perm(core.WITHDRAW_PERMISSION),
        "withdraw_form": withdraw_form,
        "audit_events": core.audit_trail(schedule)[:50],
    }


@require_perm(ADD)
@require_http_methods(["GET", "POST"])
def rates_new(request):
    initial = {}
    source = _pick_schedule(request)
    if source is not None:
        initial = initial_from(source)
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        schedule = post_once(
            request, form, lambda: rate_schedule_add(acting_user=request.user, **form.service_arguments())
        )
        if isinstance(schedule, Repeated):
            return redirect(schedule.url or "utility_billing:rates_list")
        if schedule:
            messages.success(request, f"{schedule} is set. Preview a bill with it before the next run.")
            return redirect("utility_billing:rates_detail", pk=schedule.pk)
    return render(request, "utility_billing/rates_form.html", {"form": form, "source": source})


def _pick_schedule(request):
    pk = int_param(request, "copy", 0, 1, 2**31 - 1)
    return selectors.schedule_with_rows(pk) if pk else None


@require_perm(core.WITHDRAW_PERMISSION)
@require_POST
def rates_withdraw(request, pk):
    schedule = _schedule(pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            core.config_withdraw(row=schedule, acting_user=request.user, reason=form.cleaned_data["reason"])
        except RevenueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{schedule} is withdrawn: it is no longer in force.")
            return redirect("utility_billing:rates_detail", pk=schedule.pk)
    context = _detail_context(request, schedule, form)
    return render(request, "utility_billing/rates_detail.html", context, status=400)


@require_perm(VIEW)
def rates_preview(request):
    """Read-only: the calculation of an account for a period, line by line. GET only."""
    form = PreviewForm(request.GET if "account" in request.GET else None)
    calc = account = None
    if form.is_bound and form.is_valid():
        number = form.cleaned_data["account"].strip().upper()
        account = ServiceAccount.objects.select_related("premise", "party").filter(number=number).first()
        if account is None:
            form.add_error("account", f"There is no utility account {number}.")
        else:
            try:
                calc = calculate(
                    account=account,
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                )
            except RevenueError as exc:
                form.add_error(None, str(exc))
    return render(
        request, "utility_billing/rates_preview.html", {"form": form, "calc": calc, "account": account}
    )
