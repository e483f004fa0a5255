"""Helpers shared by the engine tests: small scenario builders and the chapter's examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulation.catalogue import INSTANCE_SIZES, core_speed
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


STATIC_ONLY = {"static": 1.0, "read": 0.0, "write": 0.0}
READ_ONLY = {"static": 0.0, "read": 1.0, "write": 0.0}


def usl_s(seconds: float, kind: str = "server", size: str = "m5.large") -> float:
    """The service time of one busy core when all the size's vCPUs are busy: the Universal
    Scalability Law slows each core (contention and coherency)."""
    instance = INSTANCE_SIZES[size]
    return seconds / core_speed(kind, instance, instance.vcpu)


def server(nid: str, **params: Any) -> dict:
    """A web server with no waiting room limits, so that closed forms apply."""
    base = {"static_ms": 10.0, "queue_limit": 10**6, "timeout_ms": 10**9}
    return {"id": nid, "kind": "server", "params": {**base, **params}}


def jackson_split(lam: float, lb_rate: float) -> Scenario:
    """Users → a balancer splitting 3:7 at random (a probabilistic split) → two web servers
    → one database: a Jackson network with a closed form."""
    return build(
        [
            {"id": "users", "kind": "users"},
            {
                "id": "lb",
                "kind": "load_balancer",
                "params": {
                    "algorithm": "random",
                    "weights": {"web-1": 3, "web-2": 7},
                    "capacity_rps": lb_rate,
                    "latency_ms": 0.0,
                },
            },
            server("web-1", read_ms=8.0),
            server("web-2", read_ms=5.0),
            {"id": "db", "kind": "database", "params": {"read_ms": 4.0}},
        ],
        [
            ("users", "lb", {"latency_ms": 20.0}),
            ("lb", "web-1"),
            ("lb", "web-2"),
            ("web-1", "db", {"latency_ms": 1.0}),
            ("web-2", "db", {"latency_ms": 1.0}),
        ],
        users=int(lam),
        requests_per_user_per_s=1.0,
        mix=READ_ONLY,
    )


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
