"""The flow engine reproduces M/M/1, M/M/c (Erlang C) and a Jackson network in steady state."""

import math

import numpy as np
import pytest
from conftest import READ_ONLY, STATIC_ONLY, build, jackson_split, server, usl_s

from simulation.flow import FlowEngine
from simulation.queueing import erlang_c, mmc_mean_wait, mmc_sojourn_quantile, sojourn_tail

REL = 1e-6


def settle(scenario, ticks=5):
    engine = FlowEngine(scenario)
    for _ in range(ticks):
        engine.step()
    return engine, engine.last


def node(engine, nid):
    return engine.model.index[nid]


def test_mm1_matches_closed_form():
    lam, s = 70.0, 0.010
    scenario = build(
        [{"id": "users", "kind": "users"}, server("web", concurrency=1)],
        [("users", "web")],
        users=70,
        requests_per_user_per_s=1.0,
        mix=STATIC_ONLY,
    )
    engine, res = settle(scenario)
    i = node(engine, "web")
    mu = 1 / s
    rho = lam / mu
    assert res["utilization"][i] == pytest.approx(rho, rel=REL)
    assert res["node_mean_s"][i] == pytest.approx(1 / (mu - lam), rel=REL)
    assert res["queue_length"][i] == pytest.approx(rho**2 / (1 - rho), rel=REL)
    for q, value in zip((0.5, 0.95, 0.99), res["node_quantiles_s"][:, i], strict=True):
        assert value == pytest.approx(-math.log(1 - q) / (mu - lam), rel=REL)
    assert res["class_mean_s"][0] == pytest.approx(1 / (mu - lam), rel=REL)


@pytest.mark.parametrize(
    ("size", "instances", "lam"),
    [("m5.xlarge", 1, 320.0), ("m5.large", 3, 540.0), ("m5.4xlarge", 2, 1960.0)],
)
def test_mmc_matches_erlang_c(size, instances, lam):
    s = usl_s(0.010, size=size)
    scenario = build(
        [{"id": "users", "kind": "users"}, server("web", instance_size=size, instances=instances)],
        [("users", "web")],
        users=int(lam),
        requests_per_user_per_s=1.0,
        mix=STATIC_ONLY,
    )
    engine, res = settle(scenario)
    i = node(engine, "web")
    c = int(engine.c_eff[i])
    wq = mmc_mean_wait(c, lam, s)
    assert res["utilization"][i] == pytest.approx(lam * s / c, rel=REL)
    assert res["node_mean_s"][i] == pytest.approx(wq + s, rel=REL)
    assert res["queue_length"][i] == pytest.approx(lam * wq, rel=REL)
    assert res["node_quantiles_s"][2, i] == pytest.approx(
        mmc_sojourn_quantile(c, lam, s, 0.99), rel=REL
    )


def test_erlang_c_reference_value():
    # Kleinrock's textbook example: 2 servers, offered load 1.5 Erlang.
    assert erlang_c(2, 1.5) == pytest.approx(0.6428571428571429, rel=1e-12)


def test_jackson_network_with_probabilistic_split():
    lam = 300.0
    lb_rate = 2_000.0
    scenario = jackson_split(lam, lb_rate)
    engine, res = settle(scenario)

    def sojourn(c, rate, s):
        return mmc_mean_wait(c, rate, s) + s

    expected = {
        "lb": sojourn(1, lam, 1 / lb_rate),
        "web-1": sojourn(2, 0.3 * lam, usl_s(0.008)),
        "web-2": sojourn(2, 0.7 * lam, usl_s(0.005)),
        "db": sojourn(2, lam, usl_s(0.004, "database")),
    }
    arrivals = res["arrivals"].sum(axis=0)
    for nid, value in expected.items():
        i = node(engine, nid)
        assert res["node_mean_s"][i] == pytest.approx(value, rel=REL), nid
    assert arrivals[node(engine, "web-1")] == pytest.approx(0.3 * lam, rel=1e-12)
    end_to_end = (
        0.020 + expected["lb"] + 0.3 * expected["web-1"] + 0.7 * expected["web-2"]
        + 0.001 + expected["db"]
    )  # fmt: skip
    assert res["class_mean_s"][1] == pytest.approx(end_to_end, rel=REL)


def test_tabulated_erlang_c_agrees_with_exact_over_a_range():
    from simulation.queueing import ErlangTable

    table = ErlangTable()
    servers = np.array([1, 2, 8, 32, 96])
    rows = table.rows_for(servers)
    for rho in (0.1, 0.5, 0.8, 0.95, 0.99):
        got = table.erlang_c(rows, servers, np.full(len(servers), rho))
        want = np.array([erlang_c(int(c), rho * c) for c in servers])
        assert got == pytest.approx(want, rel=1e-5)


def test_stationary_queue_builds_up_over_the_relaxation_time_not_at_once():
    s, before, after = 0.010, 50.0, 95.0
    scenario = build(
        [{"id": "users", "kind": "users"}, server("web", concurrency=1)],
        [("users", "web")],
        users=int(before), requests_per_user_per_s=1.0, mix=STATIC_ONLY,
        shape={"type": "step", "at_s": 10, "factor": after / before},
    )  # fmt: skip
    engine = FlowEngine(scenario)
    queue = []
    for _ in range(200):
        engine.step()
        queue.append(engine.last["queue_length"][node(engine, "web")])
    rho = after * s
    stationary = rho**2 / (1 - rho)
    assert queue[9] == pytest.approx(0.5**2 / 0.5, rel=REL)  # before the step
    assert queue[10] < 0.2 * stationary  # one tick after it
    assert queue[20] < queue[40] < queue[80]  # builds up
    assert queue[-1] == pytest.approx(stationary, rel=1e-3)  # and settles


def test_end_to_end_percentiles_of_a_tandem_are_close_to_exact():
    # Two M/M/1 stations in tandem: the response time is hypoexponential.
    lam = 60.0
    scenario = build(
        [
            {"id": "users", "kind": "users"},
            server("web", concurrency=1, read_ms=10.0),
            {"id": "db", "kind": "database", "params": {"instance_size": "m5.large",
                                                        "read_ms": 25.0}},
        ],
        [("users", "web"), ("web", "db")],
        users=int(lam), requests_per_user_per_s=1.0, mix=READ_ONLY,
    )  # fmt: skip
    engine, res = settle(scenario)
    a = 1 / 0.010 - lam  # web: M/M/1, response time exponential with rate a
    db = node(engine, "db")
    assert engine.c_eff[db] == 2
    mu = 1 / usl_s(0.025, "database")  # db: M/M/2
    wait_prob = erlang_c(2, lam / mu)

    def survival(t):
        # P(T > t) for T = web + db, by numerical convolution of the two exact laws.
        grid = np.linspace(0, t, 4001)
        tail_db = sojourn_tail(t - grid, np.array(mu), np.array(2 * mu - lam), wait_prob)
        return np.exp(-a * t) + np.trapezoid(a * np.exp(-a * grid) * tail_db, grid)

    frame = engine.step()
    for key, q in (("p50_ms", 0.5), ("p95_ms", 0.95), ("p99_ms", 0.99)):
        lo, hi = 0.0, 10.0
        for _ in range(60):
            t = (lo + hi) / 2
            lo, hi = (t, hi) if survival(t) > 1 - q else (lo, t)
        assert frame["classes"]["read"][key] == pytest.approx(t * 1000, rel=0.03), key


def test_end_to_end_percentiles_of_one_station_are_close_to_exact():
    lam = 70.0
    scenario = build(
        [{"id": "users", "kind": "users"}, server("web", concurrency=1)],
        [("users", "web")],
        users=int(lam), requests_per_user_per_s=1.0, mix=STATIC_ONLY,
    )  # fmt: skip
    frame = FlowEngine(scenario).step()
    for key, q in (("p50_ms", 0.5), ("p95_ms", 0.95), ("p99_ms", 0.99)):
        exact = -math.log(1 - q) / (100 - lam) * 1000
        assert frame["system"][key] == pytest.approx(exact, rel=0.02)


def test_ggc_model_keeps_exponential_poisson_stations_exact():
    lam, s = 70.0, 0.010
    scenario = build(
        [{"id": "users", "kind": "users"}, server("web", concurrency=1)],
        [("users", "web")],
        users=int(lam), requests_per_user_per_s=1.0, mix=STATIC_ONLY,
    )  # fmt: skip
    engine = FlowEngine(scenario, queue_model="ggc")
    engine.step()
    i = node(engine, "web")
    assert engine.last["node_mean_s"][i] == pytest.approx(1 / (1 / s - lam), rel=REL)


def test_ggc_model_scales_the_wait_by_the_service_variability_of_the_class_mix():
    mix = {"static": 0.5, "read": 0.5, "write": 0.0}
    scenario = build(
        [{"id": "users", "kind": "users"}, server("web", static_ms=1.0, read_ms=20.0)],
        [("users", "web")],
        users=100, requests_per_user_per_s=1.0, mix=mix,
    )  # fmt: skip
    plain = FlowEngine(scenario, queue_model="mmc")
    ggc = FlowEngine(scenario, queue_model="ggc")
    plain.step()
    ggc.step()
    i = node(plain, "web")
    means = plain.model.service_s[:2, i]  # static, and read with the local data work
    cs2 = (0.5 * 2 * means**2).sum() / (0.5 * means).sum() ** 2 - 1
    assert ggc.last["wait_s"][i] == pytest.approx(plain.last["wait_s"][i] * (1 + cs2) / 2, rel=REL)


def test_ggc_model_shortens_waits_behind_a_round_robin_balancer():
    def wait(algorithm):
        scenario = build(
            [
                {"id": "users", "kind": "users"},
                {"id": "lb", "kind": "load_balancer", "params": {"algorithm": algorithm}},
                server("web-1"),
                server("web-2"),
            ],
            [("users", "lb"), ("lb", "web-1"), ("lb", "web-2")],
            users=300, requests_per_user_per_s=1.0, mix=STATIC_ONLY,
        )  # fmt: skip
        engine = FlowEngine(scenario, queue_model="ggc")
        engine.step()
        return engine.last["wait_s"][node(engine, "web-1")]

    assert wait("round_robin") < 0.75 * wait("random")


def test_large_server_pools_use_an_equally_exact_fast_erlang_c():
    from simulation.queueing import ErlangTable

    table = ErlangTable()
    servers = np.array([401, 1_000, 960_000])
    rows = table.rows_for(servers)
    for rho in (0.8, 0.9, 0.95, 0.99):
        got = table.erlang_c(rows[:2], servers[:2], np.full(2, rho))
        want = np.array([erlang_c(int(c), rho * c) for c in servers[:2]])
        assert got == pytest.approx(want, rel=1e-4)
    assert 0 < table.erlang_c(rows[2:], servers[2:], np.array([0.99]))[0] < 1
