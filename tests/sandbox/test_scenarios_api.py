"""Scenarios through the API: create, save with revisions, stale saves, restore, import,
export, validate and analyse, and the limits."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sandbox.scenarios.models import Scenario, ScenarioRevision
from tests.sandbox.scenario_fixtures import create, example, save, user_client

pytestmark = pytest.mark.django_db


def node(document: dict, node_id: str) -> dict:
    found = next(n for n in document["nodes"] if n["id"] == node_id)
    found.setdefault("params", {})
    return found


@pytest.fixture
def alice():
    return user_client("alice")


def test_a_created_scenario_is_revision_one_with_the_engines_verdict(alice):
    body = create(alice, "Stage 3")

    assert body["revision"] == 1 and body["title"] == "Stage 3"
    assert body["document"] == example()
    assert body["problems"] == {"errors": [], "warnings": []}
    assert ScenarioRevision.objects.get(scenario_id=body["id"]).number == 1


def test_each_save_keeps_a_revision_that_can_be_listed_opened_and_restored(alice):
    scenario = create(alice)
    first_users = scenario["document"]["workload"]["users"]
    scenario["document"]["workload"]["users"] = 5000
    assert save(alice, scenario, 1, title="More users").status_code == 200

    revisions = alice.get(f"/api/scenarios/{scenario['id']}/revisions").json()
    old = alice.get(f"/api/scenarios/{scenario['id']}/revisions/1").json()
    restored = alice.post(
        f"/api/scenarios/{scenario['id']}/revisions/1/restore",
        {"base_revision": 2},
        content_type="application/json",
    )

    assert [r["number"] for r in revisions] == [2, 1]
    assert [r["title"] for r in revisions] == ["More users", "My design"]
    assert old["document"]["workload"]["users"] == first_users
    assert restored.status_code == 200
    body = restored.json()
    assert body["revision"] == 3 and body["title"] == "My design"
    assert body["document"]["workload"]["users"] == first_users
    latest = alice.get(f"/api/scenarios/{scenario['id']}/revisions").json()[0]
    assert latest == {**latest, "number": 3, "restored_from": 1}


def test_a_save_based_on_a_stale_revision_is_a_409_and_changes_nothing(alice):
    scenario = create(alice)
    tab_one = json.loads(json.dumps(scenario))
    tab_two = json.loads(json.dumps(scenario))
    tab_one["document"]["workload"]["users"] = 111
    tab_two["document"]["workload"]["users"] = 222
    assert save(alice, tab_one, 1).status_code == 200

    response = save(alice, tab_two, 1)

    assert response.status_code == 409
    body = response.json()
    assert body["current_revision"] == 2
    assert "based on revision 1" in body["detail"] and "at revision 2" in body["detail"]
    stored = Scenario.objects.get(id=scenario["id"])
    assert stored.revision == 2 and stored.document["workload"]["users"] == 111


def test_a_design_in_progress_is_stored_with_the_engines_errors_naming_their_place(alice):
    document = example()
    document["nodes"].append({"id": "cache", "kind": "cache", "position": {"x": 1, "y": 1}})

    body = create(alice, document=document)

    assert Scenario.objects.filter(id=body["id"]).exists()
    messages = [f"{p['path']}: {p['message']}" for p in body["problems"]["warnings"]]
    messages += [f"{p['path']}: {p['message']}" for p in body["problems"]["errors"]]
    assert any(m.startswith("nodes[cache]") for m in messages), messages


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: node(d, "web-1")["params"].update(instances=0), "document.nodes[web-1]"),
        (lambda d: d["nodes"].append({"id": "x", "kind": "mainframe"}), "document.nodes[x]"),
        (lambda d: d["workload"].update(users="lots"), "document.workload.users"),
        (lambda d: d.update(colour="red"), "document.colour"),
    ],
)
def test_a_document_that_breaks_the_format_is_a_422_naming_the_place(alice, mutate, path):
    document = example()
    mutate(document)

    response = alice.post(
        "/api/scenarios", {"title": "t", "document": document}, content_type="application/json"
    )

    assert response.status_code == 422
    paths = [item["path"] for item in response.json()["detail"]]
    assert any(p.startswith(path) for p in paths), paths
    assert Scenario.objects.count() == 0


def test_wrong_types_and_unknown_fields_of_the_request_are_422s_naming_them(alice):
    wrong_type = alice.post(
        "/api/scenarios", {"title": 5, "document": []}, content_type="application/json"
    )
    unknown = alice.post(
        "/api/scenarios",
        {"title": "t", "document": example(), "owner": "bob"},
        content_type="application/json",
    )

    assert wrong_type.status_code == 422
    assert {tuple(e["loc"]) for e in wrong_type.json()["detail"]} >= {
        ("body", "payload", "title"),
        ("body", "payload", "document"),
    }
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"][-1] == "owner"


def test_malformed_json_is_a_400(alice):
    response = alice.post("/api/scenarios", "{title:", content_type="application/json")

    assert response.status_code == 400


def test_designs_over_the_node_limit_are_refused_naming_the_limit(alice, settings):
    settings.SCENARIO_MAX_NODES = 3

    response = alice.post(
        "/api/scenarios", {"title": "t", "document": example()}, content_type="application/json"
    )

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["path"] == "document.nodes" and "at most 3" in error["msg"]


def test_oversize_documents_are_a_413(alice, settings):
    settings.SCENARIO_MAX_BYTES = 2000
    document = example()
    document["description"] = "x" * 1500

    response = alice.post(
        "/api/scenarios", {"title": "t", "document": document}, content_type="application/json"
    )

    assert response.status_code == 413
    assert "at most 2000 allowed" in response.json()["detail"][0]["msg"]


def test_request_bodies_beyond_the_upload_limit_are_a_413_not_a_500(alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    document = example()
    document["description"] = "x" * 5000

    response = alice.post(
        "/api/scenarios", {"title": "t", "document": document}, content_type="application/json"
    )

    assert response.status_code == 413


def test_saves_beyond_the_rate_limit_are_a_429_that_says_when_to_retry(alice, settings):
    settings.SCENARIO_SAVES_PER_MINUTE = 3
    scenario = create(alice)
    assert save(alice, scenario, 1).status_code == 200
    assert save(alice, scenario, 2).status_code == 200

    response = save(alice, scenario, 3)

    assert response.status_code == 429
    assert "at most 3 a minute" in response.json()["detail"]


def test_only_the_newest_revisions_are_kept(alice, settings):
    settings.SCENARIO_REVISIONS_KEPT = 2
    scenario = create(alice)
    for base in (1, 2, 3):
        assert save(alice, scenario, base).status_code == 200

    numbers = [r["number"] for r in alice.get(f"/api/scenarios/{scenario['id']}/revisions").json()]

    assert numbers == [4, 3]
    assert alice.get(f"/api/scenarios/{scenario['id']}/revisions/1").status_code == 404


def test_export_then_import_gives_back_the_same_document(alice):
    scenario = create(alice, "Stage 3: load balancer")

    exported = alice.get(f"/api/scenarios/{scenario['id']}/export")
    upload = SimpleUploadedFile("stage3.json", exported.content, "application/json")
    imported = alice.post("/api/scenarios/import", {"file": upload})

    assert exported.status_code == 200
    assert 'filename="stage-3-load-balancer.scalelab.json"' in exported["Content-Disposition"]
    assert imported.status_code == 201
    assert imported.json()["document"] == scenario["document"]


def test_importing_a_file_that_is_not_json_names_the_file_and_the_position(alice):
    upload = SimpleUploadedFile("broken.json", b'{"version": 1,\n  nodes: []}', "application/json")

    response = alice.post("/api/scenarios/import", {"file": upload})

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["path"] == "document.file"
    assert "not valid JSON" in error["msg"] and "line 2" in error["msg"]


def test_validate_and_analyze_a_stored_scenario(alice):
    scenario = create(alice)

    validation = alice.get(f"/api/scenarios/{scenario['id']}/validate").json()
    analysis = alice.get(f"/api/scenarios/{scenario['id']}/analyze").json()

    assert validation == {"valid": True, "errors": [], "warnings": []}
    assert {"node": "lb", "classes": ["static", "read", "write"]} in analysis["spofs"]
    assert analysis["max_users"] > 0 and analysis["cost_per_month"] > 0
    assert analysis["bottleneck"]["node"] in {"web-1", "web-2", "db", "lb"}


def test_validate_and_analyze_a_posted_scenario_with_errors(alice):
    document = example()
    document["edges"].append({"from": "web-1", "to": "nowhere"})

    validation = alice.post(
        "/api/scenarios/validate", {"document": document}, content_type="application/json"
    ).json()
    analysis = alice.post(
        "/api/scenarios/analyze", {"document": document}, content_type="application/json"
    )

    assert validation["valid"] is False
    assert any("nowhere" in f"{e['path']} {e['message']}" for e in validation["errors"])
    assert analysis.status_code == 422
    assert any("nowhere" in f"{e['path']} {e['msg']}" for e in analysis.json()["detail"])


def test_listing_shows_only_your_own_scenarios_newest_first(alice):
    bob = user_client("bob")
    create(alice, "first")
    create(alice, "second")
    create(bob, "bob's")

    titles = [s["title"] for s in alice.get("/api/scenarios").json()]

    assert titles == ["second", "first"]
