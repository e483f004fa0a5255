"""The event log in plain words, read off consecutive metric frames: nodes going down and
coming back, queues growing and draining, failures by reason starting and stopping, caches
cooling and warming up, replication falling behind, plus the engine's own events.

It reads frames only, so it narrates either engine and a recorded run alike."""

from __future__ import annotations

import re
from typing import Any, TypedDict

QUEUE_GROWTH_RPS = 5.0  # a queue growing slower than this is noise, not news
SATURATED = 0.95
HIT_DROP = 0.2  # a fall in hit ratio this large between frames means the cache went cold
LAG_MS = 1000.0


class Event(TypedDict):
    t: float
    level: str  # info, warn or error
    node: str | None
    text: str


def _fmt_rate(rps: float) -> str:
    return f"{rps:,.0f}" if rps >= 10 else f"{rps:.2g}"


class Narrator:
    """Feed frames in order; each call returns the events that frame brings."""

    def __init__(self) -> None:
        self.prev: dict[str, Any] | None = None
        self.queue_growing: set[str] = set()
        self.failing: set[str] = set()
        self.cold: dict[str, float] = {}  # cache id -> hit ratio before it went cold
        self.lagging: set[str] = set()

    def __call__(self, frame: dict[str, Any]) -> list[Event]:
        t = float(frame["t"])
        events: list[Event] = []
        node_ids = list(frame["nodes"])
        for text in frame.get("events", []):
            events.append(
                {"t": t, "level": _level(text), "node": _node_in(text, node_ids), "text": text}
            )
        mentioned = {e["node"] for e in events}
        prev = self.prev
        dt = t - float(prev["t"]) if prev else 0.0
        for node_id, node in frame["nodes"].items():
            before = prev["nodes"].get(node_id) if prev else None
            events += self._node(t, dt, node_id, node, before, node_id in mentioned)
        events += self._errors(t, frame["system"].get("errors", {}), node_ids)
        self.prev = frame
        return events

    def _node(self, t, dt, node_id, node, before, mentioned) -> list[Event]:
        out: list[Event] = []

        def say(level: str, text: str) -> None:
            out.append({"t": t, "level": level, "node": node_id, "text": text})

        if before is not None and not mentioned:
            if before.get("alive") and not node.get("alive"):
                say("error", f"{node_id} is down")
            elif not before.get("alive") and node.get("alive"):
                say("info", f"{node_id} is back up")
            elif node.get("instances_alive", 0) != before.get("instances_alive", 0):
                say("warn", f"{node_id}: {node.get('instances_alive', 0)} instances alive")
        queue = float(node.get("queue_length") or 0.0)
        if before is not None and dt > 0:
            growth = (queue - float(before.get("queue_length") or 0.0)) / dt
            busy = float(node.get("utilization") or 0.0)
            if growth > QUEUE_GROWTH_RPS and busy >= SATURATED:
                starts = node_id not in self.queue_growing
                self.queue_growing.add(node_id)
                if starts and not mentioned:  # the engine may have said it already
                    say(
                        "warn",
                        f"{node_id} is saturated: {busy * 100:.0f} % busy, queue growing by "
                        f"{_fmt_rate(growth)} requests/s",
                    )
            elif growth < 0 and node_id in self.queue_growing:
                self.queue_growing.discard(node_id)
                say("info", f"{node_id} queue is draining ({queue:,.0f} waiting)")
        hit = node.get("hit_ratio")
        if hit is not None and before is not None and before.get("hit_ratio") is not None:
            was = float(before["hit_ratio"])
            if node_id not in self.cold and was - float(hit) > HIT_DROP:
                self.cold[node_id] = was
                say(
                    "warn",
                    f"{node_id} went cold: hit ratio {was * 100:.0f} % → {hit * 100:.0f} %; "
                    "misses go to the database while it warms up",
                )
            elif node_id in self.cold and float(hit) >= self.cold[node_id] - 0.05:
                self.cold.pop(node_id)
                say("info", f"{node_id} is warm again: hit ratio {hit * 100:.0f} %")
        lag = node.get("replication_lag_ms")
        if lag is not None and node.get("alive") and node.get("role") != "primary":
            if lag > LAG_MS and node_id not in self.lagging:
                self.lagging.add(node_id)
                say(
                    "warn",
                    f"{node_id} is {lag / 1000:.1f} s behind the primary: reads may be stale",
                )
            elif lag <= LAG_MS / 2 and node_id in self.lagging:
                self.lagging.discard(node_id)
                say("info", f"{node_id} caught up with the primary")
        return out

    def _errors(self, t: float, errors: dict[str, float], node_ids: list[str]) -> list[Event]:
        out: list[Event] = []
        now = {reason for reason, rps in errors.items() if rps > 0}
        for reason in sorted(now - self.failing):
            out.append(
                {
                    "t": t,
                    "level": "error",
                    "node": _node_in(reason, node_ids),
                    "text": f"requests failing: {reason} ({_fmt_rate(errors[reason])}/s)",
                }
            )
        for reason in sorted(self.failing - now):
            out.append({"t": t, "level": "info", "node": None, "text": f"recovered: {reason}"})
        self.failing = now
        return out


def _level(text: str) -> str:
    lowered = text.lower()
    if "no longer" in lowered or "back up" in lowered or "resume" in lowered:
        return "info"
    if any(word in lowered for word in ("down", "lost", "fail", "dead", "died")):
        return "error"
    if any(word in lowered for word in ("saturated", "unhealthy", "cold", "stale", "full")):
        return "warn"
    return "info"


def _node_in(text: str, node_ids: list[str]) -> str | None:
    """The node a sentence is about: the longest node id that appears in it as a word."""
    for node_id in sorted(node_ids, key=len, reverse=True):
        if re.search(rf"(?<![\w.:-]){re.escape(node_id)}(?![\w.:-])", text):
            return node_id
    return None
