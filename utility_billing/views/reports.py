"""Utility billing's six reports: each page is its report's table (a page of it for the long
ones) with the .xlsx of every row; thin views that parse the parameters and call reports.py."""

import datetime

from django.contrib import messages
from django.urls import path

from revenue import services as core
from revenue.access import require_perm
from revenue.dates import add_months
from revenue.forms import DateRangeForm, int_param
from revenue.reporting import format_url, report_response

from .. import reports
from ..forms_reports import MeterFilterForm, RunForm
from ..models import BillRun

REPORTS = "utility_billing.view_utility_reports"
TEMPLATE = "utility_billing/reports_page.html"
MAX_PAGE = 100_000


def _page(request, fmt):
    return (
        None
        if fmt == "xlsx" or request.GET.get("format") == "xlsx"
        else int_param(request, "page", 1, 1, MAX_PAGE)
    )


def _context(request, page, form=None, **extra):
    def at(n):
        query = request.GET.copy()
        query["page"] = n
        return f"{request.path}?{query.urlencode()}"

    pager = None
    if page is not None and page.last > 1:
        pager = {"page": page, "previous": at(page.number - 1), "next": at(page.number + 1)}
    return {"form": form, "pager": pager, "xlsx_url": format_url(request, "xlsx"), **extra}


def _range(request, default_start):
    """The dates asked for (?start=&end=), or the default when absent or wrong (told)."""
    today = core.city_today()
    form = DateRangeForm(
        request.GET if "start" in request.GET else None, initial={"start": default_start, "end": today}
    )
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    if form.is_bound:
        messages.error(request, "Those dates cannot be used; the default period is shown.")
    return form, default_start, today


@require_perm(REPORTS)
def register(request, fmt=None):
    """The billing register of the run chosen (?run=)."""
    form = RunForm(request.GET or None)
    run = None
    if form.is_bound and form.is_valid() and form.cleaned_data["run"]:
        run = BillRun.objects.select_related("cycle").get(number=form.cleaned_data["run"])
    elif form.is_bound:
        messages.error(request, "Choose one of the bill runs listed.")
    if run is None:
        return report_response(
            request,
            reports.Report(title="Billing register", columns=[], rows=[], subtitle="Choose a bill run."),
            "html",
            template=TEMPLATE,
            context=_context(request, None, form, xlsx_url=None, empty="No run chosen."),
        )
    report, page = reports.register_report(run, page=_page(request, fmt))
    return report_response(request, report, fmt, template=TEMPLATE, context=_context(request, page, form))


@require_perm(REPORTS)
def consumption(request, fmt=None):
    """Consumption and revenue by class and month (the last twelve months by default)."""
    form, start, end = _range(request, add_months(core.city_today().replace(day=1), -12))
    report = reports.consumption_report(start, end)
    return report_response(request, report, fmt, template=TEMPLATE, context=_context(request, None, form))


@require_perm(REPORTS)
def aging(request, fmt=None):
    """The aged utility receivables by account, as of today."""
    report, page = reports.aging_report(page=_page(request, fmt))
    return report_response(request, report, fmt, template=TEMPLATE, context=_context(request, page))


@require_perm(REPORTS)
def orders(request, fmt=None):
    """Service orders by kind, status and age."""
    return report_response(
        request, reports.orders_report(), fmt, template=TEMPLATE, context=_context(request, None)
    )


@require_perm(REPORTS)
def meters(request, fmt=None):
    """The meter inventory (?status= to narrow it)."""
    form = MeterFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_bound and form.is_valid() else ""
    if form.is_bound and not form.is_valid():
        messages.error(request, "Choose one of the statuses listed.")
    report, page = reports.meters_report(status=status, page=_page(request, fmt))
    return report_response(request, report, fmt, template=TEMPLATE, context=_context(request, page, form))


@require_perm(REPORTS)
def shutoff(request, fmt=None):
    """The shut-off log: disconnections and reconnections (this calendar year by default)."""
    form, start, end = _range(request, datetime.date(core.city_today().year, 1, 1))
    report = reports.shutoff_report(start, end)
    return report_response(request, report, fmt, template=TEMPLATE, context=_context(request, None, form))


def _both(route, view, name):
    return [
        path(f"reports/{route}/", view, name=f"report_{name}"),
        path(f"reports/{route}.xlsx", view, {"fmt": "xlsx"}, name=f"report_{name}_xlsx"),
    ]


urlpatterns = [
    *_both("register", register, "register"),
    *_both("consumption", consumption, "consumption"),
    *_both("aging", aging, "aging"),
    *_both("orders", orders, "orders"),
    *_both("meters", meters, "meters"),
    *_both("shutoff", shutoff, "shutoff"),
]
