"""When Redis or the database is down, the API answers 503 with Retry-After and a JSON body,
at once, and leaves no half-made rows; live runs, queued in the database, are still taken."""

import json
from pathlib import Path

import pytest
from django.db import OperationalError

from sandbox.exercises.models import Submission
from sandbox.runs.models import CapacityCurve, Run
from tests.sandbox.scenario_fixtures import example, user_client

pytestmark = pytest.mark.django_db

EXERCISES = Path(__file__).resolve().parents[2] / "examples" / "exercises"
NOBODY_LISTENS = "redis://127.0.0.1:9/0"  # the discard port: connection refused at once


@pytest.fixture
def redis_down(settings):
    settings.REDIS_URL = NOBODY_LISTENS


def create_scenario(client) -> str:
    response = client.post(
        "/api/scenarios",
        {"title": "t", "document": example("03-load-balancer.json")},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def assert_unavailable(response, names: str) -> None:
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "5"
    detail = response.json()["detail"]
    assert names in detail and "try again" in detail


def test_a_capacity_curve_is_refused_with_a_503_and_nothing_saved_while_redis_is_down(
    redis_down,
):
    owner = user_client("owner")
    scenario = create_scenario(owner)

    response = owner.post(
        f"/api/capacity?scenario={scenario}",
        {"users_min": 100, "users_max": 10000, "points": 4, "duration_s": 60},
        content_type="application/json",
    )

    assert_unavailable(response, "capacity curve needs the task queue")
    assert not CapacityCurve.objects.exists()


def test_a_ping_run_is_refused_with_a_503_and_nothing_saved_while_redis_is_down(redis_down, client):
    response = client.post("/api/runs/ping", {}, content_type="application/json")

    assert_unavailable(response, "ping run needs the task queue")
    assert not Run.objects.exists()


def test_a_live_run_is_queued_while_redis_is_down_for_the_hosts_to_take(
    redis_down, django_capture_on_commit_callbacks
):
    owner = user_client("owner")
    scenario = create_scenario(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(
            "/api/runs", {"scenario": scenario, "duration_s": 60}, content_type="application/json"
        )

    assert response.status_code == 201, response.content
    assert Run.objects.get(id=response.json()["id"]).state == "queued"


def test_a_submission_is_refused_with_a_503_and_nothing_saved_while_redis_is_down(redis_down):
    from sandbox.accounts.visitors import Visitor
    from sandbox.exercises.models import Exercise
    from sandbox.exercises.services import submission_create
    from sandbox.health.checks import ServiceUnavailable
    from sandbox.scenarios import services as scenario_services

    shipped = json.loads((EXERCISES / "01-survive-primary-failure.json").read_text())
    student = user_client("student").user
    scenario = scenario_services.scenario_create(
        visitor=Visitor(user=student, session_key=""),
        title="mine",
        description="",
        document=shipped["reference"],
    )
    exercise = Exercise(title=shipped["title"], spec=shipped["spec"])

    with pytest.raises(ServiceUnavailable, match="grading needs the task queue"):
        submission_create(exercise=exercise, student=student, scenario=scenario)
    assert not Submission.objects.exists()


def test_a_database_outage_is_a_503_naming_the_database(monkeypatch):
    owner = user_client("owner")

    def unreachable(**_kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")

    monkeypatch.setattr("sandbox.scenarios.api.selectors.scenarios_owned_by", unreachable)
    response = owner.get("/api/scenarios")

    assert_unavailable(response, "the database is unreachable")
