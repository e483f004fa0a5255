"""Analysis without running: single points of failure per request class, the largest number
of users the design can carry with its bottleneck, and the cost per month."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from simulation.catalogue import HOURS_PER_MONTH
from simulation.compile import Compiled, K, compile_scenario
from simulation.scenario import REQUEST_CLASSES, Scenario

_EPSILON_USERS = 1e-6


def class_graph(model: Compiled, k: int) -> nx.DiGraph:
    """Routes of request class k as a directed graph over node indices."""
    g = nx.DiGraph()
    g.add_nodes_from(range(model.n))
    sel = model.routes.cls == k
    g.add_edges_from(
        zip(model.routes.src[sel].tolist(), model.routes.dst[sel].tolist(), strict=True)
    )
    return g


def completes(graph: nx.DiGraph, model: Compiled, k: int, without: int | None = None) -> bool:
    """Can class k go from the users to a node where it completes, with `without` failed?

    Caches are transparent (the application reads the database when one is down), replicas
    complete writes (one is promoted once the failover time has passed).
    """
    g = graph.copy()
    cache_like = set(model.cache_nodes.tolist())
    if without is not None:
        if without in cache_like and model.kinds[without] == "cache":
            g.add_edges_from((p, s) for p in g.predecessors(without) for s in g.successors(without))
        g.remove_node(without)
    if model.users_node not in g:
        return False
    reach = nx.descendants(g, model.users_node)
    return any(model.fwd[k, i] == 0 and i not in cache_like for i in reach)


def redundant(model: Compiled, i: int) -> bool:
    """A node whose single failure (one instance) leaves others serving."""
    return model.instances[i] >= 2


def single_points_of_failure(model: Compiled) -> list[dict[str, Any]]:
    """Nodes whose failure leaves some request class no way to complete, after failover."""
    mix = model.rate_per_user
    graphs = [class_graph(model, k) for k in range(K)]
    result = []
    for i, nid in enumerate(model.ids):
        if i == model.users_node or redundant(model, i):
            continue
        classes = [
            REQUEST_CLASSES[k]
            for k in range(K)
            if mix[k] > 0
            and completes(graphs[k], model, k)
            and not completes(graphs[k], model, k, without=i)
        ]
        if classes:
            result.append({"node": nid, "classes": classes})
    return result


def demand_per_user(scenario: Scenario) -> tuple[Compiled, np.ndarray]:
    """Requests per second per user arriving at each node and class, all healthy, caches warm."""
    from simulation.flow import FlowEngine

    engine = FlowEngine(scenario, node_percentiles=False)
    engine.on_frame = None
    offered = engine.model.rate_per_user * _EPSILON_USERS
    res = engine._tick_core(offered, record=False)
    return engine.model, res["arrivals"] / _EPSILON_USERS


def capacity_limit(scenario: Scenario) -> dict[str, Any]:
    """The users at which the first node saturates (utilisation 1), that node and its class."""
    model, per_user = demand_per_user(scenario)
    work = per_user * model.service_s  # server-seconds per second per user, by class
    total = work.sum(axis=0)
    servers = model.servers_per_instance * model.active_instances
    finite = ~model.infinite & (total > 0)
    if not finite.any():
        return {"max_users": None, "bottleneck": None, "max_rps": None, "headroom": []}
    limit = np.full(model.n, np.inf)
    limit[finite] = servers[finite] / total[finite]
    order = np.argsort(limit)
    i = int(order[0])
    k = int(np.argmax(work[:, i]))
    users = scenario.workload.users
    per_user_rps = float(model.rate_per_user.sum())
    headroom = [
        {
            "node": model.ids[j],
            "max_users": int(limit[j]),
            "utilization_now": round(float(users / limit[j]), 6),
        }
        for j in order[: min(5, int(finite.sum()))]
    ]
    return {
        "max_users": int(limit[i]),
        "max_rps": round(float(limit[i] * per_user_rps), 3),
        "bottleneck": {"node": model.ids[i], "request_class": REQUEST_CLASSES[k]},
        "headroom": headroom,
    }


def cost_per_month(scenario: Scenario) -> float:
    """Instances as provisioned, plus CDN transfer at the workload's request rate."""
    model, per_user = demand_per_user(scenario)
    users = scenario.workload.users
    hourly = model.cost_per_hour()
    cdn = model.cdn_price_per_request
    if len(model.cache_nodes):
        static = per_user[0] * users
        hit = np.zeros(model.n)
        from simulation.flow import FlowEngine

        engine = FlowEngine(scenario, node_percentiles=False)
        hit[model.cache_nodes] = engine._hit_ratios()
        hourly += float((cdn * static * hit).sum()) * 3600
    return round(hourly * HOURS_PER_MONTH, 2)


def analyze(scenario: Scenario) -> dict[str, Any]:
    """Everything the `analyze` command prints."""
    model = compile_scenario(scenario)
    limit = capacity_limit(scenario)
    return {
        "spofs": single_points_of_failure(model),
        "max_users": limit["max_users"],
        "max_rps": limit["max_rps"],
        "bottleneck": limit["bottleneck"],
        "headroom": limit["headroom"],
        "cost_per_month": cost_per_month(scenario),
    }
