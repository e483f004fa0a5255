"""Batch work whose tasks were lost never stays running for ever: the hosts' sweep fails it
with a reason (and frees its owner's quota); work still within its time is left alone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sandbox.runs.models import CapacityCurve
from sandbox.runs.services import capacity_fail_lost
from tests.sandbox.scenario_fixtures import example, user_client

pytestmark = pytest.mark.django_db


def curve(owner, age_s: float) -> CapacityCurve:
    from sandbox.scenarios.models import Scenario

    scenario = Scenario.objects.create(
        owner=owner.user, title="t", document=example("03-load-balancer.json")
    )
    made = CapacityCurve.objects.create(
        scenario=scenario, users=[10, 100], latency_target_ms=200, duration_s=60
    )
    CapacityCurve.objects.filter(id=made.id).update(
        created_at=timezone.now() - timedelta(seconds=age_s)
    )
    return made


def test_a_capacity_curve_running_past_the_limit_is_failed_with_the_reason():
    owner = user_client("owner")
    lost, fresh = curve(owner, age_s=1900), curve(owner, age_s=60)

    assert capacity_fail_lost(older_than_s=1800) == 1

    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.state == "failed" and "its work was lost" in lost.failure_reason
    assert fresh.state == "running"
    assert capacity_fail_lost(older_than_s=1800) == 0  # once only


def test_a_submission_grading_past_the_limit_is_failed_with_the_reason(
    settings,
):
    from sandbox.exercises.models import Exercise, Submission
    from sandbox.exercises.services import submissions_fail_lost
    from sandbox.scenarios.models import Scenario

    author, student = user_client("author"), user_client("student")
    exercise = Exercise.objects.create(author=author.user, title="x", spec={}, token="t" * 32)
    scenario = Scenario.objects.create(owner=student.user, title="mine", document={})
    old, new = (
        Submission.objects.create(
            exercise=exercise, student=student.user, scenario=scenario, document={}, units_total=2
        )
        for _ in range(2)
    )
    Submission.objects.filter(id=old.id).update(
        state="grading", created_at=timezone.now() - timedelta(seconds=1900)
    )

    assert submissions_fail_lost(older_than_s=1800) == 1

    old.refresh_from_db()
    new.refresh_from_db()
    assert old.state == "failed" and "submit again" in old.failure_reason
    assert new.state == "queued"
