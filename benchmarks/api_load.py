"""Scenario load and save under 50 concurrent clients against a real daphne server.

Starts the app as benchmarks/stack.py does (daphne, a worker, Redis unless REDIS_URL is set;
SQLite in a temporary folder, or DATABASE_URL when set), makes each client an anonymous
browser session with a draft of the chapter's stage 3, then has every client load and save
its draft in a loop. As a peer measured in the same run, the same clients hit /healthz
(daphne and Django's middleware with no view work): the ratios say how much of the latency
is the scenario work itself on this (shared, noisy) machine.

    .venv/bin/python benchmarks/api_load.py [--clients 50] [--seconds 10]

The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import STAGE_3, Browser, Stack  # noqa: E402


def run_clients(clients: list, seconds: float, step) -> tuple[dict[str, list[float]], int]:
    """Every client runs `step` in a loop for `seconds`; latencies by operation, errors."""
    latencies: dict[str, list[float]] = {}
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    barrier = threading.Barrier(len(clients))

    def loop(client) -> None:
        nonlocal errors
        mine: dict[str, list[float]] = {}
        bad = 0
        barrier.wait()
        while time.monotonic() < stop_at:
            for name, elapsed, ok in step(client):
                mine.setdefault(name, []).append(elapsed)
                bad += not ok
        with lock:
            for name, values in mine.items():
                latencies.setdefault(name, []).extend(values)
            errors += bad

    threads = [threading.Thread(target=loop, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def timed(session: Browser, name: str, method: str, path: str, body: dict | None = None):
    started = time.perf_counter()
    status, payload = session.request(method, path, body)
    return name, (time.perf_counter() - started) * 1000, status, payload


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "count": len(values),
        "p50_ms": round(percentile(values, 50), 2),
        "p99_ms": round(percentile(values, 99), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    # Saves are rate-limited per user; the benchmark measures the server, not the limit.
    with Stack(workers=1, SCENARIO_SAVES_PER_MINUTE="100000000") as stack:
        drafts = []
        for _ in range(args.clients):
            session = Browser(stack.base)
            body = session.create_scenario()
            drafts.append({"session": session, "id": body["id"], "rev": body["revision"]})

        def healthz(draft):
            name, ms, status, _ = timed(draft["session"], "healthz", "GET", "/healthz")
            yield name, ms, status == 200

        def load_and_save(draft):
            session, path = draft["session"], f"/api/scenarios/{draft['id']}"
            name, ms, status, body = timed(session, "load", "GET", path)
            yield name, ms, status == 200
            save = {"base_revision": draft["rev"], "document": body.get("document", STAGE_3)}
            name, ms, status, body = timed(session, "save", "PUT", path, save)
            if status == 200:
                draft["rev"] = body["revision"]
            yield name, ms, status == 200

        peer, peer_errors = run_clients(drafts, args.seconds, healthz)
        work, work_errors = run_clients(drafts, args.seconds, load_and_save)

    load, save, floor = summary(work["load"]), summary(work["save"]), summary(peer["healthz"])
    both = work["load"] + work["save"]
    result = {
        "clients": args.clients,
        "seconds": args.seconds,
        "database": "postgresql" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite",
        "load": load,
        "save": save,
        "load_save_p99_ms": summary(both)["p99_ms"],
        "requests_per_s": round(len(both) / args.seconds, 1),
        "errors": work_errors,
        "healthz": {**floor, "requests_per_s": round(len(peer["healthz"]) / args.seconds, 1)},
        "healthz_errors": peer_errors,
        "save_p99_over_healthz_p99": round(save["p99_ms"] / floor["p99_ms"], 2),
        "target_p99_ms": 50,
    }
    print(f"{args.clients} clients, {args.seconds:g} s each phase, {result['database']}")
    print(f"  load   p50 {load['p50_ms']:8.2f} ms   p99 {load['p99_ms']:8.2f} ms")
    print(f"  save   p50 {save['p50_ms']:8.2f} ms   p99 {save['p99_ms']:8.2f} ms")
    print(f"  healthz (peer) p50 {floor['p50_ms']:.2f} ms  p99 {floor['p99_ms']:.2f} ms")
    print(f"  {result['requests_per_s']} load+save requests/s, {work_errors} errors")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
