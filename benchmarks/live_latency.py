"""Live-run latency: a run streams to 1, 10 and 100 WebSocket clients; how long a frame takes
from its creation in the worker to its receipt in each client (p50, p99), and how long from a
control message to the first frame that reflects it.

Starts Redis (unless REDIS_URL is set), daphne and one Celery worker, with SQLite in a
temporary folder (or DATABASE_URL). As a peer measured in the same run, the floor under any
frame: a Redis PUBLISH reaching a subscriber on the same machine.

    .venv/bin/python benchmarks/live_latency.py [--seconds 6] [--clients 1 10 100]

Targets (product.md section 8): p99 under 50 ms for frames, under 300 ms for a control's
effect. The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import redis  # noqa: E402
import websockets  # noqa: E402
from stack import Browser, Stack  # noqa: E402


def quantile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def measure(base: str, browser: Browser, run_id: str, clients: int, seconds: float):
    url = base.replace("http", "ws") + f"/ws/runs/{run_id}/"
    headers = {"Origin": "http://localhost", "Cookie": f"sessionid={browser.cookies['sessionid']}"}
    delays: list[float] = []
    effects: list[float] = []
    pending: dict[int, float] = {}
    stop = time.monotonic() + seconds

    async def watcher(index: int) -> None:
        async with websockets.connect(url, additional_headers=headers, max_size=2**24) as ws:
            control_at = time.monotonic() + 0.5
            users = 1000 + index
            while time.monotonic() < stop:
                if index == 0 and time.monotonic() >= control_at:
                    users += 1000
                    pending[users] = time.monotonic()
                    await ws.send(
                        json.dumps({"type": "control", "action": "users", "users": users})
                    )
                    control_at = time.monotonic() + 0.5
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
                except TimeoutError:
                    continue
                message = json.loads(raw)
                if message["type"] != "run.frame":
                    continue
                frame = message["frame"]
                delays.append((time.time() - frame["produced_at"]) * 1000)
                sent = pending.pop(int(frame["system"]["users"]), None) if index == 0 else None
                if sent is not None:
                    effects.append((time.monotonic() - sent) * 1000)

    await asyncio.gather(*(watcher(i) for i in range(clients)))
    return delays, effects


def redis_floor(redis_url: str, samples: int = 500) -> list[float]:
    """PUBLISH to SUBSCRIBE on the same Redis: the floor under any frame's delivery."""
    client = redis.Redis.from_url(redis_url)
    pubsub = client.pubsub()
    pubsub.subscribe("bench-floor")
    pubsub.get_message(timeout=1)
    got: list[float] = []
    done = threading.Event()

    def listen() -> None:
        for message in pubsub.listen():
            if message["type"] == "message":
                got.append((time.time() - float(message["data"])) * 1000)
                if len(got) >= samples:
                    done.set()
                    return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    for _ in range(samples):
        client.publish("bench-floor", repr(time.time()))
        time.sleep(0.002)
    done.wait(10)
    return got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 100])
    args = parser.parse_args()
    results = {}
    with Stack(workers=1) as stack:
        floor = redis_floor(stack.redis_url)
        for clients in args.clients:
            browser = Browser(stack.base)
            scenario = browser.create_scenario()
            run = browser.call(
                "POST", "/api/runs", {"scenario": scenario["id"], "duration_s": 3600, "speed": 10}
            )
            delays, effects = asyncio.run(
                measure(stack.base, browser, run["id"], clients, args.seconds)
            )
            browser.call("DELETE", f"/api/scenarios/{scenario['id']}")
            results[str(clients)] = {
                "frames_received": len(delays),
                "frame_p50_ms": round(quantile(delays, 50), 2),
                "frame_p99_ms": round(quantile(delays, 99), 2),
                "controls": len(effects),
                "control_effect_p50_ms": round(quantile(effects, 50), 1),
                "control_effect_p99_ms": round(quantile(effects, 99), 1),
            }
    floor_p99 = quantile(floor, 99)
    for clients, r in results.items():
        print(
            f"{clients:>4} clients: frame p50 {r['frame_p50_ms']:7.2f} ms  p99 "
            f"{r['frame_p99_ms']:7.2f} ms ({r['frames_received']} frames);  control → effect "
            f"p50 {r['control_effect_p50_ms']:6.1f} ms  p99 {r['control_effect_p99_ms']:6.1f} ms"
        )
    print(f"peer: Redis PUBLISH → SUBSCRIBE p99 {floor_p99:.2f} ms")
    summary = {
        "clients": results,
        "redis_pubsub_p99_ms": round(floor_p99, 3),
        "frame_p99_over_redis_p99": {
            c: round(r["frame_p99_ms"] / floor_p99, 1) for c, r in results.items()
        },
        "targets_ms": {"frame_p99": 50, "control_effect_p99": 300},
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
