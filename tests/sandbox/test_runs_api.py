"""The runs API: starting a ping run and reading it back; bad input gets a 4xx naming it."""

import uuid

import pytest

from sandbox.runs.models import Run

pytestmark = pytest.mark.django_db


def test_starting_a_ping_run_answers_201_with_its_websocket_path(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/api/runs/ping", {"frames": 7}, content_type="application/json")

    assert response.status_code == 201
    body = response.json()
    run = Run.objects.get(id=body["id"])
    assert body["state"] == "queued" and body["frames"] == 7 and run.frames_expected == 7
    assert body["ws_path"] == f"/ws/runs/{run.id}/"
    assert len(callbacks) == 1  # the task is enqueued only once the run is committed


def test_a_ping_run_with_an_empty_object_has_ten_frames(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        response = client.post("/api/runs/ping", {}, content_type="application/json")

    assert response.status_code == 201
    assert response.json()["frames"] == 10


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"frames": 0}, "frames", "greater than or equal to 1"),
        ({"frames": 51}, "frames", "less than or equal to 50"),
        ({"frames": "many"}, "frames", "valid integer"),
        ({"frames": 3, "colour": "red"}, "colour", "Extra inputs are not permitted"),
    ],
)
def test_bad_ping_run_input_is_a_422_that_names_the_field(client, payload, field, message):
    response = client.post("/api/runs/ping", payload, content_type="application/json")

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == field
    assert message in error["msg"]
    assert Run.objects.count() == 0


def test_malformed_json_is_a_400_not_a_500(client):
    response = client.post("/api/runs/ping", "{frames:", content_type="application/json")

    assert response.status_code == 400
    assert Run.objects.count() == 0


def test_reading_a_run_back_shows_its_state(client):
    run = Run.objects.create(frames_expected=3)

    response = client.get(f"/api/runs/{run.id}")

    assert response.status_code == 200
    assert response.json()["state"] == "queued"


def test_an_unknown_run_is_a_404_that_says_so(client):
    run_id = uuid.uuid4()

    response = client.get(f"/api/runs/{run_id}")

    assert response.status_code == 404
    assert response.json() == {"detail": f"run {run_id}: no such run"}


def test_the_openapi_document_describes_the_runs_endpoints(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/runs/ping" in paths and "/api/runs/{run_id}" in paths


@pytest.mark.django_db(transaction=True)
def test_when_the_task_queue_is_unreachable_the_run_fails_with_the_reason_and_a_503(
    client, monkeypatch
):
    from kombu.exceptions import OperationalError

    from sandbox.runs import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.ping_run, "delay", broker_down)

    response = client.post("/api/runs/ping", {}, content_type="application/json")

    assert response.status_code == 503
    assert "task queue (Redis) could not be reached" in response.json()["detail"]
    [run] = Run.objects.all()
    assert run.state == "failed" and "Connection refused" in run.failure_reason
