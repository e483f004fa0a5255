"""ScaleLab's discrete-event engine against ciw and SimPy on the same open networks, one run.

1. Two nodes: Poisson arrivals at 100/s into an M/M/4 web tier at utilisation 0.7; 20 % go on
   to an M/M/1 database at utilisation 0.7; 80 % leave. Closed form: Jackson.
2. A 20-node design (DNS, two CDNs, two load balancers, 8 web servers, 2 caches, a primary and
   3 replicas). ScaleLab runs the design itself (real cache keys, round robin, replication);
   ciw and SimPy run its single-class Jackson equivalent (routing and mean service per node
   taken from the compiled design at its operating point).

Each tool runs for about `--seconds` of wall time per network, in four independent runs taken
in turn with the other tools' (a short pilot sets the simulated horizon), so that a change in
the machine's load falls on all of them. ScaleLab runs with live metrics on: a full frame
(every node's rates, utilisation, queue, latency percentiles and errors; the classes; the
system) every `--tick` simulated seconds, handed to a callback, far more frames per wall
second than a browser draws (10). Prints customers/s, events/s (2 per station visit), the
ratios, each tool's error against the closed form and ScaleLab's 95 % confidence interval
(from the four runs); the last line is JSON.

    python benchmarks/des_vs_peers.py [--seconds 20] [--tick 10]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulation.compile import compile_scenario  # noqa: E402
from simulation.des import DesEngine  # noqa: E402
from simulation.flow import FlowEngine  # noqa: E402
from simulation.queueing import mmc_mean_wait  # noqa: E402
from simulation.stats import replications  # noqa: E402
from simulation.validate import validate_scenario  # noqa: E402

LAM = 100.0
S_WEB = 4 * 0.7 / LAM  # M/M/4 at 0.7
S_DB = 0.7 / (0.2 * LAM)  # M/M/1 at 0.7


# --- the networks as queueing models (stations, service, routing) ------------------------------


class Network:
    """A single-class open Jackson network: entry rate, servers (0 = pure delay), mean service
    times (s), routing matrix."""

    def __init__(self, rate, servers, service, routing, entry=0):
        self.rate = rate
        self.servers = list(servers)
        self.service = list(service)
        self.routing = np.asarray(routing, dtype=float)
        self.entry = entry

    def visits(self) -> np.ndarray:
        n = len(self.servers)
        e = np.zeros(n)
        e[self.entry] = 1.0
        return np.linalg.solve(np.eye(n) - self.routing.T, e)

    def closed_form_mean(self) -> float:
        total = 0.0
        for i, v in enumerate(self.visits()):
            c, s = self.servers[i], self.service[i]
            if v <= 0:
                continue
            total += v * (s if c == 0 else mmc_mean_wait(c, self.rate * v, s) + s)
        return total


def two_node_network() -> Network:
    return Network(LAM, [4, 1], [S_WEB, S_DB], [[0, 0.2], [0, 0]])


def two_node_scenario():
    raw = {
        "name": "two-node open network",
        "nodes": [
            {"id": "users", "kind": "users"},
            {
                "id": "web",
                "kind": "server",
                "params": {
                    "instance_size": "m5.xlarge",
                    "concurrency": 4,
                    "static_ms": S_WEB * 1000,
                    "write_ms": S_WEB * 1000,
                    "queue_limit": 10**6,
                    "timeout_ms": 10**9,
                },
            },
            {
                "id": "db",
                "kind": "server",
                "params": {
                    "concurrency": 1,
                    "write_ms": S_DB * 1000 - 20.0,
                    "local_write_ms": 20.0,
                    "queue_limit": 10**6,
                    "timeout_ms": 10**9,
                },
            },
        ],
        "edges": [
            {"from": "users", "to": "web", "latency_ms": 0},
            {"from": "web", "to": "db", "latency_ms": 0},
        ],
        "workload": {
            "users": int(LAM),
            "requests_per_user_per_s": 1.0,
            "mix": {"static": 0.8, "read": 0.0, "write": 0.2},
        },
    }
    return _valid(raw)


def twenty_node_scenario(users: int = 20_000):
    nodes = [{"id": "users", "kind": "users"}, {"id": "dns", "kind": "dns"}]
    nodes += [{"id": f"cdn-{z}", "kind": "cdn", "zone": f"zone-{z}"} for z in "ab"]
    nodes += [{"id": f"lb-{z}", "kind": "load_balancer", "zone": f"zone-{z}"} for z in "ab"]
    webs = [f"web-{i}" for i in range(1, 9)]
    nodes += [{"id": w, "kind": "server", "zone": "zone-a" if i < 4 else "zone-b"}
              for i, w in enumerate(webs)]  # fmt: skip
    nodes += [{"id": f"cache-{i}", "kind": "cache", "params": {"servers": 2}} for i in (1, 2)]
    nodes += [{"id": "db", "kind": "database", "params": {"instance_size": "m5.2xlarge"}}]
    nodes += [{"id": f"replica-{i}", "kind": "replica"} for i in (1, 2, 3)]
    edges = [("users", "dns")] + [("dns", f"cdn-{z}") for z in "ab"]
    edges += [("dns", f"lb-{z}") for z in "ab"]
    edges += [(f"cdn-{z}", f"lb-{z}") for z in "ab"]
    edges += [("lb-a", w) for w in webs[:4]] + [("lb-b", w) for w in webs[4:]]
    for w in webs:
        edges += [(w, "cache-1"), (w, "cache-2"), (w, "db")]
    edges += [("db", f"replica-{i}", {"kind": "replication"}) for i in (1, 2, 3)]
    raw = {
        "name": "20-node design",
        "nodes": nodes,
        "edges": [
            {"from": e[0], "to": e[1], "latency_ms": 0.5, **(e[2] if len(e) > 2 else {})}
            for e in edges
        ],
        "workload": {
            "users": users,
            "requests_per_user_per_s": 0.1,
            "keys": {"keys": 100_000, "zipf_exponent": 0.99, "value_size_kb": 50.0},
            "static_catalogue": {"objects": 20_000, "zipf_exponent": 0.8, "object_size_kb": 50},
        },
    }
    return _valid(raw)


def _valid(raw):
    result = validate_scenario(raw)
    if not result.ok:
        raise SystemExit("; ".join(str(e) for e in result.errors))
    return result.scenario


def jackson_equivalent(scenario) -> Network:
    """The design at its operating point as a single-class network over its nodes (users
    excluded): mean service per node and routing shares from the compiled routes."""
    engine = FlowEngine(scenario, node_percentiles=False)
    res = engine.advance()
    m = engine.model
    served = res["served"].sum(axis=0)
    keep = [i for i in range(m.n) if i != m.users_node and served[i] > 0]
    pos = {i: p for p, i in enumerate(keep)}
    work = (res["served"] * m.service_s).sum(axis=0)
    servers, service = [], []
    for i in keep:
        if m.infinite[i]:
            servers.append(0)
            service.append(float(m.delay_s[i]))
        else:
            servers.append(int(m.servers_per_instance[i] * m.active_instances[i]))
            service.append(float(work[i] / served[i]))
    routing = np.zeros((len(keep), len(keep)))
    for r in range(len(m.routes)):
        s, d = int(m.routes.src[r]), int(m.routes.dst[r])
        if s in pos and d in pos:
            routing[pos[s], pos[d]] += res["route_flow"][r] / served[s]
    entry = pos[int(m.routes.dst[m.routes.src == m.users_node][0])]
    return Network(float(res["offered"].sum()), servers, service, routing, entry)


# --- the three tools ----------------------------------------------------------------------------


def run_ciw(net: Network, horizon: float, seed: int = 1) -> dict:
    import ciw

    n = len(net.servers)
    dist = ciw.dists
    arrivals = [dist.Exponential(net.rate) if i == net.entry else None for i in range(n)]
    service = [
        dist.Deterministic(max(s, 1e-9)) if c == 0 else dist.Exponential(1 / s)
        for c, s in zip(net.servers, net.service, strict=True)
    ]
    servers = [float("inf") if c == 0 else c for c in net.servers]
    network = ciw.create_network(
        arrival_distributions=arrivals,
        service_distributions=service,
        number_of_servers=servers,
        routing=net.routing.tolist(),
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    start = time.perf_counter()
    sim.simulate_until_max_time(horizon)
    wall = time.perf_counter() - start
    records = sim.get_all_records()
    visits = len(records)
    born: dict[int, float] = {}
    end: dict[int, float] = {}
    for r in records:
        born[r.id_number] = min(born.get(r.id_number, np.inf), r.arrival_date)
        end[r.id_number] = max(end.get(r.id_number, 0.0), r.exit_date)
    exited = {r.id_number for r in records if r.destination == -1}
    sojourn = [end[i] - born[i] for i in exited if born[i] > horizon * 0.1]
    return _result(len(exited), visits, wall, float(np.mean(sojourn)))


def run_simpy(net: Network, horizon: float, seed: int = 1) -> dict:
    import simpy

    rnd = random.Random(seed)
    env = simpy.Environment()
    n = len(net.servers)
    res = [simpy.Resource(env, c) if c > 0 else None for c in net.servers]
    cum = [np.cumsum(net.routing[i]).tolist() for i in range(n)]
    stats = {"done": 0, "visits": 0, "sum": 0.0, "count": 0}
    warm = horizon * 0.1

    def customer(env):
        born = env.now
        i = net.entry
        while i >= 0:
            stats["visits"] += 1
            if res[i] is None:
                yield env.timeout(net.service[i])
            else:
                with res[i].request() as req:
                    yield req
                    yield env.timeout(rnd.expovariate(1 / net.service[i]))
            u = rnd.random()
            row = cum[i]
            i = next((j for j in range(n) if u < row[j]), -1)
        stats["done"] += 1
        if born > warm:
            stats["sum"] += env.now - born
            stats["count"] += 1

    def source(env):
        while True:
            yield env.timeout(rnd.expovariate(net.rate))
            env.process(customer(env))

    env.process(source(env))
    start = time.perf_counter()
    env.run(until=horizon)
    wall = time.perf_counter() - start
    return _result(stats["done"], stats["visits"], wall, stats["sum"] / max(stats["count"], 1))


def run_scalelab(scenario, horizon: float, seed: int = 1, tick_s: float = 10.0) -> dict:
    frames = []
    engine = DesEngine(scenario, seed, on_frame=frames.append, node_percentiles=True, tick_s=tick_s)
    stations = ~compile_scenario(scenario).infinite
    start = time.perf_counter()
    engine.run_until(horizon)
    wall = time.perf_counter() - start
    h = engine.history
    warm = int(len(h) * 0.1)
    done = sum(x["done"].sum() for x in h)
    visits = sum(x["node_served"][stations].sum() for x in h)
    mean = sum(x["latency_sum"].sum() for x in h[warm:]) / sum(x["done"].sum() for x in h[warm:])
    return {**_result(int(done), int(visits), wall, mean), "frames_per_s": len(frames) / wall}


def _result(customers: int, visits: int, wall: float, mean: float) -> dict:
    return {
        "customers": customers,
        "wall_s": wall,
        "customers_per_s": customers / wall,
        "events_per_s": 2 * visits / wall,
        "mean_s": mean,
    }


def race(tools: dict, budget: float, rounds: int = 4) -> dict:
    """Each tool {name: (run, model, pilot horizon)} runs about `budget` seconds of wall time,
    in `rounds` independent runs taken in turn, so that a change in the machine's load falls
    on every tool alike. A short pilot run sets each tool's simulated horizon."""
    horizons = {}
    for name, (run, model, pilot) in tools.items():
        probe = run(model, pilot)
        horizons[name] = pilot * budget / rounds / max(probe["wall_s"], 1e-3)
    runs: dict[str, list[dict]] = {name: [] for name in tools}
    for r in range(rounds):
        for name, (run, model, _) in tools.items():
            runs[name].append(run(model, horizons[name], seed=r + 1))
    out = {}
    for name, rs in runs.items():
        customers = sum(x["customers"] for x in rs)
        wall = sum(x["wall_s"] for x in rs)
        visits = sum(x["events_per_s"] * x["wall_s"] / 2 for x in rs)
        mean = sum(x["mean_s"] * x["customers"] for x in rs) / customers
        out[name] = _result(customers, int(visits), wall, mean)
        if "frames_per_s" in rs[0]:
            ci = replications([x["mean_s"] * 1e3 for x in rs])
            out[name] |= {
                "frames_per_s": sum(x["frames_per_s"] * x["wall_s"] for x in rs) / wall,
                "ci_ms": (ci.low, ci.high),
            }
    return out


def compare(title: str, results: dict, exact: float, same_model: bool = True) -> None:
    print(f"\n{title}")
    print(f"{'tool':10s} {'customers/s':>12s} {'events/s':>12s} {'mean ms':>9s} {'error':>8s}")
    for tool, r in results.items():
        err = r["mean_s"] / exact - 1
        frames = f"  ({r['frames_per_s']:,.0f} frames/s)" if "frames_per_s" in r else ""
        print(
            f"{tool:10s} {r['customers_per_s']:12,.0f} {r['events_per_s']:12,.0f} "
            f"{r['mean_s'] * 1e3:9.3f} {err:+8.2%}{frames}"
        )
    low, high = results["scalelab"]["ci_ms"]
    print(f"closed form mean {exact * 1e3:.3f} ms; ScaleLab 95 % CI {low:.3f}-{high:.3f} ms")
    if same_model:
        inside = "inside" if low <= exact * 1e3 <= high else "outside"
        print(f"(the closed form is {inside} ScaleLab's interval)")
    else:
        print("(ScaleLab runs the design itself: round robin, fixed delays, per-class service)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="wall time per tool and net")
    parser.add_argument("--tick", type=float, default=10.0, help="simulated seconds per frame")
    args = parser.parse_args()
    budget = args.seconds

    def scalelab(scenario, horizon, seed=1):
        return run_scalelab(scenario, horizon, seed, tick_s=args.tick)

    net2 = two_node_network()
    two = race(
        {
            "ciw": (run_ciw, net2, 100.0),
            "simpy": (run_simpy, net2, 200.0),
            "scalelab": (scalelab, two_node_scenario(), 500.0),
        },
        budget,
    )
    exact2 = net2.closed_form_mean()
    compare("two-node network (M/M/4 -> 20 % M/M/1, utilisation 0.7)", two, exact2)

    scenario20 = twenty_node_scenario()
    net20 = jackson_equivalent(scenario20)
    twenty = race(
        {
            "ciw": (run_ciw, net20, 2.0),
            "simpy": (run_simpy, net20, 5.0),
            "scalelab": (scalelab, scenario20, 20.0),
        },
        budget,
    )
    compare(
        f"20-node design at {net20.rate:,.0f} requests/s (ciw, SimPy: its Jackson equivalent)",
        twenty,
        net20.closed_form_mean(),
        same_model=False,
    )

    def ratio(results, peer):
        return results["scalelab"]["customers_per_s"] / results[peer]["customers_per_s"]

    out = {
        "ciw_ratio": round(ratio(two, "ciw"), 2),
        "simpy_ratio": round(ratio(two, "simpy"), 2),
        "ciw_ratio_20_node": round(ratio(twenty, "ciw"), 2),
        "simpy_ratio_20_node": round(ratio(twenty, "simpy"), 2),
        "scalelab_customers_per_s": round(two["scalelab"]["customers_per_s"]),
        "scalelab_error_two_node": round(two["scalelab"]["mean_s"] / exact2 - 1, 4),
        "scalelab_ci_contains_closed_form": bool(
            two["scalelab"]["ci_ms"][0] <= exact2 * 1e3 <= two["scalelab"]["ci_ms"][1]
        ),
        "frame_every_simulated_s": args.tick,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
