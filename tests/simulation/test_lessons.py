"""The chapter's lessons (product brief, section 4) hold on the six example stages."""

import pytest
from conftest import example, example_data, frames_of

from simulation.analysis import VERTICAL_LIMIT, analyze, size_capacities
from simulation.catalogue import LARGEST_INSTANCE_SIZE
from simulation.flow import FlowEngine
from simulation.scenario import Scenario
from simulation.validate import validate_scenario


def steady(name, **workload):
    return frames_of(FlowEngine(example(name, **workload)), 5)[-1]


def test_separating_the_database_frees_the_web_server():
    single = steady("01-single-server")["nodes"]["web"]
    separate = steady("02-separate-database")["nodes"]["web"]
    assert separate["utilization"] < 0.6 * single["utilization"]
    assert separate["p99_ms"] < single["p99_ms"]


def test_a_load_balancer_with_more_servers_raises_the_users_the_design_can_carry():
    two = analyze(example("02-separate-database"))
    three = analyze(example("03-load-balancer"))
    assert three["max_users"] == pytest.approx(2 * two["max_users"], rel=0.01)
    assert three["bottleneck"]["node"] in ("web-1", "web-2")


def test_single_load_balancer_and_single_primary_are_points_of_failure():
    spofs = {s["node"]: s["classes"] for s in analyze(example("03-load-balancer"))["spofs"]}
    assert spofs == {"lb": ["static", "read", "write"], "db": ["read", "write"]}


def test_replicas_take_read_load_and_remove_the_primary_as_a_spof():
    stage3 = steady("03-load-balancer")["nodes"]
    stage4 = steady("04-replication")["nodes"]
    reads = stage4["db-replica-1"]["served_rps"] + stage4["db-replica-2"]["served_rps"]
    assert reads == pytest.approx(67.5)
    assert stage4["db"]["served_rps"] == pytest.approx(7.5)  # writes only
    assert stage4["db"]["utilization"] < stage3["db"]["utilization"]
    assert [s["node"] for s in analyze(example("04-replication"))["spofs"]] == ["lb"]


def test_replicas_survive_a_primary_failure_after_failover():
    scenario = example("04-replication")
    failover = scenario.node("db").params.failover_time_s
    data = example_data("04-replication")
    data["failures"] = [{"action": "kill", "target": "db", "at_s": 60}]
    frames = frames_of(FlowEngine(validate_scenario(data).scenario), 60 + failover + 30)
    failed = [f for f in frames if f["classes"]["write"]["error_rate"] > 0.99]
    assert len(failed) == pytest.approx(failover, abs=1)
    assert frames[-1]["system"]["error_rate"] == 0
    assert all(f["classes"]["read"]["error_rate"] == 0 for f in frames)


def test_cache_cuts_database_read_load_by_its_hit_ratio_and_a_flush_hurts():
    without = steady("04-replication")["nodes"]
    frame = steady("05-cache")
    hit = frame["nodes"]["cache"]["hit_ratio"]

    def reads(nodes):
        return nodes["db-replica-1"]["served_rps"] + nodes["db-replica-2"]["served_rps"]

    assert 0.3 < hit < 1
    assert reads(frame["nodes"]) == pytest.approx(reads(without) * (1 - hit), rel=1e-6)
    data = example_data("05-cache")
    data["failures"] = [{"action": "flush", "target": "cache", "at_s": 10}]
    flushed = frames_of(FlowEngine(validate_scenario(data).scenario), 12)[-1]
    assert reads(flushed["nodes"]) > 2 * reads(frame["nodes"])
    assert flushed["classes"]["read"]["mean_ms"] > frame["classes"]["read"]["mean_ms"]


def test_hit_ratio_follows_capacity_and_policy_not_a_typed_number():
    def hit(size, eviction):
        data = example_data("05-cache")
        data["workload"]["keys"]["keys"] = 20_000_000
        data["nodes"][-1]["params"] = {"instance_size": size, "eviction": eviction, "ttl_s": 1e7}
        return frames_of(FlowEngine(validate_scenario(data).scenario), 2)[-1]["nodes"]["cache"][
            "hit_ratio"
        ]

    assert hit("cache.t3.micro", "lru") < hit("cache.t3.medium", "lru")
    assert hit("cache.t3.medium", "fifo") < hit("cache.t3.medium", "lru")
    assert hit("cache.t3.medium", "lru") < hit("cache.t3.medium", "lfu")


def test_cdn_takes_static_load_off_the_origin():
    before = steady("05-cache")
    after = steady("06-cdn")
    origin_before = before["nodes"]["lb"]["served_rps"]
    origin_after = after["nodes"]["lb"]["served_rps"]
    cdn_hit = after["nodes"]["cdn"]["hit_ratio"]
    assert origin_after == pytest.approx(origin_before - 75.0 * cdn_hit, rel=1e-6)
    assert after["classes"]["static"]["p50_ms"] < before["classes"]["static"]["p50_ms"]
    assert analyze(example("06-cdn"))["max_users"] > analyze(example("05-cache"))["max_users"]


def test_a_cdn_lowers_the_bill_at_a_million_users():
    without = analyze(example("05-cache", users=1_000_000))
    with_cdn = analyze(example("06-cdn", users=1_000_000))
    assert with_cdn["cost_per_month"] < without["cost_per_month"]
    assert with_cdn["cost_breakdown"]["bandwidth"] < without["cost_breakdown"]["bandwidth"] / 5
    assert with_cdn["cost_breakdown"]["cdn"] > 0
    # The saving is in the transfer tiers: the same design pays for every byte it sends.
    for line in ("compute", "database", "cache", "load_balancer"):
        assert with_cdn["cost_breakdown"][line] == without["cost_breakdown"][line]


def test_eight_times_the_machine_carries_fewer_than_eight_times_the_users():
    def users_at(size):
        data = example_data("02-separate-database")
        data["nodes"][1]["params"] = {"instance_size": size}
        return analyze(validate_scenario(data).scenario)["max_users"]

    one, eight = users_at("m5.large"), users_at("m5.4xlarge")  # 2 and 16 vCPUs
    assert 4 * one < eight < 8 * one
    per_dollar = {
        r["instance_size"]: r["capacity_per_dollar_hour"] for r in size_capacities("server")
    }
    assert per_dollar["m5.4xlarge"] < per_dollar["m5.large"]
    assert per_dollar["t3.micro"] < per_dollar["m5.large"]  # a burstable size sustains its baseline


def test_vertical_scaling_hits_a_ceiling_and_stays_a_single_point_of_failure():
    def at_size(size):
        data = example_data("01-single-server")
        data["nodes"][1]["params"] = {"instance_size": size}
        return validate_scenario(data)

    small = analyze(at_size("m5.large").scenario)
    largest = analyze(at_size(LARGEST_INSTANCE_SIZE).scenario)
    # 48 times the vCPUs carry far fewer than 48 times the users (USL), at 48 times the price.
    assert 5 * small["max_users"] < largest["max_users"] < 20 * small["max_users"]
    assert largest["vertical_limits"] == [
        {"node": "web", "instance_size": LARGEST_INSTANCE_SIZE, "message": VERTICAL_LIMIT % "web"}
    ]
    assert largest["spofs"] == [{"node": "web", "classes": ["static", "read", "write"]}]
    beyond = at_size("m5.48xlarge")
    assert not beyond.ok
    assert beyond.errors[0].path == "nodes[web].params.instance_size"
    horizontal = example_data("01-single-server")
    horizontal["nodes"][1]["params"] = {"instances": 200}
    scaled = analyze(Scenario.model_validate(horizontal))
    assert scaled["max_users"] > largest["max_users"]
    assert scaled["spofs"] == []


def test_stage_1_refuses_clones_until_the_data_moves_to_a_database():
    cloned = example_data("01-single-server")
    cloned["nodes"][1]["params"] = {"instances": 5}
    separate = example_data("02-separate-database")
    web = next(n for n in separate["nodes"] if n["id"] == "web")
    web.setdefault("params", {})["instances"] = 5

    refused = validate_scenario(cloned)
    engine = FlowEngine(example("01-single-server"))

    assert [i.path for i in refused.errors] == ["nodes[web].params.instances"]
    assert "Move the data to a database first" in refused.errors[0].message
    with pytest.raises(ValueError, match="keeps its data on the server itself"):
        engine.apply({"action": "resize", "target": "web", "instances": 2})
    assert validate_scenario(separate).ok
