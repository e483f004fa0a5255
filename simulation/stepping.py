"""What both engines share about stepping: a tick's raw arrays from `advance()` are added to
the run's summary and, when asked for, become a metric frame handed to the callback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulation import frames
from simulation.compile import Compiled


class Stepping:
    """Mixed into an engine that provides `advance()`, `model`, `t`, `dt`, `summary`,
    `on_frame` and `events`."""

    model: Compiled
    t: float
    dt: float
    summary: frames.SummaryAccumulator
    on_frame: Callable[[frames.Frame], None] | None
    events: list[str]
    # How many of `events` the summary has already (they stay until a frame is built).
    _summarised_events: int = 0
    # The previous tick's figures, whose parts a repeated tick reuses.
    _figures: frames.TickFigures | None = None
    # Attributes that only save work on the next tick, left out of a snapshot.
    _transient: tuple[str, ...] = ("_figures",)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, **dict.fromkeys(self._transient)}

    def advance(self) -> dict[str, Any]:  # pragma: no cover - each engine defines it
        raise NotImplementedError

    def step(self, *, frame: bool = True) -> frames.Frame | None:
        """Advance one tick; returns its frame, also handed to the callback.

        With `frame=False` no frame is built and None is returned, but the summary still
        counts the tick, and the engine's events are kept for the next frame that is built,
        so a frame tells every event since the one before it.
        """
        result = self.advance()
        figures = self._figures = frames.TickFigures(self, result, self._figures)
        self.summary.add(
            figures, result, self.dt, self.model, self.events[self._summarised_events :]
        )
        if not frame:
            self._summarised_events = len(self.events)
            return None
        built = frames.build_frame(self, result, figures)
        if self.on_frame:
            self.on_frame(built)
        self.events = []
        self._summarised_events = 0
        return built

    def run_until(self, t: float) -> None:
        while self.t < t - 1e-9:
            self.step()
