"""Celery tasks of runs: load by id, call one service."""

from celery import shared_task

from sandbox.runs import runner, services
from simulation.capacity import capacity_point


@shared_task(name="runs.ping_run", bind=True, time_limit=60, soft_time_limit=50)
def ping_run(self, run_id: str) -> dict:
    return services.run_ping_execute(run_id=run_id, worker=self.request.hostname or "unknown")


@shared_task(name="runs.simulation_run", bind=True, time_limit=2100, soft_time_limit=1900)
def simulation_run(self, run_id: str) -> dict:
    return runner.run_simulation_execute(run_id=run_id, worker=self.request.hostname or "unknown")


@shared_task(name="runs.capacity_point", time_limit=600, soft_time_limit=570)
def capacity_point_task(document: dict, users: int, duration_s: float) -> dict:
    return capacity_point(document, users, duration_s)


@shared_task(name="runs.capacity_collect")
def capacity_collect(points: list[dict], curve_id: str) -> None:
    services.capacity_finish(curve_id=curve_id, points=points)


@shared_task(name="runs.capacity_failed")
def capacity_failed(request, exc, traceback, curve_id: str) -> None:
    services.capacity_fail(curve_id=curve_id, reason=f"a point failed: {exc}")
