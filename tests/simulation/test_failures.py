"""Failures and live changes: detection, failover, warm-up, lost writes, stale reads."""

import numpy as np
import pytest
from conftest import build, example, frames_of, usl_s

from simulation.changes import ChangeError
from simulation.flow import FlowEngine
from simulation.scenario import Scenario


def engine(scenario: Scenario, *changes: dict) -> FlowEngine:
    e = FlowEngine(scenario)
    e._pending = sorted(
        Scenario.model_validate({"failures": list(changes)}).failures, key=lambda c: c.at_s
    )
    return e


def at(frames, t):
    return next(f for f in frames if abs(f["t"] - t) < 1e-9)


def test_load_balancer_sends_to_dead_target_until_health_check_notices():
    e = engine(example("03-load-balancer"), {"action": "kill", "target": "web-2", "at_s": 10})
    frames = frames_of(e, 100)
    lb = example("03-load-balancer").node("lb").params
    detection = lb.health_check_interval_s * lb.unhealthy_threshold
    during = at(frames, 10 + detection)
    assert during["system"]["errors"]["node down at web-2"] == pytest.approx(75.0)
    after = at(frames, 11 + detection)
    assert after["system"]["errors"] == {}
    assert "lb's health check took web-2 out of rotation" in after["events"]
    assert after["nodes"]["web-1"]["offered_rps"] == pytest.approx(150.0)


def test_killed_primary_is_replaced_by_replica_after_failover_time():
    e = engine(example("04-replication"), {"action": "kill", "target": "db", "at_s": 30})
    frames = frames_of(e, 150)
    failing = [f["t"] for f in frames if f["system"]["errors"].get("no primary", 0) > 0]
    assert failing[0] == pytest.approx(31) and failing[-1] == pytest.approx(90)
    assert at(frames, 100)["classes"]["write"]["error_rate"] == 0
    roles = {n: at(frames, 100)["nodes"][n]["role"] for n in ("db-replica-1", "db-replica-2")}
    assert sorted(roles.values()) == ["primary", "replica"]
    assert at(frames, 60)["classes"]["read"]["error_rate"] == 0  # replicas keep serving


def test_a_dead_former_primary_reports_no_replication_lag_while_down():
    e = engine(example("04-replication"), {"action": "kill", "target": "db", "at_s": 30})
    frames = frames_of(e, 150)
    old = at(frames, 140)["nodes"]["db"]
    assert old["role"] == "replica" and not old["alive"]
    assert old["replication_lag_ms"] == 0.0
    assert at(frames, 140)["nodes"]["db-replica-2"]["replication_lag_ms"] > 0


def test_writes_fail_until_restore_when_the_primary_has_no_replica():
    e = engine(
        example("03-load-balancer"),
        {"action": "kill", "target": "db", "at_s": 10},
        {"action": "restore", "target": "db", "at_s": 200},
    )
    frames = frames_of(e, 210)
    assert at(frames, 199)["classes"]["write"]["error_rate"] == pytest.approx(1.0)
    assert at(frames, 199)["classes"]["read"]["error_rate"] == pytest.approx(1.0)
    assert at(frames, 201)["system"]["errors"] == {}


@pytest.mark.parametrize(("mode", "lost"), [("async", True), ("sync", False)])
def test_asynchronous_replication_loses_writes_when_the_primary_dies(stage, mode, lost):
    scenario = stage("04-replication")
    data = scenario.model_dump(by_alias=True)
    for node in data["nodes"]:
        if node["kind"] == "replica":
            node["params"]["replication"] = mode
    e = engine(Scenario.model_validate(data), {"action": "kill", "target": "db", "at_s": 20})
    frames = frames_of(e, 30)
    assert (frames[-1]["system"]["lost_writes"] > 0) is lost
    assert (frames[-1]["system"]["stale_reads"] > 0) is lost


def test_replication_lag_grows_when_writes_outrun_the_replica():
    scenario = example(
        "04-replication", users=200_000, mix={"static": 0, "read": 0.5, "write": 0.5}
    )
    data = scenario.model_dump(by_alias=True)
    for node in data["nodes"]:
        if node["kind"] == "replica":
            node["params"]["apply_workers"] = 1
        if node["kind"] == "server":
            node["params"]["instances"] = 50
    for node in data["nodes"]:
        if node["kind"] == "database":
            node["params"]["instance_size"] = "m5.24xlarge"
    e = FlowEngine(Scenario.model_validate(data))
    frames = frames_of(e, 20)
    lags = [f["nodes"]["db-replica-1"]["replication_lag_ms"] for f in frames]
    assert lags[-1] > lags[5] > lags[0] > 20


def test_slow_down_raises_utilisation_and_latency():
    e = engine(
        example("02-separate-database"),
        {"action": "slow", "target": "web", "factor": 1.5, "at_s": 5},
    )
    frames = frames_of(e, 10)
    before, after = at(frames, 5)["nodes"]["web"], at(frames, 10)["nodes"]["web"]
    assert after["utilization"] == pytest.approx(before["utilization"] * 1.5)
    assert after["mean_ms"] > before["mean_ms"] * 1.5


def test_cache_flush_sends_misses_to_the_database_while_it_warms_up():
    e = engine(example("05-cache"), {"action": "flush", "target": "cache", "at_s": 30})
    frames = frames_of(e, 400)

    def replica_reads(t):
        nodes = at(frames, t)["nodes"]
        return nodes["db-replica-1"]["offered_rps"] + nodes["db-replica-2"]["offered_rps"]

    warm_hit = at(frames, 30)["nodes"]["cache"]["hit_ratio"]
    assert 0.3 < warm_hit < 0.95
    assert at(frames, 31)["nodes"]["cache"]["hit_ratio"] == 0
    assert replica_reads(31) == pytest.approx(67.5, rel=1e-6)  # every read misses
    assert replica_reads(30) == pytest.approx(67.5 * (1 - warm_hit), rel=1e-6)
    hits = [f["nodes"]["cache"]["hit_ratio"] for f in frames if f["t"] > 31]
    assert all(b >= a - 1e-12 for a, b in zip(hits, hits[1:], strict=False))
    assert 0.5 * warm_hit < hits[-1] <= warm_hit + 1e-9


def test_dead_cache_sends_reads_straight_to_the_database():
    e = engine(example("05-cache"), {"action": "kill", "target": "cache", "at_s": 5})
    frames = frames_of(e, 8)
    assert frames[-1]["system"]["error_rate"] == 0
    nodes = frames[-1]["nodes"]
    assert nodes["db-replica-1"]["offered_rps"] + nodes["db-replica-2"]["offered_rps"] == (
        pytest.approx(67.5)
    )


def test_cut_link_fails_the_requests_that_cross_it():
    e = engine(
        example("02-separate-database"),
        {"action": "cut", "target": "web->db", "at_s": 5},
        {"action": "restore", "target": "web->db", "at_s": 10},
    )
    frames = frames_of(e, 12)
    assert at(frames, 6)["system"]["errors"] == {"link cut web->db": pytest.approx(75.0)}
    assert at(frames, 11)["system"]["errors"] == {}


def test_zone_down_takes_every_node_in_it_and_zone_up_restores_them():
    e = engine(
        example("03-load-balancer"),
        {"action": "zone_down", "target": "zone-b", "at_s": 5},
        {"action": "zone_up", "target": "zone-b", "at_s": 10},
    )
    frames = frames_of(e, 12)
    assert at(frames, 6)["nodes"]["web-2"]["alive"] is False
    assert at(frames, 6)["nodes"]["web-1"]["alive"] is True
    assert at(frames, 11)["nodes"]["web-2"]["alive"] is True


def test_overload_builds_a_backlog_that_drains_after_the_spike():
    scenario = example(
        "02-separate-database", shape={"type": "spike", "at_s": 10, "duration_s": 20, "factor": 2.5}
    )
    frames = frames_of(FlowEngine(scenario), 120)
    queue = [f["nodes"]["web"]["queue_length"] for f in frames]
    assert queue[25] > queue[15] > 100  # grows during the spike
    assert queue[40] < queue[30]  # drains after it
    assert queue[-1] < 1
    assert at(frames, 25)["nodes"]["web"]["utilization"] == pytest.approx(1.0)
    assert at(frames, 25)["system"]["p99_ms"] > 10 * at(frames, 5)["system"]["p99_ms"]


def test_queue_limit_and_timeout_become_errors_by_reason():
    nodes = [
        {"id": "users", "kind": "users"},
        {"id": "web", "kind": "server", "params": {"queue_limit": 50}},
        {"id": "slow", "kind": "server", "params": {"timeout_ms": 200}},
    ]
    for target in ("web", "slow"):
        scenario = build(
            nodes[:1] + [n for n in nodes if n["id"] == target], [("users", target)], users=1_000
        )
        frames = frames_of(FlowEngine(scenario), 10)
        reason = "queue full at web" if target == "web" else "timeout at slow"
        assert frames[-1]["system"]["errors"].get(reason, 0) > 0


def test_active_passive_load_balancer_fails_over_single_one_does_not(stage):
    for mode, recovers in (("active_passive", True), ("single", False)):
        data = stage("03-load-balancer").model_dump(by_alias=True)
        data["nodes"][1]["params"]["mode"] = mode
        e = engine(
            Scenario.model_validate(data),
            {"action": "kill", "target": "lb", "instances": 1, "at_s": 5},
        )
        frames = frames_of(e, 60)
        assert at(frames, 10)["system"]["error_rate"] == pytest.approx(1.0)
        assert (at(frames, 60)["system"]["error_rate"] == 0) is recovers


def test_live_changes_users_add_remove_and_resize():
    e = FlowEngine(example("03-load-balancer"))
    e.step()
    e.apply({"action": "users", "users": 2000})
    assert e.step()["system"]["offered_rps"] == pytest.approx(300)
    add = {
        "action": "add_node",
        "node": {"id": "web-3", "kind": "server"},
        "edges": [{"from": "lb", "to": "web-3"}, {"from": "web-3", "to": "db"}],
    }
    e.apply(add)
    frame = e.step()
    assert frame["nodes"]["web-3"]["offered_rps"] == pytest.approx(100)
    e.apply({"action": "resize", "target": "web-1", "instance_size": "m5.2xlarge"})
    frame = e.step()
    assert frame["nodes"]["web-1"]["utilization"] < frame["nodes"]["web-2"]["utilization"] / 3
    e.apply({"action": "remove_node", "target": "web-3"})
    frame = e.step()
    assert "web-3" not in frame["nodes"]
    assert frame["system"]["error_rate"] == 0


def test_change_that_would_break_the_design_is_refused():
    e = FlowEngine(example("02-separate-database"))
    bad = {"action": "remove_node", "target": "web"}
    with pytest.raises(ChangeError, match="no path from users"):
        e.apply(bad)
    assert e.step()["system"]["error_rate"] == 0


def test_bad_change_is_refused_with_the_field_named():
    e = FlowEngine(example("02-separate-database"))
    with pytest.raises(ChangeError, match="factor: must be greater than 0"):
        e.apply({"action": "slow", "target": "web", "factor": 0})
    with pytest.raises(ChangeError, match="the users cannot fail"):
        e.apply({"action": "kill", "target": "users"})


def test_fluid_backlog_grows_and_drains_at_the_rate_difference():
    nodes = [
        {"id": "users", "kind": "users"},
        {"id": "web", "kind": "server", "params": {"instance_size": "m5.large",
                                                   "static_ms": 10.0, "queue_limit": 10**6}},
    ]  # fmt: skip
    spike = {"type": "spike", "at_s": 10, "duration_s": 20, "factor": 3.0}
    scenario = build(nodes, [("users", "web")], users=150, shape=spike,
                     mix={"static": 1.0, "read": 0.0, "write": 0.0})  # fmt: skip
    engine = FlowEngine(scenario, tick_s=0.5)
    capacity = 2 / usl_s(0.010)  # 2 vCPU, 10 ms each, slowed by contention (USL)
    backlog = []
    while engine.t < 60:
        engine.advance()
        backlog.append(engine.backlog.sum())
    during = np.diff(backlog[22:58])  # ticks inside the spike, after the first
    assert during == pytest.approx(np.full(len(during), (450 - capacity) * 0.5))
    drained = np.diff(backlog[61:70])
    assert drained == pytest.approx(np.full(len(drained), (150 - capacity) * 0.5))
