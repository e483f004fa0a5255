"""The discrete-event engine's mechanisms: same frame keys as the flow engine, reproducible
runs, least connections, queue limits, timeouts, health checks, replication with stale reads
and lost writes, cache flush, and the CLI."""

import json

import pytest
from conftest import EXAMPLES, build, example

from simulation.cli import main
from simulation.des import DesEngine, run_des
from simulation.flow import FlowEngine
from simulation.scenario import FlushChange, KillChange
from simulation.validate import validate_scenario

STATIC_ONLY = {"static": 1.0, "read": 0.0, "write": 0.0}


def keys_of(tree, prefix=""):
    if not isinstance(tree, dict):
        return {prefix}
    return set().union(*(keys_of(v, f"{prefix}/{k}") for k, v in tree.items())) | {prefix}


def test_frames_have_the_flow_engines_keys():
    scenario = example("06-cdn")
    flow_frame = FlowEngine(scenario).step()
    des_frame = DesEngine(scenario).step()
    flow_keys = {k for k in keys_of(flow_frame) if "/errors/" not in k}
    des_keys = {k for k in keys_of(des_frame) if "/errors/" not in k}
    assert des_keys == flow_keys


def test_same_seed_same_run_and_another_seed_another():
    scenario = example("05-cache")

    def run(seed):
        engine = DesEngine(scenario, seed)
        return [engine.step()["system"]["p95_ms"] for _ in range(10)]

    assert run(4) == run(4)
    assert run(4) != run(5)


def lb_design(algorithm, fast_ms, slow_ms, users, **server):
    def web(nid, ms):
        params = {"static_ms": ms, "concurrency": 1, **server}
        return {"id": nid, "kind": "server", "params": params}

    return build(
        [
            {"id": "users", "kind": "users"},
            {"id": "lb", "kind": "load_balancer", "params": {"algorithm": algorithm}},
            web("fast", fast_ms),
            web("slow", slow_ms),
        ],
        [("users", "lb"), ("lb", "fast"), ("lb", "slow")],
        users=users,
        mix=STATIC_ONLY,
    )


def test_least_connections_sends_more_to_the_faster_server():
    engine = DesEngine(lb_design("least_connections", 2.0, 20.0, 80), 1)
    engine.run_until(60)
    nodes = engine.summary.result()["nodes"]
    # Idle servers tie; once queues form the fast one empties first and wins the ties.
    assert nodes["fast"]["served_rps"] > 1.8 * nodes["slow"]["served_rps"]
    rr = DesEngine(lb_design("round_robin", 2.0, 20.0, 80), 1)
    rr.run_until(60)
    rr_nodes = rr.summary.result()["nodes"]
    assert abs(rr_nodes["fast"]["served_rps"] - rr_nodes["slow"]["served_rps"]) < 1


def test_queue_limit_rejects_and_timeout_fails_waiting_requests():
    full = DesEngine(lb_design("round_robin", 10.0, 10.0, 400, queue_limit=5), 1)
    full.run_until(20)
    errors = full.summary.result()["system"]["errors"]
    assert errors.get("queue full at fast", 0) > 50
    late = DesEngine(lb_design("round_robin", 10.0, 10.0, 400, timeout_ms=200.0), 1)
    late.run_until(20)
    errors = late.summary.result()["system"]["errors"]
    assert errors.get("timeout at fast", 0) > 50
    # Nobody waits past the timeout, so the queue stays near rate x timeout.
    assert max(h["backlog"] for h in late.history[5:]) < 400 * 0.2 * 1.5


def test_dead_target_receives_requests_until_health_checks_fail():
    scenario = example("03-load-balancer")
    engine = DesEngine(scenario, 2)
    engine.run_until(10)
    engine.apply(KillChange(action="kill", target="web-2", at_s=10))
    lb = next(n for n in scenario.nodes if n.id == "lb").params
    detect = lb.health_check_interval_s * lb.unhealthy_threshold
    errors = [engine.step()["system"]["error_rps"] for _ in range(int(detect) + 10)]
    assert min(errors[: int(detect) - 1]) > 0
    assert sum(errors[int(detect) + 1 :]) == 0


def test_async_replica_serves_stale_reads_and_primary_death_loses_writes():
    data = json.loads((EXAMPLES / "04-replication.json").read_text())
    data["workload"].update(users=20_000, keys={"keys": 200, "zipf_exponent": 0.99})
    for node in data["nodes"]:
        if node["kind"] == "replica":
            node["params"] = {"base_lag_ms": 200.0}
    data["failures"] = [{"action": "kill", "target": "db", "at_s": 20}]
    scenario = validate_scenario(data).scenario
    engine = DesEngine(scenario, 3)
    engine.run_until(20.5)
    assert engine.stale_reads > 0
    assert engine.stale_by_key
    assert engine.lost_writes > 0
    engine.run_until(100)
    roles = {nid: engine.role[i] for i, nid in enumerate(engine.model.ids)}
    assert 0 in [roles["db-replica-1"], roles["db-replica-2"]]
    errors = engine.summary.result()["system"]["errors"]
    assert errors.get("no primary", 0) > 0


def test_flushed_cache_misses_then_warms_up_again():
    scenario = example("05-cache", users=4000)
    engine = DesEngine(scenario, 1)
    before = [engine.step()["nodes"]["cache"]["hit_ratio"] for _ in range(5)]
    engine.apply(FlushChange(action="flush", target="cache", at_s=5))
    after = [engine.step()["nodes"]["cache"]["hit_ratio"] for _ in range(30)]
    assert after[0] < min(before) - 0.2
    assert after[-1] > after[0] + 0.1


def test_replications_give_confidence_half_widths():
    summary = run_des(example("03-load-balancer"), 30, replications=3)
    block = summary["confidence"]
    assert block["method"].startswith("independent replications")
    assert block["system"]["mean_ms"]["half_width"] > 0
    assert set(summary["system"]) >= {"served_rps", "p95_ms", "error_rate"}


def test_cli_runs_the_des_with_replications(capsys):
    code = main(
        ["run", str(EXAMPLES / "02-separate-database.json"), "--engine", "des"]
        + ["--duration", "20", "--replications", "2"]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["engine"] == "des"
    assert out["replications"] == 2
    assert "half_width" in out["confidence"]["system"]["mean_ms"]


def in_system(engine):
    dead = sum(1 for _, code in engine.heap if engine.r_dead[code >> 1])
    heap_side = len(engine.r_cls) - len(engine.free) - dead
    fast = engine.fast or engine._fast_counts
    if fast is None:
        return heap_side
    pending = sum(len(part[0]) for parts in fast.pend for part in parts)
    later = sum(len(part[0]) for parts in fast.done_later for part in parts)
    return heap_side + pending + later


def test_every_request_is_answered_failed_or_still_in_flight_across_the_hand_over():
    data = json.loads((EXAMPLES / "04-replication.json").read_text())
    data["failures"] = [
        {"action": "kill", "target": "web-2", "at_s": 20.5},
        {"action": "kill", "target": "db", "at_s": 30},
        {"action": "restore", "target": "web-2", "at_s": 40},
    ]
    engine = DesEngine(validate_scenario(data).scenario, 9)
    engine.run_until(20)
    assert engine.fast is not None
    engine.run_until(60)
    assert engine.fast is None
    offered = sum(h["offered"] for h in engine.history)
    answered = sum(h["done"].sum() for h in engine.history)
    failed = sum(h["errors"] for h in engine.history)
    assert failed > 0
    assert offered == pytest.approx(answered + failed + in_system(engine), abs=1e-6)


def test_fast_path_and_event_heap_agree():
    scenario = example("06-cdn", users=3000)
    runs = []
    for fast in (True, False):
        engine = DesEngine(scenario, 3, node_percentiles=False, fast=fast)
        engine.run_until(100)
        assert (engine.fast is not None) == fast
        runs.append(engine.summary.result())
    quick, heap = runs
    assert quick["system"]["served_rps"] == pytest.approx(heap["system"]["served_rps"], rel=0.01)
    assert quick["system"]["p50_ms"] == pytest.approx(heap["system"]["p50_ms"], rel=0.03)
    for nid, node in heap["nodes"].items():
        other = quick["nodes"][nid]
        if node["utilization"] > 0.05:
            assert other["utilization"] == pytest.approx(node["utilization"], rel=0.03)
            assert other["mean_ms"] == pytest.approx(node["mean_ms"], rel=0.05)
        if "hit_ratio" in node:
            assert other["hit_ratio"] == pytest.approx(node["hit_ratio"], abs=0.01)
