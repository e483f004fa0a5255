"""Runs and the frames they produced. For now a run is a ping run: the pipeline check that
carries numbered frames from a Celery worker to the browser; live simulation runs extend it."""

import uuid

from django.db import models


class Run(models.Model):
    class Kind(models.TextChoices):
        PING = "ping", "Ping"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PING)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    frames_expected = models.PositiveIntegerField()
    failure_reason = models.TextField(blank=True)
    worker = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} run {self.id} ({self.state})"


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
