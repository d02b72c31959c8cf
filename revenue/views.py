"""Core screens. Each view: role check, load, bind the form, call one service, message, redirect."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from . import reports, selectors, services
from .access import require_perm
from .exceptions import RevenueError
from .forms import (
    APPROVAL_KINDS_FOR_CHARGES,
    ApprovalRequestForm,
    AsOfForm,
    ChargeForm,
    DateRangeForm,
    DecisionForm,
    PartyForm,
    SearchForm,
)
from .models import Account, ApprovalRequest, Charge, Job, JournalEntry, Party
from .reporting import report_response
from .web import Repeated, post_once

PARTY_CHARGES_PER_PAGE = 100


def home(request):
    context = {}
    if request.user.has_perm("revenue.approve_exception"):
        context["pending_approvals"] = ApprovalRequest.objects.filter(
            status=ApprovalRequest.Status.PENDING
        ).count()
    return render(request, "revenue/home.html", context)


@login_not_required
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


# --------------------------------------------------------------------------- search


@require_perm("revenue.view_party")
def search(request):
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    found = selectors.search(query, user=request.user)
    if len(found.documents) == 1 and not found.parties and found.documents[0].url:
        return redirect(found.documents[0].url)  # a scanned number goes straight to its page
    return render(
        request,
        "revenue/search.html",
        {
            "query": found.query,
            "parties": found.parties,
            "documents": found.documents,
            "limit": selectors.SEARCH_LIMIT,
        },
    )


# --------------------------------------------------------------------------- parties


@require_perm("revenue.view_party")
def party_detail(request, number):
    party = get_object_or_404(Party, number=number)
    # a party may owe a million charges (the citations' holding party): a page of them, and the
    # count and the total from one aggregate
    open_charges = selectors.open_charges(party)
    count, total_due = selectors.open_charges_summary(party)
    paginator = Paginator(open_charges, PARTY_CHARGES_PER_PAGE)
    paginator.count = count
    page = paginator.get_page(request.GET.get("page"))
    charges = list(page.object_list)
    context = {
        "party": party,
        "alerts": selectors.party_alerts(party),
        "charges": charges,
        "page": page,
        "total_due": total_due,
        "credit": party.credit_balance(),
        "payments": selectors.payment_history(party),
        "requests": ApprovalRequest.objects.filter(
            target_type__model="charge",
            target_id__in=[c.pk for c in charges],
            status=ApprovalRequest.Status.PENDING,
        ).select_related("requested_by"),
        "audit_events": services.audit_trail(party)[:100],
        "can_request": request.user.has_perm("revenue.request_exception"),
        "approval_kinds": APPROVAL_KINDS_FOR_CHARGES,
    }
    from .extensions import party_panels

    context["panels"] = [panel for panel in (fn(party, request) for fn in party_panels) if panel]
    return render(request, "revenue/party_detail.html", context)


@require_perm("revenue.add_party")
@require_http_methods(["GET", "POST"])
def party_create(request):
    form = PartyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "token"}
        party = post_once(request, form, lambda: services.party_create(acting_user=request.user, **data))
        if isinstance(party, Repeated):
            return redirect(party.url or "home")
        if party:
            messages.success(request, f"Party {party.number} created.")
            return redirect(party)
    return render(request, "revenue/party_form.html", {"form": form, "title": "New party"})


@require_perm("revenue.change_party")
@require_http_methods(["GET", "POST"])
def party_edit(request, number):
    party = get_object_or_404(Party, number=number)
    form = PartyForm(request.POST or None, instance=party)
    if request.method == "POST" and form.is_valid():
        try:
            services.party_update(party=party, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, "Party saved.")
            return redirect(party)
    return render(
        request, "revenue/party_form.html", {"form": form, "party": party, "title": f"Edit {party.name}"}
    )


# --------------------------------------------------------------------------- charges


@require_perm("revenue.add_charge")
@require_http_methods(["GET", "POST"])
def charge_create(request, number):
    party = get_object_or_404(Party, number=number)
    form = ChargeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        charge = post_once(
            request,
            form,
            lambda: services.charge_assess_fee(
                party=party,
                fee_type=data["fee_type"],
                quantity=data["quantity"],
                amount=data["amount"],
                acting_user=request.user,
            ),
        )
        if isinstance(charge, Repeated):
            return redirect(party)
        if charge:
            messages.success(
                request,
                f"Charge {charge.source_number} assessed: {charge.description}, ${charge.amount:,.2f}.",
            )
            return redirect(party)
    return render(request, "revenue/charge_form.html", {"form": form, "party": party})


# --------------------------------------------------------------------------- approvals


@require_perm("revenue.request_exception")
@require_http_methods(["GET", "POST"])
def approval_request_create(request, charge_id, kind):
    charge = get_object_or_404(Charge.objects.select_related("party"), pk=charge_id)
    if kind not in APPROVAL_KINDS_FOR_CHARGES:
        raise Http404("No such request.")
    form = ApprovalRequestForm(request.POST or None, initial={"amount": charge.balance})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        req = post_once(
            request,
            form,
            lambda: services.approval_request(
                kind=kind,
                target=charge,
                amount=data["amount"],
                reason=data["reason"],
                acting_user=request.user,
            ),
        )
        if isinstance(req, Repeated):
            return redirect(charge.party)
        if req and req.status == ApprovalRequest.Status.PERFORMED:
            messages.success(
                request, f"{req.get_kind_display()} of ${req.amount:,.2f} done within your limit."
            )
            return redirect(charge.party)
        if req:
            messages.success(request, f"{req.get_kind_display()} requested; a supervisor will decide.")
            return redirect(charge.party)
    return render(
        request,
        "revenue/approval_request_form.html",
        {
            "form": form,
            "charge": charge,
            "kind_label": ApprovalRequest.Kind(kind).label,
            "limit": services.exception_limit(user=request.user, kind=kind),
        },
    )


def _approval_queryset(user):
    qs = ApprovalRequest.objects.select_related("requested_by", "decided_by", "target_type")
    if user.has_perm("revenue.approve_exception") or user.has_perm("revenue.view_trial_balance"):
        return qs
    return qs.filter(requested_by=user)


@require_perm("revenue.view_approvalrequest")
def approval_list(request):
    status = request.GET.get("status", "pending")
    qs = _approval_queryset(request.user)
    if status in ApprovalRequest.Status.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "revenue/approval_list.html",
        {"requests": qs[:200], "status": status, "statuses": ApprovalRequest.Status.choices},
    )


@require_perm("revenue.view_approvalrequest")
def approval_detail(request, pk):
    req = get_object_or_404(_approval_queryset(request.user), pk=pk)
    can_decide = (
        request.user.has_perm("revenue.approve_exception")
        and req.requested_by_id != request.user.pk
        and req.status == ApprovalRequest.Status.PENDING
    )
    from .extensions import approval_panels

    return render(
        request,
        "revenue/approval_detail.html",
        {
            "req": req,
            "form": DecisionForm(),
            "can_decide": can_decide,
            "audit_events": services.audit_trail(req),
            # the target as its app shows it (a receipt's lines and tenders), to decide on the thing itself
            "panels": [panel for panel in (fn(req, request) for fn in approval_panels) if panel],
        },
    )


@require_perm("revenue.approve_exception")
@require_POST
def approval_decide(request, pk):
    req = get_object_or_404(ApprovalRequest, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form[field].label}: {' '.join(errors)}")
        return HttpResponseRedirect(req.get_absolute_url())
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.approval_decide(
            request=req, approve=approve, acting_user=request.user, note=form.cleaned_data["note"]
        )
    except RevenueError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(req.get_absolute_url())
    messages.success(request, f"Request {'approved' if approve else 'denied'}.")
    return redirect("approval_list")


# --------------------------------------------------------------------------- reports


def _as_of(request) -> tuple[AsOfForm, datetime.date]:
    """The report date from ?as_of=; today when absent, or (with the form's error shown) when
    it is not a date."""
    form = AsOfForm(request.GET or {"as_of": services.city_today()})
    as_of = form.cleaned_data["as_of"] if form.is_valid() else services.city_today()
    return form, as_of


@require_perm("revenue.view_trial_balance")
def trial_balance(request, fmt="html"):
    form, as_of = _as_of(request)
    tb = selectors.trial_balance(as_of=as_of)
    fy_start = services.fiscal_year_bounds(services.fiscal_year_of(as_of))[0]
    return report_response(
        request,
        reports.trial_balance_report(tb, as_of=as_of),
        fmt,
        template="revenue/trial_balance.html",
        pdf_template="revenue/print/trial_balance.html",
        context={"form": form, "tb": tb, "as_of": as_of, "fy_start": fy_start},
    )


ACTIVITY_SCREEN_LIMIT = 2000


@require_perm("revenue.view_journalentry")
def account_activity(request, number, fmt="html"):
    account = get_object_or_404(Account.objects.select_related("fund"), number=number)
    form = DateRangeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        end = services.city_today()
        start = services.fiscal_year_bounds(services.fiscal_year_of(end))[0]
        if not form.is_bound:
            form = DateRangeForm(initial={"start": start, "end": end})
    activity = selectors.account_activity(
        account=account, start=start, end=end, limit=None if fmt == "xlsx" else ACTIVITY_SCREEN_LIMIT
    )
    return report_response(
        request,
        reports.account_activity_report(activity),
        fmt,
        template="revenue/account_activity.html",
        context={"form": form, "activity": activity, "account": account},
    )


@require_perm("revenue.view_journalentry")
def journal_entry(request, number):
    entry = get_object_or_404(
        JournalEntry.objects.select_related("posted_by", "reverses", "source_type"), number=number
    )
    return render(
        request,
        "revenue/journal_entry.html",
        {
            "entry": entry,
            "lines": entry.lines.select_related("account", "party"),
            "reversed_by": JournalEntry.objects.filter(reverses=entry).first(),
        },
    )


@require_perm("revenue.request_exception")
@require_http_methods(["GET", "POST"])
def refund_request(request, number):
    party = get_object_or_404(Party, number=number)
    credit = party.credit_balance()
    form = ApprovalRequestForm(request.POST or None, initial={"amount": credit})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        req = post_once(
            request,
            form,
            lambda: services.approval_request(
                kind=ApprovalRequest.Kind.REFUND,
                target=party,
                amount=data["amount"],
                reason=data["reason"],
                acting_user=request.user,
            ),
        )
        if isinstance(req, Repeated):
            return redirect(party)
        if req:
            messages.success(
                request,
                "Refund requested; a supervisor will decide."
                if req.status == "pending"
                else "Refund recorded within your limit.",
            )
            return redirect(party)
    return render(request, "revenue/refund_form.html", {"form": form, "party": party, "credit": credit})


@require_perm("revenue.view_trial_balance")
def refunds_payable(request, fmt="html"):
    """Approved refunds of credit on account, for the accounts payable side to pay."""
    return report_response(
        request,
        reports.refunds_payable_report(),
        fmt,
        context={"xlsx_url": reverse("refunds_payable_xlsx"), "empty": "No refunds waiting."},
    )


# --------------------------------------------------------------------------- background jobs


def _job_for(request, pk) -> Job:
    """A job its starter may follow; supervisors and auditors see every job."""
    job = get_object_or_404(Job.objects.select_related("created_by"), pk=pk)
    if job.created_by_id != request.user.pk and not request.user.has_perm("revenue.view_job"):
        raise Http404("No such job.")
    return job


def job_detail(request, pk):
    job = _job_for(request, pk)
    waiting = (timezone.now() - job.created_at).total_seconds()
    context = {
        "job": job,
        "stalled": services.job_stalled(job),
        "waiting_long": job.status == Job.Status.QUEUED and waiting > services.STALLED_AFTER_SECONDS,
    }
    return render(request, "revenue/job_detail.html", context)


def job_status(request, pk):
    """The job's state for its page to follow without reloading."""
    job = _job_for(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_display": job.get_status_display(),
            "active": job.is_active,
            "stalled": services.job_stalled(job),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "message": job.message,
        }
    )


@require_POST
def job_retry(request, pk):
    job = _job_for(request, pk)
    try:
        services.job_retry(job=job, acting_user=request.user)
    except RevenueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The job is back on the queue; it carries on where it stopped.")
    return redirect(job)


def job_list(request):
    jobs = Job.objects.select_related("created_by")
    if not request.user.has_perm("revenue.view_job"):
        jobs = jobs.filter(created_by=request.user)
    return render(request, "revenue/job_list.html", {"jobs": jobs[:200]})
