"""License screens: applications at the counter, review and decision, the certificate, and the
public verification page (the only page without a login)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from revenue.access import require_perm
from revenue.documents import pdf_response, render_pdf
from revenue.exceptions import RevenueError
from revenue.web import Repeated, post_once

from . import services
from .forms import ApplicationForm
from .models import License


@require_perm("licensing.view_license")
def license_list(request):
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    licenses = License.objects.select_related("business__party", "business__classification")
    if q:
        licenses = licenses.filter(
            Q(number__iexact=q)
            | Q(business__dba__icontains=q)
            | Q(business__party__name__icontains=q)
            | Q(business__location_address__icontains=q)
            | Q(business__owner_name__icontains=q)
        )
    if status in License.Status.values:
        licenses = licenses.filter(status=status)
    return render(
        request,
        "licensing/license_list.html",
        {
            "licenses": licenses[:200],
            "q": q,
            "status": status,
            "statuses": License.Status.choices,
        },
    )


@require_perm("licensing.add_license")
@require_http_methods(["GET", "POST"])
def application_new(request):
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("token", "party_number")}

        def work():
            business = services.business_create(party=form.party, acting_user=request.user, **data)
            return services.application_submit(business=business, acting_user=request.user)

        license = post_once(request, form, work)
        if isinstance(license, Repeated):
            return redirect(license.url or "licensing:license_list")
        if license:
            messages.success(request, f"Application {license.number} submitted.")
            return redirect(license)
    return render(request, "licensing/application_form.html", {"form": form})


@require_perm("licensing.view_license")
def license_detail(request, number):
    license = get_object_or_404(
        License.objects.select_related("business__party", "business__classification"), number=number
    )
    computation = addons = None
    error = ""
    if license.status in (License.Status.SUBMITTED, License.Status.IN_REVIEW):
        try:
            computation, addons = services.compute(business=license.business, tax_year=license.tax_year)
        except RevenueError as exc:
            error = str(exc)
    signed = {s.item: s for s in license.signoffs.select_related("signed_by")}
    checklist = [(item, signed.get(item)) for item in license.business.classification.checklist]
    charges = list(license.charges())
    return render(
        request,
        "licensing/license_detail.html",
        {
            "license": license,
            "computation": computation,
            "addons": addons,
            "error": error,
            "checklist": checklist,
            "charges": charges,
            "due": sum((c.balance for c in charges), services.Decimal("0.00")),
            "can_review": request.user.has_perm("licensing.review_license"),
            "can_decide": request.user.has_perm("licensing.decide_license"),
            "audit_events": services.core.audit_trail(license),
        },
    )


def _act(request, number, work, done):
    license = get_object_or_404(License, number=number)
    try:
        work(license)
    except RevenueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(license)


@require_perm("licensing.review_license")
@require_POST
def signoff(request, number):
    item = request.POST.get("item", "")
    return _act(
        request,
        number,
        lambda lic: services.signoff_add(
            license=lic, item=item, acting_user=request.user, note=request.POST.get("note", "")
        ),
        f"{item} signed off.",
    )


@require_perm("licensing.decide_license")
@require_POST
def approve(request, number):
    return _act(
        request,
        number,
        lambda lic: services.application_approve(license=lic, acting_user=request.user),
        "Approved; the charges are assessed and can be paid at the counter.",
    )


@require_perm("licensing.decide_license")
@require_POST
def deny(request, number):
    reason = request.POST.get("reason", "")
    return _act(
        request,
        number,
        lambda lic: services.application_deny(license=lic, reason=reason, acting_user=request.user),
        "Application denied.",
    )


@require_perm("licensing.view_license")
@require_POST
def certificate_print(request, number):
    license = get_object_or_404(License, number=number)
    try:
        copy = services.certificate_printed(license=license, acting_user=request.user)
    except RevenueError as exc:
        messages.error(request, str(exc))
        return redirect(license)
    return redirect(f"{reverse('licensing:certificate', args=[license.number])}?copy={copy}")


@require_perm("licensing.view_license")
def certificate(request, number):
    """The certificate PDF. `?copy=1` is the original; any other is marked DUPLICATE."""
    from revenue.documents import qr_svg

    license = get_object_or_404(
        License.objects.select_related("business__party", "business__classification"),
        number=number,
        status=License.Status.ACTIVE,
    )
    copy = request.GET.get("copy", "")
    duplicate = not (copy == "1" and license.prints >= 1)
    verify_url = request.build_absolute_uri(reverse("licensing:verify", args=[license.number]))
    pdf = render_pdf(
        "licensing/print/certificate.html",
        {
            "license": license,
            "business": license.business,
            "qr": qr_svg(verify_url),
            "verify_url": verify_url,
            "duplicate": duplicate,
        },
        request=request,
    )
    return pdf_response(pdf, f"{license.number}-certificate.pdf")


@login_not_required
def verify(request, number=None):
    """Public: exact license number only (no search, no list), nothing private."""
    number = number or request.GET.get("number", "").strip()
    result = services.verify(number) if number else None
    return render(request, "licensing/verify.html", {"number": number, "result": result})
