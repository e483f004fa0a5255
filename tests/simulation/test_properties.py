"""Invariants over generated designs: conservation of requests and Little's law, every tick."""

import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.flow import FlowEngine
from simulation.validate import validate_scenario

SIZES = ["t3.micro", "m5.large", "m5.xlarge", "m5.4xlarge"]


@st.composite
def designs(draw):
    webs = draw(st.integers(1, 4))
    with_lb = webs > 1 or draw(st.booleans())
    with_db = draw(st.booleans())
    replicas = draw(st.integers(0, 2)) if with_db else 0
    with_cache = with_db and draw(st.booleans())
    nodes = [{"id": "users", "kind": "users"}]
    edges = []
    entry = []
    if with_lb:
        nodes.append({
            "id": "lb", "kind": "load_balancer",
            "params": {
                "algorithm": draw(st.sampled_from(["round_robin", "least_connections"])),
                "capacity_rps": draw(st.floats(100, 1e5)),
                "mode": draw(st.sampled_from(["single", "active_passive", "active_active"])),
            },
        })  # fmt: skip
        edges.append({"from": "users", "to": "lb"})
        entry = ["lb"]
    for w in range(webs):
        wid = f"web-{w}"
        nodes.append({
            "id": wid, "kind": "server",
            "params": {
                "instances": draw(st.integers(1, 3)),
                "instance_size": draw(st.sampled_from(SIZES)),
                "read_ms": draw(st.floats(0.5, 50)),
                "write_ms": draw(st.floats(0.5, 50)),
                "queue_limit": draw(st.integers(0, 5000)),
                "timeout_ms": draw(st.floats(20, 30_000)),
            },
        })  # fmt: skip
        edges.append({"from": entry[0] if entry else "users", "to": wid})
        if with_db:
            edges.append({"from": wid, "to": "db"})
            edges += [{"from": wid, "to": f"r{r}"} for r in range(replicas)]
        if with_cache:
            edges.append({"from": wid, "to": "cache"})
    if with_db:
        nodes.append(
            {
                "id": "db",
                "kind": "database",
                "params": {"connection_limit": draw(st.integers(2, 500))},
            }
        )
        for r in range(replicas):
            nodes.append(
                {
                    "id": f"r{r}",
                    "kind": "replica",
                    "params": {"replication": draw(st.sampled_from(["async", "sync"]))},
                }
            )
            edges.append({"from": "db", "to": f"r{r}", "kind": "replication"})
    if with_cache:
        nodes.append(
            {
                "id": "cache",
                "kind": "cache",
                "params": {
                    "eviction": draw(st.sampled_from(["lru", "fifo", "lfu"])),
                    "instance_size": "cache.t3.micro",
                },
            }
        )
    mix = draw(st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3).filter(lambda m: sum(m) > 0.1))
    total = sum(mix)
    mix = {"static": mix[0] / total, "read": mix[1] / total}
    mix["write"] = max(1 - mix["static"] - mix["read"], 0.0)
    cloned = webs > 1 or any(
        n["params"].get("instances", 1) > 1 for n in nodes if n["kind"] == "server"
    )
    if cloned and not with_db:
        # Servers holding their own data can't be cloned while anything writes.
        mix = {"static": mix["static"], "read": 1 - mix["static"], "write": 0.0}
    ids = [n["id"] for n in nodes if n["id"] != "users"]
    links = [f"{e['from']}->{e['to']}" for e in edges if e.get("kind") != "replication"]
    failures = []
    for _ in range(draw(st.integers(0, 4))):
        action = draw(st.sampled_from(["kill", "slow", "restore", "cut", "zone_down", "flush"]))
        change = {"action": action, "at_s": float(draw(st.integers(0, 12)))}
        if action == "cut":
            change["target"] = draw(st.sampled_from(links))
        elif action == "zone_down":
            change["target"] = "zone-a"
        elif action == "flush":
            if not with_cache:
                continue
            change["target"] = "cache"
        else:
            change["target"] = draw(st.sampled_from(ids))
        if action == "slow":
            change["factor"] = draw(st.floats(0.5, 20))
        if action == "kill" and draw(st.booleans()):
            change["instances"] = 1
        failures.append(change)
    doc = {
        "nodes": nodes,
        "edges": edges,
        "workload": {
            "users": draw(st.integers(0, 200_000)),
            "requests_per_user_per_s": draw(st.floats(0.01, 2)),
            "mix": mix,
            "keys": {"keys": draw(st.integers(1, 10**7))},
            "shape": draw(st.sampled_from([
                {"type": "constant"},
                {"type": "spike", "at_s": 3, "duration_s": 5, "factor": 4},
                {"type": "ramp", "start_s": 0, "end_s": 15, "from_factor": 0.2},
            ])),
        },
        "failures": failures,
        "run": {"tick_s": draw(st.sampled_from([0.1, 0.5, 1.0, 5.0]))},
    }  # fmt: skip
    result = validate_scenario(doc)
    assert result.ok, [str(e) for e in result.errors]
    return result.scenario


def run_checked(scenario, ticks, check):
    engine = FlowEngine(scenario)
    for _ in range(ticks):
        before = engine.backlog.sum()
        engine.step()
        check(engine, engine.last, before)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs())
def test_offered_equals_served_plus_errors_plus_backlog_change(scenario):
    def check(engine, res, before):
        offered = res["offered"].sum()
        accounted = (
            res["completions"].sum()
            + res["errors"].sum()
            + res["link_errors"].sum()
            + (res["backlog"].sum() - before) / engine.dt
        )
        assert accounted == np.float64(accounted)
        assert abs(offered - accounted) <= 1e-9 * max(offered, 1.0)
        assert (res["backlog"] >= -1e-9).all()
        assert (res["errors"] >= -1e-9).all()

    run_checked(scenario, 15, check)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs())
def test_littles_law_holds_at_every_node(scenario):
    def check(engine, res, before):
        finite = ~engine.bypass & (res["capacity"] > 0)
        served = res["served"].sum(axis=0)
        waiting = res["queue_length"]
        assert np.allclose(waiting[finite], (served * res["wait_s"])[finite], rtol=1e-9, atol=1e-9)
        assert (res["utilization"] <= 1 + 1e-12).all()

    run_checked(scenario, 12, check)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs(), st.integers(0, 2**32))
def test_runs_are_reproducible_and_frames_are_finite_json(scenario, seed):
    a = FlowEngine(scenario, seed)
    b = FlowEngine(scenario, seed)
    for _ in range(6):
        frame = a.step()
        assert frame == b.step()
        json.dumps(frame, allow_nan=False)  # finite numbers only, ready for a browser
    json.dumps(a.summary.result(), allow_nan=False)
