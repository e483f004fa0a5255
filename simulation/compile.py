"""Compile a scenario into the arrays both engines read: node order, capacities, service
times, routes per request class with link latency, database groups and cache models."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from simulation.catalogue import (
    BILL_LINES,
    CACHE_SIZES,
    CLOUDFRONT_TRANSFER_OUT_TIERS,
    ENGINE_PROFILES,
    HOURS_PER_MONTH,
    INSTANCE_BILL_LINE,
    INSTANCE_SIZES,
    core_speed,
)
from simulation.popularity import CacheCurves, cache_curves
from simulation.scenario import REQUEST_CLASSES, Scenario

STATIC, READ, WRITE = 0, 1, 2
K = len(REQUEST_CLASSES)

ROLE_FORWARD, ROLE_DATA_READ, ROLE_DATA_WRITE = 0, 1, 2
POLICY_CODES = {"lru": 0, "fifo": 1, "lfu": 2}
LB_IDLE_TIMEOUT_S = 60.0  # AWS ALB default idle timeout
DEFAULT_LINK_S = 0.0005
PRIMARY, REPLICA = 0, 1


class CompileError(ValueError):
    """The scenario cannot be turned into a network (a cycle, for instance)."""


@dataclass
class Routes:
    """One row per (class, source, destination): requests of `cls` leaving `src` for `dst`."""

    src: np.ndarray
    dst: np.ndarray
    cls: np.ndarray
    role: np.ndarray
    weight: np.ndarray
    per_instance: np.ndarray
    latency_s: np.ndarray
    detect_s: np.ndarray
    edge: np.ndarray  # index into Compiled.edge_ids, or -1 for a group endpoint route
    level_bounds: list[tuple[int, int]]
    dst_key: np.ndarray  # cls * N + dst, for accumulating arrivals
    regular: np.ndarray  # from a round-robin or weighted balancer: interleaved, not random

    def __len__(self) -> int:
        return len(self.src)


@dataclass
class Compiled:
    """Everything an engine needs, in node order sorted by level (users first)."""

    scenario: Scenario
    ids: list[str]
    index: dict[str, int]
    kinds: list[str]
    zones: list[str]
    level: np.ndarray
    level_bounds: list[tuple[int, int]]
    instances: np.ndarray
    active_instances: np.ndarray
    servers_per_instance: np.ndarray
    infinite: np.ndarray
    service_s: np.ndarray  # (K, N) seconds per request on one server
    delay_s: np.ndarray  # fixed delay per request (edge answer, lookup, LB processing)
    queue_per_instance: np.ndarray
    timeout_s: np.ndarray
    connection_limited: np.ndarray
    detect_s: np.ndarray
    price_per_hour: np.ndarray  # per instance
    bill_line: np.ndarray  # per node, index into BILL_LINES of its instance hours
    fwd: np.ndarray  # (K, N) share of served requests passed on (caches: set per tick)
    routes: Routes
    group_key: np.ndarray  # per route: cls * N + src
    edge_ids: list[str]
    group: np.ndarray  # database group per node, -1 outside
    group_primary: np.ndarray  # initial primary node per group, -1 if none
    failover_s: np.ndarray  # per group
    base_lag_s: np.ndarray
    apply_rate: np.ndarray
    sync_replication: np.ndarray
    cache_nodes: np.ndarray
    cache_is_cdn: np.ndarray
    cache_capacity: np.ndarray  # keys (objects for a CDN)
    cache_policy: np.ndarray
    cache_ttl_s: np.ndarray
    data_curves: CacheCurves
    static_curves: CacheCurves
    response_gb: np.ndarray  # (K,) bytes of one response, in GB
    cdn_share: np.ndarray  # (K,) share of each class the users send through a CDN
    cdn_price_scale: float  # the CDNs' first-tier price against CloudFront's
    rate_per_user: np.ndarray  # (K,) requests per second per user
    users_node: int

    @property
    def n(self) -> int:
        return len(self.ids)


def _profile(node) -> tuple[float, float, int]:
    profile = ENGINE_PROFILES[node.params.engine]
    read = node.params.read_ms if node.params.read_ms is not None else profile.read_ms
    write = node.params.write_ms if node.params.write_ms is not None else profile.write_ms
    limit = (
        node.params.connection_limit
        if node.params.connection_limit is not None
        else profile.connection_limit
    )
    return read, write, limit


def compile_scenario(scenario: Scenario) -> Compiled:
    """Build the arrays; the scenario is assumed valid (see `simulation.validate`)."""
    nodes = {node.id: node for node in scenario.nodes}
    request_edges = [e for e in scenario.edges if e.kind == "request"]
    replication_edges = [e for e in scenario.edges if e.kind == "replication"]
    edge_ids = [e.id for e in scenario.edges]
    edge_pos = {e.id: i for i, e in enumerate(scenario.edges)}
    out: dict[str, list] = {nid: [] for nid in nodes}
    inc: dict[str, list] = {nid: [] for nid in nodes}
    for e in request_edges:
        if e.source in nodes and e.target in nodes:
            out[e.source].append(e)
            inc[e.target].append(e)

    # Database groups: a primary and the replicas it replicates to.
    group_of: dict[str, int] = {}
    members: list[list[str]] = []
    primaries: list[str | None] = []
    for node in scenario.nodes:
        if node.kind == "database":
            group_of[node.id] = len(members)
            members.append([node.id])
            primaries.append(node.id)
    for e in replication_edges:
        replica = e.target in nodes and nodes[e.target].kind == "replica"
        if e.source in group_of and replica and e.target not in group_of:
            group_of[e.target] = group_of[e.source]
            members[group_of[e.source]].append(e.target)
    for node in scenario.nodes:
        if node.kind == "replica" and node.id not in group_of:
            group_of[node.id] = len(members)
            members.append([node.id])
            primaries.append(None)

    def groups_used_by(nid: str) -> list[int]:
        found: list[int] = []
        for e in out[nid]:
            g = group_of.get(e.target)
            if g is not None and g not in found:
                found.append(g)
        return found

    def latency_into_group(sources: list[str], g: int) -> dict[str, tuple[float, int]]:
        """Per group member, the link latency and edge index a route to it uses."""
        result = {}
        direct = {}
        lat = []
        for s in sources:
            for e in out[s]:
                if group_of.get(e.target) == g:
                    direct[(s, e.target)] = e
                    lat.append(e.latency_ms / 1000)
        mean = float(np.mean(lat)) if lat else DEFAULT_LINK_S
        for m in members[g]:
            if len(sources) == 1 and (sources[0], m) in direct:
                e = direct[(sources[0], m)]
                result[m] = (e.latency_ms / 1000, edge_pos[e.id])
            else:
                result[m] = (mean, -1)
        return result

    rows: list[tuple] = []  # (src, dst, cls, role, weight, per_instance, latency, detect, edge)
    fwd_of: dict[str, list[float]] = {}

    def mean_service(nid: str) -> float:
        node = nodes[nid]
        mix = scenario.workload.mix
        if node.kind == "server":
            p = node.params
            size = INSTANCE_SIZES[p.instance_size]
            cores = min(p.concurrency, size.vcpu)
            s = (mix.static * p.static_ms + mix.read * p.read_ms + mix.write * p.write_ms) / 1000
            s /= core_speed("server", size, cores)
            return s / max(cores * p.instances, 1)
        return 1.0

    def add_forward(nid: str, cls: int, targets: list, weights=None, per_instance=False):
        detect = 0.0
        node = nodes[nid]
        if node.kind == "load_balancer":
            detect = node.params.health_check_interval_s * node.params.unhealthy_threshold
        for i, e in enumerate(targets):
            w = 1.0 if weights is None else weights[i]
            rows.append(
                (
                    nid,
                    e.target,
                    cls,
                    ROLE_FORWARD,
                    w,
                    per_instance,
                    e.latency_ms / 1000,
                    detect,
                    edge_pos[e.id],
                )
            )

    def add_data(nid: str, cls: int, g: int, sources: list[str]):
        lat = latency_into_group(sources, g)
        role = ROLE_DATA_READ if cls == READ else ROLE_DATA_WRITE
        for m in members[g]:
            w = 1.0
            if role == ROLE_DATA_READ:
                size = INSTANCE_SIZES[nodes[m].params.instance_size]
                w = size.vcpu * core_speed(nodes[m].kind, size, size.vcpu)
            rows.append((nid, m, cls, role, w, False, lat[m][0], 0.0, lat[m][1]))

    for node in scenario.nodes:
        nid = node.id
        targets = out[nid]
        fwd = [0.0, 0.0, 0.0]
        kind = node.kind
        if kind in ("users", "dns"):
            cdn = [e for e in targets if nodes[e.target].kind == "cdn"]
            other = [e for e in targets if nodes[e.target].kind != "cdn"]
            add_forward(nid, STATIC, cdn or other)
            add_forward(nid, READ, other or cdn)
            add_forward(nid, WRITE, other or cdn)
            fwd = [1.0, 1.0, 1.0]
        elif kind == "cdn":
            for cls in range(K):
                add_forward(nid, cls, targets)
            fwd = [0.0, 1.0, 1.0]  # static: the miss share is set per tick
        elif kind == "load_balancer":
            p = node.params
            if p.algorithm in ("weighted", "random"):
                # weighted interleaves targets by weight; random draws them with it.
                weights = [
                    p.weights.get(e.target, 1.0) / _instances(nodes[e.target]) for e in targets
                ]
            elif p.algorithm == "least_connections":
                weights = [
                    1.0 / mean_service(e.target) / _instances(nodes[e.target]) for e in targets
                ]
            else:
                weights = [1.0] * len(targets)
            for cls in range(K):
                add_forward(nid, cls, targets, weights, per_instance=True)
            fwd = [1.0, 1.0, 1.0]
        elif kind == "server":
            caches = [e for e in targets if nodes[e.target].kind == "cache"]
            groups = groups_used_by(nid)
            app = [e for e in targets if nodes[e.target].kind in ("server", "load_balancer")]
            if caches:
                add_forward(nid, READ, caches)
                fwd[READ] = 1.0
            elif groups:
                add_data(nid, READ, groups[0], [nid])
                fwd[READ] = 1.0
            elif app:
                add_forward(nid, READ, app)
                fwd[READ] = 1.0
            if groups:
                add_data(nid, WRITE, groups[0], [nid])
                fwd[WRITE] = 1.0
            elif app:
                add_forward(nid, WRITE, app)
                fwd[WRITE] = 1.0
        elif kind == "cache":
            own = groups_used_by(nid)
            if own:
                add_data(nid, READ, own[0], [nid])
            else:
                users_of = [e.source for e in inc[nid] if nodes[e.source].kind == "server"]
                groups = []
                for s in users_of:
                    groups += [g for g in groups_used_by(s) if g not in groups]
                if groups:
                    sources = [s for s in users_of if groups[0] in groups_used_by(s)]
                    add_data(nid, READ, groups[0], sources)
            fwd = [1.0, 0.0, 1.0]  # read: the miss share is set per tick
        fwd_of[nid] = fwd

    # Levels: longest path over the routes, so every source is processed before its targets.
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from((r[0], r[1]) for r in rows)
    if not nx.is_directed_acyclic_graph(graph):
        cycle = nx.find_cycle(graph)
        raise CompileError("requests go round in a cycle: " + " -> ".join(a for a, _ in cycle))
    level_of = {nid: 0 for nid in nodes}
    for nid in nx.topological_sort(graph):
        for succ in graph.successors(nid):
            level_of[succ] = max(level_of[succ], level_of[nid] + 1)
    original = {node.id: i for i, node in enumerate(scenario.nodes)}
    order = sorted(nodes, key=lambda nid: (level_of[nid], original[nid]))
    index = {nid: i for i, nid in enumerate(order)}
    n = len(order)
    level = np.array([level_of[nid] for nid in order], dtype=np.int64)
    level_bounds = _bounds(level)

    instances = np.ones(n)
    active = np.ones(n)
    servers = np.ones(n)
    infinite = np.zeros(n, dtype=bool)
    service = np.zeros((K, n))
    delay = np.zeros(n)
    queue = np.full(n, np.inf)
    timeout = np.full(n, np.inf)
    conn_limited = np.zeros(n, dtype=bool)
    detect = np.zeros(n)
    price = np.zeros(n)
    base_lag = np.zeros(n)
    apply_rate = np.full(n, np.inf)
    sync = np.zeros(n, dtype=bool)
    group = np.full(n, -1, dtype=np.int64)
    cdn_scale = []
    wl = scenario.workload
    for nid in order:
        i = index[nid]
        node = nodes[nid]
        p = node.params
        if nid in group_of:
            group[i] = group_of[nid]
        if node.kind in ("users", "dns", "cdn"):
            infinite[i] = True
            servers[i] = 0
            if node.kind == "dns":
                delay[i] = p.lookup_latency_ms / 1000
                price[i] = p.price_per_month_usd / HOURS_PER_MONTH
            elif node.kind == "cdn":
                delay[i] = p.edge_latency_ms / 1000
                cdn_scale.append(p.price_per_gb_usd / CLOUDFRONT_TRANSFER_OUT_TIERS[0][1])
        elif node.kind == "load_balancer":
            instances[i] = 1 if p.mode == "single" else 2
            active[i] = 1 if p.mode != "active_active" else 2
            service[:, i] = 1 / p.capacity_rps
            delay[i] = p.latency_ms / 1000
            timeout[i] = LB_IDLE_TIMEOUT_S
            detect[i] = p.failover_time_s
            price[i] = p.price_per_hour_usd
        elif node.kind == "server":
            size = INSTANCE_SIZES[p.instance_size]
            instances[i] = active[i] = p.instances
            servers[i] = min(p.concurrency, size.vcpu)
            local = fwd_of[nid]
            service[STATIC, i] = p.static_ms / 1000
            service[READ, i] = (p.read_ms + (0 if local[READ] else p.local_read_ms)) / 1000
            service[WRITE, i] = (p.write_ms + (0 if local[WRITE] else p.local_write_ms)) / 1000
            service[:, i] /= core_speed("server", size, servers[i])
            queue[i] = p.queue_limit
            timeout[i] = p.timeout_ms / 1000
            price[i] = size.price_per_hour_usd
        elif node.kind == "cache":
            servers[i] = p.servers
            service[:, i] = p.latency_ms / 1000
            queue[i] = 10_000  # Redis maxclients default
            conn_limited[i] = True
            price[i] = CACHE_SIZES[p.instance_size].price_per_hour_usd
        elif node.kind in ("database", "replica"):
            size = INSTANCE_SIZES[p.instance_size]
            g = group_of[nid]
            primary = primaries[g]
            read_ms, write_ms, limit = (
                _profile(nodes[primary]) if primary is not None else (1.0, 4.0, 100)
            )
            servers[i] = min(size.vcpu, limit)
            service[READ, i] = read_ms / 1000
            service[WRITE, i] = write_ms / 1000
            service[STATIC, i] = read_ms / 1000
            service[:, i] /= core_speed(node.kind, size, servers[i])
            queue[i] = max(limit - servers[i], 0)
            conn_limited[i] = True
            price[i] = size.db_price_per_hour_usd
            if node.kind == "replica":
                base_lag[i] = p.base_lag_ms / 1000
                apply_rate[i] = p.apply_workers / (write_ms / 1000)
                sync[i] = p.replication == "sync"
    for e in request_edges:
        if e.source in nodes and e.target in nodes and nodes[e.source].kind == "load_balancer":
            lb = nodes[e.source].params
            i = index[e.target]
            detect[i] = max(detect[i], lb.health_check_interval_s * lb.unhealthy_threshold)

    fwd = np.zeros((K, n))
    for nid in order:
        fwd[:, index[nid]] = fwd_of[nid]

    rows.sort(key=lambda r: (level_of[r[0]], index[r[0]], r[2]))
    src = np.array([index[r[0]] for r in rows], dtype=np.int64)
    routes = Routes(
        src=src,
        dst=np.array([index[r[1]] for r in rows], dtype=np.int64),
        cls=np.array([r[2] for r in rows], dtype=np.int64),
        role=np.array([r[3] for r in rows], dtype=np.int64),
        weight=np.array([r[4] for r in rows], dtype=float),
        per_instance=np.array([r[5] for r in rows], dtype=bool),
        latency_s=np.array([r[6] for r in rows], dtype=float),
        detect_s=np.array([r[7] for r in rows], dtype=float),
        edge=np.array([r[8] for r in rows], dtype=np.int64),
        level_bounds=_route_bounds(level[src] if len(rows) else np.zeros(0, int), level_bounds),
        dst_key=np.array([r[2] * n + index[r[1]] for r in rows], dtype=np.int64),
        regular=np.array([_interleaves(nodes[r[0]]) for r in rows], dtype=bool),
    )

    groups_n = len(members)
    group_primary = np.array([index[p] if p is not None else -1 for p in primaries], dtype=np.int64)
    failover = np.array(
        [nodes[p].params.failover_time_s if p is not None else np.inf for p in primaries]
    )

    cache_ids = [nid for nid in order if nodes[nid].kind in ("cache", "cdn")]
    cache_nodes = np.array([index[c] for c in cache_ids], dtype=np.int64)
    is_cdn = np.array([nodes[c].kind == "cdn" for c in cache_ids], dtype=bool)
    capacity = np.array(
        [
            nodes[c].params.cache_size_gb * 1e6 / wl.static_catalogue.object_size_kb
            if nodes[c].kind == "cdn"
            else CACHE_SIZES[nodes[c].params.instance_size].memory_gb * 1e6 / wl.keys.value_size_kb
            for c in cache_ids
        ]
    )
    policy = np.array(
        [
            POLICY_CODES["lru" if nodes[c].kind == "cdn" else nodes[c].params.eviction]
            for c in cache_ids
        ],
        dtype=np.int64,
    )
    ttl = np.array([nodes[c].params.ttl_s for c in cache_ids])
    mix = wl.mix
    data_total = mix.read + mix.write
    write_share = mix.write / data_total if data_total > 0 else 0.0
    rate = wl.requests_per_user_per_s * np.array([mix.static, mix.read, mix.write])

    return Compiled(
        scenario=scenario,
        ids=order,
        index=index,
        kinds=[nodes[nid].kind for nid in order],
        zones=[nodes[nid].zone for nid in order],
        level=level,
        level_bounds=level_bounds,
        instances=instances,
        active_instances=active,
        servers_per_instance=servers,
        infinite=infinite,
        service_s=service,
        delay_s=delay,
        queue_per_instance=queue,
        timeout_s=timeout,
        connection_limited=conn_limited,
        detect_s=detect,
        price_per_hour=price,
        bill_line=np.array(
            [BILL_LINES.index(INSTANCE_BILL_LINE[nodes[nid].kind]) for nid in order], dtype=np.int64
        ),
        fwd=fwd,
        routes=routes,
        group_key=routes.cls * n + routes.src,
        edge_ids=edge_ids,
        group=group,
        group_primary=group_primary if groups_n else np.zeros(0, dtype=np.int64),
        failover_s=failover if groups_n else np.zeros(0),
        base_lag_s=base_lag,
        apply_rate=apply_rate,
        sync_replication=sync,
        cache_nodes=cache_nodes,
        cache_is_cdn=is_cdn,
        cache_capacity=capacity,
        cache_policy=policy,
        cache_ttl_s=ttl,
        data_curves=cache_curves(wl.keys.keys, wl.keys.zipf_exponent, round(write_share, 12)),
        static_curves=cache_curves(
            wl.static_catalogue.objects, wl.static_catalogue.zipf_exponent, 0.0
        ),
        response_gb=np.array(
            [
                wl.static_catalogue.object_size_kb,
                wl.response_sizes.read_kb,
                wl.response_sizes.write_kb,
            ]
        )
        / 1e6,
        cdn_share=_cdn_share(routes, [nodes[nid].kind for nid in order]),
        cdn_price_scale=float(np.mean(cdn_scale)) if cdn_scale else 1.0,
        rate_per_user=rate,
        users_node=next((index[nid] for nid in order if nodes[nid].kind == "users"), -1),
    )


def _cdn_share(routes: Routes, kinds: list[str]) -> np.ndarray:
    """Per class, the share of the users' requests that enter through a CDN: of the routes
    from users or DNS to their first stop past DNS, the weight of those into a CDN."""
    share = np.zeros(K)
    for k in range(K):
        into = [
            (kinds[d] == "cdn", w)
            for s, d, c, w in zip(routes.src, routes.dst, routes.cls, routes.weight, strict=True)
            if c == k and kinds[s] in ("users", "dns") and kinds[d] != "dns"
        ]
        total = sum(w for _, w in into)
        share[k] = sum(w for cdn, w in into if cdn) / total if total > 0 else 0.0
    return share


def _interleaves(node) -> bool:
    """A balancer that takes its targets in turn rather than at random."""
    return node.kind == "load_balancer" and node.params.algorithm in ("round_robin", "weighted")


def _instances(node) -> float:
    return float(node.params.instances) if node.kind == "server" else 1.0


def _bounds(level: np.ndarray) -> list[tuple[int, int]]:
    if len(level) == 0:
        return []
    top = int(level.max())
    return [
        (int(np.searchsorted(level, lv, "left")), int(np.searchsorted(level, lv, "right")))
        for lv in range(top + 1)
    ]


def _route_bounds(src_level: np.ndarray, node_bounds: list) -> list[tuple[int, int]]:
    return [
        (
            int(np.searchsorted(src_level, lv, "left")),
            int(np.searchsorted(src_level, lv, "right")),
        )
        for lv in range(len(node_bounds))
    ]
