"""The discrete-event engine's fast path: a tick at a time, station by station in level order,
each station's requests in time order through the FCFS recursion (Lindley for one server,
a heap of server free times for several; Kiefer and Wolfowitz 1955).

Exact for what it covers: routes go from lower to higher levels, so every arrival at a station
within a tick is known before the station is processed, and an FCFS station's departures
follow from its arrivals alone. It covers designs whose routing does not depend on the state
of other nodes (no least connections) while nothing fails; the engine hands over to the event
heap, with every request where it is, at the first failure or live change.
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from simulation.compile import PRIMARY, READ, WRITE, K
from simulation.des.cache import cache_get_many

if TYPE_CHECKING:
    from simulation.des.engine import DesEngine

DOWN, QUEUE_FULL, TIMEOUT, CONN_LIMIT, NO_PRIMARY, NO_ROUTE = range(6)
PASS, STATION, CACHE, DATA = range(4)
MODE_NONE, MODE_ONE, MODE_RANDOM, MODE_ROUND_ROBIN = range(4)
_FIELDS = 8  # t, cls, key, born, previous station, its arrival, start and service end
_STAMPS_MAX = 50_000_000  # objects: beyond this a CDN keeps its map of keys


class FastPath:
    """Per-tick FCFS recursions for a `DesEngine` whose design qualifies (see module doc)."""

    def __init__(self, engine: DesEngine, rng: np.random.Generator) -> None:
        self.e = engine
        self.rng = rng
        m = engine.model
        n = engine.n
        self.pend: list[list[tuple]] = [[] for _ in range(n)]
        self.free = [[0.0] * max(int(c), 1) for c in engine.c]
        self.tail = [np.zeros(0) for _ in range(n)]
        self.smean = m.service_s.copy()
        self.forwards = m.fwd > 0
        primary_first = np.where(engine.role == PRIMARY, 0, 1)
        self.order = sorted(range(n), key=lambda i: (m.level[i], primary_first[i], i))
        self.backlog = np.zeros(n)
        # What happens after the tick it was computed in is counted in the tick it happens:
        # service ends (served, work, sojourn), completions, and time spent waiting.
        self.served_later: list[list[tuple]] = [[] for _ in range(n)]
        self.done_later: list[list[tuple]] = [[] for _ in range(n)]
        self.waiting: list[list[tuple]] = [[] for _ in range(n)]
        # A CDN that holds the whole catalogue never evicts and is never written: its state is
        # one insertion time per object (NaN: absent), looked up for a whole tick at once.
        self.stamps: dict[int, np.ndarray] = {}
        for p in range(len(m.cache_nodes)):
            objects = engine.cache_universe[p]
            whole = engine.cache_cap[p] >= objects and objects <= _STAMPS_MAX
            if m.cache_is_cdn[p] and whole and engine.cache_ttl[p] >= engine.dt:
                stamps = np.full(objects, np.nan)
                cache = engine.caches[p]
                if cache:
                    stamps[np.fromiter(cache.keys(), np.int64)] = np.fromiter(cache.values(), float)
                cache.clear()
                self.stamps[p] = stamps

    # --- one tick ------------------------------------------------------------------------------

    def tick(self, t0: float, t1: float, times, cls, keys) -> None:
        e = self.e
        if len(times):
            block = np.full((_FIELDS, len(times)), np.nan)
            block[0] = block[3] = times
            block[1] = cls
            block[2] = keys
            block[4] = -1
            self.pend[e.model.users_node].append(block)
        for j in self.order:
            parts = self.pend[j]
            if not parts:
                continue
            block = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
            now = block[0] < t1
            if now.all():
                self.pend[j] = []
            else:
                self.pend[j] = [block[:, ~now]]
                if not now.any():
                    continue
                block = block[:, now]
            block = block[:, np.argsort(block[0], kind="stable")]
            a, born = block[0], block[3]
            k = block[1].astype(np.int64)
            key = block[2].astype(np.int64)
            self._count(e.arr, k, j)
            if e.ntype[j] == PASS:
                self._pass(j, a, k, key, born)
            else:
                self._station(j, a, k, key, born)
        for j in range(e.n):
            tail = self.tail[j]
            self.tail[j] = tail[tail > t1]
        self.release(t0, t1)

    def release(self, t0: float, t1: float) -> None:
        """Count into the engine's tick counters what happens in [t0, t1)."""
        e = self.e
        for j in range(e.n):
            if self.served_later[j]:
                (d, k, s, soj), self.served_later[j] = _due(self.served_later[j], t1)
                self._count(e.srv, k, j)
                e.work[j] += float(s.sum())
                e.soj_parts[j].append(soj)
            if self.done_later[j]:
                (t, k, lat, born), self.done_later[j] = _due(self.done_later[j], t1)
                self._count(e.comp, k, j)
                for cls in _present(k):
                    e.lat_parts[cls].append(lat[k == cls])
                    if e.keep_latencies:
                        e.born_parts[cls].append(born[k == cls])
            if self.waiting[j]:
                a, st = _merge(self.waiting[j])
                e.q_area[j] += float(np.maximum(np.minimum(st, t1) - np.maximum(a, t0), 0).sum())
                later = st > t1
                self.waiting[j] = [(a[later], st[later])] if later.any() else []
                self.backlog[j] = int(later.sum())
            else:
                self.backlog[j] = 0

    def _count(self, counter: list, k: np.ndarray, j: int, reason: int | None = None) -> None:
        n = self.e.n
        for cls, c in enumerate(np.bincount(k, minlength=K).tolist()):
            if c:
                idx = cls * n + j if reason is None else (reason * K + cls) * n + j
                counter[idx] += c

    def _pass(self, j, a, k, key, born) -> None:
        e = self.e
        dl = e.delay[j]
        self._count(e.srv, k, j)
        e.soj_parts[j].append(np.full(len(a), dl))
        fw = self.forwards[k, j]
        p = e.cdn_pos[j]
        if p >= 0:
            static = k == 0
            hit = np.zeros(len(a), dtype=bool)
            hit[static] = self._lookups(p, key[static], a[static])
            fw = static & ~hit | (~static & fw)
        none = np.full(len(a), np.nan)
        self._done(j, ~fw, k, a + dl, born)
        self._forward(j, fw, a + dl, k, key, born, np.full(len(a), -1), none, none, none)

    def _station(self, j, a, k, key, born) -> None:
        e = self.e
        s = self.rng.standard_exponential(len(a)) * self.smean[k, j] * e.slow[j]
        start, reason = self._fcfs(j, a, s)
        ok = reason < 0
        if not ok.all():
            for r in _present(reason[~ok]):
                self._count(e.err, k[reason == r], j, r)
            a, k, key, born, s, start = (x[ok] for x in (a, k, key, born, s, start))
        if not len(a):
            return
        d = start + s
        wait = start - a
        dl = e.delay[j]
        self.served_later[j].append((d, k, s, d - a + dl))
        queued = wait > 0
        if queued.any():
            self.waiting[j].append((a[queued], start[queued]))
        typ = e.ntype[j]
        pn = np.full(len(a), j)
        if typ == CACHE:
            miss = ~self._lookups(e.cache_pos[j], key, d)
            self._done(j, ~miss, k, d + dl, born)
            self._forward(j, miss, d + dl, k, key, born, pn, a, start, d)
        elif typ == DATA:
            answer = d + dl
            if e.role[j] == PRIMARY:
                writes = np.flatnonzero(k == WRITE)
                commit = e._commit
                answer[writes] = [
                    commit(x, j, t) + dl
                    for x, t in zip(key[writes].tolist(), d[writes].tolist(), strict=True)
                ]
            else:
                read = e._read_at_replica
                for x, t in zip(key[k == READ].tolist(), d[k == READ].tolist(), strict=True):
                    read(x, j, t)
            self._done(j, np.ones(len(a), dtype=bool), k, answer, born)
        else:
            fw = self.forwards[k, j]
            if e.invalidates[j]:
                writes = fw & (k == WRITE)
                for x, t in zip(key[writes].tolist(), d[writes].tolist(), strict=True):
                    e.invalidate(x, t)
            self._done(j, ~fw, k, d + dl, born)
            self._forward(j, fw, d + dl, k, key, born, pn, a, start, d)

    def _fcfs(self, j: int, a: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Start times of an FCFS station's arrivals a (sorted) with service s; rejected ones
        carry an error reason (queue full or connection limit, timeout) instead."""
        e = self.e
        free = self.free[j]
        tail = self.tail[j]
        n = len(a)
        if len(free) == 1:
            c = np.cumsum(s)
            run = np.maximum(np.maximum.accumulate(a - (c - s)), free[0])
            start = c + run - s
            new_free = [float(c[-1] + run[-1])]
        else:
            start, new_free = _multi_server(a, s, list(free))
        wait = start - a
        qlim = e.qlimit[j]
        bad = bool(wait.max() > e.timeout[j])
        if not bad and qlim < n + len(tail):
            ahead = np.arange(n) - np.searchsorted(start, a, "right") + (wait <= 0)
            ahead += len(tail) - np.searchsorted(tail, a, "right")
            bad = bool(((ahead >= qlim) & (wait > 0)).any())
        if not bad:
            self.free[j] = new_free
            self.tail[j] = np.concatenate([tail, start[wait > 0]])
            return start, np.full(n, -1)
        return self._fcfs_limited(j, a, s)

    def _fcfs_limited(self, j: int, a: np.ndarray, s: np.ndarray):
        """The same recursion request by request, rejecting at the queue limit and failing
        those whose wait would pass the timeout (FCFS: the wait is known on arrival)."""
        e = self.e
        free = self.free[j]
        waiting = deque(self.tail[j].tolist())
        qlim = e.qlimit[j]
        timeout = e.timeout[j]
        full = CONN_LIMIT if e.ntype[j] in (CACHE, DATA) else QUEUE_FULL
        start = np.full(len(a), np.nan)
        reason = np.full(len(a), -1)
        replace = heapq.heapreplace
        for i, (ai, si) in enumerate(zip(a.tolist(), s.tolist(), strict=True)):
            while waiting and waiting[0] <= ai:
                waiting.popleft()
            f = free[0]
            st = ai if ai > f else f
            if st > ai:
                if len(waiting) >= qlim:
                    reason[i] = full
                    continue
                if st - ai > timeout:
                    reason[i] = TIMEOUT
                    continue
                waiting.append(st)
            replace(free, st + si)
            start[i] = st
        self.tail[j] = np.array(waiting)
        return start, reason

    def _lookups(self, p: int, keys: np.ndarray, times: np.ndarray) -> np.ndarray:
        e = self.e
        if p in self.stamps:
            return self._stamp_lookups(p, keys, times)
        args = (e.cache_ttl[p], e.cache_cap[p], e.cache_lru[p])
        found = cache_get_many(e.caches[p], e.invalid[p], keys.tolist(), times.tolist(), *args)
        hits = np.array(found, dtype=bool)
        e.lookups[p] += len(hits)
        e.hits[p] += int(hits.sum())
        return hits

    def _stamp_lookups(self, p: int, keys: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Per object, hits until its entry expires; the first request after that misses and
        re-inserts it, and the tick's later requests hit (the TTL is at least a tick)."""
        e = self.e
        stamps = self.stamps[p]
        prev = stamps[keys]
        expired = np.isnan(prev) | (times - prev > e.cache_ttl[p])
        where = np.flatnonzero(expired)
        _, first = np.unique(keys[where], return_index=True)
        miss = np.zeros(len(keys), dtype=bool)
        miss[where[first]] = True
        stamps[keys[miss]] = times[miss]
        e.lookups[p] += len(keys)
        e.hits[p] += int(len(keys) - miss.sum())
        return ~miss

    def _done(self, j, sel, k, t, born) -> None:
        if not sel.any():
            return
        self.done_later[j].append((t[sel], k[sel], t[sel] - born[sel], born[sel]))

    def _forward(self, j, sel, t, k, key, born, pn, pa, ps, pd) -> None:
        if not sel.any():
            return
        e = self.e
        n = e.n
        block = np.vstack((t, k, key, born, pn, pa, ps, pd))[:, sel]
        t, k = block[0], k[sel]
        for cls in _present(k):
            g = cls * n + j
            mode = e.rt_mode[g]
            mine = k == cls
            if mode == MODE_NONE:
                self._count(e.err, k[mine], j, NO_PRIMARY if cls == WRITE else NO_ROUTE)
                continue
            rows = e.rt_rows[g]
            count = int(mine.sum())
            if mode == MODE_ONE:
                pick = np.zeros(count, dtype=np.int64)
            elif mode == MODE_RANDOM:
                pick = np.searchsorted(e.rt_cum[g], self.rng.random(count), "right")
                pick = np.minimum(pick, len(rows) - 1)
            else:
                pick = np.empty(count, dtype=np.int64)
                pick[np.argsort(t[mine], kind="stable")] = self._round_robin(g, count)
            mine_block = block if count == len(k) else block[:, mine]
            for x, row in enumerate(rows):
                part = mine_block if len(rows) == 1 else mine_block[:, pick == x]
                if not part.shape[1]:
                    continue
                part = part.copy() if part is block else part
                part[0] += e.route_lat[row]
                self.pend[e.route_dst[row]].append(part)

    def _round_robin(self, g: int, count: int) -> np.ndarray | list[int]:
        """Smooth weighted round robin (nginx), continuing the engine's credits; with equal
        weights it is plain rotation, done for the whole batch at once."""
        credit = self.e.rt_credit[g]
        ws = self.e.rt_w[g]
        if max(ws) - min(ws) < 1e-12:
            # Equal credits rotate: the next target is the first with the highest credit.
            first = max(range(len(ws)), key=lambda y: (credit[y], -y))
            pick = (first + np.arange(count)) % len(ws)
            last = int(pick[-1]) if count else first - 1
            for y in range(len(ws)):
                credit[y] = 0.0 if y > last else -1e-9  # after `last`, rotation resumes
            return pick
        span = range(len(ws))
        out = []
        for _ in range(count):
            for y in span:
                credit[y] += ws[y]
            x = max(span, key=credit.__getitem__)
            credit[x] -= 1.0
            out.append(x)
        return out

    # --- handing over to the event heap --------------------------------------------------------

    def hand_over(self, now: float) -> None:
        """Put every request in flight into the engine's heap, queues and servers as it stands
        at `now`: still in service, waiting, or on its way to the next node."""
        e = self.e
        waiting: dict[int, list[tuple[float, int]]] = {}
        for j, parts in enumerate(self.pend):
            for part in parts:
                for t, k, key, born, pn, pa, ps, pd in part.T.tolist():
                    rid = e._new_request(int(k), int(key), born)
                    if pn >= 0 and pd > now:
                        e.r_node[rid] = int(pn)
                        e.r_arr[rid] = pa
                        if ps <= now:
                            e.busy[int(pn)] += 1
                            heapq.heappush(e.heap, (pd, (rid << 1) | 1))
                        else:
                            waiting.setdefault(int(pn), []).append((ps, rid))
                    else:
                        e.r_node[rid] = j
                        heapq.heappush(e.heap, (t, rid << 1))
        for j, items in waiting.items():
            e.queues[j].extend(rid for _, rid in sorted(items))
        self.pend = [[] for _ in range(e.n)]
        for p, stamps in self.stamps.items():
            held = np.flatnonzero(~np.isnan(stamps))
            order = held[np.argsort(stamps[held], kind="stable")]
            e.caches[p].update(zip(order.tolist(), stamps[order].tolist(), strict=True))
        self.stamps = {}


def _present(values: np.ndarray) -> list[int]:
    """The distinct small non-negative ints in `values` (cheaper than np.unique)."""
    return np.flatnonzero(np.bincount(values)).tolist()


def _merge(parts: list[tuple]) -> tuple[np.ndarray, ...]:
    if len(parts) == 1:
        return parts[0]
    return tuple(np.concatenate(cols) for cols in zip(*parts, strict=True))


def _due(parts: list[tuple], t1: float) -> tuple[tuple[np.ndarray, ...], list[tuple]]:
    """Split records (time first) into those before t1 and the rest, kept for later."""
    cols = _merge(parts)
    now = cols[0] < t1
    if now.all():
        return cols, []
    rest = ~now
    return tuple(c[now] for c in cols), [tuple(c[rest] for c in cols)]


def _multi_server(a: np.ndarray, s: np.ndarray, free: list[float]) -> tuple[np.ndarray, list]:
    """FCFS with c = len(free) servers (free: their free times, a heap); a sorted.

    Stretches where nobody waits are done at once: while fewer than c requests are in service
    at each arrival (checked exactly, counting the servers still busy from before), each
    request starts on arrival, and the servers' free times are then the c latest departures.
    Where a request finds every server busy, requests go one by one for a while; a station
    where that keeps happening (a busy one) goes one by one for the rest of the tick.
    Returns the start times and the servers' free times after.
    """
    c = len(free)
    n = len(a)
    start = np.empty(n)
    replace = heapq.heapreplace
    al, sl = a.tolist(), s.tolist()
    i = 0
    misses = 0
    while i < n:
        step = n
        if misses < 3:
            seg = a[i : i + 1024]
            d = seg + s[i : i + 1024]
            carry = np.sort(free)
            busy = np.arange(len(seg)) - np.searchsorted(np.sort(d), seg, "right")
            busy += c - np.searchsorted(carry, seg, "right")
            over = np.flatnonzero(busy >= c)
            ok = int(over[0]) if len(over) else len(seg)
            if ok:
                start[i : i + ok] = seg[:ok]
                free = np.sort(np.concatenate([carry, d[:ok]]))[-c:].tolist()
                i += ok
            misses = misses + 1 if ok < 64 else 0
            step = 32
        for k in range(i, min(i + step, n)):
            ai = al[k]
            f = free[0]
            st = ai if ai > f else f
            replace(free, st + sl[k])
            start[k] = st
        i = min(i + step, n)
    return start, free
