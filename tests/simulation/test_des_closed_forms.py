"""The discrete-event engine reproduces M/M/1, M/M/c (Erlang C) and a Jackson network with a
probabilistic split: each closed form lies inside the engine's 95 % confidence interval.

Where a test checks several metrics at once, the per-metric level is raised (Bonferroni) so
that the test as a whole keeps 95 %: a fixed seed must not be what makes it pass."""

import pytest
from conftest import STATIC_ONLY, build, jackson_split, server, usl_s

from simulation.des import DesEngine, steady_state
from simulation.queueing import mmc_mean_wait


def sojourn(c, rate, s):
    return mmc_mean_wait(c, rate, s) + s


def estimates(scenario, seconds, checks=1, seed=7):
    engine = DesEngine(scenario, seed, node_percentiles=False)
    engine.run_until(seconds)
    level = 1 - 0.05 / checks
    return steady_state(engine.history, engine.model.ids, confidence=level)["estimates"]


def test_mm1_mean_response_and_utilisation_inside_confidence_interval():
    lam, s = 70.0, 0.010
    scenario = build(
        [{"id": "users", "kind": "users"}, server("web", concurrency=1)],
        [("users", "web")],
        users=int(lam),
        mix=STATIC_ONLY,
    )
    est = estimates(scenario, 1500, checks=2)
    c = 1
    assert est["system.mean_ms"].contains(1000 * sojourn(1, lam, s))
    assert est["nodes.web.utilization"].contains(lam * s / c)
    assert est["system.mean_ms"].half_width < 0.08 * est["system.mean_ms"].mean


@pytest.mark.parametrize(
    ("size", "instances", "lam"), [("m5.xlarge", 1, 320.0), ("m5.large", 3, 480.0)]
)
def test_mmc_mean_response_inside_confidence_interval(size, instances, lam):
    s = usl_s(0.010, size=size)
    scenario = build(
        [{"id": "users", "kind": "users"}, server("web", instance_size=size, instances=instances)],
        [("users", "web")],
        users=int(lam),
        mix=STATIC_ONLY,
    )
    est = estimates(scenario, 400, checks=2)
    c = {"m5.xlarge": 4, "m5.large": 2}[size] * instances
    assert est["nodes.web.mean_ms"].contains(1000 * sojourn(c, lam, s))
    assert est["nodes.web.utilization"].contains(lam * s / c)


def test_jackson_network_with_weighted_random_split_inside_confidence_intervals():
    lam, lb_rate = 300.0, 2000.0
    scenario = jackson_split(lam, lb_rate)
    est = estimates(scenario, 300, checks=6)
    expected = {
        "lb": sojourn(1, lam, 1 / lb_rate),
        "web-1": sojourn(2, 0.3 * lam, usl_s(0.008)),
        "web-2": sojourn(2, 0.7 * lam, usl_s(0.005)),
        "db": sojourn(2, lam, usl_s(0.004, "database")),
    }
    for nid, value in expected.items():
        assert est[f"nodes.{nid}.mean_ms"].contains(1000 * value), nid
    end_to_end = (
        0.020 + expected["lb"] + 0.3 * expected["web-1"] + 0.7 * expected["web-2"]
        + 0.001 + expected["db"]
    )  # fmt: skip
    assert est["system.mean_ms"].contains(1000 * end_to_end)
    assert est["nodes.web-1.utilization"].contains(0.3 * lam * usl_s(0.008) / 2)
