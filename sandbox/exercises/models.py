"""Exercises written by instructors, students' attempts at them, and graded submissions."""

import uuid

from django.conf import settings
from django.db import models


class Exercise(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercises"
    )
    title = models.CharField(max_length=200)
    brief_md = models.TextField(blank=True)
    spec = models.JSONField()
    published = models.BooleanField(default=False)
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        permissions = [("author_exercises", "Can author exercises and grade a class")]

    def __str__(self) -> str:
        return self.title


class Attempt(models.Model):
    """A student's own copy of the starting design."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="attempts")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    scenario = models.ForeignKey("scenarios.Scenario", on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["exercise", "student"], name="one_attempt_each"),
        ]

    def __str__(self) -> str:
        return f"{self.student} on {self.exercise}"


class Submission(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        GRADING = "grading", "Grading"
        GRADED = "graded", "Graded"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    scenario = models.ForeignKey(
        "scenarios.Scenario", null=True, blank=True, on_delete=models.SET_NULL
    )
    document = models.JSONField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    units_total = models.PositiveIntegerField(default=0)
    report = models.JSONField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"submission {self.id} ({self.state})"


class GradingUnit(models.Model):
    """What one grading task measured: the steady state, or one drill."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(max_length=80)
    result = models.JSONField()
    worker = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "name"], name="one_result_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.name} of {self.submission_id}"
