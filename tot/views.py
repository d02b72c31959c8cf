"""TOT screens: operators, returns (file, detail with the late charges for a day, amend, audit
adjustment), the log of returns, non-filers with notices, and the report by operator and month."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from revenue import services as core
from revenue.access import deny, require_perm
from revenue.documents import pdf_response, render_pdf
from revenue.exceptions import RevenueError
from revenue.forms import int_param
from revenue.reporting import report_response
from revenue.web import Repeated, post_once

from . import reports, selectors, services
from .forms import AmendForm, LateAsOfForm, OperatorForm, ReturnForm
from .models import ZERO, NonFilerNotice, Operator, TotReturn

LOG_PER_PAGE = 100
TERMS_SHOWN = 24  # the rate and due date table lists the latest months; the preview shows any


def _operator(certificate):
    return get_object_or_404(Operator.objects.select_related("party"), certificate_number=certificate)


# --------------------------------------------------------------------------- operators


@require_perm("tot.view_operator")
def operator_list(request):
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    operators = Operator.objects.select_related("party")
    if q:
        operators = operators.filter(
            Q(certificate_number__iexact=q)
            | Q(name__icontains=q)
            | Q(party__name__icontains=q)
            | Q(location__icontains=q)
        )
    if status in Operator.Status.values:
        operators = operators.filter(status=status)
    return render(
        request,
        "tot/operator_list.html",
        {"operators": operators[:300], "q": q, "status": status, "statuses": Operator.Status.choices},
    )


def _operator_data(form):
    return {k: v for k, v in form.cleaned_data.items() if k not in ("token", "party_number")}


@require_perm("tot.add_operator")
@require_http_methods(["GET", "POST"])
def operator_new(request):
    form = OperatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        operator = post_once(
            request,
            form,
            lambda: services.operator_create(
                party=form.party, acting_user=request.user, **_operator_data(form)
            ),
        )
        if isinstance(operator, Repeated):
            return redirect(operator.url or "tot:operator_list")
        if operator:
            messages.success(request, f"Operator {operator.certificate_number} added.")
            return redirect(operator)
    return render(request, "tot/operator_form.html", {"form": form, "operator": None})


@require_perm("tot.change_operator")
@require_http_methods(["GET", "POST"])
def operator_edit(request, certificate):
    operator = _operator(certificate)
    form = OperatorForm(request.POST or None, instance=Operator.objects.get(pk=operator.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.operator_update(
                operator=operator, party=form.party, acting_user=request.user, **_operator_data(form)
            )
        except RevenueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Operator saved.")
            return redirect(operator)
    return render(request, "tot/operator_form.html", {"form": form, "operator": operator})


@require_perm("tot.view_operator")
def operator_detail(request, certificate):
    operator = _operator(certificate)
    returns = list(operator.returns.order_by("-period_start", "-pk"))
    return render(
        request,
        "tot/operator_detail.html",
        {
            "operator": operator,
            "returns": returns,
            "owes": selectors.operator_owes(operator),
            "missing": selectors.missing_periods(operator),
            "lookback_months": selectors.LOOKBACK_MONTHS,
            "notices": operator.nonfiler_notices.all(),
            "audit_events": core.audit_trail(operator),
        },
    )


# --------------------------------------------------------------------------- returns


@require_perm("tot.file_return")
@require_http_methods(["GET", "POST"])
def return_new(request, certificate):
    operator = _operator(certificate)
    try:
        window = services.filing_window(operator, core.city_today())
        periods, window_error = window.periods(), ""
    except RevenueError as exc:
        window, periods, window_error = None, [], str(exc)
    form = ReturnForm(request.POST or None, periods=periods)
    preview = None
    period = request.GET.get("period", "")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def work():
            return services.return_file(
                operator=operator,
                period=data["period"],
                received_on=data["received_on"],
                acting_user=request.user,
                note=data.get("note", ""),
                **form.figures(),
            )

        ret = post_once(request, form, work)
        if isinstance(ret, Repeated):
            return redirect(ret.url or operator.get_absolute_url())
        if ret:
            messages.success(
                request,
                f"Return {ret.number} filed for {ret.period_start:%B %Y}: taxable {ret.taxable_rents:,.2f}, "
                f"tax {ret.tax:,.2f} at {ret.rate_percent.normalize():f}%, due {ret.due_on:%m/%d/%Y}.",
            )
            return redirect(ret)
    if form.is_bound and form.is_valid():
        try:
            preview = services.return_preview(
                period=form.cleaned_data["period"], figures=services.figures_check(**form.figures())
            )
        except RevenueError:
            preview = None
    if not form.is_bound and period:
        form.initial["period"] = period
    return render(
        request,
        "tot/return_form.html",
        {
            "form": form,
            "operator": operator,
            "terms": selectors.period_terms_table(periods[:TERMS_SHOWN]),
            "older_periods": len(periods) > TERMS_SHOWN,
            "window": window,
            "window_error": window_error,
            "preview": preview,
        },
    )


def _late_for(ret, on):
    try:
        return services.late_view(ret, on), ""
    except RevenueError as exc:
        return None, str(exc)
    except (ValueError, OverflowError):  # a date the calendar arithmetic cannot reach
        return None, f"The late charges cannot be worked out for {on:%m/%d/%Y}."


@require_perm("tot.view_totreturn")
def return_detail(request, number):
    ret = get_object_or_404(TotReturn.objects.select_related("operator__party", "supersedes"), number=number)
    today = core.city_today()
    as_of = LateAsOfForm(request.GET or None, period_start=ret.period_start)
    on = today
    if as_of.is_bound and as_of.is_valid() and as_of.cleaned_data.get("on"):
        on = as_of.cleaned_data["on"]
    late, error = _late_for(ret, on)
    if as_of.is_bound and not as_of.is_valid():
        error = " ".join([*as_of.errors.get("on", []), f"Shown for today ({today:%m/%d/%Y}).", error]).strip()
    charges = selectors.period_charges(ret) if ret.status in ("current", "superseded") else []
    current = (
        ret
        if ret.status == TotReturn.Status.CURRENT
        else selectors.current_return(ret.operator, ret.period_start)
    )
    open_numbers = sorted({c.source_number for c in charges if not c.is_settled})
    return render(
        request,
        "tot/return_detail.html",
        {
            "ret": ret,
            "current": current,
            "history": selectors.chain(ret)
            + list(
                TotReturn.objects.filter(
                    operator=ret.operator,
                    period_start=ret.period_start,
                    status__in=[TotReturn.Status.PENDING, TotReturn.Status.DENIED],
                )
            ),
            "charges": charges,
            "due": sum((c.balance for c in charges), ZERO),
            "open_numbers": open_numbers,
            "late": late,
            "late_error": error,
            "on": on,
            "today": today,
            "as_of": as_of,
            "approval": selectors.approval_for(ret) if ret.kind == TotReturn.Kind.AUDIT else None,
            "audit_events": core.audit_trail(ret),
        },
    )


def _amend_view(request, number, *, audit):
    ret = get_object_or_404(TotReturn.objects.select_related("operator__party"), number=number)
    if ret.status != TotReturn.Status.CURRENT:
        messages.error(request, f"{ret.number} is not the current return for its period.")
        return redirect(ret)
    initial = {
        "gross_rents": ret.gross_rents,
        "exempt_long_stay": ret.exempt_long_stay,
        "exempt_government": ret.exempt_government,
        "exempt_other": ret.exempt_other,
        "exempt_other_reason": ret.exempt_other_reason,
    }
    form = AmendForm(request.POST or None, initial=initial, audit=audit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if audit:

            def work():
                return services.audit_adjustment_request(
                    current=ret, reason=data["reason"], acting_user=request.user, **form.figures()
                )
        else:

            def work():
                return services.return_amend(
                    current=ret,
                    reason=data["reason"],
                    acting_user=request.user,
                    received_on=data["received_on"],
                    **form.figures(),
                )

        new = post_once(request, form, work)
        if isinstance(new, Repeated):
            return redirect(new.url or ret.get_absolute_url())
        if new:
            if audit:
                messages.success(
                    request, f"Audit adjustment {new.number} is waiting for a supervisor's approval."
                )
            else:
                messages.success(
                    request, f"Amended return {new.number} replaces {ret.number}: tax {new.tax:,.2f}."
                )
            return redirect(new)
    return render(request, "tot/return_amend.html", {"form": form, "ret": ret, "audit": audit})


@require_perm("tot.file_return")
@require_http_methods(["GET", "POST"])
def return_amend(request, number):
    return _amend_view(request, number, audit=False)


@require_perm("tot.adjust_return")
@require_http_methods(["GET", "POST"])
def return_adjust(request, number):
    return _amend_view(request, number, audit=True)


@require_perm("tot.view_totreturn")
def return_log(request):
    returns = TotReturn.objects.select_related("operator", "created_by").order_by("-pk")
    operator = request.GET.get("operator", "").strip()
    period = request.GET.get("period", "").strip()
    kind = request.GET.get("kind", "")
    if operator:
        returns = returns.filter(
            Q(operator__certificate_number__iexact=operator) | Q(operator__name__icontains=operator)
        )
    if period:
        try:
            year, month = (int(x) for x in period.split("-")[:2])
            returns = returns.filter(period_start=datetime.date(year, month, 1))
        except ValueError:
            messages.warning(request, "The period is a month like 2026-06.")
    if kind in TotReturn.Kind.values:
        returns = returns.filter(kind=kind)
    paginator = Paginator(selectors.with_paid_and_owed(returns), LOG_PER_PAGE)
    page = paginator.page(int_param(request, "page", 1, 1, paginator.num_pages))
    return render(
        request,
        "tot/return_log.html",
        {
            "returns": page.object_list,
            "page": page,
            "sums": selectors.log_totals(returns),
            "operator": operator,
            "period": period,
            "kind": kind,
            "kinds": TotReturn.Kind.choices,
        },
    )


# --------------------------------------------------------------------------- non-filers


@require_perm("tot.view_tot_reports")
def nonfilers(request):
    return render(
        request,
        "tot/nonfilers.html",
        {
            "missing": selectors.nonfilers(),
            "lookback_months": selectors.LOOKBACK_MONTHS,
            "can_send": request.user.has_perm("tot.file_return"),
            "today": core.city_today(),
        },
    )


@require_perm("tot.view_tot_reports")
@require_perm("tot.file_return")  # sending is a clerk's act: the auditor reads the list, never sends
@require_POST
def nonfiler_notices_send(request):
    if not request.user.has_perm("tot.file_return"):
        raise deny("tot.file_return")
    try:
        made = services.nonfiler_notices_send(acting_user=request.user)
    except RevenueError as exc:
        messages.error(request, str(exc))
        return redirect("tot:nonfilers")
    if not made:
        messages.info(request, "Every missing period has been noticed already; nothing new to send.")
        return redirect("tot:nonfilers")
    today = core.city_today()
    messages.success(
        request,
        f"{len(made)} missing period{'s' if len(made) != 1 else ''} noticed today. "
        f"Print the letters: {reverse('tot:nonfiler_notices_pdf')}?sent_on={today:%Y-%m-%d}",
    )
    return redirect(f"{reverse('tot:nonfilers')}?sent_on={today:%Y-%m-%d}")


@require_perm("tot.view_tot_reports")
def nonfiler_notices_pdf(request):
    """Letters, one per operator. `?sent_on=` gives the notices recorded that day; without it, a
    preview of what "Send notices" would send (periods not noticed yet)."""
    sent_on = request.GET.get("sent_on", "")
    letters = []
    preview = True
    if sent_on:
        try:
            day = datetime.date.fromisoformat(sent_on)
        except ValueError:
            day = None
        if day:
            preview = False
            by_op = {}
            for n in NonFilerNotice.objects.filter(sent_on=day).select_related("operator__party"):
                by_op.setdefault(n.operator, []).append(n.period_start)
            letters = [
                (op, sorted(periods)) for op, periods in sorted(by_op.items(), key=lambda x: x[0].name)
            ]
    else:
        letters = [(m.operator, m.new_periods) for m in selectors.nonfilers() if m.new_periods]
    policies = selectors.policies_loaded()  # once, not a query per period
    rows = []
    for op, periods in letters:
        due = selectors.due_dates(periods, policies=policies)
        rows.append({"operator": op, "periods": [(p, due[p]) for p in periods]})
    pdf = render_pdf(
        "tot/print/nonfiler_notices.html",
        {"letters": rows, "preview": preview, "today": core.city_today()},
        request=request,
    )
    return pdf_response(pdf, "tot-nonfiler-notices.pdf")


# --------------------------------------------------------------------------- the report


def _year(request):
    try:
        year = int(request.GET.get("year", ""))
        if 2000 <= year <= 2200:
            return year
    except ValueError:
        pass
    return core.city_today().year


@require_perm("tot.view_tot_reports")
def report(request, fmt=None):
    return report_response(request, reports.tot_by_operator(_year(request)), fmt, template="tot/report.html")
