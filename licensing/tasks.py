"""The queue's periodic task for licensing (procrastinate finds `tasks` modules by itself)."""

from procrastinate.contrib.django import app

from revenue import services as core


@app.periodic(cron="5 * * * *", periodic_id="license_expire")
@app.task(name="licensing.expire", queueing_lock="license_expire")
def license_expire(timestamp: int) -> None:
    """At 00:05 city time: licenses whose period ended yesterday expire, recorded as a job (the cron
    is hourly because the queue's cron runs in UTC)."""
    core.job_start_nightly(
        kind="licensing.expire", title="Nightly license expiry", timestamp=timestamp, hour=0
    )
