"""Grading: the shipped exercises' reference solutions pass and their naive designs fail with
the expected criteria; grading is deterministic; locks, bans and limits are enforced."""

import copy
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from simulation.grading import ExerciseSpec, constraint_violations, grade_locally

EXERCISES = sorted((Path(__file__).resolve().parents[2] / "examples" / "exercises").glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.mark.parametrize("path", EXERCISES, ids=[p.stem for p in EXERCISES])
def test_each_shipped_exercise_passes_its_reference_and_fails_its_naive_design(path):
    exercise = load(path)
    spec = ExerciseSpec.model_validate(exercise["spec"])

    reference = grade_locally(spec, exercise["reference"])
    naive = grade_locally(spec, exercise["naive"])

    assert reference["passed"] and reference["score"] == 100.0, reference
    failed = sorted(c["type"] for c in naive["criteria"] if not c["passed"])
    assert failed == sorted(exercise["naive_fails"])
    assert naive["score"] < 100.0
    for result in naive["criteria"]:
        assert result["why"] and result["label"]


def test_at_least_four_exercises_ship():
    assert len(EXERCISES) >= 4


def test_the_same_design_always_gets_the_same_report():
    exercise = load(EXERCISES[0])
    spec = ExerciseSpec.model_validate(exercise["spec"])

    first = grade_locally(spec, exercise["naive"])
    second = grade_locally(spec, exercise["naive"])

    assert first == second


def test_a_design_that_drops_or_changes_a_locked_node_or_uses_a_banned_kind_is_caught():
    exercise = load(EXERCISES[3])  # locks users, web-1, web-2; at most two servers
    spec = ExerciseSpec.model_validate({**exercise["spec"], "banned": ["dns"]})
    design = copy.deepcopy(exercise["reference"])
    web = next(n for n in design["nodes"] if n["id"] == "web-1")
    web.setdefault("params", {})["instances"] = 9
    design["nodes"] = [n for n in design["nodes"] if n["id"] != "web-2"]
    design["nodes"].append({"id": "dns", "kind": "dns"})
    design["nodes"].append({"id": "web-3", "kind": "server"})
    design["nodes"].append({"id": "web-4", "kind": "server"})

    issues = [str(i) for i in constraint_violations(spec, design)]

    assert "nodes[web-1]: is locked by the exercise: it may not change" in issues
    assert "nodes[web-2]: is locked by the exercise: it may not be removed" in issues
    assert "nodes[dns]: dns is banned in this exercise" in issues
    assert "nodes: 3 server nodes; this exercise allows 2" in issues


def test_moving_a_locked_node_on_the_canvas_is_allowed():
    exercise = load(EXERCISES[3])
    spec = ExerciseSpec.model_validate(exercise["spec"])
    design = copy.deepcopy(exercise["reference"])
    next(n for n in design["nodes"] if n["id"] == "web-1")["position"] = {"x": 999, "y": 1}

    assert constraint_violations(spec, design) == []


def test_a_criterion_naming_a_missing_drill_is_refused_naming_it():
    exercise = load(EXERCISES[0])
    spec = copy.deepcopy(exercise["spec"])
    spec["criteria"][0]["drill"] = "nope"

    with pytest.raises(ValidationError, match="no drill named 'nope'"):
        ExerciseSpec.model_validate(spec)


def test_a_design_cloning_a_server_that_holds_its_own_data_is_refused_under_the_exercise_traffic():
    exercise = load(EXERCISES[1])
    spec = ExerciseSpec.model_validate(exercise["spec"])
    assert spec.workload is not None and spec.workload.mix.write > 0
    design = {
        "nodes": [
            {"id": "users", "kind": "users"},
            {"id": "web", "kind": "server", "params": {"instances": 40}},
        ],
        "edges": [{"from": "users", "to": "web"}],
        # Without writes of its own the design validates; the exercise's traffic writes.
        "workload": {"mix": {"static": 0.5, "read": 0.5, "write": 0.0}},
    }

    violations = [str(i) for i in constraint_violations(spec, design)]

    assert any(
        v.startswith("nodes[web].params.instances: web keeps its data on the server itself")
        for v in violations
    ), violations
    with pytest.raises(ValueError, match="keeps its data on the server itself"):
        grade_locally(spec, design)
