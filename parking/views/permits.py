"""Permit screens: find and apply for permits, a permit's page with its actions and letter, the tag
inventory with stock receipts and write-offs, and the permits-issued report."""

import contextlib
import datetime

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from revenue import services as core
from revenue.access import require_perm
from revenue.documents import pdf_response, render_pdf
from revenue.models import Party
from revenue.money import ZERO
from revenue.reporting import report_response
from revenue.web import Repeated, post_once

from .. import reports, rules, selectors
from .. import services as ps
from ..forms import ActionForm, MarkForm, PermitForm, ReceiveForm, ReplaceForm
from ..models import Permit, StockReceipt
from . import report_period

OPEN = (Permit.Status.PENDING, Permit.Status.ISSUED)
LIST_LIMIT = 200


@require_perm("parking.view_permit")
def permit_list(request):
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    found = Permit.objects.select_related("party", "permit_type", "serial__permit_type")
    if q:
        match = (
            Q(number__iexact=q)
            | Q(party__name__icontains=q)
            | Q(address__icontains=" ".join(q.upper().split()))
        )
        with contextlib.suppress(rules.RuleError):
            match |= Q(plate=rules.clean_plate(q))
        found = found.filter(match)
    if status in Permit.Status.values:
        found = found.filter(status=status)
    return render(
        request,
        "parking/permits/permit_list.html",
        {
            "permits": found.order_by("-created_at")[:LIST_LIMIT],
            "q": q,
            "status": status,
            "statuses": Permit.Status.choices,
            "limit": LIST_LIMIT,
        },
    )


@require_perm("parking.issue_permit")
@require_http_methods(["GET", "POST"])
def permit_new(request):
    chosen = Party.objects.filter(number__iexact=request.GET.get("party", "").strip()).first()
    form = PermitForm(request.POST or None, initial={"party_number": chosen.number if chosen else ""})
    if chosen and not form.is_bound:  # from the party's page: the party is known, start at the type
        form.fields["party_number"].widget.attrs.pop("autofocus", None)
        form.fields["permit_type"].widget.attrs["autofocus"] = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        permit = post_once(
            request,
            form,
            lambda: ps.permit_apply(
                party=form.party,
                permit_type=data["permit_type"],
                address=data["address"],
                unit=data["unit"],
                plate=data["plate"],
                plate_state=data["plate_state"],
                acting_user=request.user,
            ),
        )
        if isinstance(permit, Repeated):
            return redirect(permit.url or "parking:permit_list")
        if permit:
            if permit.status == Permit.Status.ISSUED:
                messages.success(request, f"Permit {permit.number} issued with tag {permit.serial.label}.")
            else:
                messages.success(
                    request,
                    f"Permit {permit.number} entered: pay at the counter with number {permit.number}.",
                )
            return redirect(permit)
    party = form.party if form.is_bound else chosen
    return render(
        request,
        "parking/permits/permit_form.html",
        {"form": form, "party": party, "types": selectors.permit_types_with_terms()},
    )


@require_perm("parking.view_permit")
def permit_detail(request, number):
    permit = get_object_or_404(
        Permit.objects.select_related(
            "party", "permit_type", "zone", "serial__permit_type", "renewal_of", "replaces", "created_by"
        ),
        number=number,
    )
    charges = list(selectors.permit_charges(permit))
    due = sum((c.balance for c in charges), ZERO)
    today = core.city_today()
    renewals = list(permit.renewals.order_by("-created_at"))
    return render(
        request,
        "parking/permits/permit_detail.html",
        {
            "permit": permit,
            "status_word": selectors.permit_status_word(permit),
            "charges": charges,
            "due": due,
            "awaiting_tag": selectors.awaiting_tag(permit),
            "renewals": renewals,
            "replaced_by": Permit.objects.filter(replaces=permit).first(),
            "can_issue": request.user.has_perm("parking.issue_permit"),
            "renew_form": ActionForm(auto_id=False),
            "assign_form": ActionForm(auto_id=False),
            "replace_form": ReplaceForm(auto_id=False),
            "open_renewal": next((r for r in renewals if r.status in OPEN), None),
            "today": today,
            "renew_from": max(permit.valid_to + datetime.timedelta(days=1), today),
            "audit_events": core.audit_trail(permit),
        },
    )


def _act(request, number, form_class, work, done):
    """Bind the action's form, run the service once (double submits do nothing), message, back."""
    permit = get_object_or_404(Permit, number=number)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(permit)
    result = post_once(request, form, lambda: work(permit, form.cleaned_data))
    if isinstance(result, Repeated):
        return redirect(result.url or permit.get_absolute_url())
    if result is None:
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect(permit)
    messages.success(request, done(result))
    return redirect(result)


def _issued_or_waiting(p):
    if p.status == Permit.Status.ISSUED:
        return f"Permit {p.number} issued with tag {p.serial.label}."
    return f"Permit {p.number} entered: pay {p.fee} at the counter with number {p.number}."


@require_perm("parking.issue_permit")
@require_POST
def permit_renew(request, number):
    return _act(
        request,
        number,
        ActionForm,
        lambda p, _d: ps.permit_renew(permit=p, acting_user=request.user),
        lambda p: "Renewal: " + _issued_or_waiting(p),
    )


@require_perm("parking.issue_permit")
@require_POST
def permit_replace(request, number):
    return _act(
        request,
        number,
        ReplaceForm,
        lambda p, d: ps.permit_replace(
            permit=p, reason=d["reason"], note=d["note"], acting_user=request.user
        ),
        lambda p: "Replacement: " + _issued_or_waiting(p),
    )


@require_perm("parking.issue_permit")
@require_POST
def permit_assign_tag(request, number):
    return _act(
        request,
        number,
        ActionForm,
        lambda p, _d: ps.permit_assign_tag(permit=p, acting_user=request.user),
        lambda p: f"Tag {p.serial.label} issued on {p.number}.",
    )


@require_perm("parking.view_permit")
def permit_letter(request, number):
    permit = get_object_or_404(
        Permit.objects.select_related("party", "permit_type", "zone", "serial__permit_type"),
        number=number,
        status=Permit.Status.ISSUED,
    )
    terms = selectors.permit_terms_on(permit.permit_type, permit.valid_from)
    pdf = render_pdf(
        "parking/print/permit_letter.html",
        {"permit": permit, "party": permit.party, "terms": terms, "today": core.city_today()},
        request=request,
    )
    return pdf_response(pdf, f"{permit.number}-permit-letter.pdf")


# --------------------------------------------------------------------------- inventory


def _inventory_page(request, receive_form=None, mark_form=None, status=200):
    can_manage = request.user.has_perm("parking.manage_stock")
    rows = selectors.inventory()
    tag_query = request.GET.get("tag", "").strip()
    tag = selectors.serial_find(tag_query) if tag_query else None
    tag_permit = Permit.objects.filter(serial=tag).first() if tag else None
    return render(
        request,
        "parking/permits/inventory.html",
        {
            "rows": rows,
            "totals": selectors.inventory_totals(rows),
            "receipts": StockReceipt.objects.select_related("permit_type", "created_by")[:30],
            "can_manage": can_manage,
            "receive_form": receive_form or (ReceiveForm() if can_manage else None),
            "mark_form": mark_form or (MarkForm() if can_manage else None),
            "tag_query": tag_query,
            "tag": tag,
            "tag_permit": tag_permit,
        },
        status=status,
    )


@require_perm("parking.view_permitserial")
def inventory(request):
    return _inventory_page(request)


@require_perm("parking.manage_stock")
@require_POST
def inventory_receive(request):
    form = ReceiveForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        receipt = post_once(
            request,
            form,
            lambda: ps.stock_receive(
                permit_type=d["permit_type"],
                first=d["first"],
                last=d["last"],
                received_on=d["received_on"],
                note=d["note"],
                acting_user=request.user,
            ),
        )
        if isinstance(receipt, Repeated):
            return redirect("parking:inventory")
        if receipt:
            messages.success(
                request,
                f"{receipt.count:,} {receipt.permit_type.name} tags received "
                f"({receipt.permit_type.serial_prefix}{receipt.first:06d}–"
                f"{receipt.permit_type.serial_prefix}{receipt.last:06d}).",
            )
            return redirect("parking:inventory")
    return _inventory_page(request, receive_form=form)


@require_perm("parking.manage_stock")
@require_POST
def inventory_mark(request):
    form = MarkForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        serial = post_once(
            request,
            form,
            lambda: ps.serial_mark(
                serial=form.serial, status=d["status"], reason=d["reason"], acting_user=request.user
            ),
        )
        if isinstance(serial, Repeated):
            return redirect("parking:inventory")
        if serial:
            messages.success(request, f"Tag {serial.label} marked {serial.get_status_display().lower()}.")
            return redirect(f"{reverse('parking:inventory')}?tag={serial.label}")
    return _inventory_page(request, mark_form=form)


@require_perm("parking.view_permitserial")
def inventory_xlsx(request):
    return report_response(request, reports.inventory_report(), "xlsx")


# --------------------------------------------------------------------------- report


@require_perm("parking.view_parking_reports")
def permit_report(request, fmt=None):
    form, start, end = report_period(
        request, lambda today: core.fiscal_year_bounds(core.fiscal_year_of(today))[0]
    )
    return report_response(
        request,
        reports.permit_report(start, end),
        fmt,
        template="parking/permits/permit_report.html",
        context={"form": form, "start": start, "end": end},
    )


urlpatterns = [
    path("permits/", permit_list, name="permit_list"),
    path("permits/new/", permit_new, name="permit_new"),
    path("permits/inventory/", inventory, name="inventory"),
    path("permits/inventory/receive/", inventory_receive, name="inventory_receive"),
    path("permits/inventory/mark/", inventory_mark, name="inventory_mark"),
    path("permits/inventory.xlsx", inventory_xlsx, name="inventory_xlsx"),
    path("permits/report/", permit_report, name="permit_report"),
    path("permits/report.xlsx", permit_report, {"fmt": "xlsx"}, name="permit_report_xlsx"),
    path("permits/<slug:number>/", permit_detail, name="permit_detail"),
    path("permits/<slug:number>/renew/", permit_renew, name="permit_renew"),
    path("permits/<slug:number>/replace/", permit_replace, name="permit_replace"),
    path("permits/<slug:number>/assign-tag/", permit_assign_tag, name="permit_assign_tag"),
    path("permits/<slug:number>/letter.pdf", permit_letter, name="permit_letter"),
]
