"""The field crew's pages: today's orders by route (the queue), every work order of the day in
one PDF, and a phone-sized page to complete an order with the read, the meter serial and notes.
Nothing here touches money: the crew's role has no money permission."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from revenue import services as core
from revenue.access import require_perm
from revenue.documents import pdf_response, render_pdf
from revenue.web import Repeated, post_once

from ..models import ServiceOrder
from ..order_forms import CompleteForm
from .orders import complete

COMPLETE = "utility_billing.complete_serviceorder"


def _queue(request):
    """Open orders scheduled up to today (missed days first), by route and the order along it;
    ?mine=1 only those given to me."""
    rows = ServiceOrder.objects.filter(
        status__in=(ServiceOrder.Status.SCHEDULED, ServiceOrder.Status.ASSIGNED),
        scheduled_for__lte=core.city_today(),
    ).select_related("premise", "account__party", "assigned_to")
    if request.GET.get("mine") == "1":
        rows = rows.filter(assigned_to=request.user)
    return rows.order_by("premise__route", "premise__route_sequence", "scheduled_for", "pk")


@require_perm(COMPLETE)
def field_queue(request):
    routes: dict[str, list] = {}
    for order in _queue(request):
        routes.setdefault(order.premise.route, []).append(order)
    context = {"routes": routes, "today": core.city_today(), "mine": request.GET.get("mine") == "1"}
    return render(request, "utility_billing/field_queue.html", context)


@require_perm(COMPLETE)
def field_queue_pdf(request):
    orders = [(o, o.premise.meters.select_related("size")) for o in _queue(request)]
    pdf = render_pdf("utility_billing/print/work_order.html", {"orders": orders}, request=request)
    return pdf_response(pdf, f"work-orders-{core.city_today():%Y-%m-%d}.pdf")


@require_perm(COMPLETE)
@require_http_methods(["GET", "POST"])
def field_order(request, number):
    order = get_object_or_404(
        ServiceOrder.objects.select_related("premise", "account__party", "meter"), number=number
    )
    form = CompleteForm(request.POST or None, kind=order.kind)
    if request.method == "POST" and form.is_valid():
        done = post_once(request, form, lambda: complete(request, order, form.cleaned_data))
        if isinstance(done, Repeated) or done:
            messages.success(request, f"Order {order.number} completed.")
            return redirect("utility_billing:field_queue")
    meters = order.premise.meters.select_related("size")
    return render(
        request, "utility_billing/field_order.html", {"order": order, "form": form, "meters": meters}
    )
