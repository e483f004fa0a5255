"""Milliseconds per flow-engine tick for designs of 20, 100, 1,000 and 10,000 nodes.

Each design is a fleet of chapter-style cells (load balancer, web servers, cache, primary
and replicas) behind one users node. Measured with means only and with per-node
percentiles: `advance()` alone, as a ratio to a lean numpy tick of the same network
measured in the same run (`LeanTick`), and `step()` without and with its JSON frame; means
again at 1,000 users to show that the cost does not depend on users. A steady tick is
repeated rather than recomputed, so `*_recomputed` is also given: a tick computed in full,
as after every change. Then stage 6 (`examples/06-cdn.json`, the live class's design) per
`step()`, and the time to snapshot and restore it. The last line printed is a JSON object.

    python benchmarks/flow_tick.py [--ticks N] [--sizes 20,100,1000,10000]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulation.compile import K  # noqa: E402
from simulation.flow import QUANTILES, FlowEngine  # noqa: E402
from simulation.frames import TIME_GRID_S  # noqa: E402
from simulation.snapshot import engine_restore, engine_snapshot  # noqa: E402
from simulation.validate import validate_scenario  # noqa: E402

CELL = 10  # nodes per cell: lb, 5 web, cache, db, 2 replicas
TARGETS_MS = {
    "1000": {"means": 1.0, "percentiles": 5.0},
    "20": {"means_step_with_frame": 0.3},
    "stage_6": {"step_with_frame": 0.3, "step_no_frame": 0.2},
}
STAGE_6 = Path(__file__).resolve().parents[1] / "examples/06-cdn.json"


def design(nodes: int, users: int) -> dict:
    """About `nodes` nodes: users plus cells of ten (the last cell may be partial)."""
    cells = max(1, round((nodes - 1) / CELL))
    out = [{"id": "users", "kind": "users"}]
    edges = []
    for c in range(cells):
        p = f"c{c}-"
        webs = [f"{p}web-{w}" for w in range(5)]
        out += [
            {"id": f"{p}lb", "kind": "load_balancer"},
            *({"id": w, "kind": "server", "params": {"instances": 2}} for w in webs),
            {"id": f"{p}cache", "kind": "cache"},
            {"id": f"{p}db", "kind": "database"},
            {"id": f"{p}r1", "kind": "replica"},
            {"id": f"{p}r2", "kind": "replica"},
        ]
        edges.append({"from": "users", "to": f"{p}lb"})
        for w in webs:
            edges += [
                {"from": f"{p}lb", "to": w},
                {"from": w, "to": f"{p}cache"},
                {"from": w, "to": f"{p}db"},
                {"from": w, "to": f"{p}r1"},
                {"from": w, "to": f"{p}r2"},
            ]
        edges += [
            {"from": f"{p}db", "to": f"{p}r1", "kind": "replication"},
            {"from": f"{p}db", "to": f"{p}r2", "kind": "replication"},
        ]
    return {
        "nodes": out,
        "edges": edges,
        "workload": {"users": users, "requests_per_user_per_s": 0.2},
    }


class LeanTick:
    """The peer: a lean numpy fluid tick of the same compiled network, written for speed
    alone. Rates go level by level along the routes (one bincount a level), then per node
    M/M/c-like waits and, for the percentile variant, closed-form M/M/1 sojourn quantiles,
    then per class a response-time CDF on the frame's time grid. No failures, caches,
    replication or events: the least a tick of this network must do."""

    def __init__(self, engine: FlowEngine, percentiles: bool) -> None:
        m = engine.model
        self.m = m
        self.percentiles = percentiles
        self.offered = engine._offered()
        self.service = m.service_s.copy()
        self.servers = np.maximum(m.servers_per_instance * m.instances, 1)
        r = m.routes
        group_sum = np.bincount(m.group_key, r.weight, minlength=K * m.n)
        self.frac = r.weight / np.maximum(group_sum[m.group_key], 1e-300)
        self.grid = TIME_GRID_S

    def tick(self) -> dict:
        m, r = self.m, self.m.routes
        n = m.n
        arrivals = np.zeros((K, n))
        arrivals[:, m.users_node] = self.offered
        for rlo, rhi in r.level_bounds:
            if rhi > rlo:
                sl = slice(rlo, rhi)
                flow = arrivals[r.cls[sl], r.src[sl]] * m.fwd[r.cls[sl], r.src[sl]] * self.frac[sl]
                arrivals += np.bincount(r.dst_key[sl], flow, minlength=K * n).reshape(K, n)
        lam = arrivals.sum(axis=0)
        work = (arrivals * self.service).sum(axis=0)
        mean_s = np.where(lam > 0, work / np.maximum(lam, 1e-300), 1e-3)
        mu = self.servers / np.maximum(mean_s, 1e-12)
        rho = np.minimum(lam / mu, 0.99)
        wait = rho / np.maximum(mu - lam, 1e-9 * mu)
        node_mean = wait + mean_s
        out = {"utilization": rho, "node_mean_s": node_mean}
        if self.percentiles:
            gap = np.maximum(mu * (1 - rho), 1e-12)
            out["node_quantiles_s"] = np.log(1 / (1 - np.array(QUANTILES)))[:, None] / gap
        served = arrivals * (1 - m.fwd)
        weight = served.sum(axis=1)
        total = (served * node_mean).sum(axis=1) / np.maximum(weight, 1e-300)
        out["class_cdf"] = -np.expm1(-self.grid[None, :] / np.maximum(total, 1e-12)[:, None])
        return out


def best_ms(tick: Callable[[], object], ticks: int) -> float:
    """Milliseconds per call of `tick`, the best of five runs: other processes on the
    machine only ever add time."""
    tick()  # warm up caches of tables and routing
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(ticks):
            tick()
        best = min(best, (time.perf_counter() - start) / ticks * 1000)
    return best


def recomputed(engine: FlowEngine) -> Callable[[], object]:
    """`engine.advance` with the steady tick forgotten first, so that every tick is computed."""

    def tick() -> object:
        engine._memo = None
        return engine.advance()

    return tick


def stage_6_ms(ticks: int) -> dict:
    """Stage 6 as a live run steps it: `step()` with and without its frame, and `advance()`
    alone, steady and recomputed."""
    scenario = validate_scenario(json.loads(STAGE_6.read_text())).scenario
    engine = FlowEngine(scenario)
    return {
        "advance": round(best_ms(engine.advance, ticks), 4),
        "advance_recomputed": round(best_ms(recomputed(engine), ticks), 4),
        "step_no_frame": round(best_ms(lambda: engine.step(frame=False), ticks), 4),
        "step_with_frame": round(best_ms(engine.step, ticks), 4),
    }


def snapshot_ms() -> dict:
    """Snapshot and restore of stage 6 mid-run (flow engine), and the snapshot's size."""
    engine = FlowEngine(validate_scenario(json.loads(STAGE_6.read_text())).scenario)
    for _ in range(10):
        engine.step(frame=False)
    blob = engine_snapshot(engine)
    return {
        "snapshot_ms": round(best_ms(lambda: engine_snapshot(engine), 20), 3),
        "restore_ms": round(best_ms(lambda: engine_restore(blob), 20), 3),
        "bytes": len(blob),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ticks", type=int, default=200)
    parser.add_argument("--sizes", default="20,100,1000,10000")
    args = parser.parse_args()
    results: dict = {"unit": "ms per tick (best of 5)", "python": platform.python_version()}
    users = 10_000_000
    for size in (int(s) for s in args.sizes.split(",")):
        ticks = max(5, args.ticks * 100 // max(size, 100))
        scenario = validate_scenario(design(size, users)).scenario
        row: dict = {}
        for pct, name in ((False, "means"), (True, "percentiles")):
            engine = FlowEngine(scenario, node_percentiles=pct)
            row["nodes"] = engine.model.n
            row[name] = round(best_ms(engine.advance, ticks), 4)
            row[f"{name}_recomputed"] = round(best_ms(recomputed(engine), ticks), 4)
            row[f"{name}_step_no_frame"] = round(
                best_ms(lambda e=engine: e.step(frame=False), ticks), 4
            )
            row[f"{name}_step_with_frame"] = round(best_ms(engine.step, ticks), 4)
            row[f"{name}_peer"] = round(best_ms(LeanTick(engine, pct).tick, ticks), 4)
            row[f"{name}_ratio"] = round(row[name] / row[f"{name}_peer"], 2)
            row[f"{name}_frame_ratio"] = round(
                row[f"{name}_step_with_frame"] / row[f"{name}_step_no_frame"], 2
            )
        small = FlowEngine(validate_scenario(design(size, 1_000)).scenario, node_percentiles=False)
        row["means_users_1000"] = round(best_ms(small.advance, ticks), 4)
        results[str(size)] = row
        print(f"{size:>6} nodes: {row}", flush=True)
    results["stage_6"] = stage_6_ms(args.ticks * 5)
    print(f"stage 6: {results['stage_6']}", flush=True)
    results["snapshot_stage_6"] = snapshot_ms()
    print(f"snapshot, stage 6: {results['snapshot_stage_6']}", flush=True)
    met = {}
    if "1000" in results:
        row = results["1000"]
        met["means_1000_nodes_le_1ms"] = row["means"] <= TARGETS_MS["1000"]["means"]
        met["percentiles_1000_nodes_le_5ms"] = (
            row["percentiles"] <= TARGETS_MS["1000"]["percentiles"]
        )
    if "20" in results:
        met["step_with_frame_20_nodes_le_0.3ms"] = (
            results["20"]["means_step_with_frame"] <= TARGETS_MS["20"]["means_step_with_frame"]
        )
    stage_6, targets = results["stage_6"], TARGETS_MS["stage_6"]
    met["stage_6_step_with_frame_le_0.3ms"] = (
        stage_6["step_with_frame"] <= targets["step_with_frame"]
    )
    met["stage_6_step_no_frame_le_0.2ms"] = stage_6["step_no_frame"] <= targets["step_no_frame"]
    results["targets_met"] = met
    print(json.dumps(results))


if __name__ == "__main__":
    main()
