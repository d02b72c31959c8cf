"""License screens: applications at the counter, review and decision, the certificate, and the
public verification page (the only page without a login)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from revenue import services as core
from revenue.access import require_perm
from revenue.documents import pdf_response, qr_svg, render_pdf
from revenue.exceptions import RevenueError
from revenue.forms import int_param
from revenue.money import ZERO
from revenue.reporting import report_response
from revenue.web import Repeated, post_once

from . import reports, selectors, services
from .forms import ApplicationForm, LicenseChangeForm
from .models import License, RenewalRun


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
        License.objects.select_related("business__party", "business__classification", "renewal_of"),
        number=number,
    )
    computation = addons = None
    error = ""
    if license.status in (License.Status.SUBMITTED, License.Status.IN_REVIEW, License.Status.RENEWAL):
        try:
            computation, addons = services.compute(business=license.business, tax_year=license.tax_year)
        except RevenueError as exc:
            error = str(exc)
    signed = {s.item: s for s in license.signoffs.select_related("signed_by")}
    checklist = [(item, signed.get(item)) for item in license.business.classification.checklist]
    charges = list(license.charges())
    late = None
    if license.status == License.Status.RENEWAL and computation is not None:
        late = selectors.renewal_penalty_today(license, computation)
    return render(
        request,
        "licensing/license_detail.html",
        {
            "late": late,
            "license": license,
            "computation": computation,
            "addons": addons,
            "error": error,
            "checklist": checklist,
            "charges": charges,
            "due": sum((c.balance for c in charges), ZERO),
            "can_review": request.user.has_perm("licensing.review_license"),
            "can_decide": request.user.has_perm("licensing.decide_license"),
            "audit_events": core.audit_trail(license),
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


@require_perm("licensing.print_certificate")
@require_POST
def certificate_print(request, number):
    license = get_object_or_404(License, number=number)
    try:
        copy = services.certificate_printed(license=license, acting_user=request.user)
    except RevenueError as exc:
        messages.error(request, str(exc))
        return redirect(license)
    return _certificate_pdf(request, license, duplicate=copy != 1, view_only=False)  # the original: once


@require_perm("licensing.view_license")
def certificate(request, number):
    """The certificate to read: marked DUPLICATE, or COPY · VIEW ONLY for a role that does not
    print. The original comes only as the answer to the counted print (a POST)."""
    license = get_object_or_404(
        License.objects.select_related("business__party", "business__classification"),
        number=number,
        status=License.Status.ACTIVE,
    )
    view_only = not request.user.has_perm("licensing.print_certificate")  # the auditor reads, never prints
    return _certificate_pdf(request, license, duplicate=not view_only, view_only=view_only)


def _certificate_pdf(request, license, *, duplicate: bool, view_only: bool):
    verify_url = request.build_absolute_uri(reverse("licensing:verify", args=[license.number]))
    pdf = render_pdf(
        "licensing/print/certificate.html",
        {
            "license": license,
            "business": license.business,
            "qr": qr_svg(verify_url),
            "verify_url": verify_url,
            "duplicate": duplicate,
            "view_only": view_only,
        },
        request=request,
    )
    return pdf_response(pdf, f"{license.number}-certificate.pdf")


@login_not_required
def verify(request, number=None):
    """Public: exact license number only (no search, no list), nothing private."""
    number = number or request.GET.get("number", "").strip()
    result = selectors.verify(number) if number else None
    return render(request, "licensing/verify.html", {"number": number, "result": result})


# --------------------------------------------------------------------------- renewals


@require_perm("licensing.decide_license")
@require_http_methods(["GET", "POST"])
def renewals(request):
    year = request.POST.get("tax_year") or request.GET.get("tax_year") or str(services.current_tax_year())
    if not (year.isascii() and year.isdigit()) or not 2000 <= int(year) <= 2100:
        messages.error(request, "Enter a tax year such as 2026.")
        year = str(services.current_tax_year())
    year = int(year)
    try:
        delinquent_on = services.delinquency_date(year)
    except (RevenueError, ValueError) as exc:
        messages.error(request, str(exc) or "No licensing policy covers that tax year.")
        year = services.current_tax_year()
        delinquent_on = services.delinquency_date(year)
    if request.method == "POST":  # the run goes to the job worker; its page shows the progress
        job = core.job_start(
            kind="licensing.renewal_run",
            title=f"License renewal run for {year}",
            params={"tax_year": year},
            acting_user=request.user,
        )
        messages.success(
            request, f"The renewal run for {year} is queued; this page shows how far it has got."
        )
        return redirect(job)
    runs = RenewalRun.objects.select_related("started_by")[:20]
    due = License.objects.filter(tax_year=year, status=License.Status.RENEWAL).count()
    return render(
        request,
        "licensing/renewals.html",
        {
            "year": year,
            "runs": runs,
            "due": due,
            "running": any(r.finished_at is None for r in runs),
            "delinquent_on": delinquent_on,
        },
    )


def _delinquency_or_404(year: int):
    if not 2000 <= year <= 2100:
        raise Http404("No such tax year.")
    try:
        return services.delinquency_date(year)
    except (RevenueError, ValueError) as exc:
        raise Http404("No licensing policy covers that tax year.") from exc


@require_perm("licensing.view_license")
def renewal_notices(request, year):
    """Every renewal still due for a tax year as one PDF for the mail room (500 a file: ?part=2 …)."""
    part = int_param(request, "part", default=1, min=1, max=100_000)
    licenses = (
        License.objects.filter(tax_year=year, status=License.Status.RENEWAL)
        .select_related("business__party", "business__classification", "renewal_of")
        .order_by("number")
    )
    chunk = list(licenses[(part - 1) * 500 : part * 500])
    pdf = render_pdf(
        "licensing/print/renewal_notices.html",
        {
            "notices": chunk,
            "year": year,
            "delinquent_on": _delinquency_or_404(year),
            "today": core.city_today(),
        },
        request=request,
    )
    return pdf_response(pdf, f"renewal-notices-{year}-part{part}.pdf")


@require_perm("licensing.view_license")
def renewal_notice(request, number):
    license = get_object_or_404(
        License.objects.select_related("business__party", "renewal_of"),
        number=number,
        status=License.Status.RENEWAL,
    )
    pdf = render_pdf(
        "licensing/print/renewal_notices.html",
        {
            "notices": [license],
            "year": license.tax_year,
            "delinquent_on": _delinquency_or_404(license.tax_year),
            "today": core.city_today(),
        },
        request=request,
    )
    return pdf_response(pdf, f"{license.number}-renewal-notice.pdf")


@require_perm("licensing.view_license")
def renewal_list_xlsx(request, year):
    return report_response(request, reports.renewal_list_report(year), "xlsx")


@require_perm("licensing.add_license")
@require_POST
def renewal_assess(request, number):
    license = get_object_or_404(License, number=number)
    try:
        employees = int(request.POST.get("employees", ""))
    except ValueError:
        messages.error(request, "Employees: enter a whole number.")
        return redirect(license)
    try:
        services.renewal_assess(
            license=license,
            gross_receipts=request.POST.get("gross_receipts", "").replace(",", ""),
            employees=employees,
            acting_user=request.user,
        )
    except RevenueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Renewal assessed: pay at the counter with the license number.")
    return redirect(license)


# --------------------------------------------------------------------------- later changes

STATUS_DONE = {"suspend": "Suspended.", "reinstate": "Reinstated.", "revoke": "Revoked.", "close": "Closed."}


@require_perm("licensing.view_license")
@require_POST
def status_change(request, number, action):
    if action not in STATUS_DONE:
        raise Http404("No such action.")
    reason = request.POST.get("reason", "")
    return _act(
        request,
        number,
        lambda lic: services.license_status_change(
            license=lic, change=action, reason=reason, acting_user=request.user
        ),
        STATUS_DONE[action],
    )


@require_perm("licensing.add_license")
@require_POST
def change(request, number):
    license = get_object_or_404(License, number=number)
    form = LicenseChangeForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(f"{form.fields[f].label or f}: {' '.join(e)}" for f, e in form.errors.items())
        messages.error(request, f"Nothing was changed. {problems}")
        return redirect(license)
    changes = form.changes()
    if not changes:
        messages.error(request, "Enter the new location or owner.")
        return redirect(license)
    try:
        new = services.license_change(license=license, acting_user=request.user, **changes)
    except RevenueError as exc:
        messages.error(request, str(exc))
        return redirect(license)
    messages.success(
        request, f"Application {new.number} opened; {license.number} stays valid until it is issued."
    )
    return redirect(new)


@require_perm("licensing.set_license_tax")
@require_POST
def roll_forward(request):
    year = request.POST.get("from_year", "")
    if not (year.isascii() and year.isdigit()):
        messages.error(request, "Enter the tax year to copy from.")
        return redirect("licensing:renewals")
    try:
        made = services.schedule_roll_forward(
            from_year=int(year), percent=request.POST.get("percent", ""), acting_user=request.user
        )
    except RevenueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{made} tax rule{'s' if made != 1 else ''} made for {int(year) + 1}.")
    return redirect(f"{reverse('licensing:renewals')}?tax_year={int(year) + 1}")


# --------------------------------------------------------------------------- reports


@require_perm("licensing.view_license")
def reconciliation(request, fmt="html"):
    today = core.city_today()
    try:
        start = datetime.date.fromisoformat(request.GET.get("start", ""))
        end = datetime.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        start, end = today.replace(day=1), today
    if start > end:
        messages.error(request, "The start date is after the end date.")
        start, end = end, start
    rec = reports.posting_reconciliation(start=start, end=end)
    return report_response(
        request,
        reports.reconciliation_report(rec),
        fmt,
        template="licensing/reconciliation.html",
        context={"rec": rec, "state_share": reports.state_share_by_quarter(year=end.year)},
    )


@require_perm("licensing.view_license")
def past_due_letters(request, year):
    """Renewals still waiting for figures after the delinquency date: one letter each."""
    delinquent_on = _delinquency_or_404(year)
    licenses = list(
        License.objects.filter(tax_year=year, status=License.Status.RENEWAL)
        .select_related("business__party", "business__classification", "renewal_of")
        .order_by("number")[:500]
    )
    if core.city_today() < delinquent_on:
        licenses = []
    pdf = render_pdf(
        "licensing/print/renewal_notices.html",
        {
            "notices": licenses,
            "year": year,
            "delinquent_on": delinquent_on,
            "past_due": True,
            "today": core.city_today(),
        },
        request=request,
    )
    return pdf_response(pdf, f"past-due-renewals-{year}.pdf")
