"""Component behaviour of product.md section 3, one behaviour per test."""

import json

import pytest
from conftest import build, example, example_data, frames_of, usl_s

from simulation.analysis import analyze
from simulation.catalogue import EC2_TRANSFER_OUT_TIERS, SECONDS_PER_MONTH
from simulation.flow import FlowEngine
from simulation.validate import validate_scenario

USERS = {"id": "users", "kind": "users"}
READS = {"static": 0.0, "read": 1.0, "write": 0.0}


def steady(scenario, ticks=3):
    return frames_of(FlowEngine(scenario), ticks)[-1]


def lb_design(algorithm, weights=None, sizes=("m5.large", "m5.large")):
    lb = {"id": "lb", "kind": "load_balancer", "params": {"algorithm": algorithm}}
    if weights:
        lb["params"]["weights"] = weights
    webs = [
        {"id": f"web-{i + 1}", "kind": "server", "params": {"instance_size": size}}
        for i, size in enumerate(sizes)
    ]
    edges = [("users", "lb")] + [("lb", w["id"]) for w in webs]
    return build([USERS, lb, *webs], edges, users=100, mix=READS)


@pytest.mark.parametrize("algorithm", ["round_robin", "random"])
def test_load_balancer_spreads_evenly(algorithm):
    nodes = steady(lb_design(algorithm))["nodes"]
    assert nodes["web-1"]["offered_rps"] == pytest.approx(50)
    assert nodes["web-2"]["offered_rps"] == pytest.approx(50)


def test_weighted_load_balancer_follows_the_weights():
    nodes = steady(lb_design("weighted", {"web-1": 1, "web-2": 3}))["nodes"]
    assert nodes["web-2"]["offered_rps"] == pytest.approx(3 * nodes["web-1"]["offered_rps"])


def test_least_connections_sends_more_to_the_bigger_server():
    nodes = steady(lb_design("least_connections", sizes=("m5.xlarge", "m5.large")))["nodes"]
    # In proportion to capacity: twice the vCPUs, each a little slower (USL).
    ratio = 2 * usl_s(1.0) / usl_s(1.0, size="m5.xlarge")
    assert 1.8 < ratio < 2
    assert nodes["web-1"]["offered_rps"] == pytest.approx(ratio * nodes["web-2"]["offered_rps"])
    assert nodes["web-1"]["utilization"] == pytest.approx(nodes["web-2"]["utilization"])


def test_dns_adds_its_lookup_time_and_is_a_single_point_of_failure():
    data = example_data("03-load-balancer")
    data["nodes"].append({"id": "dns", "kind": "dns", "params": {"lookup_latency_ms": 5}})
    data["edges"][0] = {"from": "users", "to": "dns", "latency_ms": 40}
    data["edges"].append({"from": "dns", "to": "lb", "latency_ms": 0})
    with_dns = validate_scenario(data).scenario
    before = steady(example("03-load-balancer"))["classes"]["read"]["mean_ms"]
    after = steady(with_dns)["classes"]["read"]["mean_ms"]
    assert after - before == pytest.approx(5.0 - 0.0, abs=1e-3)
    assert {"node": "dns", "classes": ["static", "read", "write"]} in analyze(with_dns)["spofs"]


def test_server_without_database_does_the_database_work_itself():
    alone = steady(example("01-single-server"))["nodes"]["web"]
    params = example("01-single-server").node("web").params
    rate = 150.0
    busy = (
        0.5 * params.static_ms
        + 0.45 * (params.read_ms + params.local_read_ms)
        + 0.05 * (params.write_ms + params.local_write_ms)
    ) / 1000
    assert alone["utilization"] == pytest.approx(rate * usl_s(busy) / 2)


def test_database_connection_limit_turns_overload_into_errors():
    scenario = build(
        [
            USERS,
            {"id": "web", "kind": "server", "params": {"instances": 50}},
            {"id": "db", "kind": "database", "params": {"connection_limit": 20}},
        ],
        [("users", "web"), ("web", "db")],
        users=5_000,
        mix=READS,
    )
    frame = frames_of(FlowEngine(scenario), 10)[-1]
    assert frame["system"]["errors"]["connection limit at db"] > 0
    assert frame["nodes"]["db"]["queue_length"] <= 20


def test_nosql_profile_serves_the_same_load_with_less_cpu():
    def util(engine):
        data = example_data("02-separate-database")
        data["nodes"][2]["params"] = {"engine": engine}
        return steady(validate_scenario(data).scenario)["nodes"]["db"]["utilization"]

    assert util("nosql") < util("sql")


def test_synchronous_replication_makes_writes_wait_for_the_replica():
    def write_ms(mode):
        data = example_data("04-replication")
        for node in data["nodes"]:
            if node["kind"] == "replica":
                node["params"] = {"replication": mode, "base_lag_ms": 30}
        return steady(validate_scenario(data).scenario)["classes"]["write"]["mean_ms"]

    assert write_ms("sync") == pytest.approx(write_ms("async") + 30, rel=1e-3)


def test_cost_per_month_is_instance_prices_plus_tiered_transfer_out_of_every_answer():
    report = analyze(example("03-load-balancer"))
    bill = report["cost_breakdown"]
    assert bill["compute"] == pytest.approx(2 * 0.096 * 730, abs=0.01)
    assert bill["load_balancer"] == pytest.approx(0.0225 * 730, abs=0.01)
    assert bill["database"] == pytest.approx(0.178 * 730, abs=0.01)
    workload = example("03-load-balancer").workload
    kb_per_request = 0.5 * 50.0 + 0.45 * 5.0 + 0.05 * 1.0  # static, read and write answers
    gb = workload.users * workload.requests_per_user_per_s * kb_per_request / 1e6
    gb *= SECONDS_PER_MONTH
    (first_gb, first_price), (_, second_price) = EC2_TRANSFER_OUT_TIERS[:2]
    assert first_gb < gb < 5 * first_gb
    expected = first_gb * first_price + (gb - first_gb) * second_price
    assert bill["bandwidth"] == pytest.approx(expected, abs=0.01)
    assert report["cost_per_month"] == pytest.approx(sum(bill.values()), abs=0.01)


def test_zero_users_give_a_quiet_valid_frame():
    frame = steady(example("06-cdn", users=0))
    assert frame["system"]["offered_rps"] == 0
    assert frame["system"]["availability"] == 1.0
    assert "NaN" not in json.dumps(frame)


def test_restored_cache_comes_back_cold_and_warms_up():
    data = example_data("05-cache")
    data["failures"] = [
        {"action": "kill", "target": "cache", "at_s": 5},
        {"action": "restore", "target": "cache", "at_s": 10},
    ]
    frames = frames_of(FlowEngine(validate_scenario(data).scenario), 60)
    hits = [f["nodes"]["cache"]["hit_ratio"] for f in frames]
    assert hits[4] > 0.3
    assert hits[10] < 0.05
    assert hits[59] > hits[20] > hits[10]


def test_partial_instance_failure_reduces_capacity_after_detection():
    data = example_data("03-load-balancer")
    data["nodes"][2]["params"] = {"instances": 4}
    data["failures"] = [{"action": "kill", "target": "web-1", "instances": 1, "at_s": 5}]
    frames = frames_of(FlowEngine(validate_scenario(data).scenario), 80)
    early = frames[10]["nodes"]["web-1"]
    assert early["instances_alive"] == 3
    assert early["errors"]["node down at web-1"] > 0
    late = frames[79]["nodes"]
    assert late["web-1"]["errors"] == {}
    assert late["web-1"]["offered_rps"] == pytest.approx(3 * late["web-2"]["offered_rps"])
