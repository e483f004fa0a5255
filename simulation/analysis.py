"""Analysis without running: single points of failure per request class, the largest number
of users the design can carry with its bottleneck, and the cost per month."""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np

from simulation.catalogue import HOURS_PER_MONTH
from simulation.compile import Compiled, K
from simulation.flow import FlowEngine
from simulation.scenario import REQUEST_CLASSES, Scenario

_EPSILON_USERS = 1e-6


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


def cost_per_month(engine: FlowEngine, per_user: np.ndarray, users: float) -> float:
    """Instances as provisioned, plus CDN transfer of the static hits at the workload's rate."""
    model = engine.model
    hourly = model.cost_per_hour()
    if len(model.cache_nodes):
        hit = np.zeros(model.n)
        hit[model.cache_nodes] = engine.hit_ratios()
        static = per_user[0] * users
        hourly += float((model.cdn_price_per_request * static * hit).sum()) * 3600
    return round(hourly * HOURS_PER_MONTH, 2)


def analyze(scenario: Scenario) -> dict[str, Any]:
    """Everything the `analyze` command prints."""
    engine, per_user = demand_per_user(scenario)
    users = float(scenario.workload.users)
    limit = capacity_limit(engine.model, per_user, users)
    return {
        "spofs": single_points_of_failure(engine.model),
        "max_users": limit["max_users"],
        "max_rps": limit["max_rps"],
        "bottleneck": limit["bottleneck"],
        "headroom": limit["headroom"],
        "cost_per_month": cost_per_month(engine, per_user, users),
    }
