"""One live run inside a run host: its engine and narrator, its pace (speed, pause), the
owner's controls applied at tick boundaries, its frames (at most RUN_FRAMES_PER_S a second,
coalescing the ticks in between and keeping their events), its measured cost, and the
snapshots another host resumes it from.

The host (sandbox/runs/host.py) decides whose turn it is and records what a turn produced; a
hosted run never touches the database or the channel layer itself, it writes to an Outbox."""

from __future__ import annotations

import json
import math
import pickle
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from sandbox.runs.controls import control_key
from sandbox.runs.models import Run, RunEvent, RunFrame, RunSnapshot
from sandbox.runs.records import EventRow, FrameRow
from sandbox.runs.streams import run_frame_encoded, run_state_message
from simulation.changes import ChangeError, parse_change
from simulation.des import DesEngine
from simulation.flow import FlowEngine
from simulation.narrator import Narrator
from simulation.snapshot import engine_restore, engine_snapshot
from simulation.validate import validate_scenario

CREDIT_MAX_S = 0.05  # CPU a run may bank while it waits, so a burst after a pause is bounded
COST_WINDOW_S = 2.0
LAG_FORGIVEN_S = 2.0  # a run further behind its pace than this is re-anchored, not caught up
PUBLISH_JITTER_S = 0.02  # a tick this much before its frame is due still gets it
# Estimated CPU of a flow tick and of a frame, per node and fixed, before a run is measured;
# deliberately above what benchmarks/flow_tick.py measures, so admission errs on the safe side.
FLOW_TICK_S = (0.4e-3, 0.03e-3)
FRAME_S = (0.3e-3, 0.02e-3)
DES_REQUEST_S = 2.5e-6


class RunEnded(Exception):
    """The run finished, was stopped or failed; the host lets it go."""


@dataclass
class Outbox:
    """What one cycle of the host produced, recorded in one transaction, then published."""

    frames: list[FrameRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    snapshots: dict[str, tuple[int, float, bytes]] = field(default_factory=dict)
    updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: list[tuple[str, dict]] = field(default_factory=list)

    def run_ids(self) -> set[str]:
        ids = {f[0] for f in self.frames} | {e[0] for e in self.events}
        return ids | set(self.snapshots) | set(self.updates) | {r for r, _ in self.messages}

    def empty(self) -> bool:
        return not self.run_ids()

    def update(self, run_id: str, **fields: Any) -> None:
        self.updates.setdefault(run_id, {}).update(fields)


class HostedRun:
    def __init__(
        self,
        run: Run,
        engine: FlowEngine | DesEngine,
        narrator: Narrator,
        *,
        estimate: float,
        fresh: bool = False,
    ) -> None:
        self.run = run
        self.fresh = fresh  # just admitted: its first snapshot is its start
        self.run_id = str(run.id)
        self.control_key = control_key(self.run_id)
        self.engine = engine
        self.narrator = narrator
        self.seq = 0
        self.event_seq = 0
        self.pending_events: list[dict[str, Any]] = []
        self.last_frame: dict[str, Any] | None = None
        self.unpublished = False
        self.paused = run.state == Run.State.PAUSED
        self.speed = run.speed
        self.ended = False
        self.tick_now = False
        self.publish_every = 1.0 / settings.RUN_FRAMES_PER_S
        self.next_publish = 0.0  # when the next frame is due, on a fixed 1/RUN_FRAMES_PER_S grid
        self.last_snapshot = time.monotonic()
        self.hold_until = 0.0
        self.cost = estimate
        self.credit = CREDIT_MAX_S
        self.refilled = time.monotonic()
        self.window_start = time.monotonic()
        self.window_cpu = 0.0
        # The wall-time limit counts from the run's first start (on any host), as a deadline on
        # this process's monotonic clock, so a tick checks it without reading the date.
        elapsed = (timezone.now() - (run.started_at or timezone.now())).total_seconds()
        self.wall_deadline = time.monotonic() + settings.RUN_MAX_WALL_S - elapsed
        self._anchor()

    # --- making one ----------------------------------------------------------------------------

    @classmethod
    def start(cls, run: Run, *, estimate: float) -> HostedRun:
        result = validate_scenario(run.document)
        if not result.ok:
            raise ValueError("the design does not validate: " + "; ".join(map(str, result.errors)))
        engine_class = DesEngine if run.engine == "des" else FlowEngine
        engine = engine_class(result.scenario, seed=run.seed)
        return cls(run, engine, Narrator(links=_links(engine)), estimate=estimate, fresh=True)

    @classmethod
    def resume(cls, run: Run, *, silent_s: float) -> HostedRun:
        """From the last snapshot, replayed (deterministically, without publishing) up to the
        last recorded frame, so the next frame's number follows it without a gap or repeat."""
        snapshot = RunSnapshot.objects.get(run_id=run.id)
        state = pickle.loads(bytes(snapshot.data))
        hosted = cls(
            run,
            engine_restore(state["engine"]),
            state["narrator"],
            estimate=run.cost or cls.estimate_cost(run),
        )
        hosted.seq = snapshot.seq
        later = RunFrame.objects.filter(run_id=run.id, seq__gt=snapshot.seq).order_by("seq")
        for seq, payload in later.values_list("seq", "payload"):
            hosted._replay_until(float(payload["t"]))
            hosted.seq = seq
        last_event = RunEvent.objects.filter(run_id=run.id).order_by("-seq").first()
        hosted.event_seq = last_event.seq if last_event else 0
        hosted.unpublished = False  # the replayed ticks were published by the host that died
        hosted.pending_events = [  # and so were their events
            {
                "t": hosted.engine.t,
                "level": "warn",
                "node": None,
                "text": f"resumed on another worker after {silent_s:.0f} s",
            }
        ]
        return hosted

    def _replay_until(self, t: float) -> None:
        """The ticks up to a recorded frame at `t`, building only that frame, as the host
        that recorded it did (the narrator's state depends on which frames were built)."""
        while self.engine.t < t - 1e-9:
            self._tick(build=self.engine.t + self.engine.dt >= t - 1e-9)

    @staticmethod
    def estimate_cost(run: Run) -> float:
        """CPU seconds per wall second the run should take, before it is measured."""
        document = run.document or {}
        nodes = len(document.get("nodes", []))
        dt = float(document.get("run", {}).get("tick_s", 1.0))
        if run.engine == "des":
            workload = document.get("workload", {})
            offered = float(workload.get("users", 0)) * float(
                workload.get("requests_per_user_per_s", 0.1)
            )
            tick = DES_REQUEST_S * offered * dt
        else:
            tick = FLOW_TICK_S[0] + FLOW_TICK_S[1] * nodes
        if run.speed <= 0:
            return settings.RUN_MAX_CPU_SHARE
        ticks_per_s = run.speed / dt
        frames_per_s = min(settings.RUN_FRAMES_PER_S, ticks_per_s)
        frame = FRAME_S[0] + FRAME_S[1] * nodes
        return min(ticks_per_s * tick + frames_per_s * frame, settings.RUN_MAX_CPU_SHARE)

    # --- what the host asks --------------------------------------------------------------------

    def begin(self, out: Outbox) -> None:
        """Tell the watchers the run is carried here; a fresh run's first snapshot is its start."""
        if self.fresh:
            self.checkpoint(out)
        self._state_message(out)

    def due_at(self, now: float) -> float:
        """When this run next wants a turn (inf while paused)."""
        if self.paused:
            return math.inf
        due = now if self.speed <= 0 or self.tick_now else self._pace_due()
        if self.hold_until > now:
            due = max(due, self.hold_until)
        if self.credit < 0:
            due = max(due, self.refilled + (-self.credit) / settings.RUN_MAX_CPU_SHARE)
        return due

    def turn(self, out: Outbox, *, slice_s: float) -> None:
        """Step the ticks that are due, within the slice; publish a frame when one is due."""
        begin = time.thread_time()
        self._refill()
        engine = self.engine
        while not self.paused:
            if engine.t >= self.run.duration_s - 1e-9:
                self._finish(out, Run.State.FINISHED)
            if time.monotonic() > self.wall_deadline:
                self.fail(
                    out,
                    f"the run took longer than {settings.RUN_MAX_WALL_S} s of wall time "
                    "(pauses included); see docs/limits.md",
                )
                raise RunEnded
            now = time.monotonic()
            if self.speed > 0 and not self.tick_now:
                due = self._pace_due()
                if due > now:
                    break
                if now - due > LAG_FORGIVEN_S:
                    self._anchor()
            # Frames are built only for the ticks that are published: the last one, one after
            # a control, and one a publish interval after the last.
            last = engine.t + engine.dt >= self.run.duration_s - 1e-9
            build = last or self.tick_now or now >= self.next_publish - PUBLISH_JITTER_S
            self._tick(build=build)
            self.tick_now = False
            if build:
                self._frame(out, time.monotonic())
            if time.thread_time() - begin >= slice_s:
                break
        self._spent(time.thread_time() - begin)

    def receive(self, raw: bytes, out: Outbox) -> None:
        begin = time.thread_time()
        try:
            control = json.loads(raw)
            self._apply(control, out)
        finally:
            self._spent(time.thread_time() - begin)

    def checkpoint(self, out: Outbox) -> None:
        """Snapshot the engine, numbered with the last published frame. Ticks after that frame
        (not yet published) are in the snapshot: their events wait in the engine for the next
        frame, and a resumed run replays from here to the last recorded frame."""
        data = pickle.dumps(
            {"engine": engine_snapshot(self.engine), "narrator": self.narrator},
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        out.snapshots[self.run_id] = (self.seq, self.engine.t, data)
        self.last_snapshot = time.monotonic()

    def fail(self, out: Outbox, reason: str) -> None:
        self.ended = True
        self.run.state = Run.State.FAILED
        self.run.failure_reason = reason
        self.run.finished_at = timezone.now()
        out.update(
            self.run_id,
            state=Run.State.FAILED,
            failure_reason=reason,
            finished_at=self.run.finished_at,
            sim_time=self.engine.t,
            frames_expected=self.seq,
        )
        self._state_message(out)

    def progress_row(self, stamp: Any) -> Run:
        return Run(
            id=self.run.id,
            heartbeat_at=stamp,
            sim_time=self.engine.t,
            frames_expected=self.seq,
            cost=self.cost,
        )

    # --- inside a turn -----------------------------------------------------------------------

    def _tick(self, *, build: bool) -> None:
        frame = self.engine.step(frame=build)
        self.unpublished = frame is None
        if frame is not None:
            self.last_frame = frame
            self.pending_events += self.narrator(frame)

    def _frame(self, out: Outbox, now: float) -> None:
        if self.last_frame is None:
            return
        self.seq += 1
        events, self.pending_events = self.pending_events, []
        payload = {**self.last_frame, "events": events, "seq": self.seq, "produced_at": time.time()}
        encoded = json.dumps(payload)  # once: stored as it is, and relayed as it is
        out.frames.append((self.run_id, self.seq, encoded))
        for event in events:
            self.event_seq += 1
            out.events.append(_row(self.run_id, self.event_seq, event))
        out.messages.append((self.run_id, run_frame_encoded(self.seq, encoded)))
        # The next one is due an interval after this one was due, not after it was made, so a
        # late turn does not halve the frame rate; after a long stall it restarts from now.
        self.next_publish = max(self.next_publish + self.publish_every, now - self.publish_every)
        self.unpublished = False
        if now - self.last_snapshot >= settings.RUN_SNAPSHOT_S:
            self.checkpoint(out)

    def _pace_due(self) -> float:
        return self.anchor_wall + (self.engine.t - self.anchor_sim) / self.speed

    def _anchor(self) -> None:
        self.anchor_wall = time.monotonic()
        self.anchor_sim = self.engine.t

    def _refill(self) -> None:
        now = time.monotonic()
        share = settings.RUN_MAX_CPU_SHARE
        self.credit = min(CREDIT_MAX_S, self.credit + (now - self.refilled) * share)
        self.refilled = now

    def _spent(self, cpu_s: float) -> None:
        self.credit -= cpu_s
        self.window_cpu += cpu_s
        now = time.monotonic()
        if now - self.window_start >= COST_WINDOW_S:
            measured = self.window_cpu / (now - self.window_start)
            self.cost = 0.5 * self.cost + 0.5 * measured
            self.window_start, self.window_cpu = now, 0.0

    # --- controls ----------------------------------------------------------------------------

    def _apply(self, control: dict[str, Any], out: Outbox) -> None:
        action = control["action"]
        t = self.engine.t
        try:
            if action == "stop":
                self._ack(out, control, f"run stopped at {t:g} s")
                self._finish(out, Run.State.CANCELLED)
            elif action == "pause":
                self.paused = True
                self._ack(out, control, f"run paused at {t:g} s")
                self._set_state(out, Run.State.PAUSED)
            elif action == "resume":
                self.paused = False
                self._anchor()
                self._ack(out, control, f"run resumed at {t:g} s")
                self._set_state(out, Run.State.RUNNING)
            elif action == "speed":
                self.speed = self.run.speed = control["speed"]
                self._anchor()
                out.update(self.run_id, speed=self.speed)
                label = "as fast as possible" if self.speed == 0 else f"{self.speed:g}×"
                self._ack(out, control, f"speed set to {label}")
            else:
                self._change(control, out)
        except (ChangeError, ValueError) as exc:
            message = {
                "type": "run.error",
                "id": control.get("id"),
                "code": "invalid_control",
                "message": f"{action}: {exc}",
            }
            out.messages.append((self.run_id, message))
        # Show the effect in the very next frame, at once, rather than when the next tick is due
        # at the run's pace (5 s away at speed 0.2); the pace is caught up on the tick after.
        self.tick_now = True

    def _change(self, control: dict[str, Any], out: Outbox) -> None:
        """An engine change is applied at a frame boundary and snapshotted at once, so that a
        resumed run never replays ticks across a change it would not know of."""
        change = parse_change(control["change"])
        if change.action == "add_node":
            nodes = len(self.engine.scenario.nodes)
            if nodes >= settings.SCENARIO_MAX_NODES:
                raise ChangeError(
                    f"the design has {nodes} nodes, the most a design may have (docs/limits.md)"
                )
        self.engine.apply(change)
        self.narrator.links = _links(self.engine)  # the design may have grown or shrunk
        self._ack(out, control, None)  # the engine narrates the change itself
        self.checkpoint(out)

    def _ack(self, out: Outbox, control: dict[str, Any], text: str | None) -> None:
        t = self.engine.t
        if text is not None:
            self.pending_events.append({"t": t, "level": "info", "node": None, "text": text})
        ack = {"type": "run.ack", "id": control.get("id"), "action": control["action"], "t": t}
        out.messages.append((self.run_id, ack))

    def _set_state(self, out: Outbox, state: str) -> None:
        self.run.state = state
        out.update(self.run_id, state=state, sim_time=self.engine.t)
        self._state_message(out)

    def _state_message(self, out: Outbox) -> None:
        self.run.sim_time = self.engine.t
        self.run.frames_expected = self.seq
        out.messages.append((self.run_id, run_state_message(run=self.run, last_seq=self.seq)))

    def _finish(self, out: Outbox, state: str) -> None:
        for event in self.pending_events:  # told since the last frame (e.g. "run stopped")
            self.event_seq += 1
            out.events.append(_row(self.run_id, self.event_seq, event))
        self.pending_events = []
        self.ended = True
        self.run.summary = {
            "engine": self.run.engine,
            "seed": self.run.seed,
            "duration_s": self.engine.t,
            "tick_s": self.engine.dt,
            **self.engine.summary.result(),
        }
        self.run.state = state
        self.run.finished_at = timezone.now()
        out.update(
            self.run_id,
            state=state,
            summary=self.run.summary,
            finished_at=self.run.finished_at,
            sim_time=self.engine.t,
            frames_expected=self.seq,
        )
        self._state_message(out)
        raise RunEnded


def _links(engine: FlowEngine | DesEngine) -> list[tuple[str, str]]:
    """The design's links, so that the event log names where a cache's misses go."""
    return [(edge.source, edge.target) for edge in engine.scenario.edges]


def _row(run_id: str, seq: int, event: dict[str, Any]) -> EventRow:
    return (run_id, seq, event["t"], event["level"], event["node"] or "", event["text"])
