"""Celery tasks of runs: load by id, call one service. A live run's task only wakes this
process's run host, which claims the run from the database (sandbox/runs/host.py)."""

from celery import shared_task
from celery.signals import worker_process_init, worker_process_shutdown

from sandbox.runs import services
from sandbox.runs.host import run_host, run_host_stop
from simulation.capacity import capacity_point


@shared_task(name="runs.ping_run", bind=True, time_limit=60, soft_time_limit=50)
def ping_run(self, run_id: str) -> dict:
    return services.run_ping_execute(run_id=run_id, worker=self.request.hostname or "unknown")


# A live run keeps its results in the database: no result backend for its task, so that
# starting one never waits on the backend's subscription when Redis is slow or down.
@shared_task(
    name="runs.simulation_run", bind=True, time_limit=30, soft_time_limit=20, ignore_result=True
)
def simulation_run(self, run_id: str) -> dict:
    run_host(self.request.hostname).offer()
    return {"run": run_id, "offered_to": self.request.hostname}


@worker_process_init.connect
def _start_run_host(sender=None, **_kwargs) -> None:
    """Each process of a worker that consumes the live queue hosts runs from its start, so
    that it resumes the runs of a host that died even before it is handed a task."""
    from celery import current_app
    from django.conf import settings

    if settings.CELERY_LIVE_QUEUE in getattr(current_app, "_scalelab_queues", ()):
        run_host(getattr(current_app, "_scalelab_worker", None))


@worker_process_shutdown.connect
def _stop_run_host(**_kwargs) -> None:
    run_host_stop()


@shared_task(name="runs.capacity_point", time_limit=600, soft_time_limit=570)
def capacity_point_task(document: dict, users: int, duration_s: float) -> dict:
    return capacity_point(document, users, duration_s)


@shared_task(name="runs.capacity_collect")
def capacity_collect(points: list[dict], curve_id: str) -> None:
    services.capacity_finish(curve_id=curve_id, points=points)


@shared_task(name="runs.capacity_failed")
def capacity_failed(request, exc, traceback, curve_id: str) -> None:
    services.capacity_fail(curve_id=curve_id, reason=f"a point failed: {exc}")
