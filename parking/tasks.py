"""The queue's periodic task for parking (procrastinate finds `tasks` modules by itself)."""

from procrastinate.contrib.django import app

from revenue import services as core


@app.periodic(cron="15 * * * *", periodic_id="parking_nightly")
@app.task(name="parking.nightly", queueing_lock="parking_nightly")
def parking_nightly(timestamp: int) -> None:
    """At 02:15 city time every night: late penalties and plan defaults, recorded as a job (the
    cron is hourly because the queue's cron runs in UTC)."""
    core.job_start_nightly(kind="parking.nightly", title="Nightly parking runs", timestamp=timestamp, hour=2)
