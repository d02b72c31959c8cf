"""Bill runs and bills: the runs list and the start form, a run's page (progress, totals, the
steps), the proof register (paged, .xlsx), approve / post / release / take back (POST), the mail
house's merged PDF in parts, a bill's page and its PDF. Thin: parse, call one service, message."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from revenue import services as core
from revenue.access import require_perm
from revenue.documents import pdf_response
from revenue.exceptions import RevenueError
from revenue.reporting import report_response
from revenue.web import Repeated, post_once

from .. import bill_selectors as selectors
from .. import services
from ..bill_documents import bill_pdf, run_bills_pdf, run_parts
from ..bill_forms import BillRunForm, TakeBackForm
from ..bill_rules import EXCEPTIONS
from ..models import Bill, BillRun

VIEW_RUN, START, APPROVE, VIEW_BILL = (
    "utility_billing.view_billrun",
    "utility_billing.add_billrun",
    "utility_billing.approve_billrun",
    "utility_billing.view_bill",
)
PAGE_SIZE = 100


def _page(params, last: int) -> int:
    value = params.get("page", "")
    number = int(value) if value.isascii() and value.isdecimal() else 1
    return number if 1 <= number <= last else 1


@require_perm(VIEW_RUN)
def run_list(request):
    runs = BillRun.objects.select_related("cycle", "created_by", "job")[:50]
    return render(request, "utility_billing/bill_run_list.html", {"runs": runs})


@require_perm(START)
@require_http_methods(["GET", "POST"])
def run_new(request):
    today = core.city_today()
    form = BillRunForm(request.POST or None, initial={"bill_date": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def work():
            try:
                return services.bill_run_start(
                    cycle=data["cycle"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    bill_date=data["bill_date"],
                    acting_user=request.user,
                )
            except RevenueError as exc:
                form.add_error(None, str(exc))
                raise

        try:
            run = post_once(request, form, work)
        except RevenueError:
            run = None
        if isinstance(run, Repeated):
            return redirect(run.url or "utility_billing:runs")
        if run is not None:
            messages.success(request, f"{run.number} is calculating; this page shows how far it has got.")
            return redirect(run)
    return render(request, "utility_billing/bill_run_form.html", {"form": form})


@require_perm(VIEW_RUN)
def run_detail(request, number):
    run = get_object_or_404(
        BillRun.objects.select_related("cycle", "created_by", "approved_by", "job"), number=number
    )
    job = run.job
    return render(
        request,
        "utility_billing/bill_run_detail.html",
        {
            "run": run,
            "job": job,
            "working": job is not None and job.status in ("queued", "running"),
            "totals": selectors.register_totals(run),
            "parts": range(1, run_parts(run) + 1),
            "take_back_form": TakeBackForm(),
            "may_approve": request.user.has_perm(APPROVE) and run.created_by_id != request.user.pk,
        },
    )


@require_perm(VIEW_RUN)
def run_register(request, number):
    run = get_object_or_404(BillRun.objects.select_related("cycle"), number=number)
    kind = request.GET.get("kind", "")
    kind = kind if kind in EXCEPTIONS else ""
    if request.GET.get("format") == "xlsx":
        return report_response(request, selectors.register_report(run, kind), "xlsx")
    paginator = Paginator(selectors.register_bills(run, kind), PAGE_SIZE)
    page = paginator.page(_page(request.GET, paginator.num_pages))
    return report_response(
        request,
        selectors.register_report(run, kind, bills=page.object_list),
        "html",
        template="utility_billing/bill_register.html",
        context={
            "run": run,
            "page": page,
            "kind": kind,
            "kinds": EXCEPTIONS,
            "totals": selectors.register_totals(run),
        },
    )


def _step(request, number, work, done: str):
    run = get_object_or_404(BillRun, number=number)
    try:
        work(run)
    except RevenueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(run)


@require_perm(APPROVE)
@require_POST
def run_approve(request, number):
    return _step(
        request,
        number,
        lambda r: services.bill_run_approve(run=r, acting_user=request.user),
        "The run is approved.",
    )


@require_perm(APPROVE)
@require_POST
def run_post(request, number):
    return _step(
        request,
        number,
        lambda r: services.bill_run_post_start(run=r, acting_user=request.user),
        "The run is being posted; this page shows how far it has got.",
    )


@require_perm(APPROVE)
@require_POST
def run_release(request, number):
    return _step(
        request,
        number,
        lambda r: services.bill_run_release(run=r, acting_user=request.user),
        "The bills are released: print the mail house's file; the e-mails are going out.",
    )


@require_perm(APPROVE)
@require_POST
def run_take_back(request, number):
    form = TakeBackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the run is taken back.")
        return redirect("utility_billing:run", number)
    reason = form.cleaned_data["reason"]
    return _step(
        request,
        number,
        lambda r: services.bill_run_take_back(run=r, acting_user=request.user, reason=reason),
        "The run is taken back: its entries are reversed and the period may be run again.",
    )


@require_perm(VIEW_RUN)
def run_bills(request, number):
    """The run's bills merged for the mail house, BILLS_PER_PART a file (?part=2 …)."""
    run = get_object_or_404(BillRun, number=number)
    part = _page({"page": request.GET.get("part", "")}, run_parts(run))
    return pdf_response(run_bills_pdf(run, part, request=request), f"bills-{run.number}-part{part}.pdf")


@require_perm(VIEW_BILL)
def bill_detail(request, number):
    bill = get_object_or_404(
        Bill.objects.select_related("account__party", "account__premise", "run"), number=number
    )
    return render(
        request,
        "utility_billing/bill_detail.html",
        {
            "bill": bill,
            "lines": bill.lines.select_related("service", "charge").order_by("sort_order", "pk"),
            "flags": [EXCEPTIONS[c] for c in bill.exceptions if c in EXCEPTIONS],
            "open": selectors.bill_charges_open(bill),
        },
    )


@require_perm(VIEW_BILL)
def bill_file(request, number):
    bill = get_object_or_404(Bill, number=number)
    return pdf_response(bill_pdf(bill, request=request), f"{bill.number}.pdf")
