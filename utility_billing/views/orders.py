"""Service-order screens: the list (by kind, status and age), a new order of each kind at the
counter (with the warning for a duplicate open order), the order's page with its workflow
buttons, and the printable work order."""

import datetime

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from revenue import services as core
from revenue.access import require_perm
from revenue.documents import pdf_response, render_pdf
from revenue.web import Repeated, post_once

from .. import services
from ..models import ServiceOrder
from ..order_forms import (
    AssignForm,
    BillingChangeForm,
    CancelForm,
    CompleteForm,
    OtherOrderForm,
    ScheduleForm,
    StartForm,
    StopForm,
    TransferForm,
)  # fmt: skip
from .accounts import page_of

K = ServiceOrder.Kind
FORMS = {K.START: StartForm, K.STOP: StopForm, K.TRANSFER: TransferForm, K.BILLING_CHANGE: BillingChangeForm}
AGES = [
    ("", "Any age"),
    ("7", "Open 7 days or more"),
    ("30", "Open 30 days or more"),
    ("90", "Open 90 days or more"),
]


@require_perm("utility_billing.view_serviceorder")
def order_list(request):
    kind, status, age = request.GET.get("kind", ""), request.GET.get("status", ""), request.GET.get("age", "")
    rows = ServiceOrder.objects.select_related("premise", "account", "assigned_to")
    if kind in K.values:
        rows = rows.filter(kind=kind)
    if status == "open":
        rows = rows.filter(status__in=ServiceOrder.OPEN)
    elif status in ServiceOrder.Status.values:
        rows = rows.filter(status=status)
    if age in dict(AGES) and age:
        since = core.city_today() - datetime.timedelta(days=int(age))
        rows = rows.filter(status__in=ServiceOrder.OPEN, created_at__date__lte=since)
    page = page_of(request, rows.order_by("created_at", "pk"))
    for order in page.object_list:
        order.age_days = (core.city_today() - timezone.localtime(order.created_at).date()).days
    context = {
        "page": page,
        "kind": kind, "status": status, "age": age, "kinds": K.choices, "ages": AGES,
        "statuses": [("open", "Open (any step)"), *ServiceOrder.Status.choices], "today": core.city_today(),
    }  # fmt: skip
    return render(request, "utility_billing/order_list.html", context)


def _order_form(kind, data, params):
    form_class = FORMS.get(kind, OtherOrderForm)
    initial = {k: params.get(k, "")[:12] for k in ("premise_number", "account_number", "party_number")}
    return form_class(data, initial=initial)


def _open(request, kind, form):
    data, user = form.cleaned_data, request.user
    common = {
        "acting_user": user,
        "reason": data.get("reason", ""),
        "confirmed": data.get("confirmed", False),
    }
    if kind == K.START:
        billing = {
            k: data[k]
            for k in (
                "mail_name",
                "mail_line1",
                "mail_city",
                "mail_state",
                "mail_postal_code",
                "bill_by_email",
            )
        }
        return services.service_start(
            premise=form.premise, party=form.party, move_in=data["move_in"], is_owner=data["is_owner"],
            deposit=data["deposit"], after_hours=data["after_hours"], **billing, **common,
        )  # fmt: skip
    if kind == K.STOP:
        return services.service_stop(account=form.account, move_out=data["move_out"], **common)
    if kind == K.TRANSFER:
        return services.service_transfer(
            account=form.account, to_premise=form.premise, on=data["on"], **common
        )
    if kind == K.BILLING_CHANGE:
        changes = {
            k: data[k]
            for k in ("name", "mail_line1", "mail_line2", "mail_city", "mail_state", "mail_postal_code")
        }
        changes |= {k: data[k].pk for k in ("rate_class", "cycle") if data[k] is not None}
        return services.billing_change_request(
            account=form.account, effective_on=data["effective_on"], changes=changes, **common
        )
    return services.order_request(
        kind=kind, premise=form.premise, party=form.party, effective_on=data["effective_on"],
        meter_size=data["meter_size"], after_hours=data["after_hours"], **common,
    )  # fmt: skip


def _like(form):
    """The open orders of the kind at the form's premise (the warning), once the premise is known."""
    premise = getattr(form, "premise", None) or getattr(getattr(form, "account", None), "premise", None)
    return list(services.open_orders_like(premise=premise, kind=form.kind)) if premise else []


@require_perm("utility_billing.add_serviceorder")
@require_http_methods(["GET", "POST"])
def order_new(request):
    kind = request.POST.get("kind") or request.GET.get("kind", "")
    if kind not in K.values:
        return render(request, "utility_billing/order_kinds.html", {"kinds": K.choices})
    form = _order_form(kind, request.POST or None, request.GET)
    form.kind = kind
    if request.method == "POST" and form.is_valid():
        order = post_once(request, form, lambda: _open(request, kind, form))
        if isinstance(order, Repeated):
            return redirect(order.url or "utility_billing:order_list")
        if order:
            messages.success(request, f"Order {order.number} ({order.get_kind_display().lower()}) opened.")
            return redirect(order)
    like = _like(form) if form.is_bound else []
    if not like:
        form.fields["confirmed"].widget = form.fields["confirmed"].hidden_widget()
    return render(
        request, "utility_billing/order_form.html",
        {"form": form, "kind": kind, "kind_label": K(kind).label, "like": like},
    )  # fmt: skip


def _order(number):
    return get_object_or_404(
        ServiceOrder.objects.select_related("premise", "account__party", "party", "meter", "assigned_to"),
        number=number,
    )


def _page(request, order, **forms):
    from ..services.fees import PAID_BEFORE_SCHEDULING

    context = {
        "order": order,
        "fees": order.fee_charges.order_by("pk"),
        "unpaid": services.fees_unpaid(order),
        "waits_for_fees": order.kind in PAID_BEFORE_SCHEDULING,
        "reads": order.readings.select_related("meter"),
        "history": core.audit_trail(order),
        "schedule_form": forms.get("schedule")
        or ScheduleForm(initial={"on": order.scheduled_for or core.city_today()}),
        "assign_form": forms.get("assign") or AssignForm(initial={"to": order.assigned_to_id}),
        "cancel_form": forms.get("cancel") or CancelForm(),
        "complete_form": forms.get("complete") or CompleteForm(kind=order.kind),
    }
    return render(request, "utility_billing/order_detail.html", context)


@require_perm("utility_billing.view_serviceorder")
def order_detail(request, number):
    return _page(request, _order(number))


def _step(request, number, form_class, name, work, done_message, **form_kw):
    order = _order(number)
    form = form_class(request.POST, **form_kw)
    if form.is_valid():
        result = post_once(request, form, lambda: work(order, form.cleaned_data))
        if isinstance(result, Repeated) or result:
            messages.success(request, done_message.format(order=order))
            return redirect(order)
    return _page(request, order, **{name: form})


@require_perm("utility_billing.change_serviceorder")
@require_POST
def order_schedule(request, number):
    return _step(
        request, number, ScheduleForm, "schedule",
        lambda o, d: services.order_schedule(order=o, on=d["on"], acting_user=request.user),
        "Order {order.number} scheduled.",
    )  # fmt: skip


@require_perm("utility_billing.change_serviceorder")
@require_POST
def order_assign(request, number):
    return _step(
        request, number, AssignForm, "assign",
        lambda o, d: services.order_assign(order=o, to=d["to"], acting_user=request.user),
        "Order {order.number} assigned.",
    )  # fmt: skip


@require_perm("utility_billing.change_serviceorder")
@require_POST
def order_cancel(request, number):
    return _step(
        request, number, CancelForm, "cancel",
        lambda o, d: services.order_cancel(order=o, reason=d["reason"], acting_user=request.user),
        "Order {order.number} cancelled.",
    )  # fmt: skip


def complete(request, order, data):
    fields = ("read", "serial", "second_read", "test_accuracy", "notes")
    return services.order_complete(
        order=order, acting_user=request.user, **{k: data.get(k) for k in fields if k in data}
    )


@require_perm("utility_billing.complete_serviceorder")
@require_POST
def order_complete(request, number):
    kind = _order(number).kind
    return _step(
        request, number, CompleteForm, "complete", lambda o, d: complete(request, o, d),
        "Order {order.number} completed.", kind=kind,
    )  # fmt: skip


@require_perm("utility_billing.view_serviceorder")
def order_pdf(request, number):
    """The printable work order: where, what, the meter, and blanks for the crew's read and notes."""
    order = _order(number)
    meters = order.premise.meters.select_related("size")
    pdf = render_pdf("utility_billing/print/work_order.html", {"orders": [(order, meters)]}, request=request)
    return pdf_response(pdf, f"work-order-{order.number}.pdf")
