"""Runs of a scenario's simulation, the frames they produced and their event log.

A ping run (the pipeline check) carries numbered frames from a worker to the browser; a
simulation run carries the engine's metric frames."""

import uuid

from django.conf import settings
from django.db import models


class Run(models.Model):
    class Kind(models.TextChoices):
        PING = "ping", "Ping"
        SIMULATION = "simulation", "Simulation"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE_STATES = (State.QUEUED, State.RUNNING, State.PAUSED)
    ENDED_STATES = (State.FINISHED, State.FAILED, State.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PING)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    scenario = models.ForeignKey(
        "scenarios.Scenario", null=True, blank=True, on_delete=models.CASCADE, related_name="runs"
    )
    scenario_revision = models.PositiveIntegerField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    session_key = models.CharField(max_length=40, blank=True)
    document = models.JSONField(null=True, blank=True)
    engine = models.CharField(max_length=16, default="flow")
    duration_s = models.FloatField(default=0)
    speed = models.FloatField(default=1.0)
    seed = models.BigIntegerField(default=0)
    frames_expected = models.PositiveIntegerField(default=0)
    sim_time = models.FloatField(default=0)
    summary = models.JSONField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    worker = models.CharField(max_length=255, blank=True)
    # The run host (one worker process) carrying the run now; see sandbox/runs/host.py.
    host = models.CharField(max_length=255, blank=True, db_index=True)
    # Measured CPU seconds per wall second the run costs its host (estimated until measured).
    cost = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.kind} run {self.id} ({self.state})"

    @property
    def active(self) -> bool:
        return self.state in self.ACTIVE_STATES


class RunFrame(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="frames")
    seq = models.PositiveIntegerField()
    payload = models.JSONField()

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["run", "seq"], name="run_frame_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"frame {self.seq} of {self.run_id}"


class RunSnapshot(models.Model):
    """The engine state of a live run at a published frame, from which another host resumes
    it when its host dies: the run goes on after frame `seq` without a gap or a repeat."""

    run = models.OneToOneField(Run, on_delete=models.CASCADE, related_name="snapshot")
    seq = models.PositiveIntegerField()
    sim_time = models.FloatField()
    data = models.BinaryField()
    taken_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"snapshot of {self.run_id} at frame {self.seq}"


class RunHost(models.Model):
    """A worker process hosting live runs: its budget, its load and when it last answered."""

    id = models.CharField(max_length=255, primary_key=True)
    worker = models.CharField(max_length=255)
    budget = models.FloatField()
    load = models.FloatField(default=0)
    runs = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"run host {self.id}"


class OwnerLock(models.Model):
    """One row per owner (a user or a browser session), locked while a quota is checked and
    the new row inserted, so that parallel requests cannot all pass the same check."""

    key = models.CharField(max_length=80, unique=True)

    def __str__(self) -> str:
        return self.key


class RunEvent(models.Model):
    """One line of the run's event log, in plain words, at a simulated time."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    t = models.FloatField()
    level = models.CharField(max_length=8)
    node = models.CharField(max_length=64, blank=True)
    text = models.TextField()

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["run", "seq"], name="run_event_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.t:g} s: {self.text}"

    def as_dict(self) -> dict:
        return {"t": self.t, "level": self.level, "node": self.node or None, "text": self.text}


class CapacityCurve(models.Model):
    """Throughput, latency and errors against users, each point run by a worker."""

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scenario = models.ForeignKey(
        "scenarios.Scenario", on_delete=models.CASCADE, related_name="capacity_curves"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.RUNNING)
    users = models.JSONField()
    latency_target_ms = models.FloatField()
    duration_s = models.FloatField()
    points = models.JSONField(null=True, blank=True)
    max_users_meeting_target = models.FloatField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"capacity curve of {self.scenario_id} ({self.state})"
