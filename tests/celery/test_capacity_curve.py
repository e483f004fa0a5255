"""The capacity curve, its points fanned out over real worker processes as a Celery chord."""

import time

import pytest
from django.test import Client

from simulation.capacity import meets
from tests.channels.live import Owner

pytestmark = pytest.mark.django_db(transaction=True)


def test_stage_three_gives_a_monotone_curve_with_a_knee_below_its_analysed_capacity(
    celery_worker,
):
    owner = Owner(stage="03-load-balancer.json")
    sid = owner.scenario.id
    analysed = owner.client.get(f"/api/scenarios/{sid}/analyze").json()["max_users"]

    started = owner.client.post(
        f"/api/capacity?scenario={sid}",
        {"users_min": 100, "users_max": 100_000, "points": 10, "duration_s": 120},
        content_type="application/json",
    )
    assert started.status_code == 202
    curve = started.json()
    deadline = time.monotonic() + 60
    while curve["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.3)
        curve = owner.client.get(f"/api/capacity/{curve['id']}").json()

    assert curve["state"] == "finished", curve
    assert Client().get(f"/api/capacity/{curve['id']}").status_code == 404  # only the owner
    points = curve["points"]
    users = [p["users"] for p in points]
    assert users == sorted(users) and len(users) == 10 and users[0] == 100
    p99 = [p["p99_ms"] for p in points]
    errors = [p["error_rate"] for p in points]
    assert all(a <= b + 1e-9 for a, b in zip(p99[:5], p99[1:6], strict=True))
    assert all(a <= b + 1e-9 for a, b in zip(errors, errors[1:], strict=False))
    knee = curve["max_users_meeting_target"]
    target = curve["latency_target_ms"]
    assert 0 < knee <= analysed
    assert all(meets(p, target) for p in points if p["users"] <= knee)
    assert not meets(next(p for p in points if p["users"] > knee), target)
