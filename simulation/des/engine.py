"""The discrete-event engine: every request simulated, one event heap, plain arrays.

It reads the same compiled topology as the flow engine and hands the same metric frames to a
callback, so everything downstream takes either engine. Per request: its class, its key (from
the workload's Zipf popularity), its path and its timings; caches hold actual keys, load
balancers choose real targets, replicas apply a real replication stream. Designs that allow
it run on the fast path (`simulation.des.fast`) until the first failure or live change.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import OrderedDict, deque
from collections.abc import Callable

import numpy as np

from simulation import frames
from simulation.changes import ChangeError
from simulation.compile import (
    PRIMARY,
    READ,
    REPLICA,
    ROLE_DATA_READ,
    ROLE_DATA_WRITE,
    ROLE_FORWARD,
    STATIC,
    WRITE,
    Compiled,
    K,
    compile_scenario,
)
from simulation.des.cache import cache_get
from simulation.des.fast import FastPath
from simulation.flow import _T_GRID, QUANTILES
from simulation.popularity import zipf_buckets
from simulation.scenario import Change, Scenario
from simulation.shapes import shape_factor
from simulation.stepping import Stepping

DOWN, QUEUE_FULL, TIMEOUT, CONN_LIMIT, NO_PRIMARY, NO_ROUTE = range(6)
REASONS = 6
PASS, STATION, CACHE, DATA = range(4)  # how a node treats a request
MODE_NONE, MODE_ONE, MODE_RANDOM, MODE_ROUND_ROBIN, MODE_LEAST = range(5)
_BLOCK = 1 << 14
_BIG = 1 << 62
WARM_REPLAY_MAX = 2_000_000  # requests replayed at most to warm a cache before the run


class _Draws:
    """Random numbers drawn from numpy in blocks, one per call (cheap per call).

    A class rather than a generator so that a running engine can be pickled. A pickle holds
    the generator's state from before the current block and the position in it, not the
    block (128 KB): the block is drawn again on unpickling, so the sequence goes on as is.
    """

    __slots__ = ("make", "block", "pos", "before")

    def __init__(self, make: Callable[[int], np.ndarray]) -> None:
        self.make = make  # a bound method of a numpy Generator, e.g. rng.random
        self.block: list[float] = []
        self.pos = 0
        self.before: dict | None = None

    def __call__(self) -> float:
        pos = self.pos
        if pos == len(self.block):
            self.before = self.make.__self__.bit_generator.state
            self.block = self.make(_BLOCK).tolist()
            pos = 0
        self.pos = pos + 1
        return self.block[pos]

    def __getstate__(self) -> tuple:
        return self.make, self.before, self.pos

    def __setstate__(self, state: tuple) -> None:
        self.make, self.before, self.pos = state
        self.block = []
        if self.before is not None:
            rng = self.make.__self__
            again = np.random.Generator(type(rng.bit_generator)())
            again.bit_generator.state = self.before
            self.block = getattr(again, self.make.__name__)(_BLOCK).tolist()


def _quantiles(values: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """np.quantile's default (linear) for a few quantiles, without its per-call overhead."""
    x = np.sort(values)
    pos = np.asarray(qs) * (len(x) - 1)
    low = np.floor(pos).astype(np.int64)
    high = np.minimum(low + 1, len(x) - 1)
    return x[low] + (x[high] - x[low]) * (pos - low)


class ZipfKeys:
    """Draw keys 0..keys-1 with Zipf popularity: exact at the head, uniform inside log buckets."""

    def __init__(self, keys: int, exponent: float) -> None:
        count, p = zipf_buckets(keys, exponent)
        mass = count * p
        self.cum = np.cumsum(mass) / mass.sum()
        self.start = np.concatenate([[0.0], np.cumsum(count)[:-1]])
        self.count = count

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        b = np.minimum(np.searchsorted(self.cum, rng.random(size), "right"), len(self.cum) - 1)
        return (self.start[b] + np.floor(rng.random(size) * self.count[b])).astype(np.int64)


class DesEngine(Stepping):
    """Simulate a compiled scenario request by request; hand a metric frame to `on_frame` per
    tick of simulated time (same keys as `FlowEngine`)."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int | list[int] | None = None,
        *,
        on_frame: Callable[[frames.Frame], None] | None = None,
        node_percentiles: bool = True,
        tick_s: float | None = None,
        warm_caches: bool = True,
        keep_latencies: bool = False,
        fast: bool = True,
    ) -> None:
        self.scenario = scenario
        self.keep_latencies = keep_latencies
        self.latencies: list[tuple[np.ndarray, np.ndarray]] = []
        self.seed = scenario.seed if seed is None else seed
        streams = np.random.SeedSequence(self.seed).spawn(6)
        self.rng_arrivals, self.rng_keys, rng_service, rng_route, self.rng_misc, rng_fast = (
            np.random.default_rng(s) for s in streams
        )
        self._exp = _Draws(rng_service.standard_exponential)
        self._uni = _Draws(rng_route.random)
        self.on_frame = on_frame
        self.node_percentiles = node_percentiles
        self.dt = float(tick_s if tick_s is not None else scenario.run.tick_s)
        self.t = 0.0
        self.users = float(scenario.workload.users)
        self.events: list[str] = []
        self.lost_writes = 0.0
        self.stale_reads = 0.0
        self.stale_by_key: dict[int, int] = {}
        self.summary = frames.SummaryAccumulator()
        self.history: list[dict] = []
        self._pending_restart = False
        self._pending = sorted(scenario.failures, key=lambda c: c.at_s)
        self.model = m = compile_scenario(scenario)
        wl = scenario.workload
        self.data_keys = ZipfKeys(wl.keys.keys, wl.keys.zipf_exponent)
        self.static_keys = ZipfKeys(wl.static_catalogue.objects, wl.static_catalogue.zipf_exponent)
        self._build(m)
        # Keys matter to caches, CDNs and replicas only; without them none are drawn.
        self.uses_keys = bool(len(m.cache_nodes)) or bool((m.group >= 0).sum() > 1)
        if warm_caches and len(m.cache_nodes):
            self._warm_caches()
        self._refresh()
        self._reset_counters()
        self.fast = FastPath(self, rng_fast) if fast and MODE_LEAST not in self.rt_mode else None
        self._fast_counts: FastPath | None = None

    # --- building ------------------------------------------------------------------------------

    def _build(self, m: Compiled) -> None:
        n = m.n
        self.n = n
        self.alive = m.instances.copy()
        self.alive_before = m.instances.copy()
        self.died_at = np.full(n, -np.inf)
        self.slow = np.ones(n)
        self.edge_cut = np.zeros(max(len(m.edge_ids), 1), dtype=bool)
        self.cut_at = np.full(max(len(m.edge_ids), 1), -np.inf)
        self.role = np.where(m.group >= 0, REPLICA, -1)
        self.primary = m.group_primary.copy()
        self.role[self.primary[self.primary >= 0]] = PRIMARY
        self.primary_dead_since = np.full(len(self.primary), np.nan)
        self.zone_killed: dict[str, set[str]] = {}
        ntype = []
        for i, kind in enumerate(m.kinds):
            if m.infinite[i]:
                ntype.append(PASS)
            elif kind == "cache":
                ntype.append(CACHE)
            elif kind in ("database", "replica"):
                ntype.append(DATA)
            else:
                ntype.append(STATION)
        self.ntype = ntype
        self.delay = m.delay_s.tolist()
        self.timeout = [float(x) for x in m.timeout_s]
        self.forwards = [bool(m.fwd[k, i] > 0) for k in range(K) for i in range(n)]
        self.busy = [0] * n
        self.queues: list[deque] = [deque() for _ in range(n)]
        self.q_area = [0.0] * n
        self.q_last = [0.0] * n
        self.cache_pos = {int(c): p for p, c in enumerate(m.cache_nodes)}
        self.cdn_pos = [-1] * n
        for p, c in enumerate(m.cache_nodes):
            if m.cache_is_cdn[p]:
                self.cdn_pos[int(c)] = p
        self.caches: list[OrderedDict] = [OrderedDict() for _ in m.cache_nodes]
        self.cache_cap = [int(max(c, 0)) for c in m.cache_capacity]
        # LFU runs as LRU here. A cache that holds every key never evicts, so its order
        # does not matter and LRU skips the reordering.
        wl = self.scenario.workload
        universe = [wl.static_catalogue.objects if cdn else wl.keys.keys for cdn in m.cache_is_cdn]
        self.cache_universe = universe
        self.cache_lru = [
            int(p) != 1 and cap < keys
            for p, cap, keys in zip(m.cache_policy, m.cache_capacity, universe, strict=True)
        ]
        self.cache_ttl = m.cache_ttl_s.tolist()
        self.data_cache_pos = [p for p, cdn in enumerate(m.cache_is_cdn) if not cdn]
        # Cache-aside: the server that sends a write deletes the key from the caches first;
        # deletions wait per key until the cache reaches their time (the fast path registers
        # a tick's deletions before its caches run).
        self.invalid: list[dict[int, list[float]]] = [{} for _ in m.cache_nodes]
        sends_writes = np.zeros(n, dtype=bool)
        sends_writes[m.routes.src[m.routes.role == ROLE_DATA_WRITE]] = True
        self.invalidates = (sends_writes & bool(self.data_cache_pos)).tolist()
        # Replication: per replica a FIFO of apply workers and the writes not yet visible.
        self.apply_s = np.zeros(n)
        workers: dict[int, int] = {}
        for i in np.flatnonzero(m.group >= 0):
            if np.isfinite(m.apply_rate[i]):
                write_s = m.service_s[WRITE, i]
                workers[int(i)] = max(int(round(m.apply_rate[i] * write_s)), 1)
                self.apply_s[i] = write_s
        self.workers = {i: [0.0] * w for i, w in workers.items()}
        self.pending: dict[int, deque] = {i: deque() for i in workers}
        # Per replica and key, the (commit, visible) windows of writes not yet applied.
        self.last_written: dict[int, dict[int, deque]] = {i: {} for i in workers}
        self.lag = np.zeros(n)
        rr = m.routes
        self.route_rows: list[list[int]] = [[] for _ in range(K * n)]
        for row, g in enumerate(m.group_key.tolist()):
            self.route_rows[g].append(row)
        self.lb_algorithm = {}
        for node in self.scenario.nodes:
            if node.kind == "load_balancer":
                self.lb_algorithm[m.index[node.id]] = node.params.algorithm
        self.route_dst = rr.dst.tolist()
        self.route_lat = rr.latency_s.tolist()
        # Requests: parallel lists indexed by request id, recycled through a free list.
        self.r_cls: list[int] = []
        self.r_key: list[int] = []
        self.r_born: list[float] = []
        self.r_arr: list[float] = []
        self.r_node: list[int] = []
        self.r_dead: list[bool] = []
        self.free: list[int] = []
        self.heap: list[tuple[float, int]] = []
        self.arrivals_t: list[float] = []
        self.arrivals_cls: list[int] = []
        self.arrivals_key: list[int] = []
        self.next_arrival = 0

    def _warm_caches(self) -> None:
        """Replay the requests of one TTL (or enough to fill the cache) before time 0, so caches
        start warm as the flow engine's do: a cache's state depends only on recent history."""
        from simulation.flow import FlowEngine

        m = self.model
        rates = FlowEngine(self.scenario, node_percentiles=False).cache_rate
        mix = m.rate_per_user
        data_total = mix[READ] + mix[WRITE]
        write_share = mix[WRITE] / data_total if data_total > 0 else 0.0
        for p in range(len(m.cache_nodes)):
            rate = float(rates[p])
            if rate <= 0:
                continue
            cdn = bool(m.cache_is_cdn[p])
            share = 0.0 if cdn else write_share
            total_rate = rate / max(1 - share, 1e-12)
            window = self.cache_ttl[p]
            count = int(min(total_rate * window, WARM_REPLAY_MAX))
            window = count / total_rate
            keys = (self.static_keys if cdn else self.data_keys).sample(self.rng_misc, count)
            is_write = self.rng_misc.random(count) < share
            times = np.sort(self.rng_misc.random(count)) * window - window
            cache = self.caches[p]
            cap = self.cache_cap[p]
            lru = self.cache_lru[p]
            for key, w, t in zip(keys.tolist(), is_write.tolist(), times.tolist(), strict=True):
                if w:
                    cache.pop(key, None)
                elif key in cache:
                    if lru:
                        cache.move_to_end(key)
                else:
                    cache[key] = t
                    if len(cache) > cap:
                        cache.popitem(last=False)

    # --- routing and failures ------------------------------------------------------------------

    def _refresh(self) -> None:
        """Recompute capacities, down shares and route choices after any change of state."""
        m = self.model
        r = m.routes
        n = self.n
        now = self.t
        self._promote()
        c_eff = m.servers_per_instance * np.minimum(self.alive, m.active_instances)
        self.c = [int(x) for x in np.where(m.infinite, 0, c_eff)]
        qcap = np.where(self.alive > 0, m.queue_per_instance, 0.0) * np.maximum(self.alive, 1)
        self.qlimit = [int(min(x, _BIG)) for x in qcap]
        self.smean = (m.service_s * self.slow).ravel().tolist()
        undetected_node = (now - self.died_at) < m.detect_s
        partial = (m.instances - self.alive) / m.instances
        lb_pair = (m.active_instances < m.instances) & (self.alive < m.instances)
        partial = np.where(lb_pair, 1.0, partial)
        share = np.where(self.alive <= 0, 1.0, np.where(undetected_node, partial, 0.0))
        dead_cache = np.array([t == CACHE for t in self.ntype]) & (self.alive <= 0)
        self.down = np.where(dead_cache, 0.0, share).tolist()
        self.dead_cache = dead_cache.tolist()
        self.dead = (self.alive <= 0).tolist()
        timers = [np.inf]
        timers += list((self.died_at + m.detect_s)[undetected_node])
        if len(r):
            undetected = (now - self.died_at[r.dst]) < r.detect_s
            vis = np.where(undetected, self.alive_before[r.dst], self.alive[r.dst])
            has_edge = r.edge >= 0
            cut = self.edge_cut[r.edge] & has_edge
            seen = cut & ((now - self.cut_at[r.edge]) >= r.detect_s)
            forward = np.where(r.per_instance, vis, vis > 0) * ~seen
            dst_role = self.role[r.dst]
            replica_ok = (dst_role == REPLICA) & (self.alive[r.dst] > 0) & ~seen
            w = np.where(
                r.role == ROLE_FORWARD,
                r.weight * forward,
                np.where(r.role == ROLE_DATA_READ, r.weight * replica_ok, dst_role == PRIMARY),
            ).astype(float)
            gsum = np.bincount(m.group_key, w, minlength=K * n)
            fallback = np.where(r.role == ROLE_DATA_READ, dst_role == PRIMARY, r.weight)
            w = np.where(gsum[m.group_key] <= 0, fallback, w)
            timers += list((self.died_at[r.dst] + r.detect_s)[undetected])
            timers += list((self.cut_at[r.edge] + r.detect_s)[cut & ~seen])
            self.route_cut = cut.tolist()
            self.route_vis = vis.tolist()
        else:
            w = np.zeros(0)
            self.route_cut = []
            self.route_vis = []
        groups = self.primary_dead_since + m.failover_s if len(self.primary) else np.zeros(0)
        timers += [x for x in groups if np.isfinite(x)]
        self._timer = min([x for x in timers if x > now + 1e-12], default=np.inf)
        # Per database group, its live replicas: (node, synchronous, base lag, apply time).
        reps: dict[int, list[tuple]] = {}
        for i in np.flatnonzero((m.group >= 0) & (self.role == REPLICA) & (self.alive > 0)):
            reps.setdefault(int(m.group[i]), []).append(
                (
                    int(i),
                    bool(m.sync_replication[i]),
                    float(m.base_lag_s[i]),
                    float(self.apply_s[i] * self.slow[i]),
                )
            )
        self.replicas = reps
        self.group_of = m.group.tolist()
        modes, targets, cums, weights = [], [], [], []
        for g, rows in enumerate(self.route_rows):
            rows_w = [(row, float(w[row])) for row in rows if w[row] > 0]
            if not rows_w:
                modes.append(MODE_NONE)
                targets.append(())
                cums.append(())
                weights.append(())
                continue
            src = g % n
            alg = self.lb_algorithm.get(src)
            if len(rows_w) == 1:
                mode = MODE_ONE
            elif alg in ("round_robin", "weighted"):
                mode = MODE_ROUND_ROBIN  # weighted is smooth weighted round robin (nginx)
            elif alg == "least_connections":
                mode = MODE_LEAST
            else:
                mode = MODE_RANDOM
            total = sum(x for _, x in rows_w)
            acc, cum = 0.0, []
            for _, x in rows_w:
                acc += x / total
                cum.append(acc)
            cum[-1] = 1.0
            modes.append(mode)
            targets.append(tuple(row for row, _ in rows_w))
            cums.append(tuple(cum))
            weights.append([x / total for _, x in rows_w])
        self.rt_mode = modes
        self.rt_rows = targets
        self.rt_cum = cums
        self.rt_w = weights
        self.rt_credit = [[0.0] * len(x) for x in weights]

    def _promote(self) -> None:
        m = self.model
        for g, p in enumerate(self.primary):
            since = self.primary_dead_since[g]
            if p < 0 or math.isnan(since) or self.t - since < m.failover_s[g] - 1e-9:
                continue
            candidates = [
                int(i)
                for i in np.flatnonzero((m.group == g) & (self.alive > 0) & (self.role == REPLICA))
            ]
            if not candidates:
                continue
            best = min(candidates, key=lambda i: self._pending_writes(i))
            self.role[p] = REPLICA
            self.role[best] = PRIMARY
            self.primary[g] = best
            self.pending[best].clear()
            self.primary_dead_since[g] = np.nan
            self.events.append(
                f"{m.ids[best]} promoted to primary after {self.t - since:.0f} s; writes resume"
            )

    def _pending_writes(self, i: int) -> int:
        q = self.pending.get(i)
        if q is None:
            return 0
        while q and q[0] <= self.t:
            q.popleft()
        return len(q)

    # --- changes -------------------------------------------------------------------------------

    def apply(self, change: Change) -> None:
        """Apply a failure or live change at the current simulated time."""
        if change.action != "users":  # the fast path follows a new arrival rate by itself
            self._leave_fast_path()
        m = self.model
        action = change.action
        if action == "kill":
            self._kill(self._node(change.target), change.instances)
        elif action == "restore":
            if change.target in m.edge_ids:
                self.edge_cut[m.edge_ids.index(change.target)] = False
                self.events.append(f"link {change.target} restored")
            else:
                self._restore(self._node(change.target))
        elif action == "slow":
            i = self._node(change.target)
            self.slow[i] = change.factor
            self.events.append(f"{change.target} slowed down: service time x{change.factor:g}")
        elif action == "flush":
            i = self._node(change.target)
            if i not in self.cache_pos:
                raise ChangeError(
                    f"'{change.target}' is not a cache or CDN; only those can be flushed"
                )
            self.caches[self.cache_pos[i]].clear()
            self.events.append(
                f"{change.target} flushed: misses go to the origin while it warms up"
            )
        elif action == "cut":
            if change.target not in m.edge_ids:
                raise ChangeError(f"no link '{change.target}' (links are written from->to)")
            e = m.edge_ids.index(change.target)
            self.edge_cut[e] = True
            self.cut_at[e] = self.t
            self.events.append(f"link {change.target} cut")
        elif action == "zone_down":
            victims = {m.ids[i] for i, z in enumerate(m.zones) if z == change.target}
            if not victims:
                raise ChangeError(f"no node in zone '{change.target}'")
            victims = {v for v in victims if self.alive[m.index[v]] > 0}
            self.zone_killed[change.target] = victims
            self.events.append(f"zone {change.target} is down ({len(victims)} nodes)")
            for v in sorted(victims, key=m.index.get):
                self._kill(m.index[v], None)
        elif action == "zone_up":
            for v in sorted(self.zone_killed.pop(change.target, set())):
                self._restore(m.index[v])
            self.events.append(f"zone {change.target} is back")
        elif action == "users":
            self.users = float(change.users)
            self.events.append(f"users set to {change.users:,}")
        else:
            raise ChangeError(
                f"'{action}' changes the design; the discrete-event engine runs a fixed design "
                "(use the flow engine for live design changes)"
            )
        self._refresh()

    def _leave_fast_path(self) -> None:
        if self.fast is not None:
            self.fast.hand_over(self.t)
            self._fast_counts = self.fast  # still holds what it computed for later ticks
            self.fast = None

    def _new_request(self, k: int, key: int, born: float) -> int:
        if self.free:
            rid = self.free.pop()
            self.r_cls[rid] = k
            self.r_key[rid] = key
            self.r_born[rid] = born
            return rid
        self.r_cls.append(k)
        self.r_key.append(key)
        self.r_born.append(born)
        self.r_arr.append(0.0)
        self.r_node.append(0)
        self.r_dead.append(False)
        return len(self.r_cls) - 1

    def _node(self, target: str) -> int:
        try:
            return self.model.index[target]
        except KeyError:
            raise ChangeError(f"no node with id '{target}'") from None

    def _kill(self, i: int, count: int | None) -> None:
        m = self.model
        if self.alive[i] <= 0:
            return
        before = self.alive[i]
        self.alive_before[i] = before
        self.alive[i] = max(before - (count or before), 0)
        self.died_at[i] = self.t
        share = (before - self.alive[i]) / before
        new_c = int(m.servers_per_instance[i] * min(self.alive[i], m.active_instances[i]))
        if m.infinite[i]:
            new_c = _BIG
        self._lose_in_flight(i, share, new_c)
        nid = m.ids[i]
        if self.alive[i] > 0:
            self.events.append(
                f"{nid}: {before - self.alive[i]:.0f} instance(s) down, {self.alive[i]:.0f} left"
            )
            return
        if i in self.cache_pos:
            self.caches[self.cache_pos[i]].clear()
        if m.kinds[i] == "cache":
            self.events.append(f"{nid} is down: reads go straight to the database")
        elif m.group[i] >= 0 and self.role[i] == PRIMARY:
            self._primary_died(i)
        else:
            self.events.append(f"{nid} is down")

    def _lose_in_flight(self, i: int, share: float, new_c: int) -> None:
        """Requests being served or waiting on the instances that died are lost."""
        in_service = [
            rid
            for rid in (code >> 1 for _, code in self.heap if code & 1)
            if self.r_node[rid] == i and self.r_arr[rid] >= 0 and not self.r_dead[rid]
        ]
        lose = max(len(in_service) - new_c, round(len(in_service) * share))
        if lose > 0:
            chosen = self.rng_misc.choice(len(in_service), size=lose, replace=False)
            for x in chosen:
                rid = in_service[int(x)]
                self.r_dead[rid] = True
                self._count_error(DOWN, self.r_cls[rid], i)
            self.busy[i] -= lose
        q = self.queues[i]
        keep = deque()
        for rid in q:
            if share >= 1 or self.rng_misc.random() < share:
                self._count_error(DOWN, self.r_cls[rid], i)
                self.free.append(rid)
            else:
                keep.append(rid)
        self._queue_area(i)
        self.queues[i] = keep

    def _count_error(self, reason: int, k: int, i: int) -> None:
        if reason == DOWN and k == WRITE and self.model.group[i] >= 0:
            reason = NO_PRIMARY
        self.err[(reason * K + k) * self.n + i] += 1

    def _queue_area(self, i: int) -> None:
        self.q_area[i] += len(self.queues[i]) * (self.t - self.q_last[i])
        self.q_last[i] = self.t

    def _primary_died(self, i: int) -> None:
        m = self.model
        g = m.group[i]
        self.primary_dead_since[g] = self.t
        reps = [
            int(r)
            for r in np.flatnonzero((m.group == g) & (self.role == REPLICA) & (self.alive > 0))
        ]
        if reps:
            lost = min(0 if m.sync_replication[r] else self._pending_writes(r) for r in reps)
            self.lost_writes += lost
            if lost > 0:
                self.events.append(
                    f"{m.ids[i]} died with {lost} writes not yet replicated: they are lost"
                )
            self.events.append(
                f"{m.ids[i]} (primary) is down: writes fail until a replica is promoted "
                f"in {m.failover_s[g]:.0f} s"
            )
        else:
            self.events.append(f"{m.ids[i]} (primary) is down and has no replica: writes fail")

    def _restore(self, i: int) -> None:
        m = self.model
        was_dead = self.alive[i] <= 0
        self.alive[i] = m.instances[i]
        self.alive_before[i] = m.instances[i]
        self.died_at[i] = -np.inf
        self.slow[i] = 1.0
        nid = m.ids[i]
        g = m.group[i]
        if g >= 0 and self.primary[g] == i and not np.isnan(self.primary_dead_since[g]):
            self.primary_dead_since[g] = np.nan
            self.events.append(f"{nid} is back as primary before failover; writes resume")
        elif g >= 0 and self.role[i] != PRIMARY:
            if i in self.pending:
                self.pending[i].clear()
                self.last_written[i].clear()
            self.events.append(f"{nid} is back as a replica")
        elif was_dead:
            cold = " and cold" if m.kinds[i] in ("cache", "cdn") else ""
            self.events.append(f"{nid} is back{cold}")
        self._pending_restart = True

    def _start_waiting(self) -> None:
        """After capacity grows (restore), start waiting requests on the free servers."""
        for i in range(self.n):
            q = self.queues[i]
            while q and self.busy[i] < self.c[i]:
                self._queue_area(i)
                rid = q.popleft()
                self.busy[i] += 1
                k = self.r_cls[rid]
                s = self._exp() * self.smean[k * self.n + i]
                self.work[i] += s
                heapq.heappush(self.heap, (self.t + s, (rid << 1) | 1))

    # --- stepping ------------------------------------------------------------------------------

    def _reset_counters(self) -> None:
        n = self.n
        self.arr = [0] * (K * n)
        self.srv = [0] * (K * n)
        self.comp = [0] * (K * n)
        self.err = [0] * (REASONS * K * n)
        self.link_err = [0] * len(self.model.routes)
        self.work = [0.0] * n
        self.soj: list[list[float]] = [[] for _ in range(n)]
        self.lat: list[list[float]] = [[] for _ in range(K)]
        self.born: list[list[float]] = [[] for _ in range(K)]
        self.soj_parts: list[list[np.ndarray]] = [[] for _ in range(n)]
        self.lat_parts: list[list[np.ndarray]] = [[] for _ in range(K)]
        self.born_parts: list[list[np.ndarray]] = [[] for _ in range(K)]
        self.hits = [0] * len(self.caches)
        self.lookups = [0] * len(self.caches)
        self.stale_tick = [0] * n
        self.offered_count = [0] * K
        self.q_area = [0.0] * n
        self.q_last = [self.t] * n

    def _generate_arrivals(self, t0: float, t1: float) -> tuple[np.ndarray, ...]:
        m = self.model
        rate = self.users * shape_factor(self.scenario.workload.shape, t0) * m.rate_per_user
        total = float(rate.sum()) if m.users_node >= 0 else 0.0
        count = int(self.rng_arrivals.poisson(total * (t1 - t0))) if total > 0 else 0
        times = np.sort(t0 + self.rng_arrivals.random(count) * (t1 - t0))
        cls = np.searchsorted(
            np.cumsum(rate / total) if total else [1.0], self.rng_arrivals.random(count), "right"
        )
        cls = np.minimum(cls, K - 1)
        keys = np.zeros(count, dtype=np.int64)
        if self.uses_keys:
            static = cls == STATIC
            keys[static] = self.static_keys.sample(self.rng_keys, int(static.sum()))
            keys[~static] = self.data_keys.sample(self.rng_keys, int((~static).sum()))
        self.offered_count = np.bincount(cls, minlength=K).tolist()
        return times, cls, keys

    def advance(self) -> dict:
        """Simulate one tick without building a frame; returns the tick's raw arrays."""
        t0 = self.t
        t1 = t0 + self.dt
        self._reset_counters()
        while self._pending and self._pending[0].at_s <= t0 + 1e-9:
            self.apply(self._pending.pop(0))
        inside = self._pending and self._pending[0].at_s < t1 - 1e-9
        if self.fast is not None and not inside and self._timer >= t1:
            self.fast.tick(t0, t1, *self._generate_arrivals(t0, t1))
            self.t = t1
            return self._result(t0)
        self._leave_fast_path()
        times, cls, keys = self._generate_arrivals(t0, t1)
        self.arrivals_t = times.tolist()
        self.arrivals_cls = cls.tolist()
        self.arrivals_key = keys.tolist()
        self.next_arrival = 0
        while True:
            nxt = min(self._timer, self._pending[0].at_s if self._pending else np.inf)
            if nxt >= t1:
                break
            self._run(nxt)
            self.t = nxt
            while self._pending and self._pending[0].at_s <= nxt + 1e-9:
                self.apply(self._pending.pop(0))
            self._refresh()
            if self._pending_restart:
                self._pending_restart = False
                self._start_waiting()
        self._run(t1)
        if self._fast_counts is not None:
            self._fast_counts.release(t0, t1)
        self.t = t1
        for i in range(self.n):
            self._queue_area(i)
        if self._pending_restart:
            self._pending_restart = False
            self._start_waiting()
        return self._result(t0)

    # --- the event loop ------------------------------------------------------------------------

    def _run(self, t_end: float) -> None:  # noqa: C901 - one loop, kept together for speed
        """Process arrivals and events up to t_end: the hot path, locals only."""
        heap = self.heap
        push = heapq.heappush
        pop = heapq.heappop
        nexp = self._exp
        nuni = self._uni
        n = self.n
        r_cls, r_key, r_born, r_arr, r_node, r_dead = (
            self.r_cls,
            self.r_key,
            self.r_born,
            self.r_arr,
            self.r_node,
            self.r_dead,
        )
        free = self.free
        busy, c, queues, qlimit, timeout = self.busy, self.c, self.queues, self.qlimit, self.timeout
        smean, delay, ntype, forwards = self.smean, self.delay, self.ntype, self.forwards
        down, dead_cache = self.down, self.dead_cache
        arr, srv, comp, err, link_err = self.arr, self.srv, self.comp, self.err, self.link_err
        work, soj, lat = self.work, self.soj, self.lat
        q_area, q_last = self.q_area, self.q_last
        rt_mode, rt_rows, rt_cum, rt_w, rt_credit = (
            self.rt_mode,
            self.rt_rows,
            self.rt_cum,
            self.rt_w,
            self.rt_credit,
        )
        route_dst, route_lat, route_cut, route_vis = (
            self.route_dst,
            self.route_lat,
            self.route_cut,
            self.route_vis,
        )
        group = self.model.group.tolist()
        role = self.role.tolist()
        cache_pos = self.cache_pos
        caches, cache_cap, cache_lru, cache_ttl = (
            self.caches,
            self.cache_cap,
            self.cache_lru,
            self.cache_ttl,
        )
        hits, lookups = self.hits, self.lookups
        invalid = self.invalid
        invalidates = self.invalidates
        invalidate = self.invalidate
        a_t, a_cls, a_key = self.arrivals_t, self.arrivals_cls, self.arrivals_key
        na = len(a_t)
        ai = self.next_arrival
        inf = math.inf
        keep = self.keep_latencies
        born = self.born
        users_node = self.model.users_node
        cdn_pos = self.cdn_pos
        commit = self._commit
        read_at_replica = self._read_at_replica

        def fail(rid: int, reason: int, k: int, j: int) -> None:
            if reason == DOWN and k == WRITE and group[j] >= 0:
                reason = NO_PRIMARY
            err[(reason * K + k) * n + j] += 1
            free.append(rid)

        def done(rid: int, k: int, j: int, t: float) -> None:
            comp[k * n + j] += 1
            lat[k].append(t - r_born[rid])
            if keep:
                born[k].append(r_born[rid])
            free.append(rid)

        def lookup(p: int, key: int, t: float) -> bool:
            lookups[p] += 1
            hit = cache_get(caches[p], invalid[p], key, t, cache_ttl[p], cache_cap[p], cache_lru[p])
            hits[p] += hit
            return hit

        def forward(rid: int, k: int, j: int, t: float) -> None:
            """Send rid (class k) on from node j at time t along one of j's routes."""
            g = k * n + j
            mode = rt_mode[g]
            if mode == MODE_ONE:
                row = rt_rows[g][0]
            elif mode == MODE_NONE:
                fail(rid, NO_PRIMARY if k == WRITE else NO_ROUTE, k, j)
                return
            elif mode == MODE_RANDOM:
                u = nuni()
                cum = rt_cum[g]
                x = 0
                while cum[x] < u:
                    x += 1
                row = rt_rows[g][x]
            elif mode == MODE_ROUND_ROBIN:
                # Smooth weighted round robin (nginx): even spacing, exact long-run shares.
                credit = rt_credit[g]
                ws = rt_w[g]
                best, x = -inf, 0
                for y in range(len(ws)):
                    credit[y] += ws[y]
                    if credit[y] > best:
                        best, x = credit[y], y
                credit[x] -= 1.0
                row = rt_rows[g][x]
            else:
                rows = rt_rows[g]
                best, row = inf, rows[0]
                for y in rows:
                    d = route_dst[y]
                    load = (busy[d] + len(queues[d]) + 1e-9 * nuni()) / max(route_vis[y], 1)
                    if load < best:
                        best, row = load, y
            if route_cut[row]:
                link_err[row] += 1
                free.append(rid)
                return
            dst = route_dst[row]
            tn = t + route_lat[row]
            if tn > t:
                r_node[rid] = dst
                push(heap, (tn, rid << 1))
            else:
                arrive(rid, dst, t)

        def arrive(rid: int, j: int, t: float) -> None:
            k = r_cls[rid]
            arr[k * n + j] += 1
            d = down[j]
            if d > 0.0 and (d >= 1.0 or nuni() < d):
                fail(rid, DOWN, k, j)
                return
            typ = ntype[j]
            if typ == PASS:
                srv[k * n + j] += 1
                dl = delay[j]
                soj[j].append(dl)
                p = cdn_pos[j]
                if p >= 0 and k == STATIC:
                    if lookup(p, r_key[rid], t):
                        done(rid, k, j, t + dl)
                        return
                elif not forwards[k * n + j]:
                    done(rid, k, j, t + dl)
                    return
                if dl > 0:
                    r_node[rid] = j
                    r_arr[rid] = -1.0
                    push(heap, (t + dl, (rid << 1) | 1))
                else:
                    forward(rid, k, j, t)
                return
            if dead_cache[j]:
                forward(rid, k, j, t)
                return
            r_arr[rid] = t
            r_node[rid] = j
            q = queues[j]
            if busy[j] < c[j]:
                busy[j] += 1
                s = nexp() * smean[k * n + j]
                work[j] += s
                push(heap, (t + s, (rid << 1) | 1))
                return
            if q:
                head = q[0]
                lim = timeout[j]
                if t - r_arr[head] > lim:
                    q_area[j] += len(q) * (t - q_last[j])
                    q_last[j] = t
                    while q and t - r_arr[q[0]] > lim:
                        h = q.popleft()
                        fail(h, TIMEOUT, r_cls[h], j)
            if len(q) >= qlimit[j]:
                fail(rid, CONN_LIMIT if ntype[j] in (CACHE, DATA) else QUEUE_FULL, k, j)
                return
            q_area[j] += len(q) * (t - q_last[j])
            q_last[j] = t
            q.append(rid)

        def depart(rid: int, j: int, t: float) -> None:
            k = r_cls[rid]
            q = queues[j]
            lim = timeout[j]
            while q:
                q_area[j] += len(q) * (t - q_last[j])
                q_last[j] = t
                nxt = q.popleft()
                waited = t - r_arr[nxt]
                if waited > lim:
                    fail(nxt, TIMEOUT, r_cls[nxt], j)
                    continue
                s = nexp() * smean[r_cls[nxt] * n + j]
                work[j] += s
                push(heap, (t + s, (nxt << 1) | 1))
                break
            else:
                busy[j] -= 1
            srv[k * n + j] += 1
            dl = delay[j]
            soj[j].append(t - r_arr[rid] + dl)
            typ = ntype[j]
            if typ == CACHE:
                if lookup(cache_pos[j], r_key[rid], t):
                    done(rid, k, j, t + dl)
                    return
            elif typ == DATA:
                if k == WRITE and role[j] == PRIMARY:
                    t = commit(r_key[rid], j, t)
                elif k == READ and role[j] == REPLICA:
                    read_at_replica(r_key[rid], j, t)
                done(rid, k, j, t + dl)
                return
            elif not forwards[k * n + j]:
                done(rid, k, j, t + dl)
                return
            elif k == WRITE and invalidates[j]:
                invalidate(r_key[rid], t)
            if dl > 0:
                r_arr[rid] = -1.0
                push(heap, (t + dl, (rid << 1) | 1))
            else:
                forward(rid, k, j, t)

        while True:
            ta = a_t[ai] if ai < na else inf
            if heap and heap[0][0] < ta:
                te = heap[0][0]
                if te > t_end:
                    break
                code = pop(heap)[1]
                rid = code >> 1
                if r_dead[rid]:
                    r_dead[rid] = False
                    free.append(rid)
                    continue
                if code & 1:
                    if r_arr[rid] < 0:  # the fixed delay after service has passed
                        forward(rid, r_cls[rid], r_node[rid], te)
                    else:
                        depart(rid, r_node[rid], te)
                else:
                    arrive(rid, r_node[rid], te)
            else:
                if ta > t_end:
                    break
                k = a_cls[ai]
                if free:
                    rid = free.pop()
                    r_cls[rid] = k
                    r_key[rid] = a_key[ai]
                    r_born[rid] = ta
                else:
                    rid = len(r_cls)
                    r_cls.append(k)
                    r_key.append(a_key[ai])
                    r_born.append(ta)
                    r_arr.append(0.0)
                    r_node.append(0)
                    r_dead.append(False)
                ai += 1
                arrive(rid, users_node, ta)
        self.next_arrival = ai

    # --- data: commits, replication, stale reads -----------------------------------------------

    def _commit(self, key: int, j: int, t: float) -> float:
        """A write commits at primary j: replicas receive it. Returns the time the client is
        answered (later with synchronous replicas)."""
        answer = t
        for r, sync, lag, apply_s in self.replicas.get(self.group_of[j], ()):
            if sync:
                answer = max(answer, t + lag)
                continue
            workers = self.workers[r]
            start = t if t > workers[0] else workers[0]
            heapq.heapreplace(workers, start + apply_s)
            visible = start + lag
            self.pending[r].append(visible)
            windows = self.last_written[r].get(key)
            if windows is None:
                self.last_written[r][key] = deque([(t, visible)])
            else:
                windows.append((t, visible))
            self.lag[r] = visible - t
        return answer

    def invalidate(self, key: int, t: float) -> None:
        for p in self.data_cache_pos:
            times = self.invalid[p].setdefault(key, [])
            if times and times[-1] > t:
                bisect.insort(times, t)
            else:
                times.append(t)

    def _read_at_replica(self, key: int, j: int, t: float) -> None:
        """A read at replica j is stale if a write of its key committed by t is not applied yet
        (reads reach a replica in time order, so applied windows can be dropped)."""
        written = self.last_written.get(j)
        windows = written.get(key) if written is not None else None
        if not windows:
            return
        while windows and windows[0][1] <= t:
            windows.popleft()
        if windows and windows[0][0] <= t:
            self.stale_tick[j] += 1
            self.stale_by_key[key] = self.stale_by_key.get(key, 0) + 1

    # --- the tick's arrays ---------------------------------------------------------------------

    def _result(self, t0: float) -> dict:
        m = self.model
        n = self.n
        dt = self.dt
        arrivals = np.array(self.arr, dtype=float).reshape(K, n) / dt
        served = np.array(self.srv, dtype=float).reshape(K, n) / dt
        completions = np.array(self.comp, dtype=float).reshape(K, n) / dt
        errors = np.array(self.err, dtype=float).reshape(REASONS, K, n) / dt
        link_errors = np.array(self.link_err, dtype=float) / dt
        offered = np.array(self.offered_count, dtype=float) / dt
        c_eff = m.servers_per_instance * np.minimum(self.alive, m.active_instances)
        cap = np.where(m.infinite | (c_eff <= 0), 0.0, c_eff)
        util = np.where(cap > 0, np.array(self.work) / np.maximum(cap, 1e-300) / dt, 0.0)
        queue_length = np.array(self.q_area) / dt
        backlog = np.zeros((K, n))
        for i, q in enumerate(self.queues):
            for rid in q:
                backlog[self.r_cls[rid], i] += 1
        if self.fast is not None:
            backlog[STATIC] += self.fast.backlog  # the fast path keeps totals per node
        soj = [
            np.concatenate([np.asarray(s, dtype=float), *parts])
            for s, parts in zip(self.soj, self.soj_parts, strict=True)
        ]
        lats = [
            np.concatenate([np.asarray(x, dtype=float), *parts])
            for x, parts in zip(self.lat, self.lat_parts, strict=True)
        ]
        ssum = served.sum(axis=0)
        node_count = np.array([len(s) for s in soj])
        node_sum = np.array([s.sum() for s in soj])
        node_mean = np.where(node_count > 0, node_sum / np.maximum(node_count, 1), 0.0)
        node_q = None
        if self.node_percentiles:
            node_q = np.zeros((len(QUANTILES), n))
            for i, s in enumerate(soj):
                if len(s):
                    node_q[:, i] = _quantiles(s, QUANTILES)
        hit = np.array(
            [h / x if x else float("nan") for h, x in zip(self.hits, self.lookups, strict=True)]
        )
        hit = np.where(np.isnan(hit), getattr(self, "_last_hit", np.zeros(len(hit))), hit)
        self._last_hit = hit
        target = self.scenario.workload.latency_target_ms / 1000
        class_cdf = np.zeros((K, len(_T_GRID)))
        class_mean = np.zeros(K)
        goodput = np.zeros(K)
        weight = np.zeros(K)
        all_lat = []
        for k in range(K):
            x = np.sort(lats[k])
            all_lat.append(x)
            if len(x):
                class_cdf[k] = np.searchsorted(x, _T_GRID, "right") / len(x)
                class_mean[k] = x.mean()
                goodput[k] = np.searchsorted(x, target, "right") / dt
                weight[k] = len(x) / dt
        total = weight.sum()
        system_cdf = (weight[:, None] * class_cdf).sum(axis=0) / max(total, 1e-300)
        stale = np.array(self.stale_tick, dtype=float) / dt
        self.stale_reads += float(sum(self.stale_tick))
        lag = np.where(self.role == REPLICA, np.maximum(self.lag, m.base_lag_s), 0.0)
        self.history.append(
            {
                "t": t0,
                "done": weight * dt,
                "latency_sum": np.array([x.sum() for x in all_lat]),
                "node_served": ssum * dt,
                "node_sojourn_sum": node_sum,
                "node_work": np.array(self.work),
                "node_capacity": cap,
                "queue_area": np.array(self.q_area),
                "errors": errors.sum() * dt,
                "offered": offered.sum() * dt,
                "goodput": goodput.sum() * dt,
                "backlog": backlog.sum(),
            }
        )
        if self.keep_latencies:
            borns = [
                np.concatenate([np.asarray(b, dtype=float), *parts])
                for b, parts in zip(self.born, self.born_parts, strict=True)
            ]
            self.latencies.append((np.concatenate(borns), np.concatenate(lats)))
        self._saturation_events(np.minimum(util, 1.0))
        return {
            "offered": offered,
            "arrivals": arrivals,
            "served": served,
            "completions": completions,
            "errors": errors,
            "link_errors": link_errors,
            "backlog": backlog,
            "capacity": cap,
            "hit": hit,
            "utilization": np.minimum(util, 1.0),
            "queue_length": queue_length,
            "node_mean_s": node_mean,
            "node_quantiles_s": node_q,
            "replication_lag_s": lag,
            "stale": stale,
            "class_cdf": class_cdf,
            "class_mean_s": class_mean,
            "class_goodput": goodput,
            "class_weight": weight,
            "system_cdf": system_cdf,
            "system_mean_s": float((weight * class_mean).sum() / max(total, 1e-300)),
        }

    def _saturation_events(self, util: np.ndarray) -> None:
        saturated = getattr(self, "_saturated", np.zeros(self.n, dtype=bool))
        now = util >= 0.95
        for i in np.flatnonzero(now & ~saturated):
            self.events.append(f"{self.model.ids[i]} is saturated: {util[i] * 100:.0f} % busy")
        for i in np.flatnonzero(~now & saturated):
            self.events.append(
                f"{self.model.ids[i]} is no longer saturated ({util[i] * 100:.0f} % busy)"
            )
        self._saturated = now
