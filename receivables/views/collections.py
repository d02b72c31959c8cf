"""Receivables' collection pages: aging, dunning runs and letters, the follow-up worklist and log,
write-off requests, the collections-referral list and the monthly statistics on collections."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from revenue import services as core
from revenue.access import require_perm
from revenue.documents import pdf_response, render_pdf
from revenue.exceptions import RevenueError
from revenue.models import Party
from revenue.reporting import report_response
from revenue.web import Repeated, post_once

from .. import selectors, services
from ..forms import AgingForm, DunningRunForm, FiscalYearForm, FollowUpForm, WriteOffForm
from ..models import DunningRun, Invoice
from ..params import query_page, query_text
from ..reports import (
    aging_report,
    collections_chart,
    collections_report,
    dunning_runs_report,
    referrals_report,
)

REPORTS = "receivables.view_receivables_reports"
AGING_PER_PAGE = 100


# --------------------------------------------------------------------------- aging


def _aging_party(request) -> Party | None:
    """The customer asked for by number (?party=), told when there is none."""
    number = query_text(request.GET, "party")
    if number is None:  # a NUL byte: no customer has it, and PostgreSQL would refuse the query
        messages.error(request, "That is not a customer number.")
    elif number:
        party = Party.objects.filter(number__iexact=number).first()
        if party is None:
            messages.error(request, f"No customer has the number {number}.")
        return party
    return None


@require_perm(REPORTS)
def aging(request, fmt=None):
    """The aging as of a date (today by default; a bad date is told and today's is shown), by
    customer or every invoice (?detail=1, or one customer's with ?party=), or its .xlsx."""
    form = AgingForm(request.GET or None)
    as_of = form.cleaned_data["as_of"] if form.is_bound and form.is_valid() else core.city_today()
    if not form.is_bound:
        form = AgingForm(initial={"as_of": as_of})
    party = _aging_party(request)
    context = {
        "form": form,
        "as_of": as_of,
        "party": party,
        "detail": party is not None or request.GET.get("detail") == "1",
    }
    try:
        aged = selectors.aging(as_of, party=party)
    except core.NoPolicyInForce as exc:  # no receivables policy in force on that date: said plainly
        messages.error(request, str(exc))
        if fmt == "xlsx":
            return redirect("receivables:aging")
        return render(request, "receivables/collections/aging.html", context)
    # the screen shows a page of customers or invoices (the totals are of all of them); the
    # .xlsx has every row
    rows = aged.invoices if context["detail"] else aged.customers
    page = Paginator(rows, AGING_PER_PAGE).get_page(request.GET.get("page"))
    return report_response(
        request,
        aging_report(aged, party=party),
        fmt,
        template="receivables/collections/aging.html",
        context={**context, "aging": aged, "page": page, "query": _without_page(request)},
    )


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --------------------------------------------------------------------------- dunning


@require_perm("receivables.run_dunning")
@require_http_methods(["GET", "POST"])
def dunning(request):
    """Run past-due notices (POST); the page shows the levels in force and the latest runs, whose
    table is also the .xlsx (?format=xlsx)."""
    today = core.city_today()
    form = DunningRunForm(request.POST or None, initial={"on": today})
    if request.method == "POST" and form.is_valid():  # checked here, run by the job worker
        on = form.cleaned_data["on"]
        try:
            selectors.policy_on(on)
        except RevenueError as exc:
            messages.error(request, str(exc))
            return redirect("receivables:dunning")
        job = core.job_start(
            kind="receivables.dunning_run",
            title=f"Past-due run as of {on:%m/%d/%Y}",
            params={"on": on.isoformat()},
            acting_user=request.user,
        )
        messages.success(request, "The past-due run is queued; this page shows how far it has got.")
        return redirect(job)
    runs = list(DunningRun.objects.select_related("started_by")[:20])
    for r in runs:
        r.parts = range(1, selectors.letter_parts(r) + 1)
    levels = selectors.levels_on(today)
    try:
        policy = selectors.policy_on(today)
    except core.NoPolicyInForce as exc:
        messages.error(request, str(exc))
        policy = None
    return report_response(
        request,
        dunning_runs_report(runs),
        None,
        template="receivables/collections/dunning.html",
        context={
            "form": form,
            "runs": runs,
            "levels": levels,
            "policy": policy,
            "running": any(r.finished_at is None for r in runs),
        },
    )


@require_perm("receivables.run_dunning")
def dunning_letters(request, pk):
    """A run's letters as one PDF for the mail room, 500 a file (?part=2 …)."""
    run = get_object_or_404(DunningRun, pk=pk)
    part = query_page(request.GET, "part", last=selectors.letter_parts(run))
    pdf = render_pdf(
        "receivables/print/dunning_letters.html",
        {
            "run": run,
            "letters": selectors.letters_of(run, part),
            "part": part,
            "policy": selectors.policy_on(run.run_on),  # names the collection agency
        },
        request=request,
    )
    return pdf_response(pdf, f"past-due-letters-{run.run_on:%Y-%m-%d}-run{run.pk}-part{part}.pdf")


# --------------------------------------------------------------------------- follow-up


@require_perm("receivables.log_followup")
def worklist(request):
    today = core.city_today()
    return render(
        request,
        "receivables/collections/worklist.html",
        {"rows": selectors.worklist(today), "today": today},
    )


@require_perm("receivables.log_followup")
@require_http_methods(["GET", "POST"])
def followup_new(request, party_pk):
    party = get_object_or_404(Party, pk=party_pk)
    initial = {}
    number = query_text(request.GET, "invoice")
    if number:
        initial["invoice"] = number
    form = FollowUpForm(request.POST or None, party=party, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = post_once(
            request,
            form,
            lambda: services.followup_log(
                party=party,
                kind=data["kind"],
                note=data["note"],
                invoice=data["invoice"],
                promise_on=data["promise_on"],
                promise_amount=data["promise_amount"],
                next_action_on=data["next_action_on"],
                acting_user=request.user,
            ),
        )
        if isinstance(done, Repeated):
            return redirect("receivables:worklist")
        if done:
            messages.success(request, f"Follow-up with {party.name} recorded.")
            return redirect("receivables:worklist")
    today = core.city_today()
    invoices = selectors.open_invoices(party, today)
    history = party.followups.select_related("invoice", "created_by")[:25]
    return render(
        request,
        "receivables/collections/followup_form.html",
        {"form": form, "party": party, "invoices": invoices, "history": history, "today": today},
    )


# --------------------------------------------------------------------------- write-off


@require_perm("revenue.request_exception")
@require_http_methods(["GET", "POST"])
def write_off(request, number):
    invoice = get_object_or_404(Invoice.objects.select_related("party"), number=number)
    form = WriteOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = post_once(
            request,
            form,
            lambda: services.write_off_request(
                invoice=invoice, reason=form.cleaned_data["reason"], acting_user=request.user
            ),
        )
        if isinstance(done, Repeated):
            return redirect(done.url or "approval_list")
        if done:
            messages.success(
                request,
                f"Write-off of {invoice.number} sent to a supervisor; nothing changes until approved.",
            )
            return redirect(done)
    return render(
        request,
        "receivables/collections/write_off.html",
        {
            "form": form,
            "invoice": invoice,
            "balance": selectors.invoice_balance(invoice),
            "requests": selectors.write_off_requests(invoice),
        },
    )


# --------------------------------------------------------------------------- referrals


@require_perm(REPORTS)
def referrals(request, fmt=None):
    """Invoices referred to collections, still open (or all, ?all=1), the page or the .xlsx."""
    show_all = request.GET.get("all") == "1"
    rows = list(selectors.referrals(open_only=not show_all))
    return report_response(
        request,
        referrals_report(rows, show_all=show_all),
        fmt,
        template="receivables/collections/referrals.html",
        context={"rows": rows, "show_all": show_all, "total": sum((r.balance for r in rows), core.ZERO)},
    )


# --------------------------------------------------------------------------- statistics


def _fiscal_year(request):
    current = core.fiscal_year_of(core.city_today())
    form = FiscalYearForm(request.GET or None, initial={"fiscal_year": current})
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["fiscal_year"]
    if not form.is_bound:
        form = FiscalYearForm(initial={"fiscal_year": current})
    return form, current


@require_perm(REPORTS)
def statistics(request, fmt=None):
    """Collections by month and revenue account, a fiscal year beside the one before: the page
    (with its chart) or the .xlsx."""
    form, year = _fiscal_year(request)
    stats = selectors.collections_by_month(year)
    return report_response(
        request,
        collections_report(stats),
        fmt,
        template="receivables/collections/statistics.html",
        context={"form": form, "stats": stats, "chart": collections_chart(stats), "year": year},
    )


urlpatterns = [
    path("aging/", aging, name="aging"),
    path("aging.xlsx", aging, {"fmt": "xlsx"}, name="aging_xlsx"),
    path("dunning/", dunning, name="dunning"),
    path("dunning/<int:pk>/letters.pdf", dunning_letters, name="dunning_letters"),
    path("worklist/", worklist, name="worklist"),
    path("followup/<int:party_pk>/new/", followup_new, name="followup_new"),
    path("write-off/<slug:number>/", write_off, name="write_off"),
    path("referrals/", referrals, name="referrals"),
    path("referrals.xlsx", referrals, {"fmt": "xlsx"}, name="referrals_xlsx"),
    path("statistics/", statistics, name="statistics"),
    path("statistics.xlsx", statistics, {"fmt": "xlsx"}, name="statistics_xlsx"),
]
