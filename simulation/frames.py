"""Metric frames: the JSON-ready dict an engine emits per tick, and the run summary.

A frame is plain data (floats, ints, strings, lists, dicts) so it can go to a browser as
JSON unchanged; the discrete-event engine emits the same shape. Keys are listed in
`docs/metrics.md`.
"""

from __future__ import annotations

from typing import Any, Protocol, TypedDict

import numpy as np

from simulation.compile import Compiled, K
from simulation.scenario import REQUEST_CLASSES

TIME_GRID_S = np.logspace(-5, 4, 181)  # response-time CDFs: 10 us to 3 h, 20 points a decade
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
    if not np.isfinite(x):
        return 0.0
    return round(x, digits)


def quantile_from_cdf(cdf: np.ndarray, q: float) -> float:
    """Seconds at which a CDF on TIME_GRID_S reaches q (interpolated in log time)."""
    if cdf[-1] <= 0:
        return 0.0
    cdf = np.maximum.accumulate(cdf / max(cdf[-1], 1e-300))
    return float(np.exp(np.interp(q, cdf, np.log(TIME_GRID_S))))


def _column(values: np.ndarray, digits: int = 6) -> list[float]:
    """Rounded JSON-ready floats; non-finite values (a dead node's infinite wait) become 0."""
    clean = np.where(np.isfinite(values), values, 0.0)
    return np.round(clean, digits).tolist()


def error_breakdown(
    engine: FrameSource, res: TickArrays
) -> tuple[dict[str, float], dict[str, dict]]:
    """Errors per reason for the system and per node, requests per second."""
    m = engine.model
    err = res["errors"].sum(axis=1)  # (reasons, N)
    system: dict[str, float] = {}
    per_node: dict[str, dict[str, float]] = {nid: {} for nid in m.ids}
    for reason, i in zip(*np.nonzero(err > 1e-12), strict=True):
        words = REASON_WORDS[reason].format(m.ids[i])
        value = float(err[reason, i])
        system[words] = system.get(words, 0.0) + value
        per_node[m.ids[i]][words] = per_node[m.ids[i]].get(words, 0.0) + value
    links = res["link_errors"]
    for r in np.flatnonzero(links > 1e-12):
        words = f"link cut {m.edge_ids[m.routes.edge[r]]}"
        src = m.ids[m.routes.src[r]]
        system[words] = system.get(words, 0.0) + float(links[r])
        per_node[src][words] = per_node[src].get(words, 0.0) + float(links[r])
    return system, per_node


def build_frame(engine: FrameSource, res: TickArrays) -> Frame:
    m = engine.model
    offered = res["offered"]
    completions = res["completions"]
    err_by_class = res["errors"].sum(axis=(0, 2)) + np.bincount(
        m.routes.cls, res["link_errors"], minlength=K
    )
    sys_errors, node_errors = error_breakdown(engine, res)
    served_k = completions.sum(axis=1)
    classes: dict[str, ClassMetrics] = {}
    for k, name in enumerate(REQUEST_CLASSES):
        cdf = res["class_cdf"][k]
        q = [quantile_from_cdf(cdf, v) * 1000 if served_k[k] > 0 else 0.0 for v in QUANTILE_VALUES]
        classes[name] = {
            "offered_rps": _r(offered[k]),
            "served_rps": _r(served_k[k]),
            "goodput_rps": _r(res["class_goodput"][k]),
            "error_rps": _r(err_by_class[k]),
            "error_rate": _r(err_by_class[k] / offered[k]) if offered[k] > 0 else 0.0,
            "mean_ms": _r(res["class_mean_s"][k] * 1000),
            "p50_ms": _r(q[0]),
            "p95_ms": _r(q[1]),
            "p99_ms": _r(q[2]),
        }
    total_offered = float(offered.sum())
    total_served = float(served_k.sum())
    total_errors = float(err_by_class.sum())
    sq = [
        quantile_from_cdf(res["system_cdf"], v) * 1000 if total_served > 0 else 0.0
        for v in QUANTILE_VALUES
    ]
    cdn_cost = float((m.cdn_price_per_request * completions[0]).sum()) * 3600
    cost_hour = m.cost_per_hour() + cdn_cost
    system: SystemMetrics = {
        "users": _r(engine.users),
        "offered_rps": _r(total_offered),
        "served_rps": _r(total_served),
        "goodput_rps": _r(res["class_goodput"].sum()),
        "error_rps": _r(total_errors),
        "error_rate": _r(total_errors / total_offered) if total_offered > 0 else 0.0,
        "errors": {k: _r(v) for k, v in sorted(sys_errors.items())},
        "availability": _r(total_served / (total_served + total_errors))
        if total_served + total_errors > 0
        else 1.0,
        "mean_ms": _r(res["system_mean_s"] * 1000),
        "p50_ms": _r(sq[0]),
        "p95_ms": _r(sq[1]),
        "p99_ms": _r(sq[2]),
        "lost_writes": _r(engine.lost_writes, 3),
        "stale_reads": _r(engine.stale_reads, 3),
        "stale_read_rps": _r(res["stale"].sum()),
        "backlog": _r(res["backlog"].sum()),
        "cost_per_hour": _r(cost_hour),
        "cost_per_month": _r(cost_hour * 730.0, 2),
    }
    nodes: dict[str, NodeMetrics] = {}
    columns = {
        "offered_rps": res["arrivals"].sum(axis=0),
        "served_rps": res["served"].sum(axis=0),
        "utilization": res["utilization"],
        "queue_length": res["queue_length"],
        "mean_ms": res["node_mean_s"] * 1000,
    }
    nq = res["node_quantiles_s"]
    if nq is not None:
        for key, row in zip(QUANTILE_KEYS, nq, strict=True):
            columns[key] = row * 1000
    lists = {k: _column(v) for k, v in columns.items()}
    if nq is None:
        none = [None] * m.n
        lists.update({k: none for k in QUANTILE_KEYS})
    alive = engine.alive.tolist()
    hit = dict(zip(m.cache_nodes.tolist(), _column(res["hit"]), strict=True))
    lag = _column(res["replication_lag_s"] * 1000)
    role = engine.role.tolist()
    keys = list(lists)
    rows = zip(*(lists[k] for k in keys), strict=True)
    for i, (nid, values) in enumerate(zip(m.ids, rows, strict=True)):
        errs = node_errors[nid]
        node: NodeMetrics = {
            "kind": m.kinds[i],
            "alive": alive[i] > 0,
            "instances_alive": int(alive[i]),
            **dict(zip(keys, values, strict=True)),
            "errors": {k: _r(v) for k, v in sorted(errs.items())},
            "error_rps": _r(sum(errs.values())),
        }
        if i in hit:
            node["hit_ratio"] = hit[i] if alive[i] > 0 else 0.0
        if role[i] >= 0:
            node["role"] = "primary" if role[i] == 0 else "replica"
            node["replication_lag_ms"] = lag[i]  # 0 for the primary
        nodes[nid] = node
    return {
        "t": _r(engine.t),
        "system": system,
        "classes": classes,
        "nodes": nodes,
        "events": list(engine.events),
    }


_SUMMED_SYSTEM = ("offered_rps", "served_rps", "goodput_rps", "error_rps", "cost_per_month")
_NODE_MEANS = (
    "offered_rps",
    "served_rps",
    "utilization",
    "queue_length",
    "error_rps",
    "hit_ratio",
    "replication_lag_ms",
)


class SummaryAccumulator:
    """Folds frames into a run summary with the frame's keys (rates are time averages)."""

    def __init__(self) -> None:
        self.duration = 0.0
        self.system: dict[str, float] = {k: 0.0 for k in _SUMMED_SYSTEM}
        self.errors: dict[str, float] = {}
        self.cdf = None
        self.served_time = 0.0
        self.classes: dict[str, dict[str, float]] = {}
        self.class_cdf: np.ndarray | None = None
        self.nodes: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.last: Frame | None = None

    def add(self, frame: Frame, res: TickArrays, dt: float) -> None:
        self.duration += dt
        s = frame["system"]
        for k in _SUMMED_SYSTEM:
            self.system[k] += s[k] * dt
        for reason, v in s["errors"].items():
            self.errors[reason] = self.errors.get(reason, 0.0) + v * dt
        weight = res["class_weight"][:, None] * dt
        contrib = res["class_cdf"] * weight
        self.class_cdf = contrib if self.class_cdf is None else self.class_cdf + contrib
        for name, c in frame["classes"].items():
            acc = self.classes.setdefault(name, {"offered": 0, "served": 0, "good": 0, "err": 0})
            acc["offered"] += c["offered_rps"] * dt
            acc["served"] += c["served_rps"] * dt
            acc["good"] += c["goodput_rps"] * dt
            acc["err"] += c["error_rps"] * dt
        for nid, node in frame["nodes"].items():
            acc = self.nodes.setdefault(nid, {"kind": node["kind"], "_w": 0.0, "errors": {}})
            for k in _NODE_MEANS:
                if k in node:
                    acc[k] = acc.get(k, 0.0) + node[k] * dt
            for k in ("utilization", "queue_length"):
                acc["max_" + k] = max(acc.get("max_" + k, 0.0), node[k])
            w = node["served_rps"] * dt
            acc["_w"] += w
            for k in QUANTILE_KEYS + ("mean_ms",):
                if node.get(k) is not None:
                    acc[k] = acc.get(k, 0.0) + node[k] * w
            for reason, v in node["errors"].items():
                acc["errors"][reason] = acc["errors"].get(reason, 0.0) + v * dt
        self.events += [{"t": frame["t"], "text": e} for e in frame["events"]]
        self.last = frame

    def result(self) -> dict[str, Any]:
        d = max(self.duration, 1e-300)
        served = self.system["served_rps"]
        errors = self.system["error_rps"]
        total_cdf = self.class_cdf.sum(axis=0) if self.class_cdf is not None else None
        last = self.last["system"] if self.last else {}

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
            "errors": {k: _r(v / d) for k, v in sorted(self.errors.items())},
            "error_totals": {k: _r(v, 1) for k, v in sorted(self.errors.items())},
            "availability": _r(served / (served + errors)) if served + errors > 0 else 1.0,
            **quantiles(total_cdf),
            "lost_writes": last.get("lost_writes", 0.0),
            "stale_reads": last.get("stale_reads", 0.0),
            "cost_per_month": _r(self.system["cost_per_month"] / d, 2),
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
        nodes = {}
        for nid, acc in self.nodes.items():
            w = acc["_w"]
            out: dict[str, Any] = {"kind": acc["kind"]}
            for k in _NODE_MEANS:
                if k in acc:
                    out[k] = _r(acc[k] / d)
            for k in ("max_utilization", "max_queue_length"):
                out[k] = _r(acc[k])
            for k in ("mean_ms",) + QUANTILE_KEYS:
                out[k] = _r(acc[k] / w) if k in acc and w > 0 else (0.0 if k in acc else None)
            out["errors"] = {k: _r(v / d) for k, v in sorted(acc["errors"].items())}
            nodes[nid] = out
        return {
            "duration_s": _r(self.duration),
            "system": system,
            "classes": classes,
            "nodes": nodes,
            "events": self.events,
        }
