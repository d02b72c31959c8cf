"""Citation pages: lookup, manual entry, the citation with its contests, notices and DMV holds,
payment plans, and the citation report."""

import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from revenue import services as core
from revenue.access import require_perm
from revenue.documents import pdf_response, render_pdf
from revenue.exceptions import RevenueError
from revenue.forms import int_param
from revenue.money import ZERO
from revenue.reporting import report_response
from revenue.web import Repeated, post_once

from .. import reports, rules, selectors
from .. import services as ps
from ..forms import CitationForm, ContestDecisionForm, ContestRequestForm, OwnerForm, PlanForm
from ..models import PLAN_EQUAL, Citation, Contest, HoldExport, NoticeRun, PaymentPlan
from . import report_period

NOTICES_PER_FILE = 500


# --------------------------------------------------------------------------- lookup and entry


@require_perm("parking.view_citation")
def citation_lookup(request):
    q = request.GET.get("q", "").strip()
    found, label = selectors.lookup(q) if q else ([], "")
    if len(found) == 1 and found[0].number == q.upper():
        return redirect(found[0])
    owed = selectors.owed_by_citation(found)
    rows = [(c, owed[c.pk]) for c in found]
    readings = selectors.plate_readings(q) if q and not found else []
    return render(
        request,
        "parking/citation_lookup.html",
        {
            "q": q,
            "label": label,
            "choices": [(r, r.citations().count()) for r in readings] if len(readings) > 1 else [],
            "rows": rows,
            "open_total": sum((o for c, o in rows if c.status == Citation.Status.OPEN), ZERO),
            "open_count": sum(1 for c, _o in rows if c.status == Citation.Status.OPEN),
        },
    )


@require_perm("parking.enter_citation")
@require_http_methods(["GET", "POST"])
def citation_new(request):
    form = CitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        citation = post_once(
            request,
            form,
            lambda: ps.citation_enter(
                number=d["number"],
                issued_at=form.issued_at(),
                plate=d["plate"],
                state=d["state"],
                make=d["make"],
                violation_code=d["violation_code"],
                fine=d["fine"],
                location=d["location"],
                badge=d["badge"],
                owner_name=d["owner_name"],
                owner_address=d["owner_address"],
                acting_user=request.user,
            ),
        )
        if isinstance(citation, Repeated):
            return redirect(citation.url or "parking:citation_lookup")
        if citation:
            messages.success(request, f"Citation {citation.number} entered: ${citation.fine:,.2f}.")
            return redirect(citation)
    return render(request, "parking/citation_form.html", {"form": form})


def _citation_or_404(number: str) -> Citation:
    return get_object_or_404(
        Citation.objects.select_related("violation", "batch", "plan", "created_by"), number=number.upper()
    )


@require_perm("parking.view_citation")
def citation_detail(request, number, request_form=None, decide_form=None):
    citation = _citation_or_404(number)
    policy = selectors.policy_on()
    today = core.city_today()
    deadlines = rules.deadlines(citation.issued_on, policy)
    contests = list(citation.contests.select_related("decided_by", "created_by"))
    review = next((c for c in contests if c.level == Contest.Level.REVIEW), None)
    hearing = next((c for c in contests if c.level == Contest.Level.HEARING), None)
    pending = next((c for c in contests if c.decision == Contest.Decision.PENDING), None)
    can_ask = None
    if citation.status in (Citation.Status.OPEN, Citation.Status.PAID) and pending is None:
        if review is None:
            can_ask = Contest.Level.REVIEW
        elif hearing is None and review.decision in (Contest.Decision.UPHELD, Contest.Decision.REDUCED):
            can_ask = Contest.Level.HEARING
    if request_form is None and can_ask:
        request_form = ContestRequestForm(initial={"level": can_ask, "requested_on": today})
    if decide_form is None and pending:
        decide_form = ContestDecisionForm()
    charges = list(citation.charges().select_related("revenue_account"))
    owed = sum((c.balance for c in charges), ZERO)
    steps = selectors.penalties_owed(citation, today, policy, pending=pending is not None, owed=owed)
    late_penalty = sum((s.amount for s in steps), ZERO)
    return render(
        request,
        "parking/citation_detail.html",
        {
            "citation": citation,
            "deadlines": deadlines,
            "policy": policy,
            "contests": contests,
            "pending": pending,
            "can_ask": can_ask,
            "can_ask_label": Contest.Level(can_ask).label if can_ask else "",
            "review_open": rules.review_allowed(citation.issued_on, citation.notice_on, today, policy),
            "request_form": request_form,
            "decide_form": decide_form,
            "charges": charges,
            "owed": owed,
            "late_penalty": late_penalty,
            "owed_today": owed + late_penalty,
            "owner_form": OwnerForm(
                initial={"owner_name": citation.owner_name, "owner_address": citation.owner_address}
            ),
            "history": core.audit_trail(citation)[:50],
            "others": Citation.objects.filter(plate=citation.plate, state=citation.state)
            .exclude(pk=citation.pk)
            .filter(status=Citation.Status.OPEN)
            .count(),
        },
    )


@require_perm("parking.request_contest")
@require_POST
def contest_request(request, number):
    citation = _citation_or_404(number)
    form = ContestRequestForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        contest = post_once(
            request,
            form,
            lambda: ps.contest_request(
                citation=citation,
                level=d["level"],
                statement=d["statement"],
                on=d["requested_on"],
                inability_to_pay=d["inability_to_pay"],
                inability_note=d["inability_note"],
                acting_user=request.user,
            ),
        )
        if isinstance(contest, Repeated):
            return redirect(citation)
        if contest:
            messages.success(request, f"{contest.get_level_display()} requested for {citation.number}.")
            return redirect(citation)
    return citation_detail(request, number, request_form=form)


@require_perm("parking.decide_contest")
@require_POST
def contest_decide(request, number, pk):
    citation = _citation_or_404(number)
    contest = get_object_or_404(Contest, pk=pk, citation=citation)
    form = ContestDecisionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        done = post_once(
            request,
            form,
            lambda: ps.contest_decide(
                contest=contest,
                decision=d["decision"],
                reason=d["reason"],
                reduced_to=d["reduced_to"],
                acting_user=request.user,
            ),
        )
        if isinstance(done, Repeated):
            return redirect(citation)
        if done:
            messages.success(
                request, f"{done.get_level_display()} of {citation.number}: {done.get_decision_display()}."
            )
            return redirect(citation)
    return citation_detail(request, number, decide_form=form)


@require_perm("parking.enter_citation")
@require_POST
def citation_owner(request, number):
    citation = _citation_or_404(number)
    form = OwnerForm(request.POST)
    if form.is_valid():
        ps.citation_owner_set(citation=citation, acting_user=request.user, **form.cleaned_data)
        messages.success(request, "Registered owner recorded.")
    else:
        messages.error(request, "Enter the owner's name and mailing address.")
    return redirect(citation)


# --------------------------------------------------------------------------- notices and holds


def _run_date(request) -> datetime.date | None:
    raw = request.POST.get("on", "").strip()
    if not raw:
        return core.city_today()
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        messages.error(request, "Enter the date as YYYY-MM-DD.")
        return None


@require_perm("parking.run_parking_notices")
@require_http_methods(["GET", "POST"])
def notices(request):
    if request.method == "POST":
        on = _run_date(request)
        action = request.POST.get("action")
        if on is not None:
            try:
                if action == "penalties":
                    n = ps.penalty_run(on=on, acting_user=request.user)
                    messages.success(request, f"Late penalty added to {n:,} citation{'s' if n != 1 else ''}.")
                elif action == "notices":
                    run = ps.notice_run(on=on, acting_user=request.user)
                    messages.success(
                        request, f"{run.count:,} delinquent notice{'s' if run.count != 1 else ''} to print."
                    )
                elif action == "holds":
                    export = ps.hold_export(on=on, acting_user=request.user)
                    messages.success(
                        request,
                        f"DMV file: {export.placed:,} holds to place, {export.released:,} to release.",
                    )
                elif action == "plans":
                    numbers = ps.plans_default(on=on, acting_user=request.user)
                    messages.success(
                        request,
                        f"{len(numbers)} plan{'s' if len(numbers) != 1 else ''} defaulted{': ' if numbers else '.'}"
                        + ", ".join(numbers),
                    )
            except RevenueError as exc:
                messages.error(request, str(exc))
        return redirect("parking:notices")
    policy = selectors.policy_on()
    today = core.city_today()
    return render(
        request,
        "parking/notices.html",
        {
            "runs": NoticeRun.objects.select_related("created_by")[:20],
            "exports": HoldExport.objects.select_related("created_by")[:20],
            "today": today,
            "policy": policy,
            **selectors.run_counts(today, policy),
        },
    )


@require_perm("parking.view_citation")
def notice_letters(request, pk):
    run = get_object_or_404(NoticeRun, pk=pk)
    part = int_param(request, "part", default=1, min=1, max=100_000)
    citations = list(
        run.citations.select_related("violation").order_by("owner_name", "plate", "number")[
            (part - 1) * NOTICES_PER_FILE : part * NOTICES_PER_FILE
        ]
    )
    policy = selectors.policy_on()
    owed = selectors.owed_by_citation(citations)
    letters = [
        {
            "c": c,
            "owed": owed[c.pk],
            "review_until": c.notice_on + datetime.timedelta(days=policy.review_days_from_notice),
        }
        for c in citations
    ]
    pdf = render_pdf(
        "parking/print/delinquent_notices.html",
        {"run": run, "letters": letters, "policy": policy, "hold_after": policy.hold_after_notice_days},
        request=request,
    )
    return pdf_response(pdf, f"delinquent-notices-{run.run_on:%Y%m%d}-{run.pk}-part{part}.pdf")


@require_perm("parking.run_parking_notices")
def hold_file(request, pk):
    export = get_object_or_404(HoldExport, pk=pk)
    response = HttpResponse(export.content, content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="dmv-holds-{export.run_on:%Y%m%d}-{export.pk}.csv"'
    )
    return response


# --------------------------------------------------------------------------- payment plans


@require_perm("parking.arrange_plan")
@require_http_methods(["GET", "POST"])
def plan_new(request):
    q = request.GET.get("q", "") or request.POST.get("q", "")
    found, label = selectors.lookup(q) if q else ([], "")
    found = [c for c in found if c.status == Citation.Status.OPEN]
    owed = selectors.owed_by_citation(found)
    open_ones = [(c, owed[c.pk]) for c in found]
    policy = selectors.policy_on()
    form = PlanForm(
        request.POST or None,
        initial={
            "months": policy.plan_max_months if policy.plan_split == PLAN_EQUAL else None,
            "first_due_on": core.city_today() + datetime.timedelta(days=30),
        },
    )
    chosen = set(request.POST.getlist("citation"))
    if request.method == "POST" and form.is_valid():
        picked = [c for c, _o in open_ones if c.number in chosen]
        d = form.cleaned_data
        plan = post_once(
            request,
            form,
            lambda: ps.plan_create(
                party=form.party,
                citations=picked,
                months=d["months"],
                first_due_on=d["first_due_on"],
                qualification=d["qualification"],
                acting_user=request.user,
            ),
        )
        if isinstance(plan, Repeated):
            return redirect(plan.url or "parking:citation_lookup")
        if plan:
            payments = selectors.plan_payments(plan)
            messages.success(
                request,
                f"Payment plan {plan.number}: {plan.months} installments; the counter collects "
                + ", ".join(f"${p.amount:,.2f}" for p in payments)
                + (f" (the first with the ${plan.fee:,.2f} fee)." if plan.fee else "."),
            )
            return redirect(plan)
    return render(
        request,
        "parking/plan_form.html",
        {"form": form, "q": q, "label": label, "rows": open_ones, "chosen": chosen, "policy": policy},
    )


@require_perm("parking.view_paymentplan")
def plan_detail(request, number):
    plan = get_object_or_404(PaymentPlan.objects.select_related("party", "created_by"), number=number.upper())
    installments = list(plan.installments())
    payments = selectors.plan_payments(plan, installments)
    return render(
        request,
        "parking/plan_detail.html",
        {
            "plan": plan,
            "installments": installments,
            "payments": payments,
            "owed": sum((c.balance for c in installments), ZERO),
            "next_due": next((p for p in payments if p.owed), None),
            "citations": plan.citations.select_related("violation"),
            "history": core.audit_trail(plan)[:30],
        },
    )


# --------------------------------------------------------------------------- reports


@require_perm("parking.view_parking_reports")
def citation_report(request, fmt=None):
    form, start, end = report_period(request, lambda today: today.replace(month=1, day=1))
    return report_response(
        request,
        reports.citation_report(start, end),
        fmt,
        template="parking/citation_report.html",
        context={"form": form, "start": start, "end": end},
    )


urlpatterns = [
    path("citations/", citation_lookup, name="citation_lookup"),
    path("citations/new/", citation_new, name="citation_new"),
    path("citations/notices/", notices, name="notices"),
    path("citations/notices/<int:pk>.pdf", notice_letters, name="notice_letters"),
    path("citations/holds/<int:pk>.csv", hold_file, name="hold_file"),
    path("citations/report/", citation_report, name="citation_report"),
    path("citations/report.xlsx", citation_report, {"fmt": "xlsx"}, name="citation_report_xlsx"),
    path("citations/<slug:number>/", citation_detail, name="citation_detail"),
    path("citations/<slug:number>/contest/", contest_request, name="contest_request"),
    path("citations/<slug:number>/contest/<int:pk>/decide/", contest_decide, name="contest_decide"),
    path("citations/<slug:number>/owner/", citation_owner, name="citation_owner"),
    path("plans/new/", plan_new, name="plan_new"),
    path("plans/<slug:number>/", plan_detail, name="plan_detail"),
]
