"""API schemas of runs."""

import uuid
from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from ninja import Schema
from pydantic import ConfigDict, Field, field_validator

from sandbox.runs.controls import MAX_SPEED


class PingRunIn(Schema):
    model_config = ConfigDict(extra="forbid")

    frames: int = Field(
        10,
        ge=1,
        le=settings.PING_RUN_MAX_FRAMES,
        description="How many numbered frames the worker publishes, one every 0.2 s.",
    )


class RunStartIn(Schema):
    model_config = ConfigDict(extra="forbid")

    scenario: uuid.UUID = Field(description="The scenario to run; its document is snapshotted.")
    engine: Literal["flow", "des"] = Field(
        "flow",
        description=(
            "flow: any scale, cost per tick independent of the users; des: every request "
            f"simulated, for small designs (at most {settings.RUN_DES_MAX_RPS:,} requests per "
            "second offered)."
        ),
    )
    duration_s: float | None = Field(
        None,
        gt=0,
        le=settings.RUN_MAX_DURATION_S,
        description="Simulated seconds to run; default: the scenario's run.duration_s.",
    )
    speed: float = Field(
        1.0,
        ge=0,
        le=MAX_SPEED,
        description="Simulated seconds per wall second; 0 runs as fast as possible.",
    )
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="Default: the scenario's.")

    @field_validator("speed")
    @classmethod
    def _speed(cls, speed: float) -> float:
        if 0 < speed < 0.1:
            raise ValueError("must be 0 (as fast as possible) or at least 0.1")
        return speed


class CapacityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    users_min: int = Field(10, ge=1, le=10**9)
    users_max: int = Field(1_000_000, ge=1, le=10**9)
    points: int = Field(12, ge=2, le=settings.CAPACITY_MAX_POINTS)
    latency_target_ms: float | None = Field(
        None, gt=0, description="Default: the scenario's workload.latency_target_ms."
    )
    duration_s: float = Field(120.0, gt=0, le=3600, description="Simulated seconds per point.")


class RunQueueOut(Schema):
    place: int = Field(description="1 for the next run a host takes.")
    waiting: int = Field(description="Runs waiting for a host, this one included.")
    estimate_s: int | None = Field(description="About how long until a host takes it.")
    text: str = Field(description='In words, e.g. "2nd in line, about 20 s".')


class RunOut(Schema):
    id: uuid.UUID
    kind: str
    state: str
    scenario: uuid.UUID | None = Field(validation_alias="scenario_id")
    scenario_revision: int | None
    engine: str
    duration_s: float
    speed: float
    seed: int
    sim_time: float
    frames: int = Field(
        validation_alias="frames_expected",
        description="Frames recorded so far (a ping run: the frames it will publish).",
    )
    summary: dict[str, Any] | None
    failure_reason: str
    worker: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    ws_path: str
    queue: RunQueueOut | None = Field(
        None, description="While queued: the run's place in line and about how long it waits."
    )

    @staticmethod
    def resolve_ws_path(obj) -> str:
        return f"/ws/runs/{obj.id}/"

    @staticmethod
    def resolve_queue(obj) -> dict | None:
        from sandbox.runs.selectors import run_queue_position

        return run_queue_position(run=obj)


class FramesPageOut(Schema):
    frames: list[dict[str, Any]]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )


class EventOut(Schema):
    t: float
    level: str
    node: str | None
    text: str


class CapacityOut(Schema):
    id: uuid.UUID
    scenario: uuid.UUID = Field(validation_alias="scenario_id")
    state: str
    users: list[float]
    latency_target_ms: float
    duration_s: float
    points: list[dict[str, Any]] | None
    max_users_meeting_target: float | None
    failure_reason: str
    created_at: datetime
    finished_at: datetime | None


class ErrorOut(Schema):
    detail: str
