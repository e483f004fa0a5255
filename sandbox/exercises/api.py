"""REST endpoints of exercises: instructors author, publish and watch submissions; students
open a published exercise by its link, get their own copy, submit, and read their reports."""

import csv
import io
import uuid

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.errors import HttpError

from sandbox.accounts.visitors import VisitorAuth
from sandbox.exercises import selectors, services
from sandbox.exercises.briefs import brief_html
from sandbox.exercises.models import Exercise, Submission
from sandbox.exercises.schemas import (
    AttemptOut,
    ExerciseIn,
    ExerciseOut,
    PublishedExerciseOut,
    ShippedExerciseOut,
    SubmissionDetailOut,
    SubmissionOut,
    SubmitIn,
)
from sandbox.scenarios.selectors import scenario_get_owned
from simulation.grading import ExerciseSpec, criterion_label

router = Router(tags=["exercises"], auth=VisitorAuth())
student_router = Router(tags=["exercises"], auth=VisitorAuth())
submissions_router = Router(tags=["exercises"], auth=VisitorAuth())


def _user(request: HttpRequest):
    user = request.auth.user
    if user is None:
        raise HttpError(401, "log in first: exercises are tied to an account")
    return user


def _instructor(request: HttpRequest):
    user = _user(request)
    if not selectors.is_instructor(user):
        raise HttpError(403, "only instructors author exercises; ask an admin for the permission")
    return user


def _authored(request: HttpRequest, exercise_id: uuid.UUID) -> Exercise:
    exercise = selectors.exercise_get_authored(user=_instructor(request), exercise_id=exercise_id)
    if exercise is None:
        raise HttpError(404, f"exercise {exercise_id}: no such exercise of yours")
    return exercise


def _published(token: str) -> Exercise:
    exercise = selectors.exercise_get_published(token=token)
    if exercise is None:
        raise HttpError(404, "no published exercise at this link")
    return exercise


def _exercise_out(request: HttpRequest, exercise: Exercise) -> dict:
    return {
        "id": exercise.id,
        "title": exercise.title,
        "brief_md": exercise.brief_md,
        "brief_html": brief_html(exercise.brief_md),
        "spec": exercise.spec,
        "published": exercise.published,
        "link": request.build_absolute_uri(f"/x/{exercise.token}"),
        "created_at": exercise.created_at,
        "updated_at": exercise.updated_at,
    }


def _submission_out(submission: Submission, *, with_document: bool = False) -> dict:
    out = services.submission_summary(submission)
    if with_document:
        out["document"] = submission.document
    return out


# --- instructors ----------------------------------------------------------------------------


@router.get("", response=list[ExerciseOut], summary="Your exercises (instructors)")
def exercise_list(request: HttpRequest):
    user = _instructor(request)
    return [_exercise_out(request, e) for e in selectors.exercises_authored_by(user=user)]


@router.post("", response={201: ExerciseOut}, summary="Write an exercise (instructors)")
def exercise_create(request: HttpRequest, payload: ExerciseIn):
    exercise = services.exercise_create(
        author=_instructor(request),
        title=payload.title,
        brief_md=payload.brief_md,
        spec=payload.spec,
    )
    return Status(201, _exercise_out(request, exercise))


@router.get("/{exercise_id}", response=ExerciseOut)
def exercise_detail(request: HttpRequest, exercise_id: uuid.UUID):
    return _exercise_out(request, _authored(request, exercise_id))


@router.put("/{exercise_id}", response=ExerciseOut)
def exercise_update(request: HttpRequest, exercise_id: uuid.UUID, payload: ExerciseIn):
    exercise = services.exercise_update(
        exercise=_authored(request, exercise_id),
        title=payload.title,
        brief_md=payload.brief_md,
        spec=payload.spec,
    )
    return _exercise_out(request, exercise)


@router.delete("/{exercise_id}", response={204: None})
def exercise_delete(request: HttpRequest, exercise_id: uuid.UUID):
    _authored(request, exercise_id).delete()
    return Status(204, None)


@router.post("/{exercise_id}/publish", response=ExerciseOut)
def exercise_publish(request: HttpRequest, exercise_id: uuid.UUID):
    exercise = services.exercise_publish(exercise=_authored(request, exercise_id), published=True)
    return _exercise_out(request, exercise)


@router.post("/{exercise_id}/unpublish", response=ExerciseOut)
def exercise_unpublish(request: HttpRequest, exercise_id: uuid.UUID):
    exercise = services.exercise_publish(exercise=_authored(request, exercise_id), published=False)
    return _exercise_out(request, exercise)


@router.get("/{exercise_id}/submissions", response=list[SubmissionOut], summary="Dashboard")
def exercise_submissions(request: HttpRequest, exercise_id: uuid.UUID):
    exercise = _authored(request, exercise_id)
    return [_submission_out(s) for s in selectors.submissions_of_exercise(exercise=exercise)]


@router.get("/{exercise_id}/submissions.csv", summary="Every submission as CSV")
def exercise_submissions_csv(request: HttpRequest, exercise_id: uuid.UUID):
    exercise = _authored(request, exercise_id)
    spec = ExerciseSpec.model_validate(exercise.spec)
    labels = [criterion_label(c) for c in spec.criteria]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["submission", "student", "submitted_at", "state", "score", *labels])
    for submission in selectors.submissions_of_exercise(exercise=exercise):
        results = (submission.report or {}).get("criteria", [])
        marks = ["pass" if r["passed"] else "fail" for r in results] or [""] * len(labels)
        writer.writerow(
            [
                submission.id,
                submission.student.get_username(),
                submission.created_at.isoformat(),
                submission.state,
                "" if submission.score is None else submission.score,
                *marks,
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="submissions.csv"'
    return response


# --- students, through the exercise's link ----------------------------------------------------


@student_router.get(
    "", response=list[ShippedExerciseOut], summary="The exercises that come with ScaleLab"
)
def shipped_exercises(request: HttpRequest):
    listed = []
    for exercise in selectors.exercises_shipped():
        spec = ExerciseSpec.model_validate(exercise.spec)
        listed.append(
            {
                "title": exercise.title,
                "path": f"/x/{exercise.token}",
                "criteria": [criterion_label(c) for c in spec.criteria],
            }
        )
    return listed


@student_router.get("/{token}", response=PublishedExerciseOut, summary="A published exercise")
def published_exercise(request: HttpRequest, token: str):
    exercise = _published(token)
    spec = ExerciseSpec.model_validate(exercise.spec)
    return {
        "title": exercise.title,
        "brief_html": brief_html(exercise.brief_md),
        "author": exercise.author.get_username(),
        "criteria": [
            {"index": i, "type": c.type, "label": criterion_label(c), "weight": c.weight}
            for i, c in enumerate(spec.criteria)
        ],
        "locked": spec.locked,
        "banned": list(spec.banned),
        "limits": dict(spec.limits),
        "drills": [d.name for d in spec.drills],
    }


@student_router.post("/{token}/attempt", response=AttemptOut, summary="Your copy of the design")
def attempt(request: HttpRequest, token: str):
    made = services.attempt_start(exercise=_published(token), student=_user(request))
    return {"scenario": made.scenario_id, "created_at": made.created_at}


@student_router.post("/{token}/submit", response={202: SubmissionOut}, summary="Submit a design")
def submit(request: HttpRequest, token: str, payload: SubmitIn):
    exercise = _published(token)
    scenario = scenario_get_owned(visitor=request.auth, scenario_id=payload.scenario)
    if scenario is None or request.auth.user is None:
        raise HttpError(404, f"scenario {payload.scenario}: no such scenario of yours")
    submission = services.submission_create(
        exercise=exercise, student=request.auth.user, scenario=scenario
    )
    return Status(202, _submission_out(submission))


@student_router.get("/{token}/submissions", response=list[SubmissionOut], summary="Your history")
def my_submissions(request: HttpRequest, token: str):
    exercise = _published(token)
    return [
        _submission_out(s)
        for s in selectors.submissions_of_student(exercise=exercise, student=_user(request))
    ]


@submissions_router.get("/{submission_id}", response=SubmissionDetailOut)
def submission_detail(request: HttpRequest, submission_id: uuid.UUID):
    submission = selectors.submission_get_visible(user=_user(request), submission_id=submission_id)
    if submission is None:
        raise HttpError(404, f"submission {submission_id}: no such submission of yours")
    return _submission_out(submission, with_document=True)
