"""Close-out, a session's page and sign-off, the day's reconciliation."""

import datetime

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from revenue import services as core
from revenue.access import require_perm
from revenue.exceptions import RevenueError
from revenue.models import ZERO
from revenue.reporting import report_response

from .. import selectors, services
from ..forms import CloseOutForm
from ..models import DENOMINATIONS, CashierSession
from ..reports import day_exceptions, day_reconciliation
from .common import open_session


@require_perm("cashiering.take_payment")
@require_http_methods(["GET", "POST"])
def close_out(request):
    session = open_session(request)
    if session is None:
        return redirect("cashiering:session_open")
    checks = list(services.session_checks(session))
    suspense = list(services.session_suspense_checks(session))
    blind = services.expected_hidden_from(session, request.user)
    form = CloseOutForm(
        request.POST or None, check_ids=[t.pk for t in checks], suspense_ids=[i.pk for i in suspense]
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.session_close(
                session=session,
                counted_counts=form.counts(),
                confirmed_check_ids=d["confirmed_checks"],
                confirmed_suspense_ids=d["confirmed_suspense"],
                card_batch_total=d["card_batch_total"] or ZERO,
                explanation=d["explanation"],
                acting_user=request.user,
            )
        except RevenueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Session closed. A supervisor will sign it off.")
            return redirect(session)
    return render(
        request,
        "cashiering/close_out.html",
        {
            "session": session,
            "form": form,
            "checks": checks,
            "suspense": suspense,
            "blind": blind,
            "expected": None if blind else services.session_expected(session),
            "confirmed": _ticked(form, "confirmed_checks"),
            "confirmed_suspense": _ticked(form, "confirmed_suspense"),
            "limit": services.policy_on(session.business_date).over_short_explain_over,
            "denominations": DENOMINATIONS,
        },
    )


def _ticked(form, name: str) -> list[int]:
    return form.cleaned_data.get(name, []) if form.is_bound and hasattr(form, "cleaned_data") else []


@require_perm("cashiering.view_cashiersession")
def session_detail(request, pk):
    session = get_object_or_404(selectors.sessions_visible_to(request.user), pk=pk)
    blind = services.expected_hidden_from(session, request.user)
    receipts = session.receipts.select_related("party").annotate(n_lines=Count("lines"))
    return render(
        request,
        "cashiering/session_detail.html",
        {
            "session": session,
            "receipts": receipts,
            "expected": None if blind else services.session_expected(session),
            "blind": blind,
            "suspense": session.suspense_items.all(),
            "can_sign_off": request.user.has_perm("cashiering.sign_off_session")
            and session.status == CashierSession.Status.CLOSED
            and session.clerk_id != request.user.pk,
            "denominations": [(d, (session.counted_counts or {}).get(d.key, 0)) for d in DENOMINATIONS],
            "audit_events": core.audit_trail(session),
        },
    )


@require_perm("cashiering.sign_off_session")
@require_POST
def session_sign_off(request, pk):
    session = get_object_or_404(CashierSession, pk=pk)
    try:
        services.session_sign_off(session=session, acting_user=request.user)
    except RevenueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Session {session} signed off.")
    return redirect(f"{reverse('cashiering:day')}?date={session.business_date:%Y-%m-%d}")


@require_perm("cashiering.sign_off_session")
def day(request, fmt=None):
    """The day's reconciliation: the page, its PDF and its .xlsx (the same Report)."""
    try:
        when = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        when = core.city_today()
    sessions = list(selectors.day_sessions(when))
    context = {
        "day": when,
        "rows": [(s, services.session_expected(s) if s.is_open else None) for s in sessions],
        "totals": selectors.counted_totals(sessions),
        "over_short": sum((s.over_short_total for s in sessions if s.counted_cash is not None), ZERO),
        "exceptions": day_exceptions(when),
    }
    return report_response(
        request,
        day_reconciliation(when, sessions),
        fmt,
        template="cashiering/day.html",
        pdf_template="cashiering/print/day.html",
        context=context,
    )
