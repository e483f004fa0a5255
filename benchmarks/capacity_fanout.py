"""The capacity curve gets faster with more workers: the same curve (the chapter's stage 6,
16 points of half an hour of simulated traffic each) with 1, then 2 worker processes, each
measured from the API call to the finished curve, in one run of this script.

    .venv/bin/python benchmarks/capacity_fanout.py [--workers 1 2]

The last line is a JSON object with the wall time per worker count and the speed-up.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import ROOT, Browser, Stack  # noqa: E402

STAGE_6 = json.loads((ROOT / "examples" / "06-cdn.json").read_text())
CURVE = {"users_min": 100, "users_max": 10_000_000, "points": 16, "duration_s": 1800}


def time_curve(workers: int) -> tuple[float, dict]:
    with Stack(workers=workers) as stack:
        browser = Browser(stack.base)
        scenario = browser.create_scenario(STAGE_6)
        started = time.perf_counter()
        curve = browser.call("POST", f"/api/capacity?scenario={scenario['id']}", CURVE)
        while curve["state"] == "running":
            time.sleep(0.05)
            curve = browser.call("GET", f"/api/capacity/{curve['id']}")
        elapsed = time.perf_counter() - started
    if curve["state"] != "finished":
        raise SystemExit(f"the curve failed: {curve['failure_reason']}")
    return elapsed, curve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    seconds = {}
    for workers in args.workers:
        elapsed, curve = time_curve(workers)
        seconds[workers] = round(elapsed, 2)
        print(
            f"{workers} worker process(es): {elapsed:6.2f} s for {len(curve['points'])} points; "
            f"largest users meeting {curve['latency_target_ms']:g} ms: "
            f"{curve['max_users_meeting_target']:,.0f}"
        )
    base = seconds[args.workers[0]]
    speedup = {w: round(base / s, 2) for w, s in seconds.items()}
    print(json.dumps({"seconds": seconds, "speedup": speedup, "points": CURVE["points"]}))


if __name__ == "__main__":
    main()
