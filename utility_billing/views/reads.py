"""Reads: the read file upload with the recent imports, an import with its rows left out, a read
entered by hand, and the exceptions list (paged, by code and route) where each held read is
accepted, corrected or sent out for a re-read; the estimate of a cycle's missing reads."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from revenue import services as core
from revenue.access import require_perm
from revenue.exceptions import DuplicateSubmission, RevenueError
from revenue.forms import int_param
from revenue.web import Repeated, post_once

from .. import read_rules
from ..forms_reads import CorrectForm, EstimateForm, ReadFileForm, ReadForm, ReviewForm
from ..models import Meter, ReadBatch, Reading
from ..services import read_import as read_file
from ..services import reads

EXCEPTIONS_PER_PAGE = 50


def _import_page(request, form, status=200):
    batches = list(ReadBatch.objects.select_related("created_by")[:20])
    return render(
        request,
        "utility_billing/reads_import.html",
        {"form": form, "batches": batches, "running": any(b.status == "running" for b in batches)},
        status=status,
    )


@require_perm("utility_billing.view_readbatch")
@require_GET
def read_import(request):
    form = ReadFileForm() if request.user.has_perm("utility_billing.import_readings") else None
    return _import_page(request, form)


@require_perm("utility_billing.import_readings")
@require_http_methods(["GET", "POST"])
def read_import_new(request):
    """Check the file while the clerk waits, then keep it and queue the job (one transaction);
    a refused file gives the one-time token back so the corrected form can be sent again."""
    if request.method == "GET":
        return redirect("utility_billing:read_import")
    form = ReadFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    key = form.cleaned_data["token"]
    try:
        with transaction.atomic():
            core.submission_claim(key=key, user=request.user)
    except DuplicateSubmission as exc:
        messages.info(request, str(exc))
        return redirect(exc.result_url or "utility_billing:read_import")
    upload = form.cleaned_data["file"]
    try:
        _sha, profile = read_file.reads_check(upload, form.cleaned_data["profile"])
    except RevenueError as exc:
        core.submission_release(key=key)
        form.add_error("file", str(exc))
        return _import_page(request, form, status=400)
    with transaction.atomic():
        job = core.job_start(
            kind="utility_billing.import_reads",
            title=f"Read import of {upload.name}"[:200],
            params={
                "path": core.upload_keep(upload, suffix=".csv"),
                "file_name": upload.name[:200],
                "profile": profile.pk if profile else None,
            },
            acting_user=request.user,
        )
        core.submission_result(key=key, result_url=job.get_absolute_url())
    messages.success(
        request, f"{upload.name} is checked and queued for import; this page shows how far it has got."
    )
    return redirect(job)


@require_perm("utility_billing.view_readbatch")
@require_GET
def read_batch(request, pk):
    batch = get_object_or_404(ReadBatch.objects.select_related("created_by", "profile"), pk=pk)
    summary = list(batch.rejects.values_list("reason").annotate(n=Count("pk")).order_by("-n", "reason"))
    held = batch.readings.filter(status=Reading.Status.EXCEPTION).count()
    return render(
        request,
        "utility_billing/reads_batch.html",
        {"batch": batch, "summary": summary, "rejects": batch.rejects.all()[:500], "held": held},
    )


@require_perm("utility_billing.enter_reading")
@require_http_methods(["GET", "POST"])
def read_new(request):
    form = ReadForm(request.POST or None, initial={"read_on": core.city_today()})
    if request.method == "POST" and form.is_valid():
        meter = Meter.objects.filter(serial=form.cleaned_data["serial"].strip()).first()
        if meter is None:
            form.add_error("serial", f"No meter has serial {form.cleaned_data['serial'].strip()}.")
        else:
            reading = post_once(
                request,
                form,
                lambda: reads.reading_record(
                    meter=meter, read_on=form.cleaned_data["read_on"], value=form.cleaned_data["value"],
                    acting_user=request.user,
                ),
            )  # fmt: skip
            if isinstance(reading, Repeated):
                return redirect(reading.url or "utility_billing:read_new")
            if reading:
                _said(request, reading)
                return redirect("utility_billing:read_new")
    return render(request, "utility_billing/reads_form.html", {"form": form})


def _said(request, reading: Reading) -> None:
    if reading.status == Reading.Status.EXCEPTION:
        messages.warning(
            request,
            f"Read {reading.value:,} of meter {reading.meter.serial} is held for review "
            f"({read_rules.CODES[reading.exception]}): {reading.exception_note}",
        )
    else:
        messages.success(request, f"Read {reading.value:,} of meter {reading.meter.serial} recorded.")


@require_perm("utility_billing.view_reading")
@require_GET
def read_exceptions(request):
    code = request.GET.get("code", "")
    code = code if code in read_rules.CODES else ""
    route = request.GET.get("route", "").strip()[:10]
    rows = Reading.objects.filter(status=Reading.Status.EXCEPTION).select_related("meter", "premise")
    if code:
        rows = rows.filter(exception=code)
    if route:
        rows = rows.filter(premise__route__iexact=route)
    rows = rows.order_by("premise__route", "premise__route_sequence", "read_on", "pk")
    page = Paginator(rows, EXCEPTIONS_PER_PAGE).get_page(int_param(request, "page", 1, 1, 100_000))
    counts = dict(
        Reading.objects.filter(status=Reading.Status.EXCEPTION)
        .values_list("exception")
        .annotate(n=Count("pk"))
    )
    may_review = request.user.has_perm("utility_billing.review_reading")
    rows = [
        (r, read_rules.CODES.get(r.exception, r.exception), ReviewForm() if may_review else None)
        for r in page
    ]
    return render(
        request,
        "utility_billing/reads_exceptions.html",
        {
            "page": page, "rows": rows, "code": code, "route": route, "codes": [(c, label, counts.get(c, 0)) for c, label in read_rules.CODES.items()],
            "may_review": may_review,
            "estimate_form": EstimateForm(initial={"on": core.city_today()}) if may_review else None,
            "back": request.get_full_path(),
        },
    )  # fmt: skip


def _back(request):
    back = request.POST.get("back", "")
    return (
        back
        if back.startswith(reverse("utility_billing:read_exceptions"))
        else "utility_billing:read_exceptions"
    )


@require_perm("utility_billing.review_reading")
@require_POST
def read_accept(request, pk):
    reading = get_object_or_404(Reading, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        done = post_once(request, form, lambda: reads.reading_accept(reading=reading, acting_user=request.user, note=form.cleaned_data["note"]))  # fmt: skip
        if done and not isinstance(done, Repeated):
            messages.success(request, f"Read {reading.value:,} of meter {reading.meter.serial} accepted.")
    _form_errors(request, form)
    return redirect(_back(request))


@require_perm("utility_billing.review_reading")
@require_POST
def read_reread(request, pk):
    reading = get_object_or_404(Reading, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        # a one-tuple: the order's own page is the orders screens', the clerk stays on the list
        done = post_once(request, form, lambda: (reads.reading_reread(reading=reading, acting_user=request.user, note=form.cleaned_data["note"]),))  # fmt: skip
        if done and not isinstance(done, Repeated):
            order = done[0]
            messages.success(
                request, f"Re-read order {order.number} opened for meter {reading.meter.serial}."
            )
    _form_errors(request, form)
    return redirect(_back(request))


def _form_errors(request, form) -> None:
    for error in form.non_field_errors():
        messages.error(request, error)
    for name, errors in form.errors.items():
        if name != "__all__":
            messages.error(
                request, f"{form.fields[name].label if name in form.fields else name}: {' '.join(errors)}"
            )


@require_perm("utility_billing.review_reading")
@require_http_methods(["GET", "POST"])
def read_correct(request, pk):
    reading = get_object_or_404(Reading.objects.select_related("meter", "premise"), pk=pk)
    form = CorrectForm(request.POST or None, initial={"read_on": reading.read_on})
    if request.method == "POST" and form.is_valid():
        new = post_once(
            request,
            form,
            lambda: reads.reading_correct(
                reading=reading, value=form.cleaned_data["value"], read_on=form.cleaned_data["read_on"],
                note=form.cleaned_data["note"], acting_user=request.user,
            ),
        )  # fmt: skip
        if isinstance(new, Repeated) or new:
            if new and not isinstance(new, Repeated):
                messages.success(request, f"Read of meter {reading.meter.serial} corrected to {new.value:,}.")
            return redirect("utility_billing:read_exceptions")
    history = Reading.objects.filter(meter=reading.meter).order_by("-read_on", "-pk")[:13]
    return render(
        request, "utility_billing/reads_correct.html", {"form": form, "reading": reading, "history": history}
    )


@require_perm("utility_billing.review_reading")
@require_POST
def read_estimate(request):
    form = EstimateForm(request.POST)
    if form.is_valid():
        count = post_once(
            request,
            form,
            lambda: reads.reads_estimate(cycle=form.cleaned_data["cycle"], on=form.cleaned_data["on"], acting_user=request.user),
        )  # fmt: skip
        if count is not None and not isinstance(count, Repeated):
            messages.success(
                request, f"{core.plural(count, 'missing read')} estimated for {form.cleaned_data['cycle']}."
            )
    _form_errors(request, form)
    return redirect("utility_billing:read_exceptions")
