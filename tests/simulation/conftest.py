"""Helpers shared by the engine tests: small scenario builders and the chapter's examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulation.flow import FlowEngine
from simulation.scenario import Scenario
from simulation.validate import validate_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def build(nodes: list[dict], edges: list[tuple], **workload: Any) -> Scenario:
    """A valid scenario from compact node dicts and (from, to[, extra]) edge tuples."""
    raw_edges = []
    for e in edges:
        edge = {"from": e[0], "to": e[1], "latency_ms": 0.0}
        if len(e) > 2:
            edge.update(e[2])
        raw_edges.append(edge)
    failures = workload.pop("failures", [])
    run = workload.pop("run", {})
    data = {
        "nodes": nodes,
        "edges": raw_edges,
        "workload": {"users": 100, "requests_per_user_per_s": 1.0, **workload},
        "failures": failures,
        "run": run,
    }
    result = validate_scenario(data)
    assert result.ok, [str(e) for e in result.errors]
    return result.scenario


def example_data(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def example(name: str, **workload: Any) -> Scenario:
    data = example_data(name)
    data["workload"].update(workload)
    result = validate_scenario(data)
    assert result.ok, [str(e) for e in result.errors]
    return result.scenario


def engine_for(scenario: Scenario, **kwargs: Any) -> FlowEngine:
    return FlowEngine(scenario, **kwargs)


def frames_of(engine: FlowEngine, seconds: float) -> list[dict]:
    frames = []
    while engine.t < seconds - 1e-9:
        frames.append(engine.step())
    return frames


@pytest.fixture
def stage():
    return example
