"""Engine snapshots: a run restored from one goes on exactly as the original does."""

import json
import pickle

import numpy as np
import pytest
from conftest import EXAMPLES, example

from simulation.changes import parse_change
from simulation.des import DesEngine
from simulation.des.engine import _Draws
from simulation.flow import FlowEngine
from simulation.narrator import Narrator
from simulation.snapshot import SnapshotError, engine_restore, engine_snapshot

STAGES = sorted(p.stem for p in EXAMPLES.glob("*.json"))
ENGINES = {"flow": FlowEngine, "des": DesEngine}
BEFORE, AFTER = 3, 5  # ticks stepped before the snapshot, frames compared after it


def _victim(engine) -> str:
    """A node whose death changes the run: the database where there is one."""
    ids = engine.model.ids
    return "db" if "db" in ids else ids[-1]


def _frames(engine, ticks: int) -> list[str]:
    return [json.dumps(engine.step(), sort_keys=True) for _ in range(ticks)]


def _assert_restored_run_goes_on_identically(engine) -> None:
    copy = engine_restore(engine_snapshot(engine))
    assert type(copy) is type(engine)
    assert copy.t == engine.t
    assert _frames(copy, AFTER) == _frames(engine, AFTER)
    assert copy.summary.result() == engine.summary.result()


def test_stages_are_found():
    assert len(STAGES) >= 6


@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize("stage", STAGES)
def test_restored_engine_emits_the_same_frames_as_the_original(stage, kind):
    engine = ENGINES[kind](example(stage), seed=3)
    for _ in range(BEFORE):
        engine.step()
    _assert_restored_run_goes_on_identically(engine)


@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize("stage", STAGES)
def test_restored_engine_keeps_a_node_killed_before_the_snapshot(stage, kind):
    engine = ENGINES[kind](example(stage), seed=3)
    engine.step()
    engine.apply(parse_change({"action": "kill", "target": _victim(engine)}))
    for _ in range(BEFORE):
        engine.step()
    _assert_restored_run_goes_on_identically(engine)


@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize("stage", STAGES)
def test_restored_engine_keeps_a_kill_and_restore_and_its_pending_events(stage, kind):
    engine = ENGINES[kind](example(stage), seed=3)
    engine.step()
    victim = _victim(engine)
    engine.apply(parse_change({"action": "kill", "target": victim}))
    engine.step()
    engine.apply(parse_change({"action": "restore", "target": victim}))
    assert engine.events  # said at the next frame, which the restored engine must say too
    _assert_restored_run_goes_on_identically(engine)


def test_flow_engine_restored_after_a_design_change_has_the_new_design():
    engine = FlowEngine(example("03-load-balancer"))
    engine.step()
    engine.apply({"action": "resize", "target": "web-1", "instances": 4})
    engine.step()
    copy = engine_restore(engine_snapshot(engine))
    assert copy.model.instances[copy.model.index["web-1"]] == 4
    assert _frames(copy, AFTER) == _frames(engine, AFTER)


def test_flow_snapshot_stores_cache_tables_as_their_arguments():
    engine = FlowEngine(example("06-cdn"))
    engine.step()
    assert len(engine_snapshot(engine)) < len(pickle.dumps(engine)) / 5


def test_snapshot_leaves_out_the_callback_and_the_original_keeps_it():
    seen: list[dict] = []
    engine = FlowEngine(example("02-separate-database"), on_frame=seen.append)
    engine.step()
    copy = engine_restore(engine_snapshot(engine))
    assert copy.on_frame is None
    engine.step()
    assert len(seen) == 2


def test_bytes_that_are_not_a_snapshot_are_rejected_with_a_reason():
    with pytest.raises(SnapshotError, match="not an engine snapshot"):
        engine_restore(pickle.dumps({"t": 1}))
    data = engine_snapshot(FlowEngine(example("01-single-server")))
    with pytest.raises(SnapshotError, match="corrupt"):
        engine_restore(data[:-10])


@pytest.mark.parametrize("drawn", [0, 5, 1 << 14, (1 << 14) + 7])
def test_pickled_draws_go_on_with_the_same_numbers(drawn):
    draws = _Draws(np.random.default_rng(11).random)
    for _ in range(drawn):
        draws()
    copy = pickle.loads(pickle.dumps(draws))
    assert [copy() for _ in range(20_000)] == [draws() for _ in range(20_000)]


def test_pickled_narrator_tells_the_same_events_as_the_original():
    engine = FlowEngine(example("02-separate-database"))
    narrator = Narrator()
    engine.step()
    engine.apply({"action": "kill", "target": "db"})
    for _ in range(3):
        narrator(engine.step())
    assert narrator.failing  # the state the copy must carry to say when failures stop
    copy = pickle.loads(pickle.dumps(narrator))
    engine.apply({"action": "restore", "target": "db"})
    rest = [engine.step() for _ in range(3)]
    told = [narrator(f) for f in rest]
    assert any(e["text"].startswith("recovered") for events in told for e in events)
    assert [copy(f) for f in rest] == told
