"""Analysis without running: single points of failure per request class, the largest number
of users the design can carry with its bottleneck, the nodes that cannot grow vertically, and
the bill per month by line."""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np

from simulation.catalogue import INSTANCE_SIZES, LARGEST_INSTANCE_SIZE, core_speed
from simulation.compile import Compiled, K
from simulation.flow import FlowEngine
from simulation.pricing import monthly_bill
from simulation.scenario import REQUEST_CLASSES, Scenario

_EPSILON_USERS = 1e-6
VERTICAL_LIMIT = "%s is at its largest size: scale out instead"
VERTICAL_LIMIT_PRIMARY = (
    "%s is at its largest size: move reads to replicas and writes to a faster engine or shards"
)


SINK = -1  # virtual node every completion leads to


def class_graph(model: Compiled, k: int) -> nx.DiGraph:
    """How requests of class k can go, as a graph over node indices ending in SINK.

    After every failover: caches are transparent (a dead cache is bypassed), and every
    member of a database group can complete writes (a replica is promoted).
    """
    g = nx.DiGraph()
    g.add_nodes_from(range(model.n))
    sel = model.routes.cls == k
    g.add_edges_from(
        zip(model.routes.src[sel].tolist(), model.routes.dst[sel].tolist(), strict=True)
    )
    caches = set(model.cache_nodes.tolist())
    for c in caches:
        if model.kinds[c] == "cache":
            g.add_edges_from((p, s) for p in list(g.predecessors(c)) for s in g.successors(c))
    g.add_edges_from((i, SINK) for i in range(model.n) if model.fwd[k, i] == 0 and i not in caches)
    return g


def single_points_of_failure(model: Compiled) -> list[dict[str, Any]]:
    """Nodes whose failure leaves some request class no way to complete, after failover.

    A node is one for class k when it dominates SINK from the users: every way from the users
    to a completion goes through it. Nodes with two or more instances survive the loss of one.
    """
    found: dict[int, list[str]] = {}
    users = model.users_node
    for k in range(K):
        g = class_graph(model, k)
        if model.rate_per_user[k] <= 0 or users < 0 or not nx.has_path(g, users, SINK):
            continue
        idom = nx.immediate_dominators(g, users)
        node = idom[SINK]
        while node != users:
            if model.instances[node] < 2:
                found.setdefault(node, []).append(REQUEST_CLASSES[k])
            node = idom[node]
    return [{"node": model.ids[i], "classes": found[i]} for i in sorted(found)]


def demand_per_user(scenario: Scenario) -> tuple[FlowEngine, np.ndarray]:
    """Requests per second per user arriving at each node and class, all healthy, caches warm
    at the workload's load (a tiny probe load, so no node's capacity limits the flow)."""
    engine = FlowEngine(scenario, node_percentiles=False)
    offered = engine.model.rate_per_user * _EPSILON_USERS
    res = engine.probe(offered)
    return engine, res["arrivals"] / _EPSILON_USERS


def capacity_limit(model: Compiled, per_user: np.ndarray, users: float) -> dict[str, Any]:
    """The users at which the first node saturates (utilisation 1), that node and its class."""
    work = per_user * model.service_s  # server-seconds per second per user, by class
    total = work.sum(axis=0)
    servers = model.servers_per_instance * model.active_instances
    finite = ~model.infinite & (total > 0)
    limit = np.full(model.n, np.inf)
    with np.errstate(over="ignore"):
        limit[finite] = servers[finite] / total[finite]
    # A node that would saturate only beyond the largest float (a capacity of 1e308) never does.
    finite &= np.isfinite(limit)
    if not finite.any():
        return {"max_users": None, "bottleneck": None, "max_rps": None, "headroom": []}
    order = np.argsort(limit, kind="stable")
    i = int(order[0])
    k = int(np.argmax(work[:, i]))
    with np.errstate(over="ignore", divide="ignore"):
        headroom = [
            {
                "node": model.ids[j],
                "max_users": int(limit[j]),
                "utilization_now": _finite_or_none(round(float(users / limit[j]), 6)),
            }
            for j in order[: min(5, int(finite.sum()))]
        ]
    return {
        "max_users": int(limit[i]),
        "max_rps": _finite_or_none(round(float(limit[i] * model.rate_per_user.sum()), 3)),
        "bottleneck": {"node": model.ids[i], "request_class": REQUEST_CLASSES[k]},
        "headroom": headroom,
    }


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def vertical_limits(scenario: Scenario) -> list[dict[str, str]]:
    """Servers and databases already at the largest instance size, with what to do instead."""
    return [
        {
            "node": node.id,
            "instance_size": node.params.instance_size,
            "message": (VERTICAL_LIMIT_PRIMARY if node.kind == "database" else VERTICAL_LIMIT)
            % node.id,
        }
        for node in scenario.nodes
        if node.kind in ("server", "database", "replica")
        and node.params.instance_size == LARGEST_INSTANCE_SIZE
    ]


def size_capacities(kind: str) -> list[dict[str, Any]]:
    """Per instance size, for a server or a database: its capacity in vCPUs at one core's
    uncontended speed (USL, burstable baseline) and that capacity per dollar an hour."""
    rows = []
    for name, size in INSTANCE_SIZES.items():
        capacity = size.vcpu * core_speed(kind, size, size.vcpu)
        price = size.price_per_hour_usd if kind == "server" else size.db_price_per_hour_usd
        rows.append(
            {
                "instance_size": name,
                "vcpu": size.vcpu,
                "capacity_vcpu": round(capacity, 3),
                "price_per_hour_usd": price,
                "capacity_per_dollar_hour": round(capacity / price, 3),
            }
        )
    return rows


def cost_breakdown(model: Compiled, users: float) -> dict[str, float]:
    """USD per month by line: instances as provisioned, and every request of the workload at
    `users` answered (transfer out to the internet, CDN requests)."""
    bill = monthly_bill(model, model.rate_per_user * users)
    return {line: round(usd, 2) for line, usd in bill.items()}


def analyze(scenario: Scenario) -> dict[str, Any]:
    """Everything the `analyze` command prints."""
    engine, per_user = demand_per_user(scenario)
    users = float(scenario.workload.users)
    limit = capacity_limit(engine.model, per_user, users)
    bill = cost_breakdown(engine.model, users)
    return {
        "spofs": single_points_of_failure(engine.model),
        "max_users": limit["max_users"],
        "max_rps": limit["max_rps"],
        "bottleneck": limit["bottleneck"],
        "headroom": limit["headroom"],
        "vertical_limits": vertical_limits(scenario),
        "instance_sizes": {kind: size_capacities(kind) for kind in ("server", "database")},
        "cost_per_month": round(sum(bill.values()), 2),
        "cost_breakdown": bill,
    }
