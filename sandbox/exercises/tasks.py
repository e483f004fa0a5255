"""Celery tasks of grading: one per unit (the steady state, each drill), then the report."""

from celery import shared_task

from sandbox.exercises import services


@shared_task(name="exercises.grade_unit", bind=True, time_limit=900, soft_time_limit=870)
def grade_unit(self, submission_id: str, unit: str) -> str:
    services.grading_unit_run(
        submission_id=submission_id, unit=unit, worker=self.request.hostname or "unknown"
    )
    return unit


@shared_task(name="exercises.grade_collect")
def grade_collect(units: list[str], submission_id: str) -> None:
    services.grading_finish(submission_id=submission_id)


@shared_task(name="exercises.grade_failed")
def grade_failed(request, exc, traceback, submission_id: str) -> None:
    services.submission_fail(submission_id=submission_id, reason=f"grading failed: {exc}")
