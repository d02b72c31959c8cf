"""Receivables' collection pages: aging, dunning runs and letters, the follow-up worklist and log,
write-off requests, the collections-referral list and the monthly statistics on collections."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from revenue import services as core
from revenue.access import require_perm
from revenue.documents import Column, build_xlsx, pdf_response, render_pdf, xlsx_response
from revenue.exceptions import RevenueError
from revenue.models import ApprovalRequest, Party
from revenue.web import Repeated, post_once

from . import collections, statistics
from .forms_collections import AsOfForm, DunningRunForm, FiscalYearForm, FollowUpForm, WriteOffForm
from .models import DunningRun, Invoice
from .params import query_page, query_text

REPORTS = "receivables.view_receivables_reports"


# --------------------------------------------------------------------------- aging


def _aging_request(request):
    """The aging asked for by the query string; a bad date is told and today's is shown."""
    form = AsOfForm(request.GET or None, initial={"as_of": core.city_today()})
    as_of = core.city_today()
    if form.is_bound and form.is_valid():
        as_of = form.cleaned_data["as_of"]
    elif not form.is_bound:
        form = AsOfForm(initial={"as_of": as_of})
    party = None
    number = query_text(request.GET, "party")
    if number is None:  # a NUL byte: no customer has it, and PostgreSQL would refuse the query
        messages.error(request, "That is not a customer number.")
    elif number:
        party = Party.objects.filter(number__iexact=number).first()
        if party is None:
            messages.error(request, f"No customer has the number {number}.")
    try:
        report = collections.aging(as_of, party=party)
    except RevenueError as exc:
        messages.error(request, str(exc))
        report = None
    return form, as_of, party, report


@require_perm(REPORTS)
def aging(request):
    form, as_of, party, report = _aging_request(request)
    detail = party is not None or request.GET.get("detail") == "1"
    return render(
        request,
        "receivables/collections/aging.html",
        {"form": form, "as_of": as_of, "party": party, "report": report, "detail": detail},
    )


@require_perm(REPORTS)
def aging_xlsx(request):
    _form, as_of, party, report = _aging_request(request)
    if report is None:
        return redirect("receivables:aging")
    columns = [
        Column("Customer no.", width=11),
        Column("Customer", width=30),
        Column("Invoice", width=15),
        Column("Invoice date", "date", 12),
        Column("Due", "date", 12),
        Column("Days past due", "int", 9),
        *[Column(label, "money", 12) for label in report.labels],
        Column("Balance", "money", 13),
    ]
    n = len(report.labels)
    rows = [
        [
            inv.party_number,
            inv.party_name,
            inv.number,
            inv.invoice_date,
            inv.due_on,
            inv.days_past_due,
            *inv.amounts(n),
            inv.balance,
        ]
        for inv in report.invoices
    ]
    content = build_xlsx(
        title=f"Receivables aging as of {as_of:%m/%d/%Y}",
        subtitle=f"{len(report.customers)} customers, {len(rows)} invoices"
        + (f" — {party.name}" if party else ""),
        columns=columns,
        rows=rows,
        totals=["Total", "", "", None, None, None, *report.totals, report.total],
        sheet_name="Aging",
    )
    return xlsx_response(content, f"aging-{as_of:%Y-%m-%d}.xlsx")


# --------------------------------------------------------------------------- dunning


@require_perm("receivables.run_dunning")
@require_http_methods(["GET", "POST"])
def dunning(request):
    today = core.city_today()
    form = DunningRunForm(request.POST or None, initial={"on": today})
    if request.method == "POST" and form.is_valid():
        try:
            run = collections.dunning_run(on=form.cleaned_data["on"], acting_user=request.user)
        except RevenueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"Past-due run as of {run.run_on:%m/%d/%Y}: {run.letters} letter{'s' if run.letters != 1 else ''} "
                f"for {run.candidates} past-due invoices (the others had their letter already); "
                f"late fees {run.fees:,.2f}.",
            )
        return redirect("receivables:dunning")
    runs = list(DunningRun.objects.select_related("started_by")[:20])
    for r in runs:
        r.parts = range(1, collections.letter_parts(r) + 1)
    levels = collections.levels_on(today)
    try:
        policy = collections.policy_on(today)
    except RevenueError as exc:
        messages.error(request, str(exc))
        policy = None
    return render(
        request,
        "receivables/collections/dunning.html",
        {
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
    part = query_page(request.GET, "part", last=collections.letter_parts(run))
    pdf = render_pdf(
        "receivables/print/dunning_letters.html",
        {"run": run, "letters": collections.letters_of(run, part), "part": part},
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
        {"rows": collections.worklist(today), "today": today},
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
            lambda: collections.followup_log(
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
    invoices = (
        collections.with_balance(Invoice.objects.filter(party=party, status=Invoice.Status.OPEN))
        .order_by("due_on", "number")
        .prefetch_related("notices")
    )
    today = core.city_today()
    for inv in invoices:
        inv.days_past_due = (today - inv.due_on).days
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
            lambda: collections.write_off_request(
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
    pending = ApprovalRequest.objects.filter(
        kind=ApprovalRequest.Kind.WRITE_OFF,
        target_type=collections._ct(Invoice),
        target_id=invoice.pk,
    ).order_by("-requested_at")[:5]
    return render(
        request,
        "receivables/collections/write_off.html",
        {
            "form": form,
            "invoice": invoice,
            "balance": collections.invoice_balance(invoice),
            "requests": pending,
        },
    )


# --------------------------------------------------------------------------- referrals


def _referrals(request):
    return collections.referrals(open_only=request.GET.get("all") != "1")


@require_perm(REPORTS)
def referrals(request):
    rows = list(_referrals(request))
    return render(
        request,
        "receivables/collections/referrals.html",
        {"rows": rows, "show_all": request.GET.get("all") == "1", "total": sum(r.balance for r in rows)},
    )


@require_perm(REPORTS)
def referrals_xlsx(request):
    rows = list(_referrals(request))
    content = build_xlsx(
        title="Invoices referred to collections",
        subtitle=f"{len(rows)} invoices" + ("" if request.GET.get("all") == "1" else ", still open"),
        columns=[
            Column("Customer no.", width=11),
            Column("Customer", width=30),
            Column("Address", width=34),
            Column("Phone", width=15),
            Column("Email", width=26),
            Column("Invoice", width=15),
            Column("Invoice date", "date", 12),
            Column("Due", "date", 12),
            Column("Referred", "date", 12),
            Column("Status", width=14),
            Column("Total", "money", 12),
            Column("Balance", "money", 12),
            Column("Last follow-up", "date", 14),
            Column("Follow-up note", width=40),
        ],
        rows=[
            [
                r.party.number,
                r.party.name,
                r.party.address,
                r.party.phone,
                r.party.email,
                r.number,
                r.invoice_date,
                r.due_on,
                r.collections_referred_on,
                r.get_status_display(),
                r.total,
                r.balance,
                r.last_followup_at.date() if r.last_followup_at else None,
                r.last_followup_note or "",
            ]
            for r in rows
        ],
        totals=[
            "Total",
            "",
            "",
            "",
            "",
            "",
            None,
            None,
            None,
            "",
            sum((r.total for r in rows), collections.ZERO),
            sum((r.balance for r in rows), collections.ZERO),
            None,
            "",
        ],  # fmt: skip
        sheet_name="Referrals",
    )
    return xlsx_response(content, f"collections-referrals-{core.city_today():%Y-%m-%d}.xlsx")


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
def statistics_page(request):
    form, year = _fiscal_year(request)
    stats = statistics.collections_by_month(year)
    return render(
        request,
        "receivables/collections/statistics.html",
        {"form": form, "stats": stats, "chart": statistics.chart(stats), "year": year},
    )


@require_perm(REPORTS)
def statistics_xlsx(request):
    _form, year = _fiscal_year(request)
    stats = statistics.collections_by_month(year)
    month_columns = [Column(f"{m:%b %Y}", "money", 12) for m in stats.months]
    rows = [
        [r.account.number, r.account.name, *r.this_year, r.this_total, r.last_total, r.change]
        for r in stats.rows
    ]
    rows += [
        [
            "",
            f"All accounts, FY{year - 1} by month",
            *stats.month_last,
            stats.total_last,
            None,
            None,
        ]
    ]
    content = build_xlsx(
        title=f"Collections by month and revenue account, FY{year} with FY{year - 1}",
        subtitle="Payments applied to charges by the month received; reversals count back in their month.",
        columns=[
            Column("Account", width=11),
            Column("Name", width=34),
            *month_columns,
            Column(f"FY{year}", "money", 14),
            Column(f"FY{year - 1}", "money", 14),
            Column("Change", "money", 13),
        ],
        rows=rows,
        totals=[
            "",
            f"Total FY{year}",
            *stats.month_this,
            stats.total_this,
            stats.total_last,
            stats.total_change,
        ],
        sheet_name=f"FY{year}",
    )
    return xlsx_response(content, f"collections-FY{year}.xlsx")


urlpatterns = [
    path("aging/", aging, name="aging"),
    path("aging.xlsx", aging_xlsx, name="aging_xlsx"),
    path("dunning/", dunning, name="dunning"),
    path("dunning/<int:pk>/letters.pdf", dunning_letters, name="dunning_letters"),
    path("worklist/", worklist, name="worklist"),
    path("followup/<int:party_pk>/new/", followup_new, name="followup_new"),
    path("write-off/<slug:number>/", write_off, name="write_off"),
    path("referrals/", referrals, name="referrals"),
    path("referrals.xlsx", referrals_xlsx, name="referrals_xlsx"),
    path("statistics/", statistics_page, name="statistics"),
    path("statistics.xlsx", statistics_xlsx, name="statistics_xlsx"),
]
