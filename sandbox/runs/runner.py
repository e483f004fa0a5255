"""Carries out a live run inside a Celery worker: steps the engine paced to the run's speed,
applies the owner's controls at tick boundaries, publishes at most RUN_FRAMES_PER_S frames a
second (coalescing ticks in between, keeping all their events), records every published
frame, the event log and the summary, and beats a heartbeat so that a dead worker is noticed.

The engine knows nothing of this: it hands frames back from `step()`."""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from typing import Any

import redis
from django.conf import settings
from django.utils import timezone

from sandbox.runs.controls import control_key
from sandbox.runs.models import Run, RunEvent, RunFrame
from sandbox.runs.streams import (
    Publisher,
    run_frame_message,
    run_state_message,
    stream_publish,
)
from simulation.changes import ChangeError, parse_change
from simulation.des import DesEngine
from simulation.flow import FlowEngine
from simulation.narrator import Narrator
from simulation.validate import validate_scenario

log = logging.getLogger(__name__)


class RunStopped(Exception):
    """The owner stopped the run."""


class LiveRun:
    def __init__(self, run: Run, worker: str) -> None:
        self.run = run
        self.worker = worker
        result = validate_scenario(run.document)
        if not result.ok:
            raise ValueError("the design does not validate: " + "; ".join(map(str, result.errors)))
        engine_class = DesEngine if run.engine == "des" else FlowEngine
        self.engine = engine_class(result.scenario, seed=run.seed)
        self.narrator = Narrator()
        self.redis = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=10)
        self.key = control_key(str(run.id))
        self.publish = Publisher(run.id)
        self.inbox: deque[dict[str, Any]] = deque()
        self.seq = 0
        self.event_seq = 0
        self.pending_events: list[dict[str, Any]] = []
        self.paused = False
        self.speed = run.speed
        self.publish_every = 1.0 / settings.RUN_FRAMES_PER_S
        self.last_publish = -1e9
        self.last_beat = -1e9
        self.last_frame: dict[str, Any] | None = None
        self.unpublished = False
        self.started = time.monotonic()
        self._anchor()

    # --- the loop --------------------------------------------------------------------------

    def execute(self) -> None:
        self._set_state(Run.State.RUNNING, started_at=timezone.now(), worker=self.worker)
        engine = self.engine
        try:
            while True:
                self._take_controls(block_s=0)
                if self.paused:
                    self._beat()
                    self._take_controls(block_s=1.0)
                    continue
                if engine.t >= self.run.duration_s - 1e-9:
                    break
                self.last_frame = engine.step()
                self.unpublished = True
                self.pending_events += self.narrator(self.last_frame)
                now = time.monotonic()
                done = engine.t >= self.run.duration_s - 1e-9
                if done or now - self.last_publish >= self.publish_every:
                    self._publish(now)
                self._beat()
                if now - self.started > settings.RUN_MAX_WALL_S:
                    raise TimeoutError(
                        f"the run took longer than {settings.RUN_MAX_WALL_S} s of wall time"
                    )
                self._pace()
        except RunStopped:
            self._finish(Run.State.CANCELLED)
            return
        self._finish(Run.State.FINISHED)

    def _pace(self) -> None:
        """Wait until the wall clock catches up with simulated time at the run's speed, in
        slices of at most a second (beating the heartbeat). A control cuts the wait short, so
        that its effect shows in the very next tick; the pace is caught up on the tick after."""
        while self.speed > 0 and not self.paused:
            due = self.anchor_wall + (self.engine.t - self.anchor_sim) / self.speed
            delay = due - time.monotonic()
            if delay <= 0.001 or self._take_controls(block_s=min(delay, 1.0)):
                return
            self._beat()

    def _anchor(self) -> None:
        self.anchor_wall = time.monotonic()
        self.anchor_sim = self.engine.t

    # --- controls ----------------------------------------------------------------------------

    def _take_controls(self, block_s: float) -> int:
        """Apply the controls waiting (waiting up to block_s for one); how many there were."""
        if block_s > 0 and not self.inbox:
            item = self.redis.blpop([self.key], timeout=max(block_s, 0.01))
            if item is not None:
                self.inbox.append(json.loads(item[1]))
        while True:
            raw = self.redis.lpop(self.key)
            if raw is None:
                break
            self.inbox.append(json.loads(raw))
        applied = len(self.inbox)
        while self.inbox:
            self._apply(self.inbox.popleft())
        return applied

    def _apply(self, control: dict[str, Any]) -> None:
        action = control["action"]
        t = self.engine.t
        try:
            if action == "stop":
                self._ack(control, f"run stopped at {t:g} s")
                raise RunStopped
            if action == "pause":
                self.paused = True
                self._ack(control, f"run paused at {t:g} s")
                self._set_state(Run.State.PAUSED)
            elif action == "resume":
                self.paused = False
                self._anchor()
                self._ack(control, f"run resumed at {t:g} s")
                self._set_state(Run.State.RUNNING)
            elif action == "speed":
                self.speed = control["speed"]
                self._anchor()
                Run.objects.filter(id=self.run.id).update(speed=self.speed)
                label = "as fast as possible" if self.speed == 0 else f"{self.speed:g}×"
                self._ack(control, f"speed set to {label}")
            else:
                change = parse_change(control["change"])
                self.engine.apply(change)
                self._ack(control, None)  # the engine narrates the change itself
        except (ChangeError, ValueError) as exc:
            self.publish(
                {
                    "type": "run.error",
                    "id": control.get("id"),
                    "code": "invalid_control",
                    "message": f"{action}: {exc}",
                },
            )
        # Show the effect in the very next frame rather than up to a publish interval later.
        self.last_publish = -1e9

    def _ack(self, control: dict[str, Any], text: str | None) -> None:
        t = self.engine.t
        if text is not None:
            self.pending_events.append({"t": t, "level": "info", "node": None, "text": text})
        self.publish(
            {"type": "run.ack", "id": control.get("id"), "action": control["action"], "t": t}
        )

    # --- publishing and recording --------------------------------------------------------

    def _publish(self, now: float) -> None:
        self.seq += 1
        events = self.pending_events
        self.pending_events = []
        payload = {**self.last_frame, "events": events, "seq": self.seq, "produced_at": time.time()}
        RunFrame.objects.create(run_id=self.run.id, seq=self.seq, payload=payload)
        self._record_events(events)
        Run.objects.filter(id=self.run.id).update(sim_time=self.engine.t, frames_expected=self.seq)
        self.publish(run_frame_message(payload))
        self.last_publish = now
        self.unpublished = False

    def _record_events(self, events: list[dict[str, Any]]) -> None:
        rows = []
        for event in events:
            self.event_seq += 1
            rows.append(
                RunEvent(
                    run_id=self.run.id,
                    seq=self.event_seq,
                    t=event["t"],
                    level=event["level"],
                    node=event["node"] or "",
                    text=event["text"],
                )
            )
        RunEvent.objects.bulk_create(rows)

    def _beat(self) -> None:
        now = time.monotonic()
        if now - self.last_beat >= settings.RUN_HEARTBEAT_S:
            Run.objects.filter(id=self.run.id).update(heartbeat_at=timezone.now())
            self.last_beat = now

    def _set_state(self, state: str, **fields: Any) -> None:
        run = self.run
        run.state = state
        run.sim_time = self.engine.t
        for name, value in fields.items():
            setattr(run, name, value)
        run.heartbeat_at = timezone.now()
        run.save(update_fields=["state", "sim_time", "heartbeat_at", *fields])
        self.publish(run_state_message(run=run, last_seq=self.seq))

    def _finish(self, state: str) -> None:
        self.redis.delete(self.key)  # controls sent too late have nothing left to act on
        if self.last_frame is not None and (self.unpublished or self.pending_events):
            self._publish(time.monotonic())
        elif self.pending_events:
            self._record_events(self.pending_events)
        self.run.summary = {
            "engine": self.run.engine,
            "seed": self.run.seed,
            **_summary(self.engine),
        }
        self._set_state(state, summary=self.run.summary, finished_at=timezone.now())


def run_simulation_execute(*, run_id: str, worker: str) -> dict[str, Any]:
    run = Run.objects.get(id=run_id)
    if run.state != Run.State.QUEUED:
        return {"run": str(run.id), "state": run.state}
    live = None
    try:
        live = LiveRun(run, worker)
        live.execute()
    except Exception as exc:
        log.exception("run %s failed", run_id)
        run.refresh_from_db()
        run.state = Run.State.FAILED
        run.failure_reason = f"{type(exc).__name__}: {exc}"
        run.finished_at = timezone.now()
        run.save(update_fields=["state", "failure_reason", "finished_at"])
        stream_publish(run.id, run_state_message(run=run, last_seq=0))
        return {"run": str(run.id), "state": run.state, "reason": run.failure_reason}
    finally:
        if live is not None:
            live.publish.close()
    return {"run": str(run.id), "state": live.run.state, "frames": live.seq}


def _summary(engine: FlowEngine | DesEngine) -> dict[str, Any]:
    return {"duration_s": engine.t, "tick_s": engine.dt, **engine.summary.result()}
