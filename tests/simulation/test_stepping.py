"""The stepping API and the frame shape the browser and the next engine rely on."""

import json

import pytest
from conftest import example

from simulation.flow import FlowEngine
from simulation.frames import Frame


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
