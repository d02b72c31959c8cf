"""Background jobs: recorded and queued in one transaction, run by the worker's handler with
progress on the job's row, failed with a sentence, retried by a person or when stalled."""

import datetime

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from revenue import services
from revenue.models import AuditEvent, Job
from revenue.services import jobs

pytestmark = pytest.mark.django_db


class _CounterWork(dict):
    def get(self, kind, default=None):
        return "revenue.request_exception"


@pytest.fixture
def handlers(monkeypatch):
    """Handlers registered for the test only."""
    registry = {}
    monkeypatch.setattr(jobs, "_HANDLERS", registry)
    # every test kind is counter work: the clerks and supervisors may run it, the auditor not
    monkeypatch.setattr(jobs, "_PERMISSIONS", _CounterWork())
    return registry


def _queued(job):
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'revenue.run_job' "
            "AND (args->>'job_id')::bigint = %s AND status = 'todo'",
            [job.pk],
        )
        return cur.fetchone()[0]


def test_a_job_is_recorded_queued_and_audited_in_one_transaction(handlers, clerk):
    handlers["test.count"] = lambda job, progress: ""
    job = services.job_start(kind="test.count", title="Count", params={"n": 3}, acting_user=clerk)
    assert job.status == Job.Status.QUEUED and job.queue_job_id
    assert _queued(job) == 1
    assert AuditEvent.objects.filter(action="job.started", object_id=job.pk).exists()


def test_work_that_rolls_back_leaves_no_job_on_the_queue(handlers, clerk):
    handlers["test.count"] = lambda job, progress: ""
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        services.job_start(kind="test.count", title="Count", params={}, acting_user=clerk)
        1 / 0  # noqa: B018 - the request's own work fails after enqueueing
    assert not Job.objects.exists()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'revenue.run_job'")
        assert cur.fetchone()[0] == 0


def test_an_unknown_kind_of_job_is_refused(handlers, clerk):
    with pytest.raises(services.RevenueError, match="no job of kind"):
        services.job_start(kind="test.nothing", title="x", params={}, acting_user=clerk)


def test_the_handler_reports_progress_and_its_result(handlers, clerk):
    seen = []

    def count(job, progress):
        for i in range(1, job.params["n"] + 1):
            progress(i, job.params["n"])
            seen.append(Job.objects.get(pk=job.pk).done)
        return "/result/"

    handlers["test.count"] = count
    job = services.job_start(kind="test.count", title="Count", params={"n": 3}, acting_user=clerk)
    job = jobs.job_execute(job.pk)
    assert seen == [1, 2, 3]
    assert (job.status, job.done, job.total, job.percent, job.result_url) == ("done", 3, 3, 100, "/result/")
    assert job.attempts == 1 and job.finished_at


def test_a_refusal_fails_the_job_with_its_sentence_and_an_error_names_itself(handlers, clerk):
    def refuse(job, progress):
        raise services.RevenueError("The file is not a citation file.")

    def crash(job, progress):
        raise KeyError("x")

    handlers.update({"test.refuse": refuse, "test.crash": crash})
    refused = jobs.job_execute(
        services.job_start(kind="test.refuse", title="R", params={}, acting_user=clerk).pk
    )
    crashed = jobs.job_execute(
        services.job_start(kind="test.crash", title="C", params={}, acting_user=clerk).pk
    )
    assert (refused.status, refused.message) == ("failed", "The file is not a citation file.")
    assert crashed.status == "failed" and "KeyError" in crashed.message


def test_a_failed_job_is_retried_by_its_starter_or_a_supervisor_not_another_clerk(
    handlers, clerk, senior_clerk, supervisor
):
    handlers["test.refuse"] = lambda job, progress: (_ for _ in ()).throw(services.RevenueError("No."))
    job = jobs.job_execute(services.job_start(kind="test.refuse", title="R", params={}, acting_user=clerk).pk)
    with pytest.raises(services.NotAllowed):
        services.job_retry(job=job, acting_user=senior_clerk)
    before = _queued(job)
    job = services.job_retry(job=job, acting_user=supervisor)
    assert job.status == "queued" and job.message == "" and _queued(job) == before + 1
    handlers["test.refuse"] = lambda job, progress: ""
    job = jobs.job_execute(job.pk)
    assert (job.status, job.attempts) == ("done", 2)
    with pytest.raises(services.RevenueError, match="has finished"):
        services.job_retry(job=job, acting_user=clerk)


def test_a_running_job_without_news_for_two_minutes_is_stalled(handlers, clerk):
    handlers["test.count"] = lambda job, progress: ""
    job = services.job_start(kind="test.count", title="Count", params={}, acting_user=clerk)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status="running", heartbeat_at=now - datetime.timedelta(seconds=119))
    job.refresh_from_db()
    assert not services.job_stalled(job, now=now)
    with pytest.raises(services.RevenueError, match="still under way"):
        services.job_retry(job=job, acting_user=clerk)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=now - datetime.timedelta(seconds=121))
    job.refresh_from_db()
    assert services.job_stalled(job, now=now)
    assert services.job_retry(job=job, acting_user=clerk).status == "queued"


def test_the_job_page_is_for_its_starter_supervisors_and_auditors(
    handlers, client, clerk, senior_clerk, supervisor, auditor
):
    handlers["test.count"] = lambda job, progress: "/done/"
    job = services.job_start(kind="test.count", title="Citation import", params={}, acting_user=clerk)
    url = reverse("job_detail", args=[job.pk])
    for user, status in ((clerk, 200), (senior_clerk, 404), (supervisor, 200), (auditor, 200)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.force_login(clerk)
    page = client.get(url).content.decode()
    assert "Citation import" in page and "data-job-status=" in page  # the page follows the job
    state = client.get(reverse("job_status", args=[job.pk])).json()
    assert (state["status"], state["active"], state["done"]) == ("queued", True, 0)
    jobs.job_execute(job.pk)
    page = client.get(url).content.decode()
    assert 'href="/done/"' in page and "data-job-status=" not in page
    assert client.get(reverse("job_status", args=[job.pk])).json()["active"] is False
    client.force_login(senior_clerk)
    assert "Citation import" not in client.get(reverse("job_list")).content.decode()
    assert client.get(reverse("job_status", args=[job.pk])).status_code == 404
    client.force_login(supervisor)
    assert "Citation import" in client.get(reverse("job_list")).content.decode()


def test_the_auditor_neither_starts_nor_retries_a_job(handlers, clerk, supervisor, auditor):
    handlers["test.refuse"] = lambda job, progress: (_ for _ in ()).throw(services.RevenueError("No."))
    with pytest.raises(services.NotAllowed):
        services.job_start(kind="test.refuse", title="R", params={}, acting_user=auditor)
    job = jobs.job_execute(services.job_start(kind="test.refuse", title="R", params={}, acting_user=clerk).pk)
    with pytest.raises(services.NotAllowed):
        services.job_retry(job=job, acting_user=auditor)  # reads every job, retries none
    assert services.job_retry(job=job, acting_user=supervisor).status == "queued"
