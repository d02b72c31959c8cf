"""Citation imports: the upload page with the recent batches, a batch with its rejects summarised
by reason, and the rejects file (the original rows with their problems, to correct and import
again). The request checks the file (and the import profile it is read through) and queues it;
the job worker imports it, committing per chunk, so the job page and everyone's import page show
its progress."""

import csv

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from revenue import csvsafe
from revenue import services as core
from revenue.access import require_perm
from revenue.exceptions import DuplicateSubmission, RevenueError
from revenue.web import Repeated, post_once

from .. import selectors
from ..forms import FineScheduleForm, ImportForm
from ..models import ImportBatch
from ..services import imports, schedule_import


def _page(request, form, status=200):
    batches = list(ImportBatch.objects.select_related("started_by")[:20])
    return render(
        request,
        "parking/imports/import_list.html",
        {
            "form": form,
            "batches": batches,
            "running": any(b.status == ImportBatch.Status.RUNNING for b in batches),
        },
        status=status,
    )


@require_perm("parking.view_importbatch")
@require_GET
def import_list(request):
    form = ImportForm() if request.user.has_perm("parking.import_citations") else None
    return _page(request, form)


@require_perm("parking.import_citations")
@require_http_methods(["GET", "POST"])
def import_new(request):
    """Upload, check and queue the import. The one-time token is claimed in its own transaction
    first; a refused file gives it back so the corrected form can be sent again. The file is kept
    and the job queued in one transaction; the job worker imports it and the job page follows.
    A GET (the page reloaded after a refused upload) shows the form again."""
    if request.method == "GET":
        return redirect("parking:import_list")
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    key = form.cleaned_data["token"]
    try:
        with transaction.atomic():
            core.submission_claim(key=key, user=request.user)
    except DuplicateSubmission as exc:
        messages.info(request, str(exc))
        return redirect(exc.result_url or "parking:import_list")
    except RevenueError as exc:
        form.add_error(None, str(exc))
        return _page(request, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        _sha256, profile = imports.citations_check(upload, form.cleaned_data["profile"])
    except RevenueError as exc:
        core.submission_release(key=key)  # nothing was written: the form may be sent again
        form.add_error("file", str(exc))
        return _page(request, form, status=400)
    with transaction.atomic():
        job = core.job_start(
            kind="parking.import_citations",
            title=f"Citation import of {upload.name}"[:200],
            params={
                "path": core.upload_keep(upload, suffix=".csv"),
                "file_name": upload.name[:200],
                "profile": profile.pk if profile else None,
            },
            acting_user=request.user,
        )
        core.submission_result(key=key, result_url=job.get_absolute_url())
    read_as = f"read through the profile {profile.name}" if profile else "in the built-in layout"
    messages.success(
        request,
        f"{upload.name} is checked ({read_as}) and queued for import; this page shows how far it has got. "
        "You may leave it: the import carries on.",
    )
    return redirect(job)


@require_perm("parking.view_importbatch")
@require_GET
def import_detail(request, pk):
    batch = get_object_or_404(ImportBatch.objects.select_related("started_by", "profile"), pk=pk)
    summary = selectors.reject_summary(batch)
    reason = request.GET.get("reason", "")
    reason = reason if reason in dict(summary) else ""
    rejects = selectors.rejects_shown(batch, reason)
    shown_of = dict(summary).get(reason, batch.rows_rejected)
    return render(
        request,
        "parking/imports/import_detail.html",
        {
            "batch": batch,
            "summary": summary,
            "reason": reason,
            "rejects": rejects,
            "more_rejects": shown_of > len(rejects),
            "shown_of": shown_of,
            "running": batch.status == ImportBatch.Status.RUNNING,
        },
    )


@require_perm("parking.view_importbatch")
@require_GET
def import_rejects_csv(request, pk):
    """The rejected rows as they were in the file, under the file's own header, each with its
    line and its problems in two more columns: corrected, the file imports again (through the
    same profile, whose columns it keeps; the built-in layout and profiles ignore other columns)."""
    batch = get_object_or_404(ImportBatch, pk=pk)
    writer = csvsafe.writer(csvsafe.Echo())
    header = next(csv.reader([batch.header]), []) if batch.header else ["citation_number"]

    def rows():
        yield writer.writerow([*header, "rejected_line", "rejected_because"])
        for line, number, message, row in batch.rejects.values_list(
            "line", "citation_number", "message", "row"
        ).iterator(chunk_size=5000):
            fields = next(csv.reader([row]), []) if row else [number]  # a batch from before rows were kept
            yield writer.writerow([*fields, line, message])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-rejects.csv"'
    return response


@require_perm("parking.view_importbatch")
@require_GET
def import_sample_csv(request):
    response = HttpResponse(imports.SAMPLE, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="citation-import-sample.csv"'
    return response


@require_perm("parking.add_violationfine")
@require_http_methods(["GET", "POST"])
def fine_schedule_import(request):
    """Upload the fine schedule (all rows or none); a refused file lists its rows' problems."""
    form = FineScheduleForm(request.POST or None, request.FILES or None)
    refused: list = []
    if request.method == "POST" and form.is_valid():

        def work():
            try:
                return schedule_import.fine_schedule_import(
                    form.cleaned_data["file"], profile=form.cleaned_data["profile"], acting_user=request.user
                )
            except schedule_import.ScheduleRefused as exc:
                refused.extend(exc.rows)
                raise

        fines = post_once(request, form, work)
        if isinstance(fines, Repeated):
            return redirect("parking:fine_schedule_import")
        if fines is not None:
            messages.success(request, f"{core.plural(len(fines), 'fine')} added to the schedule.")
            return redirect("parking:fine_schedule_import")
    today = core.city_today()
    return render(
        request,
        "parking/imports/fine_schedule.html",
        {
            "form": form,
            "refused": refused,
            "fields": core.import_target_get(schedule_import.TARGET).fields,
            "schedule": selectors.fine_schedule_rows(),
            "today": today,
        },
        status=400 if form.errors else 200,
    )


urlpatterns = [
    path("fines/import/", fine_schedule_import, name="fine_schedule_import"),
    path("imports/", import_list, name="import_list"),
    path("imports/new/", import_new, name="import_new"),
    path("imports/sample.csv", import_sample_csv, name="import_sample_csv"),
    path("imports/<int:pk>/", import_detail, name="import_detail"),
    path("imports/<int:pk>/rejects.csv", import_rejects_csv, name="import_rejects_csv"),
]
