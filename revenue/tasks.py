"""The queue's tasks (procrastinate finds a `tasks` module in every installed app). The core
runs every kind of job through one task; duty apps register handlers, not tasks, and their
periodic runs here or in their own `tasks.py`."""

from procrastinate.contrib.django import app

from .services.jobs import job_execute


@app.task(name="revenue.run_job", queue="jobs")
def run_job(job_id: int) -> None:
    job_execute(job_id)


@app.periodic(cron="* * * * *", periodic_id="retry_stalled_jobs")
@app.task(name="revenue.retry_stalled_jobs", queueing_lock="retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context, timestamp: int) -> None:
    """A job whose worker stopped sending heartbeats (killed, machine restarted) goes back on
    the queue; its handler carries on from its last committed chunk."""
    for job in await context.app.job_manager.get_stalled_jobs():
        await context.app.job_manager.retry_job(job)
