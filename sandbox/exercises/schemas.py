"""API schemas of exercises."""

import uuid
from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field


class ExerciseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    brief_md: str = Field("", max_length=50_000, description="Markdown; rendered and sanitised.")
    spec: dict[str, Any] = Field(description="simulation.grading.ExerciseSpec, as JSON.")


class ExerciseOut(Schema):
    id: uuid.UUID
    title: str
    brief_md: str
    brief_html: str
    spec: dict[str, Any]
    published: bool
    link: str
    created_at: datetime
    updated_at: datetime


class CriterionOut(Schema):
    index: int
    type: str
    label: str
    weight: float


class PublishedExerciseOut(Schema):
    title: str
    brief_html: str
    author: str
    criteria: list[CriterionOut]
    locked: list[str]
    banned: list[str]
    limits: dict[str, int]
    drills: list[str]


class ShippedExerciseOut(Schema):
    title: str
    path: str = Field(description="The exercise's page, /x/<token>.")
    criteria: list[str]


class AttemptOut(Schema):
    scenario: uuid.UUID
    created_at: datetime


class SubmitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    scenario: uuid.UUID = Field(description="Your scenario (your attempt) to submit.")


class SubmissionOut(Schema):
    id: uuid.UUID
    exercise: uuid.UUID
    student: str
    state: str
    units_done: int
    units_total: int
    score: float | None
    report: dict[str, Any] | None
    failure_reason: str
    created_at: datetime
    graded_at: datetime | None


class SubmissionDetailOut(SubmissionOut):
    document: dict[str, Any]
