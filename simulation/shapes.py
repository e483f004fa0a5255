"""Traffic shapes: the multiplier of the number of users at a simulated time."""

from __future__ import annotations

import math

from simulation.scenario import Shape


def shape_factor(shape: Shape, t: float) -> float:
    """Multiplier of `workload.users` at time t seconds."""
    kind = shape.type
    if kind == "ramp":
        if t <= shape.start_s:
            return shape.from_factor
        if t >= shape.end_s:
            return shape.to_factor
        span = shape.end_s - shape.start_s
        return shape.from_factor + (shape.to_factor - shape.from_factor) * (
            (t - shape.start_s) / span
        )
    if kind == "step":
        return shape.factor if t >= shape.at_s else 1.0
    if kind == "spike":
        return shape.factor if shape.at_s <= t < shape.at_s + shape.duration_s else 1.0
    if kind == "diurnal":
        phase = 2 * math.pi * (t - shape.peak_at_s) / shape.period_s
        return shape.min_factor + (1 - shape.min_factor) * (1 + math.cos(phase)) / 2
    return 1.0
