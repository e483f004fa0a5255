"""API schemas of scenarios. The document itself is the engine's scenario format, checked
by the engine's own models on every write (sandbox/scenarios/documents.py)."""

import uuid
from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ScenarioIn(Strict):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    document: dict[str, Any] = Field(description="A scenario document (docs/scenario-format.md).")


class ScenarioSaveIn(Strict):
    base_revision: int = Field(
        ge=1, description="The revision this save is based on; a stale one gets a 409."
    )
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    document: dict[str, Any]


class RestoreIn(Strict):
    base_revision: int = Field(ge=1)


class DocumentIn(Strict):
    document: dict[str, Any]


class IssueOut(Schema):
    path: str
    message: str


class ProblemsOut(Schema):
    errors: list[IssueOut]
    warnings: list[IssueOut]


class ScenarioSummaryOut(Schema):
    id: uuid.UUID
    title: str
    description: str
    revision: int
    forked_from: uuid.UUID | None = Field(validation_alias="forked_from_id")
    created_at: datetime
    updated_at: datetime


class ScenarioOut(ScenarioSummaryOut):
    document: dict[str, Any]
    problems: ProblemsOut


class SharedScenarioOut(Schema):
    title: str
    description: str
    revision: int
    document: dict[str, Any]
    owner: str
    updated_at: datetime
    problems: ProblemsOut


class RevisionSummaryOut(Schema):
    number: int
    title: str
    restored_from: int | None
    created_at: datetime


class RevisionOut(RevisionSummaryOut):
    description: str
    document: dict[str, Any]


class ShareLinkOut(Schema):
    token: str
    url: str
    active: bool
    created_at: datetime
    revoked_at: datetime | None


class ValidationOut(Schema):
    valid: bool
    errors: list[IssueOut]
    warnings: list[IssueOut]


class SpofOut(Schema):
    node: str
    classes: list[str]


class BottleneckOut(Schema):
    node: str | None
    request_class: str | None


class AnalysisOut(Schema):
    spofs: list[SpofOut]
    max_users: float | None
    max_rps: float | None
    bottleneck: BottleneckOut | None
    cost_per_month: float


class ConflictOut(Schema):
    detail: str
    current_revision: int


class DetailOut(Schema):
    detail: str | list[dict[str, Any]]
