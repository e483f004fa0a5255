"""Writes of exercises: author, publish, start an attempt, submit, and grade (the units as a
Celery chord, so that a class's submissions spread over the workers)."""

import secrets
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError
from pydantic import ValidationError

from sandbox.accounts.visitors import Visitor
from sandbox.exercises.models import Attempt, Exercise, GradingUnit, Submission
from sandbox.health.checks import require_redis
from sandbox.runs.locks import owner_lock
from sandbox.scenarios.documents import DocumentRejected
from sandbox.scenarios.models import Scenario
from sandbox.scenarios.services import LimitExceeded, scenario_create
from simulation.grading import (
    ExerciseSpec,
    constraint_violations,
    grade,
    grading_units,
    run_unit,
)
from simulation.validate import Issue, pydantic_issue, validate_scenario


class SpecRejected(Exception):
    """An exercise specification that does not hold; each issue names its place."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(map(str, issues)))
        self.issues = issues


def spec_check(spec: dict[str, Any]) -> ExerciseSpec:
    try:
        return ExerciseSpec.model_validate(spec)
    except ValidationError as exc:
        raise SpecRejected([pydantic_issue(e, spec) for e in exc.errors()]) from None


def exercise_create(
    *, author: AbstractBaseUser, title: str, brief_md: str, spec: dict[str, Any]
) -> Exercise:
    spec_check(spec)
    return Exercise.objects.create(
        author=author,
        title=title,
        brief_md=brief_md,
        spec=spec,
        token=secrets.token_urlsafe(16),
    )


def exercise_update(
    *, exercise: Exercise, title: str, brief_md: str, spec: dict[str, Any]
) -> Exercise:
    spec_check(spec)
    exercise.title, exercise.brief_md, exercise.spec = title, brief_md, spec
    exercise.save()
    return exercise


def exercise_publish(*, exercise: Exercise, published: bool) -> Exercise:
    exercise.published = published
    exercise.save(update_fields=["published", "updated_at"])
    return exercise


def attempt_start(*, exercise: Exercise, student: AbstractBaseUser) -> Attempt:
    """The student's own copy of the starting design (made once; later calls return it)."""
    existing = Attempt.objects.filter(exercise=exercise, student=student).first()
    if existing is not None:
        return existing
    spec = ExerciseSpec.model_validate(exercise.spec)
    document = spec.starting_design.model_dump(mode="json", by_alias=True)
    if spec.workload is not None:
        document["workload"] = spec.workload.model_dump(mode="json", by_alias=True)
    scenario = scenario_create(
        visitor=Visitor(user=student, session_key=""),
        title=exercise.title,
        description=f"My attempt at the exercise “{exercise.title}”.",
        document=document,
    )
    return Attempt.objects.create(exercise=exercise, student=student, scenario=scenario)


def submission_create(
    *, exercise: Exercise, student: AbstractBaseUser, scenario: Scenario
) -> Submission:
    """Snapshot the design and queue its grading; a design that breaks the format, the
    engine's checks or the exercise's locks and bans is refused with the reasons."""
    spec = ExerciseSpec.model_validate(exercise.spec)
    document = scenario.document
    result = validate_scenario(document)
    if not result.ok:
        raise DocumentRejected(result.errors)
    violations = constraint_violations(spec, document)
    if violations:
        raise DocumentRejected(violations)
    units = grading_units(spec)
    require_redis("grading")
    with transaction.atomic():
        owner_lock(visitor=Visitor(user=student, session_key=""))
        grading = Submission.objects.filter(
            student=student, state__in=(Submission.State.QUEUED, Submission.State.GRADING)
        ).count()
        if grading >= settings.SUBMISSIONS_AT_ONCE_PER_STUDENT:
            raise LimitExceeded(
                f"you have {grading} submissions being graded, the most at once; "
                "wait for one to be graded",
                status=409,
            )
        submission = Submission.objects.create(
            exercise=exercise,
            student=student,
            scenario=scenario,
            document=document,
            units_total=len(units),
        )
    submission_id = str(submission.id)

    def fan_out() -> None:
        from celery import chord

        from sandbox.exercises.tasks import grade_collect, grade_failed, grade_unit

        collect = grade_collect.s(submission_id).on_error(grade_failed.s(submission_id))
        try:
            chord([grade_unit.s(submission_id, unit) for unit in units])(collect)
        except OperationalError as exc:
            submission_fail(submission_id=submission_id, reason=f"the task queue is down: {exc}")

    transaction.on_commit(fan_out)
    return submission


def grading_unit_run(*, submission_id: str, unit: str, worker: str) -> None:
    submission = Submission.objects.select_related("exercise").get(id=submission_id)
    Submission.objects.filter(id=submission_id, state=Submission.State.QUEUED).update(
        state=Submission.State.GRADING
    )
    spec = ExerciseSpec.model_validate(submission.exercise.spec)
    result = run_unit(spec, submission.document, unit)
    GradingUnit.objects.update_or_create(
        submission=submission, name=unit, defaults={"result": result, "worker": worker}
    )
    submission_announce(submission_id=submission_id)


def grading_finish(*, submission_id: str) -> None:
    submission = Submission.objects.select_related("exercise").get(id=submission_id)
    spec = ExerciseSpec.model_validate(submission.exercise.spec)
    units = {unit.name: unit.result for unit in submission.units.all()}
    report = grade(spec, units)
    submission.report = report
    submission.score = report["score"]
    submission.state = Submission.State.GRADED
    submission.graded_at = timezone.now()
    submission.save(update_fields=["report", "score", "state", "graded_at"])
    submission_announce(submission_id=submission_id)


def submission_fail(*, submission_id: str, reason: str) -> None:
    Submission.objects.filter(id=submission_id).update(
        state=Submission.State.FAILED, failure_reason=reason, graded_at=timezone.now()
    )
    submission_announce(submission_id=submission_id)


def submissions_fail_lost(*, older_than_s: float) -> int:
    """Fail, with the reason, the submissions still queued or grading long after any grading
    takes (their tasks were lost: a worker died mid-task beyond redelivery, or Redis lost its
    queue), so that none stays "grading" for ever or holds its student's quota. How many."""
    cutoff = timezone.now() - timedelta(seconds=older_than_s)
    lost = list(
        Submission.objects.filter(
            state__in=(Submission.State.QUEUED, Submission.State.GRADING), created_at__lt=cutoff
        ).values_list("id", flat=True)
    )
    reason = (
        f"grading did not finish within {older_than_s / 60:.0f} minutes: its work was lost "
        "(a worker or the task queue restarted); submit again"
    )
    failed = 0
    for submission_id in lost:
        failed += Submission.objects.filter(
            id=submission_id, state__in=(Submission.State.QUEUED, Submission.State.GRADING)
        ).update(state=Submission.State.FAILED, failure_reason=reason, graded_at=timezone.now())
        submission_announce(submission_id=str(submission_id))
    return failed


def submission_summary(submission: Submission) -> dict[str, Any]:
    return {
        "id": str(submission.id),
        "exercise": str(submission.exercise_id),
        "student": submission.student.get_username(),
        "state": submission.state,
        "units_done": submission.units.count(),
        "units_total": submission.units_total,
        "score": submission.score,
        "report": submission.report,
        "failure_reason": submission.failure_reason,
        "created_at": submission.created_at.isoformat(),
        "graded_at": submission.graded_at.isoformat() if submission.graded_at else None,
    }


def submission_announce(*, submission_id: str) -> None:
    """Tell the student and the exercise's author, live, how grading goes."""
    submission = Submission.objects.select_related("student").get(id=submission_id)
    message = {"type": "submission.progress", "submission": submission_summary(submission)}
    layer = get_channel_layer()
    async_to_sync(layer.group_send)(f"submission.{submission.id}", message)
    async_to_sync(layer.group_send)(f"exercise.{submission.exercise_id}", message)
