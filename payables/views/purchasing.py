"""Requisitions (list, new, page with approve/deny and "issue the order"), purchase orders
(list, page with receipts and the open encumbrance, PDF, change, close) and receiving."""

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from revenue import services as core
from revenue.access import require_perm
from revenue.documents import pdf_response, render_pdf
from revenue.web import Repeated, post_once

from .. import services
from ..forms.core import CloseForm, DecideForm, IssueForm, LineFormSet, ReceiptForm, RequisitionForm
from ..models import PurchaseOrder, Requisition

VIEW_REQ, ADD_REQ, APPROVE = (
    "payables.view_requisition",
    "payables.add_requisition",
    "payables.approve_requisition",
)
VIEW_PO, ADD_PO, CHANGE_PO = (
    "payables.view_purchaseorder",
    "payables.add_purchaseorder",
    "payables.change_purchaseorder",
)
RECEIVE = "payables.add_receipt"
ZERO = Decimal("0.00")


def _req(number) -> Requisition:
    return get_object_or_404(Requisition.objects.select_related("department", "vendor__party"), number=number)


def _order(number) -> PurchaseOrder:
    return get_object_or_404(
        PurchaseOrder.objects.select_related("vendor__party", "terms", "department"), number=number
    )


def _done(request, form, work, success):
    """post_once, then the message; the refusal (if any) is on the form."""
    result = post_once(request, form, work)
    if result and not isinstance(result, Repeated):
        messages.success(request, success(result))
    return result


@require_perm(VIEW_REQ)
def requisition_list(request):
    status = request.GET.get("status", "")
    rows = Requisition.objects.select_related("department", "vendor__party", "created_by")
    if status in Requisition.Status.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "payables/purchasing/requisition_list.html",
                  {"page": page, "status": status, "statuses": Requisition.Status.choices})  # fmt: skip


@require_perm(ADD_REQ)
@require_http_methods(["GET", "POST"])
def requisition_new(request):
    form = RequisitionForm(request.POST or None)
    lines = LineFormSet(request.POST or None, prefix="line")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        rows = [r for r in (f.line() for f in lines.forms) if r]
        data = {k: v for k, v in form.cleaned_data.items() if k != "token"}
        req = _done(request, form, lambda: services.requisition_create(lines=rows, acting_user=request.user, **data),
                    lambda r: f"Requisition {r.number} for ${r.total:,.2f} sent for approval.")  # fmt: skip
        if isinstance(req, Repeated):
            return redirect(req.url or "payables:requisition_list")
        if req:
            if req.budget_warning:
                messages.warning(request, req.budget_warning)
            return redirect(req)
    return render(request, "payables/purchasing/requisition_form.html", {"form": form, "lines": lines})


@require_perm(VIEW_REQ)
def requisition_detail(request, number):
    req = _req(number)
    return render(request, "payables/purchasing/requisition_detail.html", {
        "req": req, "lines": req.lines.select_related("account"), "decide_form": DecideForm(auto_id="decide_%s"),
        "issue_form": IssueForm(initial={"vendor": req.vendor_id}, auto_id="issue_%s"), "audit": core.audit_trail(req)[:20],
        "order": PurchaseOrder.objects.filter(requisition=req).first(),
    })  # fmt: skip


@require_perm(APPROVE)
@require_POST
def requisition_decide(request, number):
    req = _req(number)
    form = DecideForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if form.is_valid():
        work = lambda: services.requisition_decide(requisition=req, approve=approve,  # noqa: E731
                                                   note=form.cleaned_data["note"], acting_user=request.user)  # fmt: skip
        _done(request, form, work, lambda r: f"Requisition {r.number} {r.get_status_display().lower()}.")
    for error in form.non_field_errors():
        messages.error(request, error)
    return redirect(req)


@require_perm(ADD_PO)
@require_POST
def order_issue(request, number):
    req = _req(number)
    form = IssueForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "token"}
        data["match"] = data["match"] or None
        order = _done(request, form, lambda: services.order_issue(requisition=req, acting_user=request.user, **data),
                      lambda o: f"Purchase order {o.number} issued; ${o.total:,.2f} encumbered.")  # fmt: skip
        if order and not isinstance(order, Repeated):
            return redirect(order)
    for error in [*form.non_field_errors(), *[e for f in form.errors.values() for e in f]][:1]:
        messages.error(request, error)
    return redirect(req)


@require_perm(VIEW_PO)
def order_list(request):
    status = request.GET.get("status", "open")
    rows = PurchaseOrder.objects.select_related("vendor__party", "department")
    if status in PurchaseOrder.Status.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "payables/purchasing/order_list.html",
                  {"page": page, "status": status, "statuses": PurchaseOrder.Status.choices})  # fmt: skip


def _order_lines(order):
    lines = list(order.lines.select_related("account"))
    ids = [ln.pk for ln in lines]
    got, billed, held = (
        services.received_by_line(ids),
        services.invoiced_by_line(ids),
        services.open_by_line(ids),
    )
    for ln in lines:
        ln.received_q, ln.received_a = got.get(ln.pk, (ZERO, ZERO))
        ln.billed_q, ln.billed_a = billed.get(ln.pk, (ZERO, ZERO))
        ln.encumbered = held.get(ln.pk, ZERO)
    return lines


@require_perm(VIEW_PO)
def order_detail(request, number):
    order = _order(number)
    lines = _order_lines(order)
    return render(request, "payables/purchasing/order_detail.html", {
        "order": order, "lines": lines, "encumbered": sum((ln.encumbered for ln in lines), ZERO),
        "receipts": order.receipts.prefetch_related("lines__po_line"), "close_form": CloseForm(),
        "audit": core.audit_trail(order)[:30],
    })  # fmt: skip


@require_perm(VIEW_PO)
def order_pdf(request, number):
    order = _order(number)
    context = {"order": order, "lines": order.lines.select_related("account")}
    return pdf_response(
        render_pdf("payables/print/purchase_order.html", context, request=request), f"{order.number}.pdf"
    )


@require_perm(CHANGE_PO)
@require_http_methods(["GET", "POST"])
def order_change(request, number):
    order = _order(number)
    lines = _order_lines(order)
    form = CloseForm(request.POST or None)
    form.fields["reason"].label = "Why it is changed"
    if request.method == "POST" and form.is_valid():
        changes = {}
        for ln in lines:
            q, p = (
                request.POST.get(f"quantity-{ln.pk}", "").strip(),
                request.POST.get(f"price-{ln.pk}", "").strip(),
            )
            if (q and q != str(ln.quantity)) or (p and p != str(ln.unit_price)):
                changes[ln.pk] = {"quantity": q or ln.quantity, "unit_price": p or ln.unit_price}
        work = lambda: services.order_change(order=order, changes=changes, reason=form.cleaned_data["reason"],  # noqa: E731
                                             acting_user=request.user)  # fmt: skip
        done = _done(request, form, work, lambda o: f"{o.number} changed (revision {o.revision}).")
        if done:
            return redirect(order)
    return render(
        request, "payables/purchasing/order_change.html", {"order": order, "lines": lines, "form": form}
    )


@require_perm(CHANGE_PO)
@require_POST
def order_close(request, number):
    order = _order(number)
    form = CloseForm(request.POST)
    if form.is_valid():

        def work():
            return services.order_close(
                order=order, reason=form.cleaned_data["reason"], acting_user=request.user
            )  # noqa: E731

        _done(request, form, work, lambda released: f"{order.number} closed; ${released:,.2f} released.")
    for error in [*form.non_field_errors(), *[e for f in form.errors.values() for e in f]][:1]:
        messages.error(request, error)
    return redirect(order)


@require_perm(RECEIVE)
@require_http_methods(["GET", "POST"])
def receipt_new(request, number):
    order = _order(number)
    lines = _order_lines(order)
    form = ReceiptForm(request.POST or None, initial={"received_on": core.city_today()})
    if request.method == "POST" and form.is_valid():
        entered = {ln.pk: request.POST.get(f"line-{ln.pk}", "").strip() for ln in lines}
        data = {k: v for k, v in form.cleaned_data.items() if k != "token"}
        work = lambda: services.receipt_record(order=order, lines=entered, acting_user=request.user, **data)  # noqa: E731
        done = _done(
            request, form, work, lambda r: f"{r.get_kind_display()} {r.number} recorded on {order.number}."
        )
        if done:
            return redirect(order)
    return render(
        request, "payables/purchasing/receipt_form.html", {"order": order, "lines": lines, "form": form}
    )


urlpatterns = [
    path("requisitions/", requisition_list, name="requisition_list"),
    path("requisitions/new/", requisition_new, name="requisition_new"),
    path("requisitions/<slug:number>/", requisition_detail, name="requisition"),
    path("requisitions/<slug:number>/decide/", requisition_decide, name="requisition_decide"),
    path("requisitions/<slug:number>/order/", order_issue, name="order_issue"),
    path("orders/", order_list, name="order_list"),
    path("orders/<slug:number>/", order_detail, name="po"),
    path("orders/<slug:number>/po.pdf", order_pdf, name="po_pdf"),
    path("orders/<slug:number>/change/", order_change, name="po_change"),
    path("orders/<slug:number>/close/", order_close, name="po_close"),
    path("orders/<slug:number>/receive/", receipt_new, name="receipt_new"),
]
