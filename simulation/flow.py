"""The flow-level (fluid) engine: fixed ticks, rates pushed through the compiled routing,
fluid backlog per node, Erlang C waits, errors by reason, goodput and cost.

Its cost per tick depends on the number of nodes and routes, never on the number of users.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from simulation import frames
from simulation.compile import (
    PRIMARY,
    READ,
    REPLICA,
    ROLE_DATA_READ,
    ROLE_FORWARD,
    STATIC,
    WRITE,
    Compiled,
    K,
    compile_scenario,
)
from simulation.popularity import cache_curves
from simulation.queueing import RHO_MAX, ErlangTable, normal_cdf, sojourn_quantiles
from simulation.scenario import NODE_KINDS, Change, Scenario
from simulation.shapes import shape_factor
from simulation.stepping import Stepping

DOWN, QUEUE_FULL, TIMEOUT, CONN_LIMIT, NO_PRIMARY, NO_ROUTE = range(6)
REASONS = 6
QUANTILES = (0.5, 0.95, 0.99)
_T_GRID = frames.TIME_GRID_S  # simulation.des imports the grid from here
_LOG_T = np.log(_T_GRID)
_REPEATED_TICKS = 4  # recent ticks kept for repeating: cycles up to this long are repeated
_KIND_CODES = {kind: i for i, kind in enumerate(NODE_KINDS)}


class _Stationary(NamedTuple):
    """Per node: what a tick's flows give the waits before its stationary queue relaxes."""

    served: np.ndarray  # requests/s served, all classes
    bypass: np.ndarray  # no queueing: infinite capacity, dead cache or no capacity
    mu: np.ndarray  # service rate (1 where bypassed)
    rho: np.ndarray
    servers: np.ndarray
    theta: np.ndarray  # rate at which a waiting request leaves the queue
    backlog: np.ndarray  # fluid backlog, all classes
    target: np.ndarray  # stationary queue length
    keep: np.ndarray  # share of the gap to the target left after a tick
    service: np.ndarray  # (K, N) service times, 0 where bypassed
    extra: np.ndarray  # (K, N) synchronous replication wait


class FlowEngine(Stepping):
    """Step a compiled scenario through time; hand a metric frame to `on_frame` per tick."""

    _transient = (*Stepping._transient, "_memo")  # a snapshot's next tick is computed

    def __init__(
        self,
        scenario: Scenario,
        seed: int | None = None,
        *,
        on_frame: Callable[[frames.Frame], None] | None = None,
        node_percentiles: bool = True,
        tick_s: float | None = None,
        queue_model: str = "ggc",
    ) -> None:
        if queue_model not in ("mmc", "ggc"):
            raise ValueError("queue_model: must be 'mmc' or 'ggc'")
        self.scenario = scenario
        # "mmc": every station is M/M/c with the mean service time. "ggc": the Allen-Cunneen
        # correction (Ca^2 + Cs^2) / 2 for the class mix and for round-robin interleaving.
        self.queue_model = queue_model
        # The flow engine draws nothing at random: the same scenario gives the same frames.
        # The seed is kept so that a run records it (the discrete-event engine samples).
        self.seed = scenario.seed if seed is None else seed
        self.on_frame = on_frame
        self.node_percentiles = node_percentiles
        self.dt = float(tick_s if tick_s is not None else scenario.run.tick_s)
        self.t = 0.0
        self.users = float(scenario.workload.users)
        self.events: list[str] = []
        self.lost_writes = 0.0
        self.stale_reads = 0.0
        self._erlang = ErlangTable()
        self._pending = sorted(scenario.failures, key=lambda c: c.at_s)
        self.summary = frames.SummaryAccumulator()
        self._load(compile_scenario(scenario), previous=None)

    # --- building and carrying state across recompiles ----------------------------------------

    def _load(self, model: Compiled, previous: dict | None) -> None:
        self.model = m = model
        n = m.n
        self.alive = m.instances.copy()
        self.alive_before = m.instances.copy()
        self.died_at = np.full(n, -np.inf)
        self.slow = np.ones(n)
        self.backlog = np.zeros((K, n))
        self.edge_cut = np.zeros(len(m.edge_ids), dtype=bool)
        self._cut_at = np.full(max(len(m.edge_ids), 1), -np.inf)
        self._awaiting_detection: set[tuple[int, int]] = set()
        self._detect_until = np.inf  # next time a health check changes the routing
        self.role = np.where(m.group >= 0, REPLICA, -1)
        self.primary = m.group_primary.copy()
        self.role[self.primary[self.primary >= 0]] = PRIMARY
        self.primary_dead_since = np.full(len(self.primary), np.nan)
        self.repl_backlog = np.zeros(n)
        self.stationary_queue = np.full(n, np.nan)  # NaN: not started, take the stationary value
        self.zone_killed: dict[str, set[str]] = {}
        self.cache_rate = np.zeros(len(m.cache_nodes))
        self.saturated = np.zeros(n, dtype=bool)
        self.kind_code = np.array([_KIND_CODES[k] for k in m.kinds], dtype=np.int64)
        self.is_cache = np.zeros(n, dtype=bool)
        self.is_cache[m.cache_nodes[~m.cache_is_cdn]] = True
        self.in_group = m.group >= 0
        has_route = np.zeros(K * n, dtype=bool)
        has_route[m.group_key] = True
        has_route = has_route.reshape(K, n)
        self.dead_end = (m.fwd > 0) & ~has_route
        self.cache_cls = cache_cls = np.where(m.cache_is_cdn, STATIC, READ)  # class each looks up
        self.dead_end[cache_cls, m.cache_nodes] = ~has_route[cache_cls, m.cache_nodes]
        r = m.routes
        self.src_key = r.cls * n + r.src
        self.dst_key3 = [
            np.concatenate([r.dst_key[a:b] + j * K * n for j in range(3)])
            for a, b in r.level_bounds
        ]
        self.write_row = np.zeros((K, 1))
        self.write_row[WRITE] = 1.0
        self.write_in_group = self.write_row * self.in_group
        total_rate = m.rate_per_user.sum()
        self.mix_service = (
            (m.rate_per_user[:, None] * m.service_s).sum(axis=0) / total_rate
            if total_rate > 0
            else m.service_s.mean(axis=0)
        )
        self.mix_rate = 1.0 / np.maximum(self.mix_service, 1e-12)
        self.last = None  # the previous tick's arrays, in this model's node order
        self._quantile_memo: tuple[np.ndarray, np.ndarray] | None = None
        self.cache_curves = [m.static_curves if cdn else m.data_curves for cdn in m.cache_is_cdn]
        self._group_caches()
        self._per_cache_write_share()
        if previous is None:
            self.occupancy = self._steady_occupancy(self._initial_cache_rate())
        else:
            self._restore(previous)
        self._routing_dirty = True
        self._capacity_dirty = True
        self._memo: list[tuple] | None = None  # recent ticks to repeat, `_repeat`

    def _export(self) -> dict:
        m = self.model
        state = {
            "nodes": {},
            "edges_cut": {m.edge_ids[i]: self._cut_at[i] for i in np.flatnonzero(self.edge_cut)},
        }
        cache_pos = {int(c): i for i, c in enumerate(m.cache_nodes)}
        for i, nid in enumerate(m.ids):
            state["nodes"][nid] = {
                "alive_frac": self.alive[i] / m.instances[i],
                "died_at": self.died_at[i],
                "slow": self.slow[i],
                "backlog": self.backlog[:, i].copy(),
                "role": self.role[i],
                "repl_backlog": self.repl_backlog[i],
                "stationary_queue": self.stationary_queue[i],
                "occupancy": self.occupancy[cache_pos[i]] if i in cache_pos else None,
                "cache_rate": self.cache_rate[cache_pos[i]] if i in cache_pos else None,
            }
        state["zone_killed"] = self.zone_killed
        return state

    def _restore(self, state: dict) -> None:
        m = self.model
        cache_pos = {int(c): i for i, c in enumerate(m.cache_nodes)}
        self.occupancy = np.zeros(len(m.cache_nodes))
        for i, nid in enumerate(m.ids):
            old = state["nodes"].get(nid)
            if old is None:
                if i in cache_pos:
                    self.occupancy[cache_pos[i]] = 0.0
                continue
            self.alive[i] = round(old["alive_frac"] * m.instances[i])
            self.died_at[i] = old["died_at"]
            self.slow[i] = old["slow"]
            self.backlog[:, i] = old["backlog"]
            self.repl_backlog[i] = old["repl_backlog"]
            self.stationary_queue[i] = old["stationary_queue"]
            if old["role"] >= 0 and m.group[i] >= 0:
                self.role[i] = old["role"]
            if i in cache_pos and old["occupancy"] is not None:
                self.occupancy[cache_pos[i]] = old["occupancy"]
                self.cache_rate[cache_pos[i]] = old["cache_rate"]
        for g in range(len(self.primary)):
            in_g = np.flatnonzero((m.group == g) & (self.role == PRIMARY))
            if len(in_g):
                self.primary[g] = in_g[0]
                self.role[(m.group == g)] = REPLICA
                self.role[in_g[0]] = PRIMARY
        for i, eid in enumerate(m.edge_ids):
            if eid in state["edges_cut"]:
                self.edge_cut[i] = True
                self._cut_at[i] = state["edges_cut"][eid]
        self.zone_killed = state["zone_killed"]

    def _initial_cache_rate(self) -> np.ndarray:
        """Arrival rates at caches with everything healthy, for a warm start."""
        self.cache_rate = np.zeros(len(self.model.cache_nodes))
        self.occupancy = np.full(len(self.model.cache_nodes), np.inf)
        for _ in range(3):
            rates = self._propagate_only()
            self.cache_rate = rates
            self.occupancy = self._steady_occupancy(rates)
        return self.cache_rate

    def probe(self, offered: np.ndarray) -> dict:
        """Push `offered` (requests/s per class) through the current state without advancing."""
        return self._tick_core(offered, record=False)

    def _propagate_only(self) -> np.ndarray:
        self._routing_dirty = True
        self._capacity_dirty = True
        arrivals = self.probe(self._offered())["arrivals"]
        m = self.model
        return arrivals[self.cache_cls, m.cache_nodes]

    def _per_cache_write_share(self) -> None:
        """Each data cache's own write share. A server spreading its reads over k caches sends
        each 1/k of them, but every write invalidates its key in all of them, so the share of
        invalidations a cache sees is writes / (its reads + writes), not the workload's."""
        m = self.model
        data = np.flatnonzero(~m.cache_is_cdn)
        writes = float(m.rate_per_user[WRITE])
        if len(data) < 2 or writes <= 0:
            return
        self.cache_rate = np.zeros(len(m.cache_nodes))
        self.occupancy = np.full(len(m.cache_nodes), np.inf)
        self._routing_dirty = True
        self._capacity_dirty = True
        # One user's requests, pushed through the healthy design: shares, whatever the users.
        per_user = self.probe(m.rate_per_user)["arrivals"][READ, m.cache_nodes]
        wl = self.scenario.workload
        for j in data:
            share = writes / (per_user[j] + writes) if per_user[j] > 0 else 1.0
            self.cache_curves[j] = cache_curves(
                wl.keys.keys, wl.keys.zipf_exponent, round(share, 4)
            )
        self._group_caches()

    def _per_cache(self, compute: Callable) -> np.ndarray:
        """Apply `compute(curves, selection)` to each group of caches sharing their curves
        (CDNs: static objects; caches: data keys at their own write share)."""
        out = np.zeros(len(self.model.cache_nodes))
        for curves, sel in self.cache_groups:
            out[sel] = compute(curves, sel)
        return out

    def _group_caches(self) -> None:
        distinct = {id(c): c for c in self.cache_curves}.values()
        self.cache_groups = [
            (curves, np.array([c is curves for c in self.cache_curves], dtype=bool))
            for curves in distinct
        ]

    def _steady_occupancy(self, rates: np.ndarray) -> np.ndarray:
        m = self.model
        return self._per_cache(
            lambda curves, sel: curves.steady_occupancy(
                m.cache_policy[sel], m.cache_capacity[sel], m.cache_ttl_s[sel] * rates[sel]
            )
        )

    # --- stepping ------------------------------------------------------------------------------

    def _offered(self) -> np.ndarray:
        factor = shape_factor(self.scenario.workload.shape, self.t)
        return self.users * factor * self.model.rate_per_user

    def advance(self) -> dict:
        """Advance one tick without building a frame; returns the tick's raw arrays."""
        while self._pending and self._pending[0].at_s <= self.t + 1e-9:
            self.apply(self._pending.pop(0))
        self._promote()
        offered = self._offered()
        result = self._repeat(offered)
        if result is None:
            result = self._tick_core(offered, record=True)
        self.t += self.dt
        self.last = result
        return result

    # --- repeating a steady tick ---------------------------------------------------------------

    def _flow_inputs(self, offered: np.ndarray) -> tuple[bytes, ...]:
        """Everything a tick's flows read that changes from tick to tick without a change
        applied, as bytes: equal bytes, equal flows."""
        return (
            offered.tobytes(),
            self.backlog.tobytes(),
            self.occupancy.tobytes(),
            self.cache_rate.tobytes(),
            self.repl_backlog.tobytes(),
            bytes((self.node_percentiles,)),
        )

    def _remember(
        self, flows: tuple[bytes, ...], queues: bytes, result: dict, stationary: _Stationary
    ) -> None:
        """Keep a tick to repeat if it no longer depends on the time: no failure awaiting
        its detection, nothing left to fail over (a change or a promotion forgets them)."""
        quiet = (
            self._detect_until == np.inf and not (self.t - self.died_at < self.model.detect_s).any()
        )
        if not quiet:
            self._memo = None
            return
        stale = float(result["stale"].sum())
        tick = (flows, queues, self.saturated.tobytes(), self.dt, result, stale, stationary)
        self._memo = [*(self._memo or [])[1 - _REPEATED_TICKS :], tick]

    def _repeat(self, offered: np.ndarray) -> dict | None:
        """A recent tick's result again when its inputs are the current ones, with the state
        updates it made; None otherwise. With the same flows but stationary queues still
        relaxing (for hundreds of ticks near saturation), only the relaxation and the
        response times are computed again. Steady is the common case of a live run; an
        overloaded one may also cycle through a few ticks differing in their last bits."""
        if not self._memo or self._routing_dirty or self._capacity_dirty:
            return None
        flows_now = self._flow_inputs(offered)
        saturated = self.saturated.tobytes()
        at = next(
            (
                at
                for at, (flows, _, sat, dt, *_) in enumerate(self._memo)
                if flows == flows_now and sat == saturated and dt == self.dt
            ),
            None,
        )
        if at is None:
            return None
        flows, queues, sat, dt, result, stale, stationary = self._memo[at]
        self.stale_reads += stale * self.dt
        now = self.stationary_queue.tobytes()
        result = dict(result)
        if now != queues:
            self._relax(result, stationary)
            self._memo[at] = (flows, now, sat, dt, result, stale, stationary)
        return result

    # --- the tick ------------------------------------------------------------------------------

    def _route_fractions(self) -> None:
        m = self.model
        r = m.routes
        n = m.n
        now = self.t
        undetected = (now - self.died_at[r.dst]) < r.detect_s
        vis_inst = np.where(undetected, self.alive_before[r.dst], self.alive[r.dst])
        cut = self.edge_cut[r.edge] & (r.edge >= 0) if len(r) else np.zeros(0, bool)
        cut_seen = cut & ~((now - self._cut_at[r.edge]) < r.detect_s) if len(r) else cut
        forward = np.where(r.per_instance, vis_inst, vis_inst > 0) * ~cut_seen
        dst_role = self.role[r.dst]
        replica_ok = (dst_role == REPLICA) & (self.alive[r.dst] > 0) & ~cut_seen
        w = np.where(
            r.role == ROLE_FORWARD,
            r.weight * forward,
            np.where(r.role == ROLE_DATA_READ, r.weight * replica_ok, dst_role == PRIMARY),
        ).astype(float)
        gsum = np.bincount(m.group_key, w, minlength=K * n)
        empty = gsum[m.group_key] <= 0
        # Nothing visible: reads fall back to the primary; the rest are sent anyway and fail
        # where they land (a load balancer with no healthy target fails open, as ALB does).
        fallback = np.where(r.role == ROLE_DATA_READ, dst_role == PRIMARY, r.weight)
        w = np.where(empty, fallback, w)
        gsum = np.bincount(m.group_key, w, minlength=K * n)
        has_route = np.bincount(m.group_key, minlength=K * n) > 0
        self.group_empty = (has_route & (gsum <= 0)).reshape(K, n)
        self.frac = np.where(gsum[m.group_key] > 0, w / np.maximum(gsum[m.group_key], 1e-300), 0)
        self.route_cut = cut
        self.route_ok = ~cut
        self._routing_dirty = False
        self._report_detection(undetected & (self.alive[r.dst] < self.alive_before[r.dst]))
        self._detect_until = float(
            np.min(
                np.concatenate(
                    [
                        (self.died_at[r.dst] + r.detect_s)[undetected],
                        (self._cut_at[r.edge] + r.detect_s)[cut & ~cut_seen],
                        [np.inf],
                    ]
                )
            )
        )

    def _report_detection(self, waiting: np.ndarray) -> None:
        """Say when a load balancer's health check takes a failed target out of rotation."""
        r = self.model.routes
        ids = self.model.ids
        pairs = set(zip(r.src[waiting].tolist(), r.dst[waiting].tolist(), strict=True))
        for src, dst in sorted(self._awaiting_detection - pairs):
            if self.alive[dst] >= self.model.instances[dst]:
                continue
            what = ids[dst] if self.alive[dst] <= 0 else f"the dead instances of {ids[dst]}"
            self.events.append(f"{ids[src]}'s health check took {what} out of rotation")
        self._awaiting_detection = pairs

    def _capacity(self) -> None:
        m = self.model
        self.dead_cache = self.is_cache & (self.alive <= 0)
        self.bypass = m.infinite | self.dead_cache
        self.c_eff = m.servers_per_instance * np.minimum(self.alive, m.active_instances)
        self.c_servers = np.where(self.bypass, np.inf, self.c_eff)
        self.erlang_rows = self._erlang.rows_for(np.maximum(self.c_eff, 1))
        self.service = m.service_s * self.slow
        alive = self.alive
        self.queue_cap = np.where(alive > 0, m.queue_per_instance, 0.0) * np.maximum(alive, 1)
        self._settled_down: np.ndarray | None = None  # down share once failures are detected
        self._capacity_dirty = False

    def _down_share(self) -> np.ndarray:
        undetected = (self.t - self.died_at) < self.model.detect_s
        if undetected.any():
            return self._down_share_of(undetected)
        if self._settled_down is None:
            self._settled_down = self._down_share_of(undetected)
        return self._settled_down

    def _down_share_of(self, undetected: np.ndarray) -> np.ndarray:
        m = self.model
        partial = (m.instances - self.alive) / m.instances
        lb_pair_passive = (m.active_instances < m.instances) & (self.alive < m.instances)
        partial = np.where(lb_pair_passive, 1.0, partial)
        share = np.where(self.alive <= 0, 1.0, np.where(undetected, partial, 0.0))
        return np.where(self.is_cache & (self.alive <= 0), 0.0, share)

    def _tick_core(self, offered: np.ndarray, record: bool) -> dict:
        m = self.model
        n = m.n
        r = m.routes
        dt = self.dt
        if self._routing_dirty or self.t >= self._detect_until:
            self._route_fractions()
        if self._capacity_dirty:
            self._capacity()
        if record:
            flows, queues = self._flow_inputs(offered), self.stationary_queue.tobytes()

        fwd = m.fwd.copy()
        hit = self.hit_ratios()
        caches = m.cache_nodes
        if len(caches):
            fwd[self.cache_cls, caches] = np.where(self.dead_cache[caches], 1.0, 1.0 - hit)
        down = self._down_share()
        service = self.service
        queue_cap = self.queue_cap
        arrivals = np.zeros((K, n))
        if m.users_node >= 0:
            arrivals[:, m.users_node] = offered
        backlog_lost = self.backlog * down
        carried = (self.backlog - backlog_lost) / dt
        served = np.zeros((K, n))
        demand = np.zeros((K, n))
        capacity = np.zeros(n)
        route_flow = np.zeros(len(r))
        keep = 1.0 - down
        servers = self.c_servers
        # Only what the next level needs is computed level by level; the rest is vectorised.
        for (lo, hi), (rlo, rhi) in zip(m.level_bounds, r.level_bounds, strict=True):
            d = arrivals[:, lo:hi] * keep[lo:hi] + carried[:, lo:hi]
            dsum = d.sum(axis=0)
            work = (d * service[:, lo:hi]).sum(axis=0)
            mu = servers[lo:hi] * np.where(
                work > 0, dsum / np.maximum(work, 1e-300), self.mix_rate[lo:hi]
            )
            ssum = np.minimum(dsum, mu)
            srv = d * np.where(dsum > 0, ssum / np.maximum(dsum, 1e-300), 0.0)
            demand[:, lo:hi] = d
            served[:, lo:hi] = srv
            capacity[lo:hi] = mu
            if rhi > rlo:
                sl = slice(rlo, rhi)
                flow = (srv * fwd[:, lo:hi])[r.cls[sl], r.src[sl] - lo] * self.frac[sl]
                route_flow[sl] = flow
                arrivals += np.bincount(
                    r.dst_key[sl], flow * self.route_ok[sl], minlength=K * n
                ).reshape(K, n)

        errors = np.zeros((REASONS, K, n))
        lost = arrivals * down + backlog_lost / dt
        no_primary = lost * self.write_in_group
        errors[DOWN] = lost - no_primary
        errors[NO_PRIMARY] = no_primary
        usable = ~self.bypass & (capacity > 0)
        mean_s = np.maximum(
            np.where(
                usable,
                np.where(usable, servers, 1.0) / np.where(usable, capacity, 1.0),
                self.mix_service,
            ),
            1e-12,
        )
        rest = (demand - served) * dt
        rsum = rest.sum(axis=0)
        finite = ~self.bypass & (capacity > 0) & np.isfinite(m.timeout_s)
        tmo = np.where(
            finite,
            np.maximum(np.where(finite, m.timeout_s, 0.0) - mean_s, 0.0)
            * np.where(finite, capacity, 0.0),
            np.where(capacity > 0, np.inf, 0.0),
        )
        limit = np.minimum(queue_cap, tmo)
        drop = rest * np.where(
            rsum > 0, np.maximum(rsum - limit, 0.0) / np.maximum(rsum, 1e-300), 0
        )
        timeout_bound = tmo <= queue_cap
        errors[TIMEOUT] = drop * timeout_bound / dt
        errors[CONN_LIMIT] = drop * (~timeout_bound & m.connection_limited) / dt
        errors[QUEUE_FULL] = drop * (~timeout_bound & ~m.connection_limited) / dt
        new_backlog = rest - drop
        out = served * fwd
        errors[NO_ROUTE] = out * self.dead_end
        empty = out * self.group_empty
        errors[NO_PRIMARY] += empty * self.write_row
        errors[NO_ROUTE] += empty * (1 - self.write_row)
        link_errors = route_flow * self.route_cut
        completions = served * (1 - fwd)
        previous_backlog = self.backlog
        if record:
            self.backlog = new_backlog
        result = {
            "previous_backlog": previous_backlog,
            "offered": offered,
            "arrivals": arrivals,
            "served": served,
            "completions": completions,
            "errors": errors,
            "link_errors": link_errors,
            "route_flow": route_flow,
            "backlog": new_backlog,
            "capacity": capacity,
            "waiting_room": limit,
            "hit": hit,
            "fwd": fwd,
        }
        if not record:
            return result
        self._caches_after_tick(arrivals, hit)
        self._replication(served, completions, result)
        stationary = self._stationary(result, service)
        self._relax(result, stationary)
        self._saturation_events(result)
        self._remember(flows, queues, result, stationary)
        return result

    # --- caches --------------------------------------------------------------------------------

    def hit_ratios(self) -> np.ndarray:
        """Current hit ratio of every cache and CDN, in `model.cache_nodes` order."""
        m = self.model
        return self._per_cache(
            lambda curves, sel: curves.hit_ratio(
                m.cache_policy[sel],
                m.cache_capacity[sel],
                self.occupancy[sel],
                m.cache_ttl_s[sel] * self.cache_rate[sel],
            )
        )

    def _caches_after_tick(self, arrivals: np.ndarray, hit: np.ndarray) -> None:
        m = self.model
        if not len(m.cache_nodes):
            return
        rate = arrivals[self.cache_cls, m.cache_nodes]
        self.cache_rate = rate
        steady = self._steady_occupancy(rate)
        # Every miss inserts a key until the cache holds what it holds when warm.
        grown = self.occupancy + rate * (1 - hit) * self.dt
        self.occupancy = np.where(self.alive[m.cache_nodes] > 0, np.minimum(grown, steady), 0.0)

    # --- replication and failover --------------------------------------------------------------

    def _replication(self, served: np.ndarray, completions: np.ndarray, result: dict) -> None:
        m = self.model
        n = m.n
        lag = np.zeros(n)
        stale = np.zeros(n)
        # A dead replica neither applies nor falls behind: it catches up afresh when restored
        # (restore resets its backlog), so it reports no lag while down.
        replica = (self.role == REPLICA) & (m.group >= 0) & (self.alive > 0)
        if replica.any():
            g = m.group
            prim = np.where(g >= 0, self.primary[np.maximum(g, 0)], -1)
            prim_alive = (prim >= 0) & (self.alive[np.maximum(prim, 0)] > 0)
            inflow = np.where(prim_alive, served[WRITE, np.maximum(prim, 0)], 0.0)
            apply = np.where(self.alive > 0, m.apply_rate / self.slow, 0.0)
            grown = self.repl_backlog + (inflow - apply) * self.dt
            self.repl_backlog = np.where(replica & ~m.sync_replication, np.maximum(grown, 0.0), 0.0)
            lag = np.where(
                replica,
                m.base_lag_s
                + self.repl_backlog / np.maximum(np.where(apply > 0, apply, 1), 1e-300),
                0.0,
            )
            window = inflow * lag
            frac = m.data_curves.stale_fraction(window)
            stale = np.where(replica & ~m.sync_replication, completions[READ] * frac, 0.0)
            self.stale_reads += float(stale.sum()) * self.dt
        result["replication_lag_s"] = lag
        result["stale"] = stale

    def _promote(self) -> None:
        if not len(self.primary_dead_since) or np.isnan(self.primary_dead_since).all():
            return
        m = self.model
        for g, p in enumerate(self.primary):
            since = self.primary_dead_since[g]
            if p < 0 or math.isnan(since) or self.t - since < m.failover_s[g] - 1e-9:
                continue
            candidates = np.flatnonzero((m.group == g) & (self.alive > 0) & (self.role == REPLICA))
            if not len(candidates):
                continue
            best = candidates[np.argmin(self.repl_backlog[candidates])]
            self.role[p] = REPLICA
            self.role[best] = PRIMARY
            self.primary[g] = best
            self.repl_backlog[best] = 0.0
            self.primary_dead_since[g] = np.nan
            self._routing_dirty = True
            self._memo = None
            self.events.append(
                f"{m.ids[best]} promoted to primary after {self.t - since:.0f} s; writes resume"
            )

    def _primary_died(self, i: int) -> None:
        m = self.model
        g = m.group[i]
        if g < 0 or self.primary[g] != i:
            return
        self.primary_dead_since[g] = self.t
        reps = np.flatnonzero((m.group == g) & (self.role == REPLICA) & (self.alive > 0))
        if len(reps) and self.last is not None:
            write_rate = float(self.last["served"][WRITE, i])
            pending = write_rate * m.base_lag_s[reps] + self.repl_backlog[reps]
            pending = np.where(m.sync_replication[reps], 0.0, pending)
            lost = float(pending.min())
            self.lost_writes += lost
            if lost > 0:
                self.events.append(
                    f"{m.ids[i]} died with {lost:.3g} writes not yet replicated: they are lost"
                )
        if len(reps):
            self.events.append(
                f"{m.ids[i]} (primary) is down: writes fail until a replica is promoted "
                f"in {m.failover_s[g]:.0f} s"
            )
        else:
            self.events.append(f"{m.ids[i]} (primary) is down and has no replica: writes fail")

    # --- latency -------------------------------------------------------------------------------

    def _stationary(self, res: dict, service: np.ndarray) -> _Stationary:
        """Each station's stationary queue and what the relaxation towards it needs: these
        depend on the tick's flows alone, not on the queue the previous tick left."""
        m = self.model
        n = m.n
        served = res["served"]
        ssum = served.sum(axis=0)
        mu = res["capacity"]
        byp = self.bypass | (mu <= 0)
        finite_mu = np.where(byp, 1.0, np.maximum(mu, 1e-300))
        rho = np.where(byp, 0.0, ssum / finite_mu)
        c = np.maximum(self.c_eff, 1)
        wait_prob = np.where(byp, 0.0, self._erlang.erlang_c(self.erlang_rows, c, rho))
        theta = np.maximum(finite_mu * (1 - np.minimum(rho, RHO_MAX)), 1e-12)
        bsum = res["backlog"].sum(axis=0)
        target = np.where(byp, 0.0, ssum * wait_prob / theta)  # stationary Lq, Erlang C
        if self.queue_model == "ggc":
            target = target * self._variability(res, service, ssum, rho)
        # A finite waiting room (queue or connection limit, timeout) also bounds the
        # stationary queue: it never exceeds the room the fluid backlog leaves.
        room = np.maximum(res["waiting_room"] - bsum, 0.0)
        target = np.where(np.isfinite(room), np.minimum(target, room), target)
        # The stationary queue builds up and drains over the station's relaxation time,
        # 1 / (mu (1 - sqrt(rho))^2) (Morse's heavy-traffic estimate), not instantly.
        gap = (1 - np.sqrt(np.minimum(rho, RHO_MAX))) ** 2
        keep = np.exp(-self.dt * finite_mu * gap)
        s = np.where(byp, 0.0, service)
        sync_wait = np.zeros(n)
        replicas = (self.role == REPLICA) & m.sync_replication & (self.alive > 0)
        if replicas.any():
            prim = self.primary[m.group[replicas]]
            np.maximum.at(sync_wait, prim, m.base_lag_s[replicas])
        extra = np.zeros((K, n))
        extra[WRITE] = sync_wait
        return _Stationary(ssum, byp, finite_mu, rho, c, theta, bsum, target, keep, s, extra)

    def _relax(self, res: dict, st: _Stationary) -> None:
        """Move each stationary queue towards its target; then waits and response times."""
        m = self.model
        served = res["served"]
        ssum, byp, finite_mu, rho, c, theta, bsum, target, keep, s, extra = st
        prev = self.stationary_queue
        lq = np.where(np.isnan(prev), target, target + (prev - target) * keep)
        lq = np.where(byp, 0.0, lq)
        self.stationary_queue = lq
        wq_st = np.where(ssum > 0, lq / np.maximum(ssum, 1e-300), 0.0)
        wait_prob = np.minimum(wq_st * theta, 1.0)
        w_fluid = np.where(byp, 0.0, bsum / finite_mu)
        wq = wq_st + w_fluid
        delay = m.delay_s
        mean = delay + wq + s + extra
        var_wait = np.where(byp, 0.0, (2 * wait_prob - wait_prob**2) / theta**2)
        var = var_wait + s**2
        res["utilization"] = np.where(byp, 0.0, np.minimum(rho, 1.0))
        res["queue_length"] = bsum + np.where(byp, 0.0, ssum * wq_st)
        res["wait_s"] = wq
        res["node_mean_s"] = np.where(
            ssum > 0, (served * mean).sum(axis=0) / np.maximum(ssum, 1e-300), delay + wq + s.mean(0)
        )
        if self.node_percentiles:
            mean_s = np.where(ssum > 0, (served * s).sum(0) / np.maximum(ssum, 1e-300), 1e-3)
            mean_s = np.where(byp, 1e-12, np.maximum(mean_s, 1e-12))
            q = self._node_quantiles(
                np.stack(
                    [
                        np.where(byp, 1.0, c),
                        np.where(byp, 0.0, ssum),
                        mean_s,
                        delay + w_fluid,
                        wait_prob,
                    ]
                )
            )
            res["node_quantiles_s"] = np.where(byp, delay + np.where(byp, 0, mean_s), q)
        else:
            res["node_quantiles_s"] = None
        self._end_to_end(res, mean, var, delay + extra)

    def _node_quantiles(self, inputs: np.ndarray) -> np.ndarray:
        """`sojourn_quantiles` per node, recomputed only for nodes whose inputs changed since
        the last tick: its bisection is the dearest part of a tick, and between changes a
        run at steady load repeats it with the very same numbers. Each node's quantiles
        depend on its own inputs alone, so the result is the same as computing them all."""
        memo = self._quantile_memo
        if memo is None or memo[0].shape != inputs.shape:
            out = sojourn_quantiles(*inputs, QUANTILES)
        else:
            changed = np.flatnonzero((inputs != memo[0]).any(axis=0))
            out = memo[1].copy()
            if len(changed):
                out[:, changed] = sojourn_quantiles(*inputs[:, changed], QUANTILES)
        self._quantile_memo = (inputs, out)
        return out

    def _variability(
        self, res: dict, service: np.ndarray, ssum: np.ndarray, rho: np.ndarray
    ) -> np.ndarray:
        """Allen-Cunneen factor (Ca^2 + Cs^2) / 2 per node (1 for Poisson and exponential),
        with Kraemer and Langenbach-Belz's reduction when arrivals are more regular.

        Cs^2 of the mixture of the classes' exponential service times; Ca^2 of the arrivals:
        a round-robin or weighted balancer hands a target every k-th request (Erlang-k gaps,
        Ca^2 = its share 1/k), anything else is taken as Poisson; flows mix by rate.
        """
        m = self.model
        n = m.n
        served = res["served"]
        safe = np.maximum(ssum, 1e-300)
        first = (served * service).sum(axis=0) / safe
        second = (served * 2 * service**2).sum(axis=0) / safe
        timed = (ssum > 0) & (first > 1e-12)  # users, DNS and CDN take no service time
        cs2 = np.where(timed, second / np.maximum(first, 1e-12) ** 2 - 1, 1.0)
        r = m.routes
        flow = res["route_flow"]
        ca2_route = np.where(r.regular, self.frac, 1.0)
        inflow = np.bincount(r.dst, flow, minlength=n)
        mixed = np.bincount(r.dst, flow * ca2_route, minlength=n)
        ca2 = np.where(inflow > 0, mixed / np.maximum(inflow, 1e-300), 1.0)
        # Kraemer and Langenbach-Belz: regular arrivals collide even less at low load.
        rho = np.clip(rho, 1e-6, 1.0)
        klb = np.where(
            ca2 < 1,
            np.exp(-2 * (1 - rho) * (1 - ca2) ** 2 / (3 * rho * np.maximum(ca2 + cs2, 1e-12))),
            1.0,
        )
        return (ca2 + cs2) / 2 * klb

    def _end_to_end(self, res: dict, mean: np.ndarray, var: np.ndarray, fixed: np.ndarray) -> None:
        """Response time from the users to completion: mean, variance and fixed part are
        carried along the routes; each (class, kind where it completes) is then a shifted
        gamma (Wilson-Hilferty) and the classes' CDFs are their mixtures."""
        m = self.model
        n = m.n
        r = m.routes
        arrivals = res["arrivals"]
        flow = res["route_flow"] * ~self.route_cut
        kn = K * n
        # Rows: sums of flow x (time, time squared, fixed time) arriving, then their means.
        acc = np.zeros((3, K, n))
        moments = np.zeros((3, K, n))
        flat = moments.reshape(3, kn)
        node = np.stack([mean.ravel(), (var + mean**2).ravel(), fixed.ravel()])
        levels = zip(m.level_bounds, r.level_bounds, self.dst_key3, strict=True)
        for (lo, hi), (rlo, rhi), dst_key3 in levels:
            a = arrivals[:, lo:hi]
            has = a > 1e-200  # a vanishing flow carries no meaningful time
            moments[:, :, lo:hi] = acc[:, :, lo:hi] * np.where(has, 1.0 / np.where(has, a, 1), 0)
            if rhi > rlo:
                sl = slice(rlo, rhi)
                key = self.src_key[sl]
                lat, f = r.latency_s[sl], flow[sl]
                g = flat[:, key]
                h = node[:, key]
                o1 = g[0] + h[0]
                o2 = g[1] + 2 * g[0] * h[0] + h[1]
                weights = np.concatenate(
                    [f * (o1 + lat), f * (o2 + 2 * lat * o1 + lat**2), f * (g[2] + h[2] + lat)]
                )
                acc += np.bincount(dst_key3, weights, minlength=3 * kn).reshape(3, K, n)
        m1, m2, md = moments
        t1 = m1 + mean
        t2 = m2 + 2 * m1 * mean + var + mean**2
        td = md + fixed
        comp = res["completions"]
        # One component per (class, node kind): hits and misses keep their own shapes.
        kinds = len(NODE_KINDS)
        key = (np.arange(K)[:, None] * kinds + self.kind_code[None, :]).ravel()
        w = np.bincount(key, comp.ravel(), minlength=K * kinds)
        norm = 1.0 / np.maximum(w, 1e-300)
        e1 = np.bincount(key, (comp * t1).ravel(), minlength=K * kinds) * norm
        e2 = np.bincount(key, (comp * t2).ravel(), minlength=K * kinds) * norm
        ed = np.minimum(np.bincount(key, (comp * td).ravel(), minlength=K * kinds) * norm, e1)
        x_mean = np.maximum(e1 - ed, 1e-12)
        x_var = np.maximum(e2 - e1**2, 1e-30)
        spread = np.maximum(np.sqrt(x_var / (9 * x_mean**2)), 1e-9)  # sqrt(1/(9k)), shape k
        # Only components that complete requests weigh in (a few of the K x kinds): the
        # others add zeros, unless a non-finite parameter would make them NaN.
        finite = np.isfinite(ed) & np.isfinite(x_mean) & np.isfinite(spread)
        rows = np.flatnonzero((w != 0) | ~finite)
        ed_r, x_mean_r, spread_r = ed[rows, None], x_mean[rows, None], spread[rows, None]
        scaled = np.maximum(_T_GRID[None, :] - ed_r, 0.0) / x_mean_r
        z = (np.cbrt(scaled) - (1 - spread_r**2)) / spread_r
        contrib = np.zeros((len(w), len(_T_GRID)))
        contrib[rows] = w[rows, None] * np.where(scaled > 0, normal_cdf(z), 0.0)
        weighted = contrib.reshape(K, kinds, -1).sum(axis=1)
        per_class_w = w.reshape(K, kinds).sum(axis=1)
        res["class_mean_s"] = np.where(
            per_class_w > 0, (w * e1).reshape(K, kinds).sum(1) / np.maximum(per_class_w, 1e-300), 0
        )
        res["class_cdf"] = weighted / np.maximum(per_class_w, 1e-300)[:, None]
        res["class_weight"] = per_class_w
        total = per_class_w.sum()
        res["system_cdf"] = weighted.sum(axis=0) / max(total, 1e-300)
        res["system_mean_s"] = float((w * e1).sum() / max(total, 1e-300))
        target = self.scenario.workload.latency_target_ms / 1000
        within = np.array([np.interp(np.log(target), _LOG_T, row) for row in res["class_cdf"]])
        res["class_goodput"] = per_class_w * within

    def _saturation_events(self, res: dict) -> None:
        m = self.model
        util = res["utilization"]
        now_sat = util >= 0.95
        growth = (res["backlog"].sum(0) - res["previous_backlog"].sum(0)) / self.dt
        for i in np.flatnonzero(now_sat & ~self.saturated):
            self.events.append(
                f"{m.ids[i]} is saturated: {util[i] * 100:.0f} % busy, "
                f"queue growing by {max(growth[i], 0):,.0f} requests/s"
            )
        for i in np.flatnonzero(~now_sat & self.saturated):
            self.events.append(f"{m.ids[i]} is no longer saturated ({util[i] * 100:.0f} % busy)")
        self.saturated = now_sat

    # --- changes -------------------------------------------------------------------------------

    def apply(self, change: Change | dict) -> None:
        """Apply a failure or live change at the current tick boundary (`at_s` is ignored).

        Takes a change model or its JSON form, e.g. `{"action": "kill", "target": "db"}`;
        raises `ChangeError` with a message naming the problem when it cannot apply.
        """
        from simulation.changes import apply_change, parse_change

        self._memo = None
        apply_change(self, parse_change(change))
        self._routing_dirty = True
        self._capacity_dirty = True
