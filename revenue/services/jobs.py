"""Background jobs: work that may outlast a request runs on the PostgreSQL-backed queue
(procrastinate). A duty app registers a handler for a kind of job; a view starts a job with its
parameters; the worker runs the handler, which reports progress on the job's own row.

A handler must be safe to run again: it commits its work in chunks and, when run again after a
worker died or a failure, carries on from the last committed chunk (nothing applied twice)."""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..exceptions import NotAllowed, RevenueError
from ..models import Job
from .audit import audit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    """What a handler calls to report how far it got; each call commits on its own, so the page
    sees it while the handler's own transactions are still running."""

    job_id: int

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        fields = {"done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        if message:
            fields["message"] = message[:2000]
        Job.objects.filter(pk=self.job_id).update(**fields)


JobHandler = Callable[[Job, Progress], str]
_HANDLERS: dict[str, JobHandler] = {}
_PERMISSIONS: dict[str, str] = {}


def job_handler(kind: str, *, permission: str):
    """Register the function that does a kind of job: `handler(job, progress) -> result URL`
    (or ""). It raises a RevenueError with a sentence for the clerk when it refuses. Starting or
    retrying a job of the kind needs `permission` (the work's own, never a read permission)."""

    def register(fn: JobHandler) -> JobHandler:
        _HANDLERS[kind] = fn
        _PERMISSIONS[kind] = permission
        return fn

    return register


def _may_run(kind: str, user) -> bool:
    permission = _PERMISSIONS.get(kind)
    return permission is not None and user.has_perm(permission)


def _enqueue(job: Job) -> None:
    from ..tasks import run_job  # the queue's task; deferred in the caller's transaction

    job.queue_job_id = run_job.defer(job_id=job.pk)
    job.save(update_fields=["queue_job_id"])


@transaction.atomic
def job_start(*, kind: str, title: str, params: dict, acting_user) -> Job:
    """Record a job and put it on the queue, in one transaction: if the caller's work rolls
    back, no job runs."""
    if kind not in _HANDLERS:
        raise RevenueError(f"There is no job of kind {kind!r}.")
    if not _may_run(kind, acting_user):
        raise NotAllowed("Your role does not start this work.")
    job = Job.objects.create(kind=kind, title=title[:200], params=params, created_by=acting_user)
    _enqueue(job)
    audit(actor=acting_user, action="job.started", obj=job, after={"kind": kind, "params": params})
    return job


@transaction.atomic
def job_retry(*, job: Job, acting_user) -> Job:
    """Put a failed job (or one whose worker died) back on the queue; it carries on from its
    last committed chunk."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    mine_or_supervised = job.created_by_id == acting_user.pk or acting_user.has_perm(
        "revenue.approve_exception"
    )
    if not (mine_or_supervised and _may_run(job.kind, acting_user)):
        raise NotAllowed(
            "Only the person who started this job, or a supervisor who may do the same work, retries it."
        )
    if job.status == Job.Status.DONE:
        raise RevenueError("This job has finished; there is nothing to retry.")
    if job.status in (Job.Status.QUEUED, Job.Status.RUNNING) and not job_stalled(job):
        raise RevenueError("This job is still under way.")
    job.status = Job.Status.QUEUED
    job.message = ""
    job.finished_at = None
    job.save(update_fields=["status", "message", "finished_at"])
    _enqueue(job)
    audit(actor=acting_user, action="job.retried", obj=job)
    return job


STALLED_AFTER_SECONDS = 120


def job_stalled(job: Job, *, now=None) -> bool:
    """A running job whose worker has not reported for a while is seen as stopped: its worker
    was killed or the machine restarted. The queue retries stalled jobs by itself; the page
    offers Retry too."""
    if job.status != Job.Status.RUNNING:
        return False
    last = job.heartbeat_at or job.started_at
    return last is not None and ((now or timezone.now()) - last).total_seconds() > STALLED_AFTER_SECONDS


def job_execute(job_id: int) -> Job:
    """Run a job's handler (the worker calls this). Marks it running, then finished with the
    handler's result, or failed with the handler's sentence. Never raises for a refusal: a
    failed job waits for a person to retry it."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status == Job.Status.DONE:
            return job
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at"])
    handler = _HANDLERS.get(job.kind)
    try:  # a refusal or an error fails the job, to be retried by a person; the worker carries on
        if handler is None:
            raise RevenueError(f"No handler is registered for jobs of kind {job.kind!r}.")
        result_url = handler(job, Progress(job.pk)) or ""
    except RevenueError as exc:
        _finish(job, Job.Status.FAILED, message=str(exc))
    except Exception as exc:  # noqa: BLE001 - any error of the handler is the job's, not the worker's
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(
            job,
            Job.Status.FAILED,
            message=f"The job stopped on an error ({exc.__class__.__name__}); retry it.",
        )
    else:
        _finish(job, Job.Status.DONE, result_url=result_url)
    job.refresh_from_db()
    return job


def _finish(job: Job, status: str, *, message: str = "", result_url: str = "") -> None:
    fields = {"status": status, "finished_at": timezone.now(), "heartbeat_at": timezone.now()}
    if message:
        fields["message"] = message[:2000]
    if result_url:
        fields["result_url"] = result_url[:250]
    Job.objects.filter(pk=job.pk).update(**fields)


def upload_keep(upload, *, suffix: str = "") -> str:
    """Keep an uploaded file for a job (the request ends before the job runs): written in
    blocks under UPLOAD_DIR (shared by every web and worker host) with a name nobody chooses.
    Returns its path, for the job's parameters."""
    folder = Path(settings.UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix if suffix.isascii() and len(suffix) <= 8 else ''}"
    with open(path, "xb") as out:
        for block in upload.chunks():
            out.write(block)
    return str(path)


def upload_discard(path: str) -> None:
    """Remove a kept upload once its job has finished with it (only files under UPLOAD_DIR)."""
    target = Path(path).resolve()
    if Path(settings.UPLOAD_DIR).resolve() in target.parents:
        target.unlink(missing_ok=True)


def nightly_user():
    """The supervisor the nightly runs are recorded under (`NIGHTLY_RUNS_AS`), or None."""
    from django.contrib.auth import get_user_model

    username = getattr(settings, "NIGHTLY_RUNS_AS", "")
    if not username:
        return None
    return get_user_model().objects.filter(username=username, is_active=True).first()


def job_start_nightly(*, kind: str, title: str, timestamp: int, hour: int) -> Job | None:
    """What a periodic task of the queue does: start the nightly job as the configured supervisor,
    so it shows in the jobs list with its result like any other. The queue's cron runs in UTC, so
    the task runs hourly and starts the job only in the city's own `hour` (TIME_ZONE, daylight
    saving included). Without a supervisor configured, nothing runs and the worker's log says why."""
    at = datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)
    if timezone.localtime(at).hour != hour:
        return None
    user = nightly_user()
    if user is None:
        log.warning("%s not started: set NIGHTLY_RUNS_AS to an active supervisor's user name", title)
        return None
    return job_start(kind=kind, title=title, params={}, acting_user=user)
