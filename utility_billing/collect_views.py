"""Collection's screens: the delinquent accounts (notices sent from there), the late fee run, the
notices and their letters, the shut-off list with its disconnect orders and door hangers, an
account's collection page with its payment plan, and the yearly count of disconnections."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from revenue import services as core
from revenue.access import require_perm
from revenue.documents import barcode_svg, pdf_response, render_pdf
from revenue.exceptions import RevenueError
from revenue.models import Charge
from revenue.web import Repeated, post_once

from . import collect_rules as rules
from . import collect_selectors as sel
from . import services
from .collect_forms import PlanForm, PlanRequestForm, ReasonForm, RunDateForm
from .collect_panels import account_url
from .models import DelinquencyNotice, LateFee, PaymentPlan, ServiceAccount, ServiceOrder
from .services.plans import plan_first_due_default, plan_next_due, plan_paid

VIEW = "utility_billing.view_collection"


def _policy(request, on):
    try:
        return sel.policy_on(on)
    except core.NoPolicyInForce as exc:
        messages.error(request, str(exc))
        return None


def _on(request) -> datetime.date:
    form = RunDateForm(request.GET or None)
    return form.cleaned_data["on"] if form.is_bound and form.is_valid() else core.city_today()


@require_perm(VIEW)
@require_http_methods(["GET", "POST"])
def delinquency(request):
    """Every account with a bill past due, oldest first, with where it stands; notices sent from here."""
    today = core.city_today()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "plans":
                if not request.user.has_perm("utility_billing.manage_plans"):
                    raise core.NotAllowed("Your role does not review payment plans.")
                done = services.plans_review(acting_user=request.user)
                messages.success(
                    request,
                    f"Plans reviewed: {core.plural(len(done['completed']), 'plan')} completed, "
                    f"{core.plural(len(done['defaulted']), 'plan')} defaulted.",
                )
            else:
                ids = services.notices_send(acting_user=request.user)
                messages.success(request, f"{core.plural(len(ids), 'delinquency notice')} sent today.")
                if ids:
                    return redirect(f"{reverse('utility_billing:notices')}?on={today.isoformat()}")
        except RevenueError as exc:
            messages.error(request, str(exc))
        return redirect("utility_billing:delinquency")
    policy = _policy(request, today)
    rows = sel.shutoff_list(on=today, everyone=True) if policy else []
    return render(
        request,
        "utility_billing/collect_delinquency.html",
        {"rows": rows, "policy": policy, "today": today, "urls": {r.number: _url(r.number) for r in rows}},
    )


def _url(number: str) -> str:
    return reverse("utility_billing:collect_account", args=[number])


@require_perm("utility_billing.run_late_fees")
@require_http_methods(["GET", "POST"])
def late_fees(request):
    """Run the late fees as of a day (a job, with its progress page); the latest fees below."""
    today = core.city_today()
    form = RunDateForm(request.POST or None, initial={"on": today})
    if request.method == "POST" and form.is_valid():
        on = form.cleaned_data["on"]
        if _policy(request, on) is not None:
            job = core.job_start(
                kind="utility_billing.late_fee_run",
                title=f"Utility late fees as of {on:%m/%d/%Y}",
                params={"on": on.isoformat()},
                acting_user=request.user,
            )
            messages.success(request, "The late fee run is queued; this page shows how far it has got.")
            return redirect(job)
    policy = _policy(request, today)
    fees = list(LateFee.objects.select_related("bill", "account__party").order_by("-assessed_on", "-pk")[:50])
    charges = {
        c.source_id: c
        for c in Charge.objects.filter(source_type_id=sel.ctype(LateFee), source_id__in=[f.pk for f in fees])
    }
    for f in fees:
        f.charge = charges.get(f.pk)
    return render(
        request,
        "utility_billing/collect_late_fees.html",
        {
            "form": form,
            "policy": policy,
            "fees": fees,
            "latest_due": rules.late_fee_latest_due(today, policy.grace_days) if policy else None,
        },
    )


@require_perm(VIEW)
def notices(request):
    """Notices by day, each day's letters as one PDF."""
    days = (
        DelinquencyNotice.objects.filter(kind="letter")
        .values_list("sent_on", flat=True)
        .distinct()
        .order_by("-sent_on")
    )
    on = _on(request)
    return render(
        request,
        "utility_billing/collect_notices.html",
        {"days": list(days[:30]), "on": on, "notices": sel.notices_on(on)[:500]},
    )


@require_perm(VIEW)
def notices_pdf(request):
    """The day's delinquency letters, each followed by its landlord's copy where asked."""
    on = _on(request)
    letters = []
    for n in sel.notices_on(on):
        letters.append({"notice": n, "to": n.account.party, "copy": False})
        if n.landlord_copy and n.account.landlord is not None:
            letters.append({"notice": n, "to": n.account.landlord, "copy": True})
    pdf = render_pdf(
        "utility_billing/print/delinquency_notices.html", {"letters": letters, "on": on}, request=request
    )
    return pdf_response(pdf, f"delinquency-notices-{on.isoformat()}.pdf")


@require_perm(VIEW)
@require_http_methods(["GET", "POST"])
def shutoff(request):
    """The accounts that may be shut off today under the rules; disconnect orders for those ticked."""
    today = core.city_today()
    if request.method == "POST":
        numbers = [n for n in request.POST.getlist("account") if n][:500]
        try:
            if not numbers:
                raise RevenueError("Tick the accounts to disconnect.")
            orders = services.disconnects_order(account_numbers=numbers, acting_user=request.user)
        except RevenueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"{core.plural(len(orders), 'disconnect order')} opened for the field crew: "
                + ", ".join(o.number for o in orders) + "."
            )  # fmt: skip
        return redirect("utility_billing:shutoff")
    policy = _policy(request, today)
    rows = sel.shutoff_list(on=today) if policy else []
    ordered = (
        ServiceOrder.objects.filter(kind="disconnect", status__in=ServiceOrder.OPEN)
        .select_related("account__party", "premise")
        .order_by("created_at")[:200]
    )
    return render(
        request,
        "utility_billing/collect_shutoff.html",
        {"rows": rows, "policy": policy, "today": today, "ordered": ordered},
    )


@require_perm("utility_billing.send_notices")
@require_POST
def door_hangers(request):
    """Door hangers for the open disconnect orders ticked (or all of them): recorded, then printed."""
    orders = ServiceOrder.objects.filter(
        kind="disconnect", status__in=ServiceOrder.OPEN, account__isnull=False
    )
    picked = [n for n in request.POST.getlist("order") if n][:500]
    if picked:
        orders = orders.filter(number__in=picked)
    orders = list(
        orders.select_related("account__party", "account__premise", "premise").order_by(
            "premise__route", "premise__route_sequence"
        )
    )
    try:
        hangers = services.door_hangers_record(orders=orders, acting_user=request.user)
    except RevenueError as exc:
        messages.error(request, str(exc))
        return redirect("utility_billing:shutoff")
    if not hangers:
        messages.info(request, "No open disconnect order to print a door hanger for.")
        return redirect("utility_billing:shutoff")
    by_account = {o.account_id: o for o in orders}
    pdf = render_pdf(
        "utility_billing/print/door_hangers.html",
        {"hangers": [{"notice": h, "order": by_account.get(h.account_id)} for h in hangers]},
        request=request,
    )
    return pdf_response(pdf, f"door-hangers-{core.city_today().isoformat()}.pdf")


@require_perm(VIEW)
def collect_account(request, number):
    """One account's collection: what it owes and since when, its open charges oldest first, its
    late fees, notices, plans and shut-off orders."""
    account = get_object_or_404(
        ServiceAccount.objects.select_related("party", "premise", "landlord"), number=number
    )
    today = core.city_today()
    charges = sel.open_charges_oldest_first(account)
    return render(
        request,
        "utility_billing/collect_account.html",
        {
            "account": account,
            "account_page": account_url(account),
            "standing": sel.standing(account, today),
            "today": today,
            "charges": charges,
            "stub": rules.stub_text(
                account.number,
                account.bills.filter(status="posted")
                .order_by("-bill_date", "-pk")
                .values_list("number", flat=True)
                .first()
                or "",
            )
            if account.bills.filter(status="posted").exists()
            else account.number,
            "late_fees": account.late_fees.select_related("bill")[:24],
            "notices": account.notices.all()[:24],
            "plans": account.plans.all()[:12],
            "orders": ServiceOrder.objects.filter(account=account, kind__in=["disconnect", "reconnect"])[:24],
            "waivable": {c.pk for c in charges if c.source_type_id == sel.ctype(LateFee)},
        },
    )


@require_perm("utility_billing.manage_plans")
@require_http_methods(["GET", "POST"])
def plan_new(request, number):
    """A payment plan for the account: asked for (recorded), or set up over months."""
    account = get_object_or_404(ServiceAccount, number=number)
    asking = request.POST.get("action") == "request"
    form = (PlanRequestForm if asking else PlanForm)(
        request.POST or None, initial={"first_due": plan_first_due_default(), "months": 6}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        plan = post_once(
            request,
            form,
            (lambda: services.plan_request(account=account, acting_user=request.user, note=d["note"]))
            if asking
            else lambda: services.plan_set_up(
                account=account,
                months=d["months"],
                first_due=d["first_due"],
                acting_user=request.user,
                note=d["note"],
            ),
        )
        if isinstance(plan, Repeated):
            return redirect(plan.url or _url(number))
        if plan:
            messages.success(request, f"Payment plan {plan.number}: {plan.get_status_display().lower()}.")
            return redirect(plan)
    return render(
        request,
        "utility_billing/collect_plan_form.html",
        {
            "account": account,
            "form": form
            if not asking
            else PlanForm(initial={"first_due": plan_first_due_default(), "months": 6}),
            "request_form": form if asking else PlanRequestForm(),
            "standing": sel.standing(account),
            "policy": _policy(request, core.city_today()),
        },
    )


@require_perm("utility_billing.view_paymentplan")
@require_http_methods(["GET", "POST"])
def plan(request, number):
    plan = get_object_or_404(
        PaymentPlan.objects.select_related("account__party", "account__premise"), number=number
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("utility_billing.manage_plans"):
            messages.error(request, "Your role does not cancel payment plans.")
        elif form.is_valid():
            try:
                services.plan_cancel(plan=plan, acting_user=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, f"{plan.number} cancelled.")
                return redirect(plan)
            except RevenueError as exc:
                form.add_error(None, str(exc))
    return render(
        request,
        "utility_billing/collect_plan.html",
        {
            "plan": plan,
            "form": form,
            "rows": plan_next_due(plan) if plan.status != "requested" else [],
            "paid": plan_paid(plan) if plan.status != "requested" else None,
        },
    )


@require_perm(VIEW)
def disconnections(request):
    """Disconnections for non-payment per year, for the state's yearly report."""
    return render(
        request, "utility_billing/collect_disconnections.html", {"years": sel.disconnections_by_year()}
    )


def stub_barcode(account_number: str, bill_number: str) -> str:
    """The stub's Code 128 barcode (an SVG data URL) for a bill's printer to place on the stub."""
    return barcode_svg(rules.stub_text(account_number, bill_number))
