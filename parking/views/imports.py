"""Citation imports: the upload page with the recent batches, a batch with its rejects, and the
rejects as CSV. The request checks the file and queues it; the job worker imports it, committing
per chunk, so the job page and everyone's import page show its progress."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from revenue import csvsafe
from revenue import services as core
from revenue.access import require_perm
from revenue.exceptions import DuplicateSubmission, RevenueError

from ..forms import ImportForm
from ..models import ImportBatch
from ..services import imports


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
@require_POST
def import_new(request):
    """Upload, check and queue the import. The one-time token is claimed in its own transaction
    first; a refused file gives it back so the corrected form can be sent again. The file is kept
    and the job queued in one transaction; the job worker imports it and the job page follows."""
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
        imports.citations_check(upload)
    except RevenueError as exc:
        core.submission_release(key=key)  # nothing was written: the form may be sent again
        form.add_error("file", str(exc))
        return _page(request, form, status=400)
    with transaction.atomic():
        job = core.job_start(
            kind="parking.import_citations",
            title=f"Citation import of {upload.name}"[:200],
            params={"path": core.upload_keep(upload, suffix=".csv"), "file_name": upload.name[:200]},
            acting_user=request.user,
        )
        core.submission_result(key=key, result_url=job.get_absolute_url())
    messages.success(
        request,
        f"{upload.name} is checked and queued for import; this page shows how far it has got. "
        "You may leave it: the import carries on.",
    )
    return redirect(job)


@require_perm("parking.view_importbatch")
@require_GET
def import_detail(request, pk):
    batch = get_object_or_404(ImportBatch.objects.select_related("started_by"), pk=pk)
    rejects = list(batch.rejects.all()[: imports.MAX_REJECTS_SHOWN])
    return render(
        request,
        "parking/imports/import_detail.html",
        {
            "batch": batch,
            "rejects": rejects,
            "more_rejects": batch.rows_rejected > len(rejects),
            "running": batch.status == ImportBatch.Status.RUNNING,
        },
    )


@require_perm("parking.view_importbatch")
@require_GET
def import_rejects_csv(request, pk):
    batch = get_object_or_404(ImportBatch, pk=pk)
    writer = csvsafe.writer(csvsafe.Echo())

    def rows():
        yield writer.writerow(["line", "citation_number", "message"])
        for line, number, message in batch.rejects.values_list("line", "citation_number", "message").iterator(
            chunk_size=5000
        ):
            yield writer.writerow([line, number, message])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-rejects.csv"'
    return response


@require_perm("parking.view_importbatch")
@require_GET
def import_sample_csv(request):
    response = HttpResponse(imports.SAMPLE, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="citation-import-sample.csv"'
    return response


urlpatterns = [
    path("imports/", import_list, name="import_list"),
    path("imports/new/", import_new, name="import_new"),
    path("imports/sample.csv", import_sample_csv, name="import_sample_csv"),
    path("imports/<int:pk>/", import_detail, name="import_detail"),
    path("imports/<int:pk>/rejects.csv", import_rejects_csv, name="import_rejects_csv"),
]
