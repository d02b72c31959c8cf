"""The citation import as a background job on a real worker process: a worker killed with
SIGKILL part-way leaves the committed chunks, and the retry finishes the file with nothing
imported, charged or posted twice."""

import datetime
import os
import signal
import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Sum
from django.utils import timezone

from parking.models import Citation, ImportBatch
from revenue import selectors, services
from revenue.models import Charge, Job, JournalEntry
from tests.parking.test_import import csv_file, good_rows

pytestmark = [pytest.mark.django_db(transaction=True)]

ROWS, CHUNK = 20_000, 500


def _wait(condition, *, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}")


def test_a_worker_killed_mid_import_is_retried_and_nothing_is_doubled(
    policy, senior_clerk, start_job_worker, settings
):
    settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    path = settings.UPLOAD_DIR / "big.csv"
    path.write_bytes(csv_file(*good_rows(ROWS)).getvalue())
    job = services.job_start(
        kind="parking.import_citations",
        title="Citation import of big.csv",
        params={"path": str(path), "file_name": "big.csv", "chunk": CHUNK},
        acting_user=senior_clerk,
    )

    first = start_job_worker()
    _wait(
        lambda: ImportBatch.objects.filter(rows_read__gte=4 * CHUNK).exists(),
        seconds=120,
        what="the first chunks to commit",
    )
    os.kill(first.pid, signal.SIGKILL)  # the worker dies mid-file, as in a crash or an OOM kill
    first.wait()
    batch = ImportBatch.objects.get()
    in_before = Citation.objects.count()
    assert batch.status == "running" and 0 < in_before < ROWS, "killed part-way"
    assert in_before % CHUNK == 0  # whole chunks only: a chunk commits whole or not at all

    job.refresh_from_db()
    assert job.status == "running"
    # its worker sends no news: after the stall time the page (or the queue) retries it
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))
    job.refresh_from_db()
    assert services.job_stalled(job)
    services.job_retry(job=job, acting_user=senior_clerk)
    start_job_worker()
    _wait(
        lambda: Job.objects.filter(pk=job.pk, status__in=["done", "failed"]).exists(),
        seconds=180,
        what="the retried job to finish",
    )

    job.refresh_from_db()
    batch.refresh_from_db()
    assert (job.status, job.attempts, job.result_url) == ("done", 2, batch.get_absolute_url())
    assert (batch.status, batch.rows_imported, batch.rows_rejected) == ("finished", ROWS, 0)
    assert Citation.objects.count() == ROWS
    assert not Citation.objects.values("number").annotate(n=Count("pk")).filter(n__gt=1).exists()
    citation_type = ContentType.objects.get_for_model(Citation)
    charges = Charge.objects.filter(source_type=citation_type)
    assert charges.count() == ROWS
    assert charges.aggregate(t=Sum("amount"))["t"] == Citation.objects.aggregate(t=Sum("fine"))["t"]
    posted = JournalEntry.objects.filter(source_type=ContentType.objects.get_for_model(ImportBatch))
    assert posted.count() == ROWS // CHUNK  # one entry per chunk, none twice
    assert selectors.trial_balance(as_of=services.city_today()).in_balance
    assert not path.exists()  # the kept upload is removed once imported
