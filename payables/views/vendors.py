"""Vendor pages: the list (search, status), the page (details, the bank account by its last four,
orders, the contact log, the audit trail), the form (new and edit), status and contacts."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from revenue import services as core
from revenue.access import require_perm
from revenue.web import Repeated, post_once

from .. import services
from ..forms.core import ContactForm, VendorForm, VendorStatusForm
from ..models import Vendor

VIEW, ADD, CHANGE = "payables.view_vendor", "payables.add_vendor", "payables.change_vendor"


def _vendor(number) -> Vendor:
    return get_object_or_404(Vendor.objects.select_related("party", "terms"), party__number=number)


@require_perm(VIEW)
def vendor_list(request):
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    status = request.GET.get("status", "")
    rows = Vendor.objects.select_related("party", "terms")
    if q:
        rows = rows.filter(
            Q(party__name__icontains=q) | Q(party__number__iexact=q) | Q(contact_name__icontains=q)
        )
    if status in Vendor.Status.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "payables/vendors/vendor_list.html",
                  {"page": page, "q": q, "status": status, "statuses": Vendor.Status.choices})  # fmt: skip


@require_perm(VIEW)
def vendor_detail(request, number):
    vendor = _vendor(number)
    return render(request, "payables/vendors/vendor_detail.html", {
        "vendor": vendor,
        "orders": vendor.purchase_orders.all()[:20],
        "contacts": vendor.contacts.select_related("created_by")[:30],
        "status_form": VendorStatusForm(initial={"status": vendor.status, "reason": vendor.hold_reason}, auto_id="status_%s"),
        "contact_form": ContactForm(auto_id="contact_%s"),
        "audit": core.audit_trail(vendor)[:30],
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
def _vendor_form(request, vendor=None):
    initial = {}
    if vendor:
        initial = {f: getattr(vendor.party, f) for f in VendorForm.PARTY}
        initial.update({f: getattr(vendor, f) for f in VendorForm.base_fields if hasattr(vendor, f)})
        initial["bank_account"] = ""
    else:
        initial["terms"] = services.default_terms()
    form = VendorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():

        def work():
            if vendor:
                return services.vendor_update(vendor=vendor, party_data=form.party_data(), acting_user=request.user,
                                              **form.vendor_data())  # fmt: skip
            return services.vendor_create(
                party_data=form.party_data(), acting_user=request.user, **form.vendor_data()
            )

        saved = post_once(request, form, work)
        if isinstance(saved, Repeated):
            return redirect(saved.url or "payables:vendor_list")
        if saved:
            messages.success(request, f"Vendor {saved.name} saved.")
            return redirect(saved)
    return render(request, "payables/vendors/vendor_form.html", {"form": form, "vendor": vendor})


@require_perm(ADD)
def vendor_new(request):
    return _vendor_form(request)


@require_perm(CHANGE)
def vendor_edit(request, number):
    return _vendor_form(request, _vendor(number))


@require_perm(CHANGE)
@require_POST
def vendor_status(request, number):
    vendor = _vendor(number)
    form = VendorStatusForm(request.POST)
    if form.is_valid():
        work = lambda: services.vendor_status_set(vendor=vendor, status=form.cleaned_data["status"],  # noqa: E731
                                                  reason=form.cleaned_data["reason"], acting_user=request.user)  # fmt: skip
        done = post_once(request, form, work)
        if done and not isinstance(done, Repeated):
            messages.success(request, f"{vendor.name} is now {done.get_status_display().lower()}.")
    for error in form.non_field_errors():
        messages.error(request, error)
    return redirect(vendor)


@require_perm("payables.add_vendorcontact")
@require_POST
def vendor_contact(request, number):
    vendor = _vendor(number)
    form = ContactForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "token"}
        done = post_once(
            request,
            form,
            lambda: services.vendor_contact_log(vendor=vendor, acting_user=request.user, **data),
        )
        if done and not isinstance(done, Repeated):
            messages.success(request, "Contact recorded.")
    for error in [*form.non_field_errors(), *[e for f in form.errors.values() for e in f]][:1]:
        messages.error(request, error)
    return redirect(vendor)


urlpatterns = [
    path("vendors/", vendor_list, name="vendor_list"),
    path("vendors/new/", vendor_new, name="vendor_new"),
    path("vendors/<slug:number>/", vendor_detail, name="vendor"),
    path("vendors/<slug:number>/edit/", vendor_edit, name="vendor_edit"),
    path("vendors/<slug:number>/status/", vendor_status, name="vendor_status"),
    path("vendors/<slug:number>/contact/", vendor_contact, name="vendor_contact"),
]
