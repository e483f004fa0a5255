"""Runs of the discrete-event engine with confidence intervals: batch means over one run or
independent replications, each after MSER-5 warm-up deletion; the CLI's DES summary."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulation import frames
from simulation.des.engine import DesEngine
from simulation.scenario import Scenario


def _series(history: list[dict], ids: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per-tick (value, weight) series of the metrics reported with confidence intervals."""
    done = np.array([h["done"].sum() for h in history])
    lat = np.array([h["latency_sum"].sum() for h in history])
    offered = np.array([h["offered"] for h in history])
    ones = np.ones(len(history))
    out = {
        "system.mean_ms": (np.where(done > 0, lat / np.maximum(done, 1) * 1000, 0.0), done),
        "system.served_rps": (done, ones),
        "system.goodput_rps": (np.array([h["goodput"] for h in history]), ones),
        "system.error_rate": (
            np.array([h["errors"] for h in history]) / np.maximum(offered, 1),
            offered,
        ),
    }
    served = np.array([h["node_served"] for h in history])
    sojourn = np.array([h["node_sojourn_sum"] for h in history])
    work = np.array([h["node_work"] for h in history])
    cap = np.array([h["node_capacity"] for h in history])
    for i, nid in enumerate(ids):
        if served[:, i].sum() <= 0:
            continue
        s = served[:, i]
        out[f"nodes.{nid}.mean_ms"] = (
            np.where(s > 0, sojourn[:, i] / np.maximum(s, 1), 0) * 1e3,
            s,
        )
        busy = np.where(cap[:, i] > 0, work[:, i] / np.maximum(cap[:, i], 1e-300), 0.0)
        out[f"nodes.{nid}.utilization"] = (busy, ones)
    return out


def steady_state(
    history: list[dict], ids: list[str], batches: int = 20, confidence: float = 0.95
) -> dict:
    """Batch-means estimates after MSER-5 warm-up deletion (on the system latency series)."""
    from simulation.stats import batch_means, mser5

    series = _series(history, ids)
    warm = mser5(series["system.mean_ms"][0]) if history else 0
    return {
        "warmup_ticks": warm,
        "estimates": {
            name: batch_means(v[warm:], w[warm:], batches, confidence)
            for name, (v, w) in series.items()
        },
    }


def _mean_tree(items: list):
    """The element-wise mean of summaries with the same shape (missing numbers count as 0)."""
    first = items[0]
    if isinstance(first, dict):
        keys = list(dict.fromkeys(k for it in items for k in it))
        return {k: _mean_tree([it.get(k, 0.0) for it in items]) for k in keys}
    if isinstance(first, bool) or not isinstance(first, int | float):
        return first
    values = [x for x in items if isinstance(x, int | float)]
    return round(float(np.mean(values)), 6) if values else first


def _confidence_block(estimates: dict, method: str, level: float, warmup_s: float) -> dict:
    block: dict = {
        "level": level,
        "method": method,
        "warmup_s": warmup_s,
        "system": {},
        "nodes": {},
    }
    for name, est in estimates.items():
        parts = name.split(".")
        value = {"mean": round(est.mean, 6), "half_width": round(est.half_width, 6)}
        if parts[0] == "system":
            block["system"][parts[1]] = value
        else:
            block["nodes"].setdefault(parts[1], {})[parts[2]] = value
    return block


def run_des(
    scenario: Scenario,
    duration_s: float | None = None,
    *,
    replications: int = 1,
    seed: int | None = None,
    tick_s: float | None = None,
    on_frame: Callable[[frames.Frame], None] | None = None,
    confidence: float = 0.95,
) -> dict:
    """Run the DES and summarise it with the flow engine's summary keys, plus a `confidence`
    block: batch means over one run, or independent replications (seeds (seed, r)), each after
    MSER-5 warm-up deletion. Frames of the first replication go to `on_frame`."""
    from simulation.stats import replications as replication_ci

    if replications < 1:
        raise ValueError("replications must be at least 1")
    duration = duration_s if duration_s is not None else scenario.run.duration_s
    base = scenario.seed if seed is None else seed
    summaries, steadies, engine = [], [], None
    stale_by_key: dict[int, int] = {}
    for r in range(replications):
        engine = DesEngine(
            scenario,
            base if r == 0 else [base, r],
            on_frame=on_frame if r == 0 else None,
            tick_s=tick_s,
        )
        engine.run_until(duration)
        summaries.append(engine.summary.result())
        steadies.append(steady_state(engine.history, engine.model.ids))
        for key, count in engine.stale_by_key.items():
            stale_by_key[key] = stale_by_key.get(key, 0) + count
    summary = _mean_tree(summaries) if replications > 1 else summaries[0]
    summary["events"] = summaries[0]["events"]
    warmup_s = float(np.mean([s["warmup_ticks"] for s in steadies])) * engine.dt
    if replications == 1:
        block = _confidence_block(
            steadies[0]["estimates"], "batch means (20 batches)", confidence, warmup_s
        )
    else:
        names = steadies[0]["estimates"].keys()
        estimates = {
            name: replication_ci([s["estimates"][name].mean for s in steadies], confidence)
            for name in names
            if all(name in s["estimates"] for s in steadies)
        }
        block = _confidence_block(
            estimates, f"independent replications ({replications})", confidence, warmup_s
        )
    return {
        "scenario": scenario.name,
        "engine": "des",
        "seed": base,
        "replications": replications,
        "tick_s": engine.dt,
        **summary,
        "stale_reads_by_key": dict(sorted(stale_by_key.items(), key=lambda kv: -kv[1])[:10]),
        "confidence": block,
    }


def latency_by_arrival(
    latencies: list[tuple[np.ndarray, np.ndarray]], tick_s: float, ticks: int
) -> np.ndarray:
    """Mean latency (ms) of the requests that arrived in each tick, from `keep_latencies`: the
    latency a request arriving then experiences (NaN for a tick with no answered arrival)."""
    if not latencies:
        return np.full(ticks, np.nan)
    born = np.concatenate([b for b, _ in latencies])
    lat = np.concatenate([x for _, x in latencies])
    tick = np.minimum((born / tick_s).astype(np.int64), ticks - 1)
    count = np.bincount(tick, minlength=ticks)
    total = np.bincount(tick, lat, minlength=ticks)
    return np.where(count > 0, total / np.maximum(count, 1) * 1000, np.nan)
