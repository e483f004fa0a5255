"""Live runs end to end: a real worker runs the flow engine, frames come through
channels-redis to a WebsocketCommunicator, and the owner's controls come back as effects."""

import time

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from sandbox.runs.models import RunEvent, RunFrame
from tests.channels.live import (
    Owner,
    is_state,
    receive,
    receive_until,
    socket,
    start_run,
    stop_run,
    wait_for_state,
)

pytestmark = pytest.mark.django_db(transaction=True)


def errors_at(frame: dict, node: str) -> float:
    return sum(frame["nodes"][node]["errors"].values())


def frames_of(messages: list[dict]) -> list[dict]:
    return [m["frame"] for m in messages if m["type"] == "run.frame"]


def test_a_run_streams_numbered_frames_and_the_owner_is_told_it_may_control(celery_worker):
    owner = Owner()
    run = start_run(owner, duration_s=30)

    async def scenario():
        ws = socket(f"/ws/runs/{run.id}/", owner.cookie)
        assert (await ws.connect())[0]
        first = await receive(ws)
        messages = await receive_until(ws, is_state("finished"))
        await ws.disconnect()
        return first, messages

    first, messages = async_to_sync(scenario)()

    assert first["type"] == "run.state" and first["role"] == "owner"
    frames = frames_of(messages)
    seqs = [f["seq"] for f in frames]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert frames[-1]["t"] == pytest.approx(30)
    assert frames[-1]["system"]["served_rps"] > 0 and "lb" in frames[-1]["nodes"]
    run.refresh_from_db()
    assert run.state == "finished" and run.summary["system"]["availability"] == 1.0
    assert RunFrame.objects.filter(run=run).count() == seqs[-1]


def test_a_kill_over_the_socket_shows_as_errors_at_that_node_then_recovery_on_restore(
    celery_worker,
):
    owner = Owner()
    run = start_run(owner, duration_s=300, speed=10)

    async def scenario():
        ws = socket(f"/ws/runs/{run.id}/", owner.cookie)
        await ws.connect()
        await receive_until(ws, lambda m: m["type"] == "run.frame" and m["frame"]["t"] >= 3)
        await ws.send_json_to({"type": "control", "id": "k1", "action": "kill", "target": "web-1"})
        killed = await receive_until(ws, lambda m: m["type"] == "run.ack")
        after_kill = await receive_until(
            ws, lambda m: m["type"] == "run.frame" and errors_at(m["frame"], "web-1") > 0
        )
        await ws.send_json_to(
            {"type": "control", "id": "r1", "action": "restore", "target": "web-1"}
        )
        restored = await receive_until(ws, lambda m: m["type"] == "run.ack")
        recovery = await receive_until(
            ws, lambda m: m["type"] == "run.frame" and m["frame"]["t"] > restored[-1]["t"] + 2
        )
        await ws.send_json_to({"type": "control", "id": "s1", "action": "stop"})
        end = await receive_until(ws, is_state("cancelled"))
        await ws.disconnect()
        return killed[-1], after_kill, restored[-1], recovery, end

    kill_ack, after_kill, restore_ack, recovery, end = async_to_sync(scenario)()

    assert kill_ack == {**kill_ack, "id": "k1", "action": "kill"} and kill_ack["t"] >= 3
    failing = frames_of(after_kill)[-1]
    assert failing["t"] > kill_ack["t"]
    assert failing["system"]["errors"]["node down at web-1"] > 0
    texts = [e["text"] for f in frames_of(after_kill) for e in f["events"]]
    assert "web-1 is down" in texts and texts.count("web-1 is down") == 1
    assert restore_ack["id"] == "r1" and restore_ack["t"] >= failing["t"]
    assert errors_at(frames_of(recovery)[-1], "web-1") == 0
    assert frames_of(recovery)[-1]["system"]["error_rate"] == 0
    assert RunEvent.objects.filter(run=run, text__startswith="web-1 is back").exists()
    run.refresh_from_db()
    assert run.state == "cancelled" and run.summary is not None


def test_an_invalid_control_gets_an_error_and_changes_nothing(celery_worker):
    owner = Owner()
    run = start_run(owner, duration_s=300, speed=10)

    async def scenario():
        ws = socket(f"/ws/runs/{run.id}/", owner.cookie)
        await ws.connect()
        await receive_until(ws, lambda m: m["type"] == "run.frame")
        bad = {"type": "control", "id": "b1", "action": "slow", "target": "web-1", "factor": -2}
        await ws.send_json_to(bad)
        malformed = await receive_until(ws, lambda m: m["type"] == "error")
        await ws.send_json_to({"type": "control", "id": "b2", "action": "kill", "target": "nope"})
        unknown = await receive_until(ws, lambda m: m["type"] == "run.error")
        later = await receive_until(ws, lambda m: m["type"] == "run.frame")
        await ws.send_json_to({"type": "control", "action": "stop"})
        await receive_until(ws, is_state("cancelled"))
        await ws.disconnect()
        return malformed[-1], unknown[-1], later[-1]["frame"]

    malformed, unknown, later = async_to_sync(scenario)()

    assert malformed["code"] == "invalid_control" and malformed["id"] == "b1"
    assert "factor" in malformed["message"]
    assert unknown["id"] == "b2" and "no node with id 'nope'" in unknown["message"]
    assert later["system"]["error_rate"] == 0
    assert all(node["alive"] for node in later["nodes"].values())


def test_pause_and_resume_are_acknowledged_and_change_the_state(celery_worker):
    owner = Owner()
    run = start_run(owner, duration_s=300, speed=10)

    async def scenario():
        ws = socket(f"/ws/runs/{run.id}/", owner.cookie)
        await ws.connect()
        await receive_until(ws, lambda m: m["type"] == "run.frame")
        await ws.send_json_to({"type": "control", "id": "p", "action": "pause"})
        paused = await receive_until(ws, is_state("paused"))
        quiet_while_paused = await ws.receive_nothing(timeout=0.5)
        await ws.send_json_to({"type": "control", "id": "r", "action": "resume"})
        resumed = await receive_until(ws, is_state("running"))
        more = await receive_until(ws, lambda m: m["type"] == "run.frame")
        await ws.send_json_to({"type": "control", "action": "stop"})
        await receive_until(ws, is_state("cancelled"))
        await ws.disconnect()
        return paused, quiet_while_paused, resumed, more

    paused, quiet_while_paused, resumed, more = async_to_sync(scenario)()

    assert quiet_while_paused
    acks = [m for m in paused + resumed if m["type"] == "run.ack"]
    assert [a["action"] for a in acks] == ["pause", "resume"]
    assert acks[0]["t"] == acks[1]["t"]  # no simulated time passes while paused
    assert frames_of(more)[-1]["t"] > acks[1]["t"]


def test_a_share_link_holder_watches_but_their_controls_are_refused(celery_worker):
    owner = Owner()
    token = owner.client.post(f"/api/scenarios/{owner.scenario.id}/share").json()["token"]
    run = start_run(owner, duration_s=300, speed=10)

    async def scenario():
        ws = socket(f"/ws/runs/{run.id}/?share={token}")
        await ws.connect()
        hello = await receive(ws)
        await receive_until(ws, lambda m: m["type"] == "run.frame")
        await ws.send_json_to({"type": "control", "id": "x", "action": "kill", "target": "lb"})
        refused = await receive_until(ws, lambda m: m["type"] == "error")
        stranger = socket(f"/ws/runs/{run.id}/")
        await stranger.connect()
        not_found = await receive(stranger)
        await stranger.disconnect()
        await ws.disconnect()
        return hello, refused[-1], not_found

    hello, refused, not_found = async_to_sync(scenario)()
    stop_run(run)

    assert hello["role"] == "watcher"
    assert refused["code"] == "forbidden" and refused["id"] == "x"
    assert not_found["code"] == "not_found"
    assert not RunEvent.objects.filter(run=run, text__startswith="lb is down").exists()


def test_a_client_that_reconnects_resumes_after_the_last_frame_it_saw(celery_worker):
    owner = Owner()
    run = start_run(owner, duration_s=60, speed=20)

    async def scenario():
        ws = socket(f"/ws/runs/{run.id}/", owner.cookie)
        await ws.connect()
        first = await receive_until(ws, lambda m: m["type"] == "run.frame" and m["seq"] >= 3)
        await ws.disconnect()
        last_seen = first[-1]["seq"]
        again = socket(f"/ws/runs/{run.id}/?after={last_seen}", owner.cookie)
        await again.connect()
        rest = await receive_until(again, is_state("finished"))
        await again.disconnect()
        return last_seen, rest

    last_seen, rest = async_to_sync(scenario)()

    seqs = [m["seq"] for m in rest if m["type"] == "run.frame"]
    assert seqs == list(range(last_seen + 1, last_seen + 1 + len(seqs)))
    assert seqs[-1] == RunFrame.objects.filter(run=run).count()
    events = next(m for m in rest if m["type"] == "run.events")
    assert isinstance(events["events"], list)


def test_a_finished_run_is_replayed_by_the_api_also_through_a_share_link(celery_worker):
    owner = Owner()
    run = start_run(owner, duration_s=20, speed=0)
    wait_for_state(run, {"finished"})
    token = owner.client.post(f"/api/scenarios/{owner.scenario.id}/share").json()["token"]

    mine = owner.client.get(f"/api/runs/{run.id}/frames?limit=1000").json()
    shared = Client().get(f"/api/shared/{token}/runs/{run.id}/frames").json()
    listed = Client().get(f"/api/shared/{token}/runs").json()
    stranger = Client().get(f"/api/runs/{run.id}/frames")

    seqs = [f["seq"] for f in mine["frames"]]
    assert seqs == list(range(1, len(seqs) + 1)) and mine["next_after"] is None
    assert owner.client.get(f"/api/runs/{run.id}").json()["frames"] == len(seqs)
    assert mine["frames"][-1]["t"] == pytest.approx(20)
    assert shared == mine
    assert [r["id"] for r in listed] == [str(run.id)]
    assert stranger.status_code == 404


def test_runs_at_once_are_limited_per_owner(celery_worker, settings):
    settings.RUNS_AT_ONCE_PER_OWNER = 1
    owner = Owner()
    first = start_run(owner, duration_s=300, speed=1)

    response = owner.client.post(
        "/api/runs", {"scenario": str(owner.scenario.id)}, content_type="application/json"
    )

    assert response.status_code == 409
    assert "the most at once" in response.json()["detail"]
    stop_run(first)


def test_a_run_on_the_discrete_event_engine_streams_the_same_frames(celery_worker):
    owner = Owner()
    run = start_run(owner, engine="des", duration_s=20, speed=0)

    finished = wait_for_state(run, {"finished", "failed"})

    assert finished.state == "finished", finished.failure_reason
    frames = list(RunFrame.objects.filter(run=run).values_list("payload", flat=True))
    assert frames[-1]["t"] == pytest.approx(20)
    assert set(frames[-1]["nodes"]) == {"users", "lb", "web-1", "web-2", "db"}
    assert finished.summary["engine"] == "des"
    assert 0 < finished.summary["system"]["served_rps"] <= 1.2 * 150


def test_the_discrete_event_engine_refuses_designs_beyond_its_scale(celery_worker):
    owner = Owner()
    doc = owner.scenario.document
    doc["workload"]["users"] = 1_000_000
    owner.scenario.document = doc
    owner.scenario.save()

    response = owner.client.post(
        "/api/runs",
        {"scenario": str(owner.scenario.id), "engine": "des"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert "at most 2,000 requests per second" in response.json()["detail"]


def test_a_slow_run_still_takes_a_control_at_once(celery_worker):
    owner = Owner()
    run = start_run(owner, duration_s=30, speed=0.2)  # five wall seconds per simulated second

    async def scenario():
        ws = socket(f"/ws/runs/{run.id}/", owner.cookie)
        await ws.connect()
        await receive_until(ws, lambda m: m["type"] == "run.frame")
        sent = time.monotonic()
        await ws.send_json_to({"type": "control", "id": "u", "action": "users", "users": 1234})
        await receive_until(
            ws,
            lambda m: m["type"] == "run.frame" and m["frame"]["system"]["users"] == 1234,
            timeout=5,
        )
        effect_after = time.monotonic() - sent
        sent = time.monotonic()
        await ws.send_json_to({"type": "control", "id": "fast", "action": "speed", "speed": 0})
        ack = await receive_until(ws, lambda m: m["type"] == "run.ack", timeout=5)
        acked_after = time.monotonic() - sent
        done = await receive_until(ws, is_state("finished"), timeout=30)
        await ws.disconnect()
        return effect_after, ack[-1], acked_after, done

    effect_after, ack, acked_after, done = async_to_sync(scenario)()

    assert effect_after < 2.5  # the next frame came early, not when the slow tick was due
    assert ack["id"] == "fast" and ack["action"] == "speed"
    assert acked_after < 2.5  # not after the five seconds the current tick would have taken
    assert frames_of(done)[-1]["t"] == pytest.approx(30)
