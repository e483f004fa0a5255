"""Metric frames: the JSON-ready dict an engine emits per tick, and the run summary.

A frame is plain data (floats, ints, strings, lists, dicts) so it can go to a browser as
JSON unchanged; the discrete-event engine emits the same shape. Keys are listed in
`docs/metrics.md`.
"""

from __future__ import annotations

import math
from typing import Any, Protocol, TypedDict

import numpy as np

from simulation.catalogue import BILL_LINES, HOURS_PER_MONTH
from simulation.compile import Compiled, K
from simulation.pricing import monthly_bill
from simulation.scenario import REQUEST_CLASSES

TIME_GRID_S = np.logspace(-5, 4, 181)  # response-time CDFs: 10 us to 3 h, 20 points a decade
_LOG_GRID = np.log(TIME_GRID_S)
QUANTILE_KEYS = ("p50_ms", "p95_ms", "p99_ms")
QUANTILE_VALUES = (0.5, 0.95, 0.99)
REASON_WORDS = (
    "node down at {}",
    "queue full at {}",
    "timeout at {}",
    "connection limit at {}",
    "no primary",
    "no route from {}",
)


class FrameSource(Protocol):
    """What an engine exposes to have its ticks turned into frames (both engines do)."""

    model: Compiled
    t: float  # simulated seconds at the end of the tick
    users: float
    alive: np.ndarray  # instances alive per node
    role: np.ndarray  # 0 primary, 1 replica, -1 outside a database group
    lost_writes: float
    stale_reads: float
    events: list[str]


class TickArrays(TypedDict):
    """One tick's results in compiled node order; K classes, N nodes, R routes, G time grid."""

    offered: np.ndarray  # (K,) requests/s from the users
    arrivals: np.ndarray  # (K, N)
    served: np.ndarray  # (K, N)
    completions: np.ndarray  # (K, N) answered at this node
    errors: np.ndarray  # (reasons, K, N), reasons in the order of REASON_WORDS
    link_errors: np.ndarray  # (R,) lost on cut links
    backlog: np.ndarray  # (K, N) fluid backlog at the end of the tick
    utilization: np.ndarray  # (N,)
    queue_length: np.ndarray  # (N,)
    node_mean_s: np.ndarray  # (N,)
    node_quantiles_s: np.ndarray | None  # (3, N) p50, p95, p99
    hit: np.ndarray  # (caches,) in Compiled.cache_nodes order
    replication_lag_s: np.ndarray  # (N,)
    stale: np.ndarray  # (N,) stale reads/s
    class_mean_s: np.ndarray  # (K,)
    class_cdf: np.ndarray  # (K, G) response-time CDF per class on the engine's time grid
    class_weight: np.ndarray  # (K,) answered requests/s per class
    class_goodput: np.ndarray  # (K,)
    system_cdf: np.ndarray  # (G,)
    system_mean_s: float


class ClassMetrics(TypedDict):
    offered_rps: float
    served_rps: float
    goodput_rps: float
    error_rps: float
    error_rate: float
    mean_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


class SystemMetrics(TypedDict):
    users: float
    offered_rps: float
    served_rps: float
    goodput_rps: float
    error_rps: float
    error_rate: float
    errors: dict[str, float]
    availability: float
    mean_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    lost_writes: float
    stale_reads: float
    stale_read_rps: float
    backlog: float
    cost_per_hour: float
    cost_per_month: float
    cost_breakdown: dict[str, float]


class NodeMetrics(TypedDict, total=False):
    kind: str
    alive: bool
    instances_alive: int
    offered_rps: float
    served_rps: float
    utilization: float
    queue_length: float
    mean_ms: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    errors: dict[str, float]
    error_rps: float
    hit_ratio: float
    replication_lag_ms: float
    role: str


class Frame(TypedDict):
    t: float
    system: SystemMetrics
    classes: dict[str, ClassMetrics]
    nodes: dict[str, NodeMetrics]
    events: list[str]


def _r(x: float, digits: int = 6) -> float:
    x = float(x)
    if not math.isfinite(x):  # math, not numpy: called dozens of times a tick
        return 0.0
    return round(x, digits)


def quantile_from_cdf(cdf: np.ndarray, q: float) -> float:
    """Seconds at which a CDF on TIME_GRID_S reaches q (interpolated in log time)."""
    if cdf[-1] <= 0:
        return 0.0
    cdf = np.maximum.accumulate(cdf / max(cdf[-1], 1e-300))
    return float(np.exp(np.interp(q, cdf, _LOG_GRID)))


def error_breakdown(
    engine: FrameSource, res: TickArrays
) -> tuple[dict[str, float], dict[int, dict[str, float]]]:
    """Errors per reason for the system and for each node that has any (by node index),
    requests per second."""
    m = engine.model
    err = res["errors"].sum(axis=1)  # (reasons, N)
    system: dict[str, float] = {}
    per_node: dict[int, dict[str, float]] = {}
    reasons, nodes = np.nonzero(err > 1e-12)
    for reason, i in zip(reasons.tolist(), nodes.tolist(), strict=True):
        words = REASON_WORDS[reason].format(m.ids[i])
        value = float(err[reason, i])
        system[words] = system.get(words, 0.0) + value
        node = per_node.setdefault(i, {})
        node[words] = node.get(words, 0.0) + value
    links = res["link_errors"]
    for r in np.flatnonzero(links > 1e-12).tolist():
        words = f"link cut {m.edge_ids[m.routes.edge[r]]}"
        src = int(m.routes.src[r])
        value = float(links[r])
        system[words] = system.get(words, 0.0) + value
        node = per_node.setdefault(src, {})
        node[words] = node.get(words, 0.0) + value
    return system, per_node


class TickErrors:
    """A tick's errors as frames show them: per reason for the system and for each node that
    has any (by node index), and each node's total. Built once per tick's error arrays: a
    flow engine repeating a steady tick hands the same arrays again."""

    __slots__ = ("source", "system", "nodes", "rps")

    def __init__(self, engine: FrameSource, res: TickArrays) -> None:
        self.source = (res["errors"], res["link_errors"], engine.model)
        sys_errors, node_errors = error_breakdown(engine, res)
        self.system = {k: _r(v) for k, v in sorted(sys_errors.items())}
        self.nodes = {
            i: {k: _r(v) for k, v in sorted(errs.items())} for i, errs in node_errors.items()
        }
        self.rps = np.zeros(engine.model.n)
        for i, errs in node_errors.items():
            self.rps[i] = _r(sum(errs.values()))

    def of(self, engine: FrameSource, res: TickArrays) -> bool:
        """Whether these are the errors of that tick (the very same arrays and model)."""
        errors, links, model = self.source
        return res["errors"] is errors and res["link_errors"] is links and engine.model is model


class TickFigures:
    """The numbers of one tick that both its frame and the run summary use, rounded as the
    frame shows them; per-node values stay numpy columns in compiled node order, so a tick
    whose frame is not built costs a few array operations, not a dict per node."""

    __slots__ = (
        "t",
        "offered",
        "served_k",
        "err_by_class",
        "classes",
        "total_offered",
        "total_served",
        "total_errors",
        "system",
        "errors",
        "cost_hour",
        "bill",
        "columns",
        "node_errors",
        "error_rps",
        "tick_errors",
        "hit_nodes",
        "hit",
        "lag_nodes",
        "lag",
    )

    def __init__(
        self, engine: FrameSource, res: TickArrays, previous: TickFigures | None = None
    ) -> None:
        """`previous`: the figures of the tick before, whose errors are reused if unchanged."""
        m = engine.model
        self.t = _r(engine.t)
        offered = self.offered = res["offered"]
        completions = res["completions"]
        err_by_class = self.err_by_class = res["errors"].sum(axis=(0, 2)) + np.bincount(
            m.routes.cls, res["link_errors"], minlength=K
        )
        served_k = self.served_k = completions.sum(axis=1)
        goodput = res["class_goodput"]
        self.classes = [
            (_r(offered[k]), _r(served_k[k]), _r(goodput[k]), _r(err_by_class[k])) for k in range(K)
        ]
        self.total_offered = float(offered.sum())
        self.total_served = float(served_k.sum())
        self.total_errors = float(err_by_class.sum())
        bill = monthly_bill(m, served_k)
        self.bill = {line: _r(usd, 2) for line, usd in bill.items()}
        self.cost_hour = sum(bill.values()) / HOURS_PER_MONTH
        self.system = {
            "offered_rps": _r(self.total_offered),
            "served_rps": _r(self.total_served),
            "goodput_rps": _r(goodput.sum()),
            "error_rps": _r(self.total_errors),
            "cost_per_month": _r(self.cost_hour * HOURS_PER_MONTH, 2),
            "lost_writes": _r(engine.lost_writes, 3),
            "stale_reads": _r(engine.stale_reads, 3),
        }
        errors = previous.tick_errors if previous is not None else None
        if errors is None or not errors.of(engine, res):
            errors = TickErrors(engine, res)
        self.tick_errors = errors
        self.errors = errors.system
        self.node_errors = errors.nodes
        self.error_rps = errors.rps
        columns = {
            "offered_rps": _column(res["arrivals"].sum(axis=0)),
            "served_rps": _column(res["served"].sum(axis=0)),
            "utilization": _column(res["utilization"]),
            "queue_length": _column(res["queue_length"]),
            "mean_ms": _column(res["node_mean_s"] * 1000),
        }
        nq = res["node_quantiles_s"]
        if nq is not None:
            for key, row in zip(QUANTILE_KEYS, _column(nq * 1000), strict=True):
                columns[key] = row
        self.columns = columns
        self.hit_nodes = m.cache_nodes
        self.hit = np.where(engine.alive[m.cache_nodes] > 0, _column(res["hit"]), 0.0)
        self.lag_nodes = np.flatnonzero(engine.role >= 0)
        self.lag = _column(res["replication_lag_s"][self.lag_nodes] * 1000)


def _column(values: np.ndarray, digits: int = 6) -> np.ndarray:
    """Rounded JSON-ready floats; non-finite values (a dead node's infinite wait) become 0."""
    return np.round(np.where(np.isfinite(values), values, 0.0), digits)


def _quantiles_ms(cdf: np.ndarray) -> list[float]:
    """p50, p95 and p99 of a CDF on TIME_GRID_S in ms, rounded (0 for an empty CDF)."""
    if cdf[-1] <= 0:
        return [0.0, 0.0, 0.0]
    cdf = np.maximum.accumulate(cdf / max(cdf[-1], 1e-300))
    seconds = np.exp(np.interp(QUANTILE_VALUES, cdf, _LOG_GRID))
    return [_r(s * 1000) for s in seconds.tolist()]


def build_frame(engine: FrameSource, res: TickArrays, figures: TickFigures | None = None) -> Frame:
    """The tick's frame; `figures` are its shared numbers when the caller has them already."""
    f = TickFigures(engine, res) if figures is None else figures
    offered = f.offered
    classes: dict[str, ClassMetrics] = {}
    for k, name in enumerate(REQUEST_CLASSES):
        q = _quantiles_ms(res["class_cdf"][k]) if f.served_k[k] > 0 else [0.0, 0.0, 0.0]
        offered_r, served_r, good_r, err_r = f.classes[k]
        classes[name] = {
            "offered_rps": offered_r,
            "served_rps": served_r,
            "goodput_rps": good_r,
            "error_rps": err_r,
            "error_rate": _r(f.err_by_class[k] / offered[k]) if offered[k] > 0 else 0.0,
            "mean_ms": _r(res["class_mean_s"][k] * 1000),
            "p50_ms": q[0],
            "p95_ms": q[1],
            "p99_ms": q[2],
        }
    total_offered, total_served, total_errors = f.total_offered, f.total_served, f.total_errors
    sq = _quantiles_ms(res["system_cdf"]) if total_served > 0 else [0.0, 0.0, 0.0]
    s = f.system
    system: SystemMetrics = {
        "users": _r(engine.users),
        "offered_rps": s["offered_rps"],
        "served_rps": s["served_rps"],
        "goodput_rps": s["goodput_rps"],
        "error_rps": s["error_rps"],
        "error_rate": _r(total_errors / total_offered) if total_offered > 0 else 0.0,
        "errors": dict(f.errors),
        "availability": _r(total_served / (total_served + total_errors))
        if total_served + total_errors > 0
        else 1.0,
        "mean_ms": _r(res["system_mean_s"] * 1000),
        "p50_ms": sq[0],
        "p95_ms": sq[1],
        "p99_ms": sq[2],
        "lost_writes": s["lost_writes"],
        "stale_reads": s["stale_reads"],
        "stale_read_rps": _r(res["stale"].sum()),
        "backlog": _r(res["backlog"].sum()),
        "cost_per_hour": _r(f.cost_hour),
        "cost_per_month": s["cost_per_month"],
        "cost_breakdown": dict(f.bill),
    }
    return {
        "t": f.t,
        "system": system,
        "classes": classes,
        "nodes": _node_metrics(engine, f),
        "events": list(engine.events),
    }


def _node_metrics(engine: FrameSource, f: TickFigures) -> dict[str, NodeMetrics]:
    m = engine.model
    cols = f.columns
    no_quantiles = [None] * m.n
    quantiles = [cols[k].tolist() if k in cols else no_quantiles for k in QUANTILE_KEYS]
    hit = dict(zip(f.hit_nodes.tolist(), f.hit.tolist(), strict=True))
    lag = dict(zip(f.lag_nodes.tolist(), f.lag.tolist(), strict=True))
    role = engine.role.tolist()
    node_errors = f.node_errors
    nodes: dict[str, NodeMetrics] = {}
    # One dict display per node, in the keys' documented order: this loop runs per node
    # and per frame, so it is kept to what a node needs.
    rows = zip(
        m.ids,
        m.kinds,
        engine.alive.tolist(),
        *(cols[k].tolist() for k in ("offered_rps", "served_rps", "utilization")),
        *(cols[k].tolist() for k in ("queue_length", "mean_ms")),
        *quantiles,
        f.error_rps.tolist(),
        strict=True,
    )
    for i, (nid, kind, a, offered, served, util, queue, mean, p50, p95, p99, err) in enumerate(
        rows
    ):
        node: NodeMetrics = {
            "kind": kind,
            "alive": a > 0,
            "instances_alive": int(a),
            "offered_rps": offered,
            "served_rps": served,
            "utilization": util,
            "queue_length": queue,
            "mean_ms": mean,
            "p50_ms": p50,
            "p95_ms": p95,
            "p99_ms": p99,
            "errors": dict(node_errors[i]) if i in node_errors else {},
            "error_rps": err,
        }
        if i in hit:
            node["hit_ratio"] = hit[i]
        if i in lag:
            node["role"] = "primary" if role[i] == 0 else "replica"
            node["replication_lag_ms"] = lag[i]  # 0 for the primary
        nodes[nid] = node
    return nodes


_SUMMED_SYSTEM = ("offered_rps", "served_rps", "goodput_rps", "error_rps", "cost_per_month")
_CLASS_SUMS = ("offered", "served", "good", "err")
_NODE_MEANS = (
    "offered_rps",
    "served_rps",
    "utilization",
    "queue_length",
    "error_rps",
    "hit_ratio",
    "replication_lag_ms",
)
_NODE_MAXIMA = ("utilization", "queue_length")
_NODE_WEIGHTED = QUANTILE_KEYS + ("mean_ms",)


class _KeyedSums:
    """Sums by key held in one array: a tick adding the keys of the tick before adds them
    with one array operation, through the positions `positions` gave for those keys."""

    def __init__(self) -> None:
        self.index: dict[Any, int] = {}
        self.sums = np.zeros(0)

    def positions(self, keys: list) -> np.ndarray:
        for key in keys:
            self.index.setdefault(key, len(self.index))
        if len(self.index) > len(self.sums):
            grown = np.zeros(len(self.index))
            grown[: len(self.sums)] = self.sums
            self.sums = grown
        return np.array([self.index[key] for key in keys], dtype=np.int64)

    def add(self, positions: np.ndarray, values: np.ndarray, dt: float) -> None:
        self.sums[positions] += values * dt

    def items(self) -> list[tuple[Any, float]]:
        return list(zip(self.index, self.sums.tolist(), strict=True))


class SummaryAccumulator:
    """Folds ticks into a run summary with the frame's keys (rates are time averages).

    It adds the values a frame shows (rounded alike) whether or not the frame is built, so
    a run's summary does not depend on how often frames are published. Per-node sums are
    arrays in the current model's node order; a design change re-keys them by node id.
    """

    def __init__(self) -> None:
        self.duration = 0.0
        self.system: dict[str, float] = dict.fromkeys(_SUMMED_SYSTEM, 0.0)
        self.bill: dict[str, float] = dict.fromkeys(BILL_LINES, 0.0)
        self.errors = _KeyedSums()  # reason -> requests
        self.classes: dict[str, dict[str, float]] = {}
        self.class_cdf: np.ndarray | None = None
        self.events: list[dict[str, Any]] = []
        self.last_system: dict[str, float] | None = None  # lost and stale so far
        self.kinds: dict[str, str] = {}  # every node seen, in order, with its first kind
        self.node_errors = _KeyedSums()  # (node id, reason) -> requests
        # Where a tick's errors go in those sums; the same for every tick that has the same
        # errors (`TickErrors`), as a flow engine's steady ticks do.
        self._error_plan: tuple | None = None
        self._model: Compiled | None = None
        self._ids: list[str] = []
        self._sums: dict[str, np.ndarray] = {}  # key -> per-node sum (N,)
        self._seen: dict[str, np.ndarray] = {}  # key -> whether a node ever had that key
        self._parked: dict[str, dict[str, float]] = {}  # sums of nodes a change removed

    def add(
        self, figures: TickFigures, res: TickArrays, dt: float, model: Compiled, events: list[str]
    ) -> None:
        """Add one tick of `dt` seconds; `events` are the engine's events of this tick."""
        self.duration += dt
        for k in _SUMMED_SYSTEM:
            self.system[k] += figures.system[k] * dt
        for line, usd in figures.bill.items():
            self.bill[line] += usd * dt
        weight = res["class_weight"][:, None] * dt
        contrib = res["class_cdf"] * weight
        self.class_cdf = contrib if self.class_cdf is None else self.class_cdf + contrib
        for name, values in zip(REQUEST_CLASSES, figures.classes, strict=True):
            acc = self.classes.setdefault(name, dict.fromkeys(_CLASS_SUMS, 0))
            for key, v in zip(_CLASS_SUMS, values, strict=True):
                acc[key] += v * dt
        if model is not self._model:
            self._rekey(model)
        self._add_nodes(figures, model, dt)
        self._add_errors(figures, dt)
        if events:
            self.events += [{"t": figures.t, "text": e} for e in events]
        self.last_system = {k: figures.system[k] for k in ("lost_writes", "stale_reads")}

    def _add_nodes(self, f: TickFigures, m: Compiled, dt: float) -> None:
        sums, seen = self._sums, self._seen
        cols = f.columns
        values = {**{k: cols[k] for k in _NODE_MEANS[:4]}, "error_rps": f.error_rps}
        for k, v in values.items():
            sums[k] += v * dt
            seen[k][:] = True
        for k, nodes, v in (
            ("hit_ratio", f.hit_nodes, f.hit),
            ("replication_lag_ms", f.lag_nodes, f.lag),
        ):
            sums[k][nodes] += v * dt
            seen[k][nodes] = True
        for k in _NODE_MAXIMA:
            np.maximum(sums["max_" + k], cols[k], out=sums["max_" + k])
        w = cols["served_rps"] * dt
        sums["_w"] += w
        for k in _NODE_WEIGHTED:
            if k in cols:
                sums[k] += cols[k] * w
                seen[k][:] = True

    def _add_errors(self, f: TickFigures, dt: float) -> None:
        plan = self._error_plan
        if plan is None or plan[0] is not f.tick_errors:
            ids = self._ids
            node_errors = [
                ((ids[i], k), v) for i, errs in f.node_errors.items() for k, v in errs.items()
            ]
            plan = self._error_plan = (
                f.tick_errors,
                self.errors.positions(list(f.errors)),
                np.array(list(f.errors.values()), dtype=float),
                self.node_errors.positions([key for key, _ in node_errors]),
                np.array([v for _, v in node_errors], dtype=float),
            )
        _, system_at, system, nodes_at, nodes = plan
        self.errors.add(system_at, system, dt)
        self.node_errors.add(nodes_at, nodes, dt)

    def __getstate__(self) -> dict:
        # The plan is rebuilt by the next tick; a snapshot need not carry that tick's errors.
        return {**self.__dict__, "_error_plan": None}

    def _rekey(self, model: Compiled) -> None:
        """Move the per-node sums to a new model's node order, keeping them by node id."""
        self._parked.update(self._node_sums())
        self._model = model
        self._ids = list(model.ids)
        for nid, kind in zip(model.ids, model.kinds, strict=True):
            self.kinds.setdefault(nid, kind)
        n = model.n
        keys = ("_w", *_NODE_MEANS, *("max_" + k for k in _NODE_MAXIMA), *_NODE_WEIGHTED)
        self._sums = {k: np.zeros(n) for k in keys}
        self._seen = {k: np.zeros(n, dtype=bool) for k in keys}
        for k in ("_w", *("max_" + k for k in _NODE_MAXIMA)):
            self._seen[k][:] = True
        for i, nid in enumerate(self._ids):
            for k, v in self._parked.pop(nid, {}).items():
                self._sums[k][i] = v
                self._seen[k][i] = True

    def _node_sums(self) -> dict[str, dict[str, float]]:
        """Per node id: the sums of the keys it has had."""
        sums = {k: v.tolist() for k, v in self._sums.items()}
        seen = {k: v.tolist() for k, v in self._seen.items()}
        return {nid: {k: sums[k][i] for k in sums if seen[k][i]} for i, nid in enumerate(self._ids)}

    def result(self) -> dict[str, Any]:
        d = max(self.duration, 1e-300)
        served = self.system["served_rps"]
        errors = self.system["error_rps"]
        total_cdf = self.class_cdf.sum(axis=0) if self.class_cdf is not None else None
        last = self.last_system or {}
        reasons = dict(self.errors.items())
        node_errors: dict[str, dict[str, float]] = {}
        for (nid, reason), v in self.node_errors.items():
            node_errors.setdefault(nid, {})[reason] = v

        def quantiles(cdf) -> dict[str, float]:
            if cdf is None or cdf[-1] <= 0:
                return dict.fromkeys(QUANTILE_KEYS, 0.0)
            return {
                k: _r(quantile_from_cdf(cdf, q) * 1000)
                for k, q in zip(QUANTILE_KEYS, QUANTILE_VALUES, strict=True)
            }

        system = {
            "offered_rps": _r(self.system["offered_rps"] / d),
            "served_rps": _r(served / d),
            "goodput_rps": _r(self.system["goodput_rps"] / d),
            "error_rate": _r(errors / self.system["offered_rps"])
            if self.system["offered_rps"] > 0
            else 0.0,
            "errors": {k: _r(v / d) for k, v in sorted(reasons.items())},
            "error_totals": {k: _r(v, 1) for k, v in sorted(reasons.items())},
            "availability": _r(served / (served + errors)) if served + errors > 0 else 1.0,
            **quantiles(total_cdf),
            "lost_writes": last.get("lost_writes", 0.0),
            "stale_reads": last.get("stale_reads", 0.0),
            "cost_per_month": _r(self.system["cost_per_month"] / d, 2),
            "cost_breakdown": {line: _r(usd / d, 2) for line, usd in self.bill.items()},
        }
        classes = {}
        for k, (name, acc) in enumerate(self.classes.items()):
            classes[name] = {
                "offered_rps": _r(acc["offered"] / d),
                "served_rps": _r(acc["served"] / d),
                "goodput_rps": _r(acc["good"] / d),
                "error_rate": _r(acc["err"] / acc["offered"]) if acc["offered"] > 0 else 0.0,
                **quantiles(self.class_cdf[k] if self.class_cdf is not None else None),
            }
        sums = {**self._parked, **self._node_sums()}
        nodes = {}
        for nid, kind in self.kinds.items():
            acc = sums[nid]
            w = acc["_w"]
            out: dict[str, Any] = {"kind": kind}
            for k in _NODE_MEANS:
                if k in acc:
                    out[k] = _r(acc[k] / d)
            for k in ("max_utilization", "max_queue_length"):
                out[k] = _r(acc[k])
            for k in ("mean_ms",) + QUANTILE_KEYS:
                out[k] = _r(acc[k] / w) if k in acc and w > 0 else (0.0 if k in acc else None)
            errs = node_errors.get(nid, {})
            out["errors"] = {k: _r(v / d) for k, v in sorted(errs.items())}
            nodes[nid] = out
        return {
            "duration_s": _r(self.duration),
            "system": system,
            "classes": classes,
            "nodes": nodes,
            "events": self.events,
        }
