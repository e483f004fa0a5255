"""The flow engine against the discrete-event engine: the six chapter examples in steady state,
an LRU cache's hit ratio, and a transient (a server killed, a surge above capacity, recovery
and drain) against the average of DES replications."""

import numpy as np
import pytest
from conftest import build, example, usl_s

from simulation.des import DesEngine, latency_by_arrival
from simulation.flow import FlowEngine

EXAMPLES = [
    "01-single-server",
    "02-separate-database",
    "03-load-balancer",
    "04-replication",
    "05-cache",
    "06-cdn",
]


def run_both(scenario, seconds):
    flow = FlowEngine(scenario, node_percentiles=False)
    flow.run_until(seconds)
    des = DesEngine(scenario, 11, node_percentiles=False)
    des.run_until(seconds)
    return flow.summary.result(), des.summary.result()


@pytest.mark.parametrize("name", EXAMPLES)
def test_flow_throughput_utilisation_and_hit_ratio_within_5_percent_of_des(name):
    flow, des = run_both(example(name), 200)
    assert flow["system"]["served_rps"] == pytest.approx(des["system"]["served_rps"], rel=0.05)
    for nid, f in flow["nodes"].items():
        d = des["nodes"][nid]
        if d["utilization"] >= 0.05:
            assert f["utilization"] == pytest.approx(d["utilization"], rel=0.05), nid
        if "hit_ratio" in f and d["hit_ratio"] < 0.999:
            assert f["hit_ratio"] == pytest.approx(d["hit_ratio"], rel=0.05), nid


@pytest.mark.parametrize("name", EXAMPLES)
def test_flow_node_latency_within_5_percent_of_des(name):
    flow, des = run_both(example(name), 200)
    for nid, f in flow["nodes"].items():
        d = des["nodes"][nid]
        if d["utilization"] >= 0.05:
            assert f["mean_ms"] == pytest.approx(d["mean_ms"], rel=0.05), nid


@pytest.mark.parametrize("policy", ["lru", "fifo"])
def test_des_cache_hit_ratio_within_2_points_of_the_analytic_model(policy):
    scenario = build(
        [
            {"id": "users", "kind": "users"},
            {"id": "web", "kind": "server", "params": {"instance_size": "m5.4xlarge"}},
            {
                "id": "cache",
                "kind": "cache",
                "params": {"instance_size": "cache.t3.micro", "eviction": policy},
            },
            {"id": "db", "kind": "database", "params": {"instance_size": "m5.4xlarge"}},
        ],
        [("users", "web"), ("web", "cache"), ("web", "db")],
        users=400,
        mix={"static": 0.0, "read": 0.95, "write": 0.05},
        keys={"keys": 100_000, "zipf_exponent": 0.99, "value_size_kb": 50.0},
    )
    flow = FlowEngine(scenario, node_percentiles=False)
    des = DesEngine(scenario, 5, node_percentiles=False)
    assert des.cache_cap[0] == 10_000
    flow.run_until(60)
    des.run_until(60)
    f = flow.summary.result()["nodes"]["cache"]["hit_ratio"]
    d = des.summary.result()["nodes"]["cache"]["hit_ratio"]
    assert abs(f - d) < 0.02


def transient_scenario():
    def web(i):
        # 10 ms a request on each core of a busy m5.large, after the USL's slow-down.
        static_ms = 10.0 * 10.0 / usl_s(10.0)
        return {"id": f"web-{i}", "kind": "server", "params": {"static_ms": static_ms}}

    return build(
        [
            {"id": "users", "kind": "users"},
            {
                "id": "lb",
                "kind": "load_balancer",
                "params": {"health_check_interval_s": 5, "unhealthy_threshold": 2},
            },
            *[web(i) for i in range(1, 5)],
        ],
        [("users", "lb")] + [("lb", f"web-{i}") for i in range(1, 5)],
        users=500,
        mix={"static": 1.0, "read": 0.0, "write": 0.0},
        failures=[
            {"action": "kill", "target": "web-4", "at_s": 30},
            {"action": "users", "users": 750, "at_s": 60},
            {"action": "restore", "target": "web-4", "at_s": 90},
            {"action": "users", "users": 500, "at_s": 100},
        ],
    )


@pytest.fixture(scope="module")
def transient():
    scenario = transient_scenario()
    ticks = 140
    flow = FlowEngine(scenario, node_percentiles=False)
    frames = [flow.step() for _ in range(ticks)]
    backlog, latency, errors = [], [], []
    for r in range(4):
        des = DesEngine(scenario, [3, r], node_percentiles=False, keep_latencies=True)
        des_frames = [des.step() for _ in range(ticks)]
        backlog.append([f["system"]["backlog"] for f in des_frames])
        errors.append([f["system"]["error_rps"] for f in des_frames])
        latency.append(latency_by_arrival(des.latencies, des.dt, ticks))
    return {
        "flow_backlog": np.array([f["system"]["backlog"] for f in frames]),
        "flow_latency": np.array([f["system"]["mean_ms"] for f in frames]),
        "flow_errors": np.array([f["system"]["error_rps"] for f in frames]),
        "des_backlog": np.mean(backlog, axis=0),
        "des_latency": np.nanmean(latency, axis=0),
        "des_errors": np.mean(errors, axis=0),
    }


def mape(model, reference, where):
    return float(np.mean(np.abs(model[where] - reference[where]) / reference[where]))


def test_transient_backlog_and_latency_under_overload_within_10_percent(transient):
    overload = transient["des_backlog"] > 50
    assert overload.sum() > 40
    assert mape(transient["flow_backlog"], transient["des_backlog"], overload) < 0.10
    assert mape(transient["flow_latency"], transient["des_latency"], overload) < 0.10


def test_transient_errors_while_the_dead_server_is_undetected_agree(transient):
    window = slice(30, 40)  # health check: 5 s x 2
    f, d = transient["flow_errors"][window], transient["des_errors"][window]
    assert f.sum() == pytest.approx(d.sum(), rel=0.05)
    assert transient["des_errors"][45:].sum() == 0


def test_transient_latency_over_the_whole_run_within_10_percent(transient):
    everywhere = ~np.isnan(transient["des_latency"])
    assert mape(transient["flow_latency"], transient["des_latency"], everywhere) < 0.10


def split_cache_design(caches):
    nodes = [
        {"id": "users", "kind": "users"},
        {"id": "web", "kind": "server", "params": {"instance_size": "m5.4xlarge"}},
        {"id": "db", "kind": "database", "params": {"instance_size": "m5.4xlarge"}},
    ]
    nodes += [
        {"id": f"cache-{i}", "kind": "cache", "params": {"instance_size": "cache.t3.micro"}}
        for i in range(1, caches + 1)
    ]
    edges = [("users", "web"), ("web", "db")]
    edges += [("web", f"cache-{i}") for i in range(1, caches + 1)]
    return build(
        nodes,
        edges,
        users=400,
        mix={"static": 0.0, "read": 0.8, "write": 0.2},
        keys={"keys": 100_000, "zipf_exponent": 0.99, "value_size_kb": 50.0},
    )


def cache_hit_ratios(scenario):
    flow = FlowEngine(scenario, node_percentiles=False)
    flow.run_until(60)
    des = DesEngine(scenario, 5, node_percentiles=False)
    des.run_until(60)
    return (
        flow.summary.result()["nodes"]["cache-1"]["hit_ratio"],
        des.summary.result()["nodes"]["cache-1"]["hit_ratio"],
    )


def test_one_cache_with_heavy_writes_hit_ratio_within_2_points():
    flow, des = cache_hit_ratios(split_cache_design(1))
    assert abs(flow - des) < 0.02


def test_two_caches_sharing_reads_hit_ratio_within_2_points():
    flow, des = cache_hit_ratios(split_cache_design(2))
    assert abs(flow - des) < 0.02
