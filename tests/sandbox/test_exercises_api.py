"""Exercises through the API: only instructors author; students open a published exercise by
its link, get their own copy, and submissions that break a lock or a ban are refused with the
reason; briefs never run scripts; everyone sees only what is theirs."""

import copy
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client

from sandbox.exercises.models import Exercise, Submission
from tests.sandbox.scenario_fixtures import user_client

pytestmark = pytest.mark.django_db

EXERCISES = Path(__file__).resolve().parents[2] / "examples" / "exercises"


def shipped(name: str = "04-static-off-the-origin") -> dict:
    return json.loads((EXERCISES / f"{name}.json").read_text())


def instructor_client(name: str) -> Client:
    client = user_client(name)
    client.user.user_permissions.add(
        Permission.objects.get(codename="author_exercises", content_type__app_label="exercises")
    )
    return client


def post(client: Client, path: str, body: dict | None = None):
    return client.post(path, body or {}, content_type="application/json")


def publish(instructor: Client, name: str = "04-static-off-the-origin", **changes) -> dict:
    data = shipped(name)
    body = {"title": data["title"], "brief_md": data["brief_md"], "spec": data["spec"], **changes}
    created = post(instructor, "/api/exercises", body)
    assert created.status_code == 201, created.content
    exercise = post(instructor, f"/api/exercises/{created.json()['id']}/publish").json()
    exercise["token"] = exercise["link"].rsplit("/", 1)[1]
    return exercise


def test_only_instructors_author_exercises():
    student = user_client("sam")
    data = shipped()

    refused = post(student, "/api/exercises", {"title": "t", "spec": data["spec"]})
    anonymous = post(Client(), "/api/exercises", {"title": "t", "spec": data["spec"]})

    assert refused.status_code == 403 and "instructors" in refused.json()["detail"]
    assert anonymous.status_code == 401
    assert not Exercise.objects.exists()


def test_a_bad_specification_is_refused_naming_the_place():
    teacher = instructor_client("tess")
    spec = copy.deepcopy(shipped()["spec"])
    spec["criteria"][0]["percentile"] = 42

    response = post(teacher, "/api/exercises", {"title": "t", "spec": spec})

    assert response.status_code == 422
    assert response.json()["detail"][0]["path"].startswith("spec.criteria")


def test_a_brief_with_a_script_renders_without_running_it():
    teacher = instructor_client("tess")
    brief = "# Go\n<script>alert('x')</script>\n[click](javascript:alert(1)) **bold**"

    exercise = publish(teacher, brief_md=brief)
    seen = Client().get(f"/api/x/{exercise['token']}").json()

    for html in (exercise["brief_html"], seen["brief_html"]):
        assert "<script" not in html and "javascript:" not in html
        assert "<strong>bold</strong>" in html and "<h1>Go</h1>" in html


def test_a_student_gets_their_own_copy_once_and_sees_the_checklist():
    exercise = publish(instructor_client("tess"))
    student = user_client("sam")

    view = Client().get(f"/api/x/{exercise['token']}").json()
    first = post(student, f"/api/x/{exercise['token']}/attempt").json()
    again = post(student, f"/api/x/{exercise['token']}/attempt").json()
    copy_ = student.get(f"/api/scenarios/{first['scenario']}").json()

    assert [c["label"] for c in view["criteria"]] == [
        "p50 latency for statics below 30 ms at 4,000 users",
        "error rate below 1.00 % at 10,000 users",
        "cost at most $8,000 a month",
    ]
    assert view["locked"] == ["users", "web-1", "web-2"]
    assert first == again
    assert copy_["document"]["workload"]["mix"]["static"] == 0.8  # the exercise's traffic


def test_an_unpublished_exercise_is_not_found_by_its_link():
    teacher = instructor_client("tess")
    exercise = publish(teacher)
    post(teacher, f"/api/exercises/{exercise['id']}/unpublish")

    assert Client().get(f"/api/x/{exercise['token']}").status_code == 404
    assert post(user_client("sam"), f"/api/x/{exercise['token']}/attempt").status_code == 404


def test_a_submission_breaking_a_lock_or_a_ban_is_refused_with_the_reason_via_the_api():
    exercise = publish(instructor_client("tess"), spec={**shipped()["spec"], "banned": ["dns"]})
    student = user_client("sam")
    scenario_id = post(student, f"/api/x/{exercise['token']}/attempt").json()["scenario"]
    scenario = student.get(f"/api/scenarios/{scenario_id}").json()
    document = scenario["document"]
    document["nodes"] = [n for n in document["nodes"] if n["id"] != "web-2"]
    document["edges"] = [e for e in document["edges"] if "web-2" not in (e["from"], e["to"])]
    document["nodes"].append({"id": "dns", "kind": "dns"})
    document["edges"].append({"from": "users", "to": "dns"})
    saved = student.put(
        f"/api/scenarios/{scenario_id}",
        {"base_revision": 1, "document": document},
        content_type="application/json",
    )
    assert saved.status_code == 200, saved.content

    response = post(student, f"/api/x/{exercise['token']}/submit", {"scenario": scenario_id})

    assert response.status_code == 422
    messages = {(e["path"], e["msg"]) for e in response.json()["detail"]}
    assert ("document.nodes[web-2]", "is locked by the exercise: it may not be removed") in messages
    assert ("document.nodes[dns]", "dns is banned in this exercise") in messages
    assert not Submission.objects.exists()


def test_privacy_of_exercises_and_submissions(django_capture_on_commit_callbacks):
    tess, tom = instructor_client("tess"), instructor_client("tom")
    sam, sue = user_client("sam"), user_client("sue")
    exercise = publish(tess)
    token = exercise["token"]
    sams_scenario = post(sam, f"/api/x/{token}/attempt").json()["scenario"]
    with django_capture_on_commit_callbacks():  # grading is not run here: only who sees what
        submission = post(sam, f"/api/x/{token}/submit", {"scenario": sams_scenario}).json()
    sid, eid = submission["id"], exercise["id"]

    assert sam.get(f"/api/submissions/{sid}").status_code == 200
    assert tess.get(f"/api/submissions/{sid}").status_code == 200
    assert sue.get(f"/api/submissions/{sid}").status_code == 404
    assert tom.get(f"/api/submissions/{sid}").status_code == 404
    assert Client().get(f"/api/submissions/{sid}").status_code == 401
    assert [s["id"] for s in tess.get(f"/api/exercises/{eid}/submissions").json()] == [sid]
    assert tom.get(f"/api/exercises/{eid}/submissions").status_code == 404
    assert sam.get(f"/api/exercises/{eid}/submissions").status_code == 403
    assert [s["id"] for s in sam.get(f"/api/x/{token}/submissions").json()] == [sid]
    assert sue.get(f"/api/x/{token}/submissions").json() == []
    assert post(sue, f"/api/x/{token}/submit", {"scenario": sams_scenario}).status_code == 404
    assert sue.get(f"/api/scenarios/{sams_scenario}").status_code == 404
    assert tom.get(f"/api/exercises/{eid}").status_code == 404


def test_the_shipped_exercises_load_with_a_management_command_and_again_without_copies():
    call_command("load_exercises", "--author", "teacher")
    call_command("load_exercises", "--author", "teacher")

    exercises = Exercise.objects.filter(author__username="teacher")
    assert exercises.count() == len(list(EXERCISES.glob("*.json"))) >= 4
    assert all(e.published for e in exercises)


def test_the_shipped_exercises_are_listed_for_everyone_and_others_are_not():
    call_command("load_exercises")
    teacher = instructor_client("tess")
    publish(teacher)  # a class's own exercise: reached by its link only

    listed = Client().get("/api/x").json()

    assert [e["title"] for e in listed] == [
        json.loads(p.read_text())["title"] for p in sorted(EXERCISES.glob("*.json"))
    ]
    first = Client().get(f"/api{listed[0]['path']}")
    assert first.status_code == 200 and first.json()["title"] == listed[0]["title"]
    assert listed[0]["criteria"][0].startswith("availability at least")


def test_grant_instructor_gives_and_takes_the_permission():
    ivy = user_client("ivy")

    call_command("grant_instructor", "ivy")
    allowed = ivy.get("/api/exercises").status_code
    call_command("grant_instructor", "ivy", "--revoke")

    assert allowed == 200
    assert ivy.get("/api/exercises").status_code == 403
