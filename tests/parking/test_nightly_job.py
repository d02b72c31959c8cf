"""The nightly runs as periodic jobs of the queue: started at the city's hour as the configured
supervisor, recorded as a job with its result; at other hours, or with nobody configured, not."""

import datetime
import zoneinfo

import pytest
from django.conf import settings

from licensing.tasks import license_expire
from parking.tasks import parking_nightly
from revenue.models import Job
from revenue.services import jobs

pytestmark = pytest.mark.django_db


def _at(hour, minute):
    local = datetime.datetime(2026, 7, 15, hour, minute, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return int(local.timestamp())


def test_the_nightly_parking_runs_start_at_two_city_time_as_the_configured_supervisor(
    policy, supervisor, settings
):
    settings.NIGHTLY_RUNS_AS = supervisor.username
    parking_nightly(_at(1, 15))
    parking_nightly(_at(3, 15))
    assert not Job.objects.exists()
    parking_nightly(_at(2, 15))
    job = Job.objects.get()
    assert (job.kind, job.created_by) == ("parking.nightly", supervisor)
    job = jobs.job_execute(job.pk)
    assert job.status == "done" and "late penalties added" in job.message and "plans defaulted" in job.message


def test_license_expiry_starts_just_after_midnight(supervisor, settings):
    settings.NIGHTLY_RUNS_AS = supervisor.username
    license_expire(_at(0, 5))
    job = jobs.job_execute(Job.objects.get(kind="licensing.expire").pk)
    assert job.status == "done" and "licenses expired" in job.message


def test_without_a_supervisor_configured_no_nightly_run_starts(policy, settings, caplog):
    settings.NIGHTLY_RUNS_AS = ""
    parking_nightly(_at(2, 15))
    assert not Job.objects.exists()
    assert "NIGHTLY_RUNS_AS" in caplog.text
