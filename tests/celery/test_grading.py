"""Grading on real workers: a submission's units (steady state and each drill) run as a
Celery chord, the student and the instructor watch progress live, and the same design
always gets the same score."""

import json
import time
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.auth.models import Permission
from django.test import Client

from sandbox.exercises.models import GradingUnit, Submission
from tests.channels.live import receive_until, socket
from tests.sandbox.scenario_fixtures import user_client

pytestmark = pytest.mark.django_db(transaction=True)

EXERCISE = json.loads(
    (
        Path(__file__).resolve().parents[2]
        / "examples"
        / "exercises"
        / "01-survive-primary-failure.json"
    ).read_text()
)


def post(client: Client, path: str, body: dict | None = None):
    return client.post(path, body or {}, content_type="application/json")


def cookie(client: Client) -> str:
    return f"sessionid={client.cookies['sessionid'].value}"


def wait_graded(submission_id: str, timeout: float = 60) -> Submission:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission = Submission.objects.get(id=submission_id)
        if submission.state in {"graded", "failed"}:
            return submission
        time.sleep(0.2)
    raise AssertionError(f"submission stayed {submission.state} for {timeout} s")


def test_a_submission_is_graded_on_the_workers_and_progress_is_seen_live(celery_worker):
    teacher = user_client("tess")
    teacher.user.user_permissions.add(
        Permission.objects.get(codename="author_exercises", content_type__app_label="exercises")
    )
    created = post(
        teacher,
        "/api/exercises",
        {"title": EXERCISE["title"], "brief_md": "x", "spec": EXERCISE["spec"]},
    ).json()
    token = post(teacher, f"/api/exercises/{created['id']}/publish").json()["link"].split("/")[-1]
    student = user_client("sam")
    scenario = post(student, f"/api/x/{token}/attempt").json()["scenario"]
    upgraded = student.put(
        f"/api/scenarios/{scenario}",
        {"base_revision": 1, "document": EXERCISE["reference"]},
        content_type="application/json",
    )
    assert upgraded.status_code == 200

    async def submit_and_watch():
        dashboard = socket(f"/ws/exercises/{created['id']}/", cookie(teacher))
        assert (await dashboard.connect())[0]
        response = await sync_to_async(post)(
            student, f"/api/x/{token}/submit", {"scenario": scenario}
        )
        assert response.status_code == 202, response.content
        submission_id = response.json()["id"]
        mine = socket(f"/ws/submissions/{submission_id}/", cookie(student))
        await mine.connect()
        seen = await receive_until(mine, lambda m: m["submission"]["state"] == "graded", timeout=60)
        board = await receive_until(
            dashboard,
            lambda m: (
                m["submission"]["id"] == submission_id and m["submission"]["state"] == "graded"
            ),
            timeout=30,
        )
        await mine.disconnect()
        await dashboard.disconnect()
        return submission_id, seen, board

    submission_id, seen, board = async_to_sync(submit_and_watch)()

    graded = Submission.objects.get(id=submission_id)
    assert graded.score == 100.0 and graded.report["passed"] is True
    units = GradingUnit.objects.filter(submission=graded)
    assert sorted(u.name for u in units) == ["primary dies", "steady"]
    assert {u.worker for u in units} == {celery_worker.name}
    assert seen[-1]["submission"]["units_done"] == 2 == seen[-1]["submission"]["units_total"]
    assert board[-1]["submission"]["score"] == 100.0
    dashboard_rows = teacher.get(f"/api/exercises/{created['id']}/submissions").json()
    assert dashboard_rows[0]["score"] == 100.0
    csv = teacher.get(f"/api/exercises/{created['id']}/submissions.csv").content.decode()
    assert "sam" in csv and "pass" in csv

    resubmitted = post(student, f"/api/x/{token}/submit", {"scenario": scenario}).json()
    again = wait_graded(resubmitted["id"])
    assert again.score == graded.score and again.report == graded.report
    history = student.get(f"/api/x/{token}/submissions").json()
    assert [h["id"] for h in history] == [resubmitted["id"], submission_id]
