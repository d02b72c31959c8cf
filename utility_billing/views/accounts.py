"""Premise, account and meter screens: a premise with its accounts, meters, orders and reads; an
account with its services, orders, bills and balance; the meter inventory and a meter's history."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from revenue.access import require_perm
from revenue.money import ZERO
from revenue.web import Repeated, post_once

from .. import services
from ..models import Meter, Premise, Reading, ServiceAccount, ServiceOrder
from ..order_forms import InstallForm, MeterForm, PremiseForm, RemoveForm

PER_PAGE = 50


def page_of(request, rows):
    paginator = Paginator(rows, PER_PAGE)
    value = request.GET.get("page", "")
    number = int(value) if value.isascii() and value.isdecimal() and len(value) < 7 else 1
    return paginator.page(number if 1 <= number <= paginator.num_pages else 1)


@require_perm("utility_billing.add_premise")
@require_http_methods(["GET", "POST"])
def premise_new(request):
    form = PremiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "token"}
        premise = post_once(request, form, lambda: services.premise_create(acting_user=request.user, **data))
        if isinstance(premise, Repeated):
            return redirect(premise.url or "utility_billing:order_list")
        if premise:
            messages.success(request, f"Premise {premise.number} added.")
            return redirect(premise)
    return render(request, "utility_billing/premise_form.html", {"form": form, "premise": None})


@require_perm("utility_billing.change_premise")
@require_http_methods(["GET", "POST"])
def premise_edit(request, number):
    premise = get_object_or_404(Premise, number=number)
    form = PremiseForm(request.POST or None, instance=Premise.objects.get(pk=premise.pk))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "token"}
        done = post_once(
            request, form, lambda: services.premise_update(premise=premise, acting_user=request.user, **data)
        )
        if isinstance(done, Repeated) or done:
            messages.success(request, f"Premise {premise.number} saved.")
            return redirect(premise)
    return render(request, "utility_billing/premise_form.html", {"form": form, "premise": premise})


@require_perm("utility_billing.view_premise")
def premise_detail(request, number):
    premise = get_object_or_404(Premise.objects.select_related("cycle", "rate_class"), number=number)
    context = {
        "premise": premise,
        "accounts": premise.accounts.select_related("party").order_by("-move_in"),
        "meters": Meter.objects.filter(premise=premise).select_related("size"),
        "installations": premise.installations.select_related("meter").order_by("-installed_on"),
        "orders": premise.orders.select_related("account")[:50],
        "reads": Reading.objects.filter(premise=premise)
        .select_related("meter")
        .order_by("-read_on", "-pk")[:26],
        "kinds": ServiceOrder.Kind.choices,
    }
    return render(request, "utility_billing/premise_detail.html", context)


@require_perm("utility_billing.view_serviceaccount")
def account_detail(request, number):
    account = get_object_or_404(
        ServiceAccount.objects.select_related("party", "premise", "landlord", "transferred_from"),
        number=number,
    )
    charges = list(services.account_charges(account))
    context = {
        "account": account,
        "services": account.services.select_related("service"),
        "orders": account.orders.all()[:50],
        "bills": account.bills.all()[:26],
        "open_charges": [c for c in charges if c.balance],
        "balance": sum((c.balance for c in charges), ZERO),
    }
    return render(request, "utility_billing/account_detail.html", context)


@require_perm("utility_billing.view_meter")
def meter_list(request):
    q = request.GET.get("q", "").strip()[:60]
    status = request.GET.get("status", "")
    rows = Meter.objects.select_related("size", "premise")
    if q:
        rows = rows.filter(
            Q(serial__icontains=q) | Q(make__icontains=q) | Q(premise__address_line1__icontains=q)
        )
    if status in Meter.Status.values:
        rows = rows.filter(status=status)
    context = {"page": page_of(request, rows), "q": q, "status": status, "statuses": Meter.Status.choices}
    return render(request, "utility_billing/meter_list.html", context)


@require_perm("utility_billing.add_meter")
@require_http_methods(["GET", "POST"])
def meter_new(request):
    form = MeterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "token"}
        meter = post_once(request, form, lambda: services.meter_add(acting_user=request.user, **data))
        if isinstance(meter, Repeated):
            return redirect("utility_billing:meter_list")
        if meter:
            messages.success(request, f"Meter {meter.serial} added to stock.")
            return redirect("utility_billing:meter", serial=meter.serial)
    return render(request, "utility_billing/meter_form.html", {"form": form})


def _meter_page(request, meter, install=None, remove=None):
    context = {
        "meter": meter,
        "installations": meter.installations.select_related("premise", "order").order_by(
            "-installed_on", "-pk"
        ),
        "reads": meter.readings.order_by("-read_on", "-pk")[:26],
        "install_form": install or InstallForm(),
        "remove_form": remove or RemoveForm(),
    }
    return render(request, "utility_billing/meter_detail.html", context)


@require_perm("utility_billing.view_meter")
def meter_detail(request, serial):
    return _meter_page(
        request, get_object_or_404(Meter.objects.select_related("size", "premise"), serial=serial)
    )


@require_perm("utility_billing.change_meter")
@require_POST
def meter_install(request, serial):
    meter = get_object_or_404(Meter, serial=serial)
    form = InstallForm(request.POST)
    if form.is_valid():
        done = post_once(
            request, form,
            lambda: services.meter_install(
                meter=meter, premise=form.premise, on=form.cleaned_data["on"], read=form.cleaned_data["read"],
                acting_user=request.user,
            ),
        )  # fmt: skip
        if isinstance(done, Repeated) or done:
            messages.success(request, f"Meter {meter.serial} installed at {form.premise}.")
            return redirect("utility_billing:meter", serial=meter.serial)
    return _meter_page(request, meter, install=form)


@require_perm("utility_billing.change_meter")
@require_POST
def meter_remove(request, serial):
    meter = get_object_or_404(Meter, serial=serial)
    form = RemoveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = post_once(
            request, form,
            lambda: services.meter_remove(
                meter=meter, on=data["on"], read=data["read"], status=data["status"], acting_user=request.user
            ),
        )  # fmt: skip
        if isinstance(done, Repeated) or done:
            messages.success(request, f"Meter {meter.serial} removed.")
            return redirect("utility_billing:meter", serial=meter.serial)
    return _meter_page(request, meter, remove=form)
