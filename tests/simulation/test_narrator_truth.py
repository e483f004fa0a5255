"""The event log says only what the frames around each event support, over many seeded runs of
every stage with random failures: draining only while a queue shrinks and its node is not
failing, growth rates as measured, misses sent where the cache or CDN really sends them, and
no health check credited to a balancer that is down."""

from __future__ import annotations

import random
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from conftest import example_data

from simulation.des.engine import DesEngine
from simulation.flow import FlowEngine
from simulation.narrator import Narrator
from simulation.scenario import Scenario
from simulation.validate import validate_scenario

STAGES = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "examples").glob("*.json"))
RUNS_PER_STAGE = 12
GROWING = re.compile(r"^(\S+) is saturated: .*queue growing by ([\d,.]+) requests/s")
DRAINING = re.compile(r"^(\S+) queue is draining")
COLD = re.compile(r"^(\S+) (?:went cold|flushed): .*misses go to (.+) while it warms up")
HEALTH_CHECK = re.compile(r"^(\S+)'s health check took .* out of rotation")
CHECKS = {"draining": DRAINING, "growing": GROWING, "cold": COLD, "health check": HEALTH_CHECK}


def _random_failures(data: dict, rng: random.Random, duration_s: float) -> list[dict]:
    """Kills, restores, slow-downs, flushes and cuts at random times."""
    nodes = [n for n in data["nodes"] if n["kind"] != "users"]
    caches = [n["id"] for n in nodes if n["kind"] in ("cache", "cdn")]
    links = [f"{e['from']}->{e['to']}" for e in data["edges"] if e.get("kind") != "replication"]
    failures = []
    for _ in range(rng.randint(1, 6)):
        at = round(rng.uniform(1, duration_s - 2), 1)
        node = rng.choice(nodes)["id"]
        action = rng.choice(["kill", "kill", "restore", "slow", "flush", "cut", "restore_link"])
        if action == "flush" and caches:
            failures.append({"at_s": at, "action": "flush", "target": rng.choice(caches)})
        elif action == "slow":
            factor = rng.choice([2.0, 5.0, 20.0, 1.0])
            failures.append({"at_s": at, "action": "slow", "target": node, "factor": factor})
        elif action in ("cut", "restore_link"):
            verb = "cut" if action == "cut" else "restore"
            failures.append({"at_s": at, "action": verb, "target": rng.choice(links)})
        else:
            failures.append({"at_s": at, "action": "kill" if action != "restore" else "restore",
                             "target": node})  # fmt: skip
    balancers = [n["id"] for n in nodes if n["kind"] == "load_balancer"]
    if balancers and rng.random() < 0.5:
        # A target dies, then its balancer, before the health check has noticed the target.
        lb = rng.choice(balancers)
        behind = [e["to"] for e in data["edges"] if e["from"] == lb]
        at = round(rng.uniform(1, duration_s / 2), 1)
        failures.append({"at_s": at, "action": "kill", "target": rng.choice(behind)})
        failures.append({"at_s": at + rng.uniform(0.5, 8), "action": "kill", "target": lb})
    return failures


def _scenario(stage: str, seed: int, duration_s: float, users_scale: list[float]) -> Scenario:
    rng = random.Random(f"{stage}-{seed}")
    data = example_data(stage)
    data["workload"]["users"] = max(1, int(data["workload"]["users"] * rng.choice(users_scale)))
    for node in data["nodes"]:
        if node["kind"] == "load_balancer":
            checks = {"health_check_interval_s": rng.choice([2.0, 5.0, 30.0])}
            node["params"] = {**node.get("params", {}), **checks}
    data["failures"] = _random_failures(data, rng, duration_s)
    data["run"] = {"duration_s": duration_s, "tick_s": 1.0}
    result = validate_scenario(data)
    assert result.ok, [str(e) for e in result.errors]
    return result.scenario


def _members(scenario: Scenario, node_id: str) -> set[str]:
    """A database node and the others in its replication group."""
    group = {node_id}
    for e in scenario.edges:
        if e.kind == "replication" and node_id in (e.source, e.target):
            group |= {e.source, e.target}
    for e in scenario.edges:
        if e.kind == "replication" and e.source in group:
            group.add(e.target)
    return group


def _misses_go_to(scenario: Scenario, node_id: str) -> set[str]:
    """Where, by the design, a cache's or a CDN's misses are sent."""
    kinds = {n.id: n.kind for n in scenario.nodes}
    requests = [e for e in scenario.edges if e.kind == "request"]
    targets = {e.target for e in requests if e.source == node_id}
    if kinds[node_id] == "cdn":
        return targets
    data = {t for t in targets if kinds[t] in ("database", "replica")}
    if not data:
        servers = {e.source for e in requests if e.target == node_id}
        data = {e.target for e in requests if e.source in servers} & {
            n for n, k in kinds.items() if k in ("database", "replica")
        }
    return set().union(*(_members(scenario, d) for d in data)) if data else set()


def _named(words: str) -> set[str]:
    return set(re.split(r", | and ", words))


def falsehoods(
    scenario: Scenario, frames: list[dict], narrator: Narrator, checked: Counter | None = None
) -> list[str]:
    """Every event the frames around it contradict, with its time and why; `checked` counts
    the events put to each check."""
    wrong = []
    prev = None
    checked = Counter() if checked is None else checked
    for frame in frames:
        for event in narrator(frame):
            text = event["text"]
            checked.update(name for name, sentence in CHECKS.items() if sentence.match(text))
            at = f"t={frame['t']:g} {text!r}"
            node = frame["nodes"]
            if m := DRAINING.match(text):
                now, before = node[m[1]], prev["nodes"][m[1]] if prev else None
                if before is None or now["queue_length"] >= before["queue_length"]:
                    wrong.append(f"{at}: the queue did not shrink")
                elif now["utilization"] >= 0.95 and now["error_rps"] > 0:
                    wrong.append(f"{at}: the node is saturated and failing")
            if (m := GROWING.match(text)) and prev is None:
                wrong.append(f"{at}: no frame before it to measure growth against")
            elif m:
                stated = float(m[2].replace(",", ""))
                dt = frame["t"] - prev["t"]
                growth = (node[m[1]]["queue_length"] - prev["nodes"][m[1]]["queue_length"]) / dt
                if abs(stated - growth) > 0.1 * abs(growth):
                    wrong.append(f"{at}: the queue grew by {growth:,.1f} requests/s")
            if m := COLD.match(text):
                named, real = _named(m[2]), _misses_go_to(scenario, m[1])
                if not named or not named <= real:
                    wrong.append(f"{at}: misses go to {sorted(real)}")
            if (m := HEALTH_CHECK.match(text)) and not node[m[1]]["alive"]:
                wrong.append(f"{at}: {m[1]} is down")
        prev = frame
    return wrong


def _run(engine, seconds: float) -> list[dict]:
    frames = []
    while engine.t < seconds - 1e-9:
        frames.append(engine.step())
    return frames


def _links(scenario: Scenario) -> list[tuple[str, str]]:
    return [(e.source, e.target) for e in scenario.edges]


@cache
def _flow_run(stage: str, seed: int) -> tuple[Scenario, list[dict]]:
    scenario = _scenario(stage, seed, 60.0, [1, 4, 20, 60, 200])
    return scenario, _run(FlowEngine(scenario), 60.0)


@pytest.mark.parametrize("stage", STAGES)
def test_every_flow_engine_event_is_supported_by_the_frames_around_it(stage):
    wrong = []
    for seed in range(RUNS_PER_STAGE):
        scenario, frames = _flow_run(stage, seed)
        told = falsehoods(scenario, frames, Narrator(_links(scenario)))
        wrong += [f"seed {seed} {w}" for w in told]
    assert not wrong, "\n".join(wrong[:20])


@pytest.mark.parametrize("stage", STAGES)
def test_every_discrete_event_engine_event_is_supported_by_the_frames_around_it(stage):
    wrong = []
    for seed in range(3):
        scenario = _scenario(stage, seed, 20.0, [0.1, 0.5, 1])
        frames = _run(DesEngine(scenario, seed=seed), 20.0)
        told = falsehoods(scenario, frames, Narrator(_links(scenario)))
        wrong += [f"seed {seed} {w}" for w in told]
    assert not wrong, "\n".join(wrong[:20])


def test_the_random_runs_put_every_check_to_work():
    checked = Counter()
    for stage in STAGES:
        for seed in range(RUNS_PER_STAGE):
            scenario, frames = _flow_run(stage, seed)
            falsehoods(scenario, frames, Narrator(_links(scenario)), checked)
    assert set(checked) == set(CHECKS), checked


def test_a_killed_cdn_sends_its_misses_to_its_origin_and_a_cache_to_the_database():
    scenario = _scenario("06-cdn", 0, 10.0, [1])
    frames = _run(FlowEngine(scenario.model_copy(update={"failures": []})), 10.0)
    narrator = Narrator(_links(scenario))
    for frame in frames:
        narrator(frame)
    cold = dict(frames[-1])
    cold["t"] += 1.0
    cold["nodes"] = {k: dict(v) for k, v in frames[-1]["nodes"].items()}
    cold["nodes"]["cdn"]["hit_ratio"] = 0.0
    cold["nodes"]["cache"]["hit_ratio"] = 0.0
    cold["events"] = []

    told = {e["node"]: e["text"] for e in narrator(cold)}

    assert "misses go to lb while it warms up" in told["cdn"]
    assert "misses go to db, db-replica-1 and db-replica-2 while it warms up" in told["cache"]
