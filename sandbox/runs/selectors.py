"""Reads of runs, their frames and events: the owner's, or those a share link opens."""

import math
import uuid
from datetime import timedelta

import redis
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from sandbox.accounts.visitors import Visitor
from sandbox.runs.models import CapacityCurve, Run, RunEvent, RunFrame, RunHost
from sandbox.scenarios.models import Scenario
from sandbox.scenarios.selectors import scenarios_owned_by, share_link_get_active

RESUME_GAP_MAX = 600  # as many as a reconnecting client gets (sandbox/runs/consumers.py)


def run_get(*, run_id: uuid.UUID | str) -> Run | None:
    try:
        return Run.objects.get(id=run_id)
    except (Run.DoesNotExist, ValueError, ValidationError):
        return None


def run_frames_after(*, run: Run, after: int, keep_last: int | None = None) -> list[dict]:
    """Frames after `after`, in order; only the newest `keep_last` of them when given."""
    frames = RunFrame.objects.filter(run=run, seq__gt=after)
    if keep_last is None:
        return list(frames.order_by("seq").values_list("payload", flat=True))
    newest = list(frames.order_by("-seq").values_list("payload", flat=True)[:keep_last])
    return newest[::-1]


def run_frames_between(*, run_id: uuid.UUID | str, after: int, before: int) -> list[dict]:
    """Frames with after < seq < before, in order (a gap a live watcher missed)."""
    frames = RunFrame.objects.filter(run_id=run_id, seq__gt=after, seq__lt=before)
    return list(frames.order_by("seq").values_list("payload", flat=True)[:RESUME_GAP_MAX])


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


def run_hosts_alive() -> QuerySet[RunHost]:
    cutoff = timezone.now() - timedelta(seconds=settings.RUN_HEARTBEAT_TIMEOUT_S)
    return RunHost.objects.filter(heartbeat_at__gte=cutoff)


def host_alive_key(host_id: str) -> str:
    return f"{settings.CHANNELS_PREFIX}:runhost:{host_id}"


def run_host_ids_alive() -> set[str]:
    """Hosts that beat within the timeout, by the database or by Redis: a host keeps its
    Redis key fresh through a database outage, and its row through a Redis one, so neither
    outage alone makes its runs look orphaned."""
    alive = set(run_hosts_alive().values_list("id", flat=True))
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    prefix = host_alive_key("")
    try:
        for key in client.scan_iter(match=prefix + "*", count=500):
            alive.add(key.decode()[len(prefix) :])
    except redis.RedisError:
        pass
    finally:
        client.close()
    return alive


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def run_queue_position(*, run: Run) -> dict | None:
    """Where a queued run stands: its place among the runs waiting for a host, and about how
    long until a host has room for it (None when that can't be told). None unless queued.

    The estimate assumes each run that ends frees room for one waiting run: the n-th in line
    starts when the n-th running run ends, at its pace (paused runs at their wall limit)."""
    if run.state != Run.State.QUEUED or run.kind != Run.Kind.SIMULATION:
        return None
    waiting = Run.objects.filter(kind=Run.Kind.SIMULATION, state=Run.State.QUEUED)
    place = waiting.filter(created_at__lt=run.created_at).count() + 1
    hosts = list(run_hosts_alive())
    estimate: float | None = None
    if not hosts:
        text = f"{_ordinal(place)} in line; no worker is running yet"
    else:
        room = sum(max(0.0, h.budget - h.load) for h in hosts)
        now = timezone.now()
        ends = []
        running = Run.objects.filter(
            kind=Run.Kind.SIMULATION, state__in=(Run.State.RUNNING, Run.State.PAUSED)
        ).only("state", "duration_s", "sim_time", "speed", "started_at")
        for other in running:
            wall_left = settings.RUN_MAX_WALL_S
            if other.started_at is not None:
                wall_left -= (now - other.started_at).total_seconds()
            if other.state == Run.State.RUNNING and other.speed > 0:
                wall_left = min(wall_left, (other.duration_s - other.sim_time) / other.speed)
            ends.append(max(0.0, wall_left))
        ends.sort()
        if room > 0.05 and place == 1:
            estimate = settings.RUN_HOST_POLL_S
        elif place <= len(ends):
            estimate = ends[place - 1] + settings.RUN_HOST_POLL_S
        text = f"{_ordinal(place)} in line"
        if estimate is not None:
            text += f", about {_duration(estimate)}"
    return {
        "place": place,
        "waiting": waiting.count(),
        "estimate_s": None if estimate is None else math.ceil(estimate),
        "text": text,
    }


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, math.ceil(seconds))} s"
    return f"{math.ceil(seconds / 60)} min"
