"""Celery tasks of runs: load by id, call one service."""

from celery import shared_task

from sandbox.runs import services


@shared_task(name="runs.ping_run", bind=True, time_limit=60, soft_time_limit=50)
def ping_run(self, run_id: str) -> dict:
    return services.run_ping_execute(run_id=run_id, worker=self.request.hostname or "unknown")
