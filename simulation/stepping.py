"""What both engines share about stepping: a tick's raw arrays from `advance()` become a
metric frame, added to the run's summary and handed to the callback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulation import frames


class Stepping:
    """Mixed into an engine that provides `advance()`, `t`, `dt`, `summary`, `on_frame` and
    `events`."""

    t: float
    dt: float
    summary: frames.SummaryAccumulator
    on_frame: Callable[[frames.Frame], None] | None
    events: list[str]

    def advance(self) -> dict[str, Any]:  # pragma: no cover - each engine defines it
        raise NotImplementedError

    def step(self) -> frames.Frame:
        """Advance one tick; returns its frame, also handed to the callback."""
        result = self.advance()
        frame = frames.build_frame(self, result)
        self.summary.add(frame, result, self.dt)
        if self.on_frame:
            self.on_frame(frame)
        self.events = []
        return frame

    def run_until(self, t: float) -> None:
        while self.t < t - 1e-9:
            self.step()
