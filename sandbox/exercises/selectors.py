"""Reads of exercises: instructors see their own exercises and their submissions; students
see published exercises by link, and only their own attempts and submissions."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from sandbox.exercises.models import Attempt, Exercise, Submission

INSTRUCTOR_PERMISSION = "exercises.author_exercises"


def is_instructor(user: AbstractBaseUser | None) -> bool:
    return user is not None and user.is_authenticated and user.has_perm(INSTRUCTOR_PERMISSION)


def exercises_authored_by(*, user: AbstractBaseUser) -> QuerySet[Exercise]:
    return Exercise.objects.filter(author=user)


def exercise_get_authored(*, user: AbstractBaseUser, exercise_id: uuid.UUID) -> Exercise | None:
    return exercises_authored_by(user=user).filter(id=exercise_id).first()


def exercises_shipped() -> QuerySet[Exercise]:
    """The published exercises that come with ScaleLab, oldest first (their file order)."""
    return Exercise.objects.filter(
        author__username=settings.SHIPPED_EXERCISES_AUTHOR, published=True
    ).order_by("created_at")


def exercise_get_published(*, token: str) -> Exercise | None:
    return Exercise.objects.filter(token=token, published=True).first()


def attempt_of(*, exercise: Exercise, student: AbstractBaseUser) -> Attempt | None:
    return Attempt.objects.filter(exercise=exercise, student=student).first()


def submissions_of_exercise(*, exercise: Exercise) -> QuerySet[Submission]:
    return exercise.submissions.select_related("student").order_by("-created_at")


def submissions_of_student(*, exercise: Exercise, student: AbstractBaseUser):
    return exercise.submissions.filter(student=student).order_by("-created_at")


def submission_get_visible(
    *, user: AbstractBaseUser, submission_id: uuid.UUID
) -> Submission | None:
    """The student's own submission, or one to the exercise's author."""
    return (
        Submission.objects.select_related("exercise", "student")
        .filter(Q(student=user) | Q(exercise__author=user), id=submission_id)
        .first()
    )
