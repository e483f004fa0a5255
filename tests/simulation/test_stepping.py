"""The stepping API and the frame shape the browser and the next engine rely on."""

import json
import re
from collections import Counter

import pytest
from conftest import example

from simulation.changes import parse_change
from simulation.des import DesEngine
from simulation.flow import FlowEngine
from simulation.frames import Frame
from simulation.narrator import Narrator


def test_callback_receives_every_frame_and_run_until_stops_at_the_time():
    seen: list[Frame] = []
    engine = FlowEngine(example("05-cache"), seed=7, on_frame=seen.append)
    engine.run_until(10)
    assert [f["t"] for f in seen] == pytest.approx([float(t) for t in range(1, 11)])
    engine.step()
    assert len(seen) == 11


def test_frames_are_json_with_system_classes_and_nodes():
    frame = FlowEngine(example("06-cdn")).step()
    again = json.loads(json.dumps(frame))
    assert again == frame
    assert set(frame) == {"t", "system", "classes", "nodes", "events"}
    assert set(frame["classes"]) == {"static", "read", "write"}
    assert frame["nodes"]["cdn"]["hit_ratio"] > 0.9
    assert frame["nodes"]["db-replica-1"]["replication_lag_ms"] >= 20


def test_frames_without_node_percentiles_keep_the_keys():
    frame = FlowEngine(example("03-load-balancer"), node_percentiles=False).step()
    assert frame["nodes"]["web-1"]["p99_ms"] is None
    assert frame["system"]["p99_ms"] > 0


def test_applied_change_shows_in_the_next_frame_with_an_event():
    engine = FlowEngine(example("02-separate-database"))
    engine.step()
    engine.apply({"action": "kill", "target": "db"})
    frame = engine.step()
    assert frame["system"]["errors"]["no primary"] > 0
    assert any("db" in e for e in frame["events"])


def test_saturation_is_reported_in_plain_words():
    engine = FlowEngine(example("01-single-server", users=5_000))
    frame = engine.step()
    assert any(e.startswith("web is saturated") for e in frame["events"])


def test_traffic_shapes_change_offered_load_over_time():
    diurnal = {"type": "diurnal", "period_s": 100, "min_factor": 0.2, "peak_at_s": 0}
    engine = FlowEngine(example("02-separate-database", shape=diurnal))
    offered = [engine.step()["system"]["offered_rps"] for _ in range(100)]
    assert max(offered) == pytest.approx(150)
    assert min(offered) == pytest.approx(30, rel=0.01)


# Ticks at which the sparse-frame tests change the run: a kill and a restore that fall
# between published frames, and an overload that saturates the servers.
_CHANGES = {
    3: {"action": "kill", "target": "db"},
    7: {"action": "users", "users": 6_000},
    11: {"action": "restore", "target": "db"},
    14: {"action": "users", "users": 100},
}


def _changing_run(engine, ticks: int, every: int) -> list[Frame]:
    """Step with a frame built every `every` ticks (and at the end); the frames built."""
    built = []
    for tick in range(ticks):
        if tick in _CHANGES:
            engine.apply(parse_change(_CHANGES[tick]))
        frame = engine.step(frame=(tick + 1) % every == 0 or tick == ticks - 1)
        if frame is not None:
            built.append(frame)
    return built


@pytest.mark.parametrize("kind", [FlowEngine, DesEngine])
def test_frames_built_every_fifth_tick_keep_the_summary_and_every_engine_event(kind):
    every = kind(example("04-replication"), seed=2)
    sparse = kind(example("04-replication"), seed=2)
    all_frames = _changing_run(every, 22, 1)
    some_frames = _changing_run(sparse, 22, 5)
    assert [f["t"] for f in some_frames] == [5.0, 10.0, 15.0, 20.0, 22.0]
    assert sparse.summary.result() == every.summary.result()
    told = Counter(e for f in all_frames for e in f["events"])
    assert len(told) >= 4  # down, promoted, saturated, back: something to lose
    assert Counter(e for f in some_frames for e in f["events"]) == told
    assert json.dumps(some_frames[-1], sort_keys=True) == json.dumps(all_frames[-1], sort_keys=True)


def test_narration_of_sparse_frames_tells_each_engine_event_once():
    every = FlowEngine(example("04-replication"))
    sparse = FlowEngine(example("04-replication"))
    events = Counter(e for f in _changing_run(every, 22, 1) for e in f["events"])
    narrator = Narrator()
    told = Counter(e["text"] for f in _changing_run(sparse, 22, 5) for e in narrator(f))
    # The narrator restates a saturation with the queue growth its frames measure.
    saturated = re.compile(r"^(\S+ is saturated: \d+ % busy)")
    for text, count in events.items():
        if found := saturated.match(text):
            assert sum(n for t, n in told.items() if t.startswith(found[1])) == count, text
        else:
            assert told[text] == count, text


def test_a_tick_without_a_frame_returns_none_and_skips_the_callback():
    seen: list[Frame] = []
    engine = FlowEngine(example("02-separate-database"), on_frame=seen.append)
    assert engine.step(frame=False) is None
    assert seen == []
    assert engine.t == 1.0
    assert engine.summary.result()["duration_s"] == 1.0


class _Recomputing(FlowEngine):
    """A flow engine that never repeats a steady tick: the reference for the one that does."""

    def _repeat(self, offered):
        return None


@pytest.mark.parametrize(
    ("name", "users"),
    [("04-replication", 1_000), ("06-cdn", 1_000), ("06-cdn", 20_000), ("05-cache", 10**7)],
    ids=["replication", "cdn", "queues-relaxing-at-saturation", "overload-cycling-in-last-bits"],
)
def test_steady_ticks_repeated_give_the_frames_and_summary_of_ticks_recomputed(name, users):
    changes = {
        20: {"action": "kill", "target": "db"},
        50: {"action": "restore", "target": "db"},
        70: {"action": "users", "users": users * 4},
        90: {"action": "slow", "target": "web-1", "factor": 2},
    }
    engines = [FlowEngine(example(name, users=users)), _Recomputing(example(name, users=users))]
    for t in range(120):
        frames = []
        for engine in engines:
            if t in changes:
                engine.apply(changes[t])
            frames.append(json.dumps(engine.step(frame=t % 3 == 0), sort_keys=True))
        assert frames[0] == frames[1], f"tick {t}"
    repeated, recomputed = (json.dumps(e.summary.result(), sort_keys=True) for e in engines)
    assert repeated == recomputed
    assert engines[0]._memo is not None  # the run ended steady: the last ticks were repeated
