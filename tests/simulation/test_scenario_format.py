"""The scenario format: schema committed and in sync, defaults, examples valid."""

import json
from pathlib import Path

import pytest
from conftest import EXAMPLES

from simulation.scenario import SCENARIO_VERSION, Scenario, scenario_json_schema_text
from simulation.validate import validate_scenario

SCHEMA = Path(__file__).resolve().parents[2] / "simulation" / "schema" / "scenario-v1.schema.json"


def test_committed_schema_matches_the_models():
    assert SCHEMA.read_text() == scenario_json_schema_text(), (
        "regenerate with: python -m simulation schema > simulation/schema/scenario-v1.schema.json"
    )


def test_schema_declares_version_and_every_node_kind():
    schema = json.loads(SCHEMA.read_text())
    assert schema["properties"]["version"]["const"] == SCENARIO_VERSION
    kinds = {
        d["properties"]["kind"]["const"]
        for name, d in schema["$defs"].items()
        if name.endswith("Node") and "kind" in d.get("properties", {})
    }
    assert kinds == {
        "users", "dns", "cdn", "load_balancer", "server", "cache", "database", "replica"
    }  # fmt: skip


def test_every_parameter_has_a_description_with_its_meaning():
    schema = json.loads(SCHEMA.read_text())
    for name, definition in schema["$defs"].items():
        if name.endswith("Params"):
            for field, spec in definition.get("properties", {}).items():
                assert spec.get("description"), f"{name}.{field} has no description"


def test_empty_document_gets_documented_defaults():
    s = Scenario.model_validate({})
    assert s.version == 1
    assert s.workload.mix.static + s.workload.mix.read + s.workload.mix.write == pytest.approx(1)
    assert s.run.tick_s == 1.0


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_examples_are_valid_without_warnings(path):
    result = validate_scenario(path.read_text())
    assert result.ok, [str(e) for e in result.errors]
    assert result.warnings == []


def test_scenario_round_trips_through_json():
    data = json.loads((EXAMPLES / "05-cache.json").read_text())
    s = Scenario.model_validate(data)
    again = Scenario.model_validate(json.loads(s.model_dump_json(by_alias=True)))
    assert again == s


def test_every_parameter_is_documented_in_the_format_page():
    from simulation import scenario as models

    page = (Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md").read_text()
    for name in dir(models):
        model = getattr(models, name)
        documented = name.endswith(("Params", "Shape")) or name in ("Workload", "RunSettings")
        if isinstance(model, type) and (documented or name == "Edge"):
            for field_name, field in model.model_fields.items():
                assert f"`{field.alias or field_name}" in page, f"{name}.{field_name}"
