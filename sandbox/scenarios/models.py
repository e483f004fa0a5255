"""Scenarios (a learner's designs), their revision history and their share links."""

import uuid

from django.conf import settings
from django.db import models


class Scenario(models.Model):
    """A design with its workload and failure schedule. It belongs to a user, or, while its
    author has not signed up, to their browser session (`session_key`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scenarios",
    )
    session_key = models.CharField(max_length=40, blank=True, db_index=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    document = models.JSONField()
    # The engine's errors and warnings for `document`, worked out when it was saved.
    problems = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=1)
    forked_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="forks"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=False) | ~models.Q(session_key=""),
                name="scenario_has_an_owner_or_a_session",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ScenarioRevision(models.Model):
    """What a save stored. `number` counts up from 1 for each scenario."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    document = models.JSONField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    session_key = models.CharField(max_length=40, blank=True)
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "number"], name="scenario_revision_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scenario_id} r{self.number}"


class ShareLink(models.Model):
    """A read-only link to a scenario. The token carries 256 random bits."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"share link of {self.scenario_id}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
