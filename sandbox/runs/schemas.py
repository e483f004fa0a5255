"""API schemas of runs."""

import uuid
from datetime import datetime

from django.conf import settings
from ninja import Schema
from pydantic import ConfigDict, Field


class PingRunIn(Schema):
    model_config = ConfigDict(extra="forbid")

    frames: int = Field(
        10,
        ge=1,
        le=settings.PING_RUN_MAX_FRAMES,
        description="How many numbered frames the worker publishes, one every 0.2 s.",
    )


class RunOut(Schema):
    id: uuid.UUID
    kind: str
    state: str
    frames: int = Field(validation_alias="frames_expected")
    failure_reason: str
    worker: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    ws_path: str

    @staticmethod
    def resolve_ws_path(obj) -> str:
        return f"/ws/runs/{obj.id}/"


class ErrorOut(Schema):
    detail: str
