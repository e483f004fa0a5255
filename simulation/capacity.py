"""The capacity curve: the design run at users in logarithmic steps, each point on its own
(so that points can run in parallel on many workers), and the largest number of users that
meets the latency target.

A point meets the target when its p99 latency is at most the target and at most
ERROR_RATE_OK of its requests fail; both are measured over the second half of the point's run,
after the first half has let queues and caches settle."""

from __future__ import annotations

import math
from typing import Any

from simulation.flow import FlowEngine
from simulation.frames import SummaryAccumulator
from simulation.validate import ScenarioError, validate_scenario

ERROR_RATE_OK = 0.001


def users_steps(users_min: int, users_max: int, points: int) -> list[int]:
    """`points` user counts from users_min to users_max, evenly spaced on a log scale."""
    if users_max < users_min:
        raise ValueError("users_max: must be at least users_min")
    if points < 2 or users_max == users_min:
        return [users_min]
    ratio = math.log(users_max / users_min) / (points - 1)
    steps = [round(users_min * math.exp(ratio * i)) for i in range(points)]
    return sorted(set(steps))


def capacity_point(document: dict[str, Any], users: int, duration_s: float) -> dict[str, Any]:
    """Run the design at `users` (no failures) and measure the second half."""
    result = validate_scenario(document)
    if not result.ok:
        raise ScenarioError(result.errors)
    scenario = result.scenario.model_copy(deep=True)
    scenario.workload.users = users
    scenario.failures = []
    engine = FlowEngine(scenario, node_percentiles=False)
    engine.run_until(duration_s / 2)
    engine.summary = SummaryAccumulator()
    engine.run_until(duration_s)
    system = engine.summary.result()["system"]
    keys = ("offered_rps", "served_rps", "goodput_rps", "error_rate", "availability")
    keys += ("p50_ms", "p95_ms", "p99_ms", "cost_per_month")
    return {"users": users, **{k: system[k] for k in keys}, "errors": system["errors"]}


def meets(point: dict[str, Any], latency_target_ms: float) -> bool:
    return point["p99_ms"] <= latency_target_ms and point["error_rate"] <= ERROR_RATE_OK


def max_users_meeting(points: list[dict[str, Any]], latency_target_ms: float) -> int | None:
    """The most users among the points below the first one that misses the target."""
    best = None
    for point in sorted(points, key=lambda p: p["users"]):
        if not meets(point, latency_target_ms):
            break
        best = point["users"]
    return best
