"""Invoice pages: list and search, new invoice, detail, PDF (print marks it sent), e-mail,
credit memo request, statement of account (page and PDF)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from revenue import services as core
from revenue.access import deny, require_perm
from revenue.documents import pdf_response
from revenue.extensions import party_panel
from revenue.forms import DateRangeForm
from revenue.models import Party, Payment
from revenue.reporting import report_response
from revenue.web import Repeated, post_once

from .. import selectors, services
from ..forms import LINE_ROWS, CreditMemoForm, InvoiceForm, InvoiceLineFormSet, SendForm
from ..models import Invoice
from ..params import query_page, query_text
from ..reports import statement_report

INVOICES_PER_PAGE = 50
VIEW = "receivables.view_invoice"
ISSUE = "receivables.issue_invoice"
CREDIT = "receivables.add_creditmemo"


def _invoice(number) -> Invoice:
    return get_object_or_404(Invoice.objects.select_related("party"), number=number)


@require_perm(VIEW)
def invoice_list(request):
    q = query_text(request.GET, "q")
    status = request.GET.get("status", "")  # only compared with the known statuses
    rows = Invoice.objects.select_related("party")
    if q is None:  # a NUL byte: no invoice has it, and PostgreSQL would refuse the query
        messages.error(request, "The search text has a character that cannot be searched for.")
        q, rows = "", rows.none()
    elif q:
        words = q.split()
        rows = rows.filter(
            Q(number__iexact=q)
            | Q(number__icontains=q)
            | Q(reference__iexact=q)
            | Q(party__number__iexact=q)
            | Q(*[Q(party__name__icontains=w) for w in words])
        )
    if status == "overdue":
        rows = rows.filter(status=Invoice.Status.OPEN, due_on__lt=core.city_today())
    elif status in Invoice.Status.values:
        rows = rows.filter(status=status)
    paginator = Paginator(selectors.with_balance(rows), INVOICES_PER_PAGE)
    page = paginator.page(query_page(request.GET, "page", last=paginator.num_pages))
    return render(
        request,
        "receivables/invoices/invoice_list.html",
        {
            "invoices": page.object_list,
            "page": page,
            "sums": selectors.invoice_totals(rows),
            "q": q,
            "status": status,
            "statuses": [*Invoice.Status.choices, ("overdue", "Open and past due")],
        },
    )


@require_perm(ISSUE)
@require_http_methods(["GET", "POST"])
def invoice_new(request):
    if request.method == "POST":
        form = InvoiceForm(request.POST)
        lines = InvoiceLineFormSet(request.POST, prefix="line")
    else:
        initial = {"invoice_date": core.city_today()}
        number = query_text(request.GET, "party")
        if number:
            initial["party_number"] = number
        form = InvoiceForm(initial=initial)
        lines = InvoiceLineFormSet(prefix="line")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        rows = [row for row in (f.line() for f in lines.forms if f.has_changed()) if row]
        data = form.cleaned_data

        def work():
            return services.invoice_create(
                party=form.party,
                lines=rows,
                terms_days=data["terms_days"],
                invoice_date=data["invoice_date"],
                reference=data["reference"],
                memo=data["memo"],
                acting_user=request.user,
            )

        invoice = post_once(request, form, work)
        if isinstance(invoice, Repeated):
            return redirect(invoice.url or "receivables:invoice_list")
        if invoice:
            messages.success(request, f"Invoice {invoice.number} created for ${invoice.total:,.2f}.")
            return redirect(invoice)
    policy, no_policy = None, ""
    try:
        policy = selectors.policy_on()
    except core.NoPolicyInForce as exc:  # the page says what the service would refuse with
        no_policy = str(exc)
    return render(
        request,
        "receivables/invoices/invoice_form.html",
        {
            "form": form,
            "lines": lines,
            "policy": policy,
            "no_policy": no_policy,
            "rows": LINE_ROWS,
            "customer": _customer(form),
        },
    )


def _customer(form) -> Party | None:
    """The party being billed, to show its name beside the number."""
    if getattr(form, "party", None):
        return form.party
    number = query_text(form.data if form.is_bound else form.initial, "party_number")
    return Party.objects.filter(number__iexact=number).first() if number else None


@require_perm(VIEW)
def invoice_detail(request, number):
    invoice = _invoice(number)
    charges = list(invoice.charges().select_related("revenue_account"))
    memos = list(invoice.credit_memos.all())
    for memo in memos:
        memo.approval = selectors.approval_for(memo)
    return render(
        request,
        "receivables/invoices/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": list(invoice.lines.select_related("revenue_account", "fee_type", "charge")),
            "charges": charges,
            "balance": selectors.invoice_balance(invoice),
            "payments": selectors.invoice_payments(invoice),
            "memos": memos,
            "notices": list(invoice.notices.select_related("level")),
            "followups": list(invoice.followups.select_related("created_by")),
            "send_form": SendForm(),
            "can_issue": request.user.has_perm(ISSUE),
            "can_credit": request.user.has_perm(CREDIT)
            and request.user.has_perm("revenue.request_exception"),
            "audit": core.audit_trail(invoice),
            "REVERSED": Payment.Status.REVERSED,
        },
    )


@require_perm(VIEW)
@require_http_methods(["GET", "POST"])
def invoice_pdf(request, number):
    """GET shows the PDF (changes nothing); POST is "Print": it records the invoice as sent
    (once per form) and then shows the PDF."""
    invoice = _invoice(number)
    if request.method == "POST":
        if not request.user.has_perm(ISSUE):
            raise deny(ISSUE)
        form = SendForm(request.POST)
        if form.is_valid():
            result = post_once(
                request, form, lambda: services.invoice_mark_sent(invoice=invoice, acting_user=request.user)
            )
            if result and not isinstance(result, Repeated):
                messages.success(request, f"Invoice {invoice.number} printed and marked sent.")
        return redirect("receivables:invoice_pdf", invoice.number)
    return pdf_response(services.invoice_pdf(invoice, request=request), f"{invoice.number}.pdf")


@require_perm(ISSUE)
@require_POST
def invoice_email(request, number):
    invoice = _invoice(number)
    form = SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "This form had expired; send again.")
        return redirect(invoice)
    result = post_once(
        request, form, lambda: services.invoice_email(invoice=invoice, acting_user=request.user)
    )
    if result is None:
        messages.error(request, " ".join(form.non_field_errors()))
    elif not isinstance(result, Repeated):
        messages.success(request, f"Invoice {invoice.number} e-mailed to {result.sent_by_email_to}.")
    return redirect(invoice)


@require_perm(CREDIT)
@require_http_methods(["GET", "POST"])
def credit_memo_new(request, number):
    if not request.user.has_perm("revenue.request_exception"):
        raise deny("revenue.request_exception")
    invoice = _invoice(number)
    form = CreditMemoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def work():
            return services.credit_memo_request(
                invoice=invoice,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )

        memo = post_once(request, form, work)
        if isinstance(memo, Repeated):
            return redirect(memo.url or invoice.get_absolute_url())
        if memo:
            messages.success(
                request,
                f"Credit memo {memo.number} for ${memo.amount:,.2f} is waiting for a supervisor's approval.",
            )
            return redirect(invoice)
    return render(
        request,
        "receivables/invoices/credit_memo_form.html",
        {"form": form, "invoice": invoice, "open": selectors.lines_balance(invoice)},
    )


def _statement_period(request):
    """The period asked for by the query string, else the fiscal year to date (a bad date is told)."""
    form = DateRangeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        end = core.city_today()
        start = core.fiscal_year_bounds(core.fiscal_year_of(end))[0]
        if not form.is_bound:
            form = DateRangeForm(initial={"start": start, "end": end})
    form.fields["start"].widget.attrs["autofocus"] = True
    return form, start, end


@require_perm(VIEW)
def statement(request, pk, fmt=None):
    """The statement of account: the page, its PDF (statement.pdf) or its .xlsx (?format=xlsx)."""
    party = get_object_or_404(Party, pk=pk)
    form, start, end = _statement_period(request)
    try:
        st = selectors.statement_compute(party=party, start=start, end=end)
    except core.RevenueError as exc:  # no receivables policy in force on the end date
        messages.error(request, str(exc))
        return render(request, "receivables/invoices/statement.html", {"form": form, "party": party})
    return report_response(
        request,
        statement_report(st),
        fmt,
        template="receivables/invoices/statement.html",
        pdf_template="receivables/print/statement.html",
        context={"form": form, "party": party, "st": st},
    )


@party_panel
def _party_invoices(party, request):
    """The party page lists the customer's invoices, with a link to the statement."""
    if not request.user.has_perm(VIEW):
        return None
    rows = list(Invoice.objects.filter(party=party)[:50])
    if not rows and not request.user.has_perm(ISSUE):
        return None
    return {
        "title": "AR invoices",
        "template": "receivables/invoices/_party_invoices.html",
        "invoices": rows,
        "statement_url": reverse("receivables:statement", args=[party.pk]),
        "party_number": party.number,
    }


urlpatterns = [
    path("invoices/", invoice_list, name="invoice_list"),
    path("invoices/new/", invoice_new, name="invoice_new"),
    path("invoices/<slug:number>/", invoice_detail, name="invoice_detail"),
    path("invoices/<slug:number>/pdf/", invoice_pdf, name="invoice_pdf"),
    path("invoices/<slug:number>/email/", invoice_email, name="invoice_email"),
    path("invoices/<slug:number>/credit-memo/", credit_memo_new, name="credit_memo_new"),
    path("customers/<int:pk>/statement/", statement, name="statement"),
    path("customers/<int:pk>/statement.pdf", statement, {"fmt": "pdf"}, name="statement_pdf"),
]
