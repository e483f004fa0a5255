"""Reads of scenarios: only what the visitor owns, or what a live share link opens."""

import uuid

from django.db.models import QuerySet

from sandbox.accounts.visitors import Visitor
from sandbox.scenarios.models import Scenario, ScenarioRevision, ShareLink


def scenarios_owned_by(*, visitor: Visitor) -> QuerySet[Scenario]:
    if visitor.user is not None:
        return Scenario.objects.filter(owner=visitor.user)
    if visitor.session_key:
        return Scenario.objects.filter(owner__isnull=True, session_key=visitor.session_key)
    return Scenario.objects.none()


def scenario_get_owned(*, visitor: Visitor, scenario_id: uuid.UUID) -> Scenario | None:
    return scenarios_owned_by(visitor=visitor).filter(id=scenario_id).first()


def scenario_is_owned_by(*, scenario: Scenario, visitor: Visitor) -> bool:
    if scenario.owner_id is not None:
        return visitor.user is not None and visitor.user.pk == scenario.owner_id
    return bool(visitor.session_key) and scenario.session_key == visitor.session_key


def share_link_get_active(*, token: str) -> ShareLink | None:
    return (
        ShareLink.objects.select_related("scenario", "scenario__owner")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )


def revisions_of(*, scenario: Scenario) -> QuerySet[ScenarioRevision]:
    return scenario.revisions.order_by("-number")


def revision_get(*, scenario: Scenario, number: int) -> ScenarioRevision | None:
    return scenario.revisions.filter(number=number).first()


def share_links_of(*, scenario: Scenario) -> QuerySet[ShareLink]:
    return scenario.share_links.order_by("-created_at")
