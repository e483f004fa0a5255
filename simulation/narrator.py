"""The event log in plain words, read off consecutive metric frames: nodes going down and
coming back, queues growing and draining, failures by reason starting and stopping, caches
cooling and warming up, replication falling behind, plus the engine's own events.

It reads frames, so it narrates either engine and a recorded run alike; given the design's
links it also names where a cache's or a CDN's misses go. It says only what the frames support:
an engine event the frames contradict is corrected or left out."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypedDict

QUEUE_GROWTH_RPS = 5.0  # a queue growing slower than this is noise, not news
SATURATED = 0.95
HIT_DROP = 0.2  # a fall in hit ratio this large between frames means the cache went cold
LAG_MS = 1000.0
DATA_KINDS = ("database", "replica")
ENGINE_SATURATED = re.compile(r"^(\S+) is saturated: \d+ % busy, queue growing by ")
HEALTH_CHECK = re.compile(r"^(.+)'s health check took .+ out of rotation$")
FLUSHED = re.compile(r"^(\S+) flushed: misses go to the origin while it warms up$")


class Event(TypedDict):
    t: float
    level: str  # info, warn or error
    node: str | None
    text: str


def _fmt_rate(rps: float) -> str:
    return f"{rps:,.0f}" if rps >= 10 else f"{rps:.2g}"


class Narrator:
    """Feed frames in order; each call returns the events that frame brings.

    `links` are the design's links as (from, to) pairs, replication links included; without
    them a CDN's misses go to "the origin" and a cache's to "the database", unnamed. A host
    that changes the design during a run assigns the new pairs to `links`."""

    def __init__(self, links: Iterable[tuple[str, str]] = ()) -> None:
        self.links = list(links)
        self.prev: dict[str, Any] | None = None
        self.queue_growing: set[str] = set()
        self.failing: set[str] = set()
        self.cold: dict[str, float] = {}  # cache id -> hit ratio before it went cold
        self.lagging: set[str] = set()

    def __call__(self, frame: dict[str, Any]) -> list[Event]:
        t = float(frame["t"])
        events: list[Event] = []
        nodes = frame["nodes"]
        node_ids = list(nodes)
        prev = self.prev
        dt = t - float(prev["t"]) if prev else 0.0
        for text in frame.get("events", []):
            told = self._engine_event(text, nodes, prev, dt)
            if told is not None:
                events.append(
                    {"t": t, "level": _level(told), "node": _node_in(told, node_ids), "text": told}
                )
        mentioned = {e["node"] for e in events}
        for node_id, node in nodes.items():
            before = prev["nodes"].get(node_id) if prev else None
            events += self._node(t, dt, node_id, node, before, node_id in mentioned, nodes)
        events += self._errors(t, frame["system"].get("errors", {}), node_ids)
        self.prev = frame
        return events

    def _engine_event(self, text: str, nodes: dict, prev: dict | None, dt: float) -> str | None:
        """The engine's sentence as the frames support it, or None where they contradict it."""
        found = HEALTH_CHECK.match(text)
        if found and found[1] in nodes and not nodes[found[1]].get("alive"):
            return None  # a balancer that is down checks nothing; its own event says so
        if (found := ENGINE_SATURATED.match(text)) and found[1] in nodes:
            # The engine's rate is its fluid backlog over one tick, not the queue frames show.
            node_id = found[1]
            before = prev["nodes"].get(node_id) if prev else None
            return _saturated(node_id, nodes[node_id], before, dt)
        if (found := FLUSHED.match(text)) and found[1] in nodes:
            where = self._misses_go_to(found[1], nodes[found[1]], nodes)
            return f"{found[1]} flushed: misses go to {where} while it warms up"
        return text

    def _node(self, t, dt, node_id, node, before, mentioned, nodes) -> list[Event]:
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
        if before is not None and dt > 0:
            growth = (_queue(node) - _queue(before)) / dt
            busy = float(node.get("utilization") or 0.0)
            if not node.get("alive"):
                self.queue_growing.discard(node_id)  # its queue was lost, not served
            elif growth > QUEUE_GROWTH_RPS and busy >= SATURATED:
                starts = node_id not in self.queue_growing
                self.queue_growing.add(node_id)
                if starts and not mentioned:  # the engine may have said it already
                    say("warn", _saturated(node_id, node, before, dt))
            elif (
                growth < -QUEUE_GROWTH_RPS
                and node_id in self.queue_growing
                and not (busy >= SATURATED and float(node.get("error_rps") or 0.0) > 0)
            ):
                self.queue_growing.discard(node_id)
                say("info", f"{node_id} queue is draining ({_queue(node):,.0f} waiting)")
        hit = node.get("hit_ratio")
        if (
            hit is not None
            and node.get("alive")
            and before is not None
            and before.get("alive")
            and before.get("hit_ratio") is not None
        ):
            # A cache or CDN that is down is not cold: its own "down" event tells what happens.
            was = float(before["hit_ratio"])
            if node_id not in self.cold and was - float(hit) > HIT_DROP:
                self.cold[node_id] = was
                say(
                    "warn",
                    f"{node_id} went cold: hit ratio {was * 100:.0f} % → {hit * 100:.0f} %; "
                    f"misses go to {self._misses_go_to(node_id, node, nodes)} while it warms up",
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

    def _misses_go_to(self, node_id: str, node: dict, nodes: dict) -> str:
        """Where the design sends a CDN's misses (its origin) or a cache's (the databases its
        servers read from, with their replicas), named; in general words without links."""

        def kind(nid: str) -> str | None:
            return (nodes.get(nid) or {}).get("kind")

        def targets(nid: str) -> list[str]:
            return [b for a, b in self.links if a == nid]

        if node.get("kind") == "cdn":
            return _words(targets(node_id)) or "the origin"
        data = [n for n in targets(node_id) if kind(n) in DATA_KINDS]
        if not data:
            servers = [a for a, b in self.links if b == node_id and kind(a) == "server"]
            data = [n for s in servers for n in targets(s) if kind(n) in DATA_KINDS]
        group: list[str] = []
        for nid in data:
            primaries = [a for a, b in self.links if b == nid and kind(a) == "database"]
            for primary in primaries or [nid]:
                for member in [primary, *targets(primary)]:
                    if member not in group and kind(member) in DATA_KINDS:
                        group.append(member)
        return _words(group) or "the database"

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


def _queue(node: dict) -> float:
    return float(node.get("queue_length") or 0.0)


def _saturated(node_id: str, node: dict, before: dict | None, dt: float) -> str:
    """A saturated node and its queue: full and turning requests away, or growing at the rate
    measured between two frames (a queue that filled within the frame has no rate to tell)."""
    text = f"{node_id} is saturated: {float(node.get('utilization') or 0.0) * 100:.0f} % busy"
    errors = node.get("errors") or {}
    refused = sum(rps for reason, rps in errors.items() if reason.startswith("queue full"))
    if refused > 0:
        return (
            f"{text}, queue full ({_queue(node):,.0f} waiting), turning away "
            f"{_fmt_rate(refused)} requests/s"
        )
    if before is not None and dt > 0:
        growth = (_queue(node) - _queue(before)) / dt
        if growth > QUEUE_GROWTH_RPS:
            text += f", queue growing by {_fmt_rate(growth)} requests/s"
    return text


def _words(names: list[str]) -> str:
    """a, b and c"""
    names = list(dict.fromkeys(names))
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


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
