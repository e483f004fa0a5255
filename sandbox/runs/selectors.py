"""Reads of runs, their frames and events: the owner's, or those a share link opens."""

import uuid

from django.db.models import QuerySet

from sandbox.accounts.visitors import Visitor
from sandbox.runs.models import CapacityCurve, Run, RunEvent, RunFrame
from sandbox.scenarios.models import Scenario
from sandbox.scenarios.selectors import scenarios_owned_by, share_link_get_active


def run_get(*, run_id: uuid.UUID | str) -> Run | None:
    try:
        return Run.objects.get(id=run_id)
    except (Run.DoesNotExist, ValueError):
        return None


def run_frames_after(*, run: Run, after: int, keep_last: int | None = None) -> list[dict]:
    """Frames after `after`, in order; only the newest `keep_last` of them when given."""
    frames = RunFrame.objects.filter(run=run, seq__gt=after)
    if keep_last is None:
        return list(frames.order_by("seq").values_list("payload", flat=True))
    newest = list(frames.order_by("-seq").values_list("payload", flat=True)[:keep_last])
    return newest[::-1]


def run_last_seq(*, run: Run) -> int:
    last = RunFrame.objects.filter(run=run).order_by("-seq").values_list("seq", flat=True).first()
    return last or 0


def runs_of_owner(*, visitor: Visitor) -> QuerySet[Run]:
    return Run.objects.filter(scenario__in=scenarios_owned_by(visitor=visitor))


def run_get_owned(*, visitor: Visitor, run_id: uuid.UUID | str) -> Run | None:
    return runs_of_owner(visitor=visitor).filter(id=run_id).first()


def run_get_shared(*, token: str, run_id: uuid.UUID | str) -> Run | None:
    link = share_link_get_active(token=token)
    if link is None:
        return None
    return Run.objects.filter(scenario=link.scenario, id=run_id).first()


def runs_of_scenario(*, scenario: Scenario) -> QuerySet[Run]:
    return Run.objects.filter(scenario=scenario).order_by("-created_at")


def run_frames_page(*, run: Run, after: int, limit: int) -> list[dict]:
    return list(
        RunFrame.objects.filter(run=run, seq__gt=after)
        .order_by("seq")
        .values_list("payload", flat=True)[:limit]
    )


def run_events(*, run: Run, limit: int | None = None) -> list[dict]:
    events = RunEvent.objects.filter(run=run).order_by("-seq")
    if limit is not None:
        events = events[:limit]
    return [event.as_dict() for event in reversed(list(events))]


def capacity_curve_get_owned(*, visitor: Visitor, curve_id: uuid.UUID) -> CapacityCurve | None:
    return CapacityCurve.objects.filter(
        id=curve_id, scenario__in=scenarios_owned_by(visitor=visitor)
    ).first()
