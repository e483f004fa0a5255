"""The run's WebSocket consumer, over the real channels-redis layer, fed by a real worker."""

import json
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from sandbox.asgi import application
from sandbox.runs import services
from sandbox.runs.models import RunFrame
from sandbox.runs.tasks import ping_run

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")


def communicator(path: str, origin: tuple[bytes, bytes] | None = ORIGIN) -> WebsocketCommunicator:
    headers = [origin] if origin else []
    return WebsocketCommunicator(application, path, headers=headers)


async def receive(ws: WebsocketCommunicator, timeout: float = 10) -> dict:
    return json.loads(await ws.receive_from(timeout=timeout))


def test_frames_published_by_a_worker_process_reach_the_websocket_live(celery_worker, redis_url):
    run = services.run_ping_create(frames=4)

    async def scenario() -> list[dict]:
        ws = communicator(f"/ws/runs/{run.id}/")
        connected, _ = await ws.connect()
        assert connected
        first = await receive(ws)
        assert first["type"] == "run.state"
        assert first["run"]["state"] == "queued" and first["last_seq"] == 0
        # Nothing was recorded when we connected, so every frame below came live through Redis.
        ping_run.delay(str(run.id))
        messages = []
        while not (messages and messages[-1].get("run", {}).get("state") == "finished"):
            messages.append(await receive(ws))
        await ws.disconnect()
        return messages

    messages = async_to_sync(scenario)()

    frames = [m for m in messages if m["type"] == "run.frame"]
    assert [f["seq"] for f in frames] == [1, 2, 3, 4]
    assert {f["frame"]["worker"] for f in frames} == {celery_worker.name}
    states = [m["run"]["state"] for m in messages if m["type"] == "run.state"]
    assert states == ["running", "finished"]


def test_a_client_that_reconnects_gets_only_the_frames_after_the_last_it_saw(celery_worker):
    run = services.run_ping_create(frames=5)
    ping_run.delay(str(run.id)).get(timeout=30)

    async def scenario() -> list[dict]:
        ws = communicator(f"/ws/runs/{run.id}/?after=3")
        connected, _ = await ws.connect()
        assert connected
        messages = [await receive(ws) for _ in range(3)]
        assert await ws.receive_nothing(timeout=0.3)
        await ws.disconnect()
        return messages

    state, *frames = async_to_sync(scenario)()

    assert state["type"] == "run.state"
    assert state["run"]["state"] == "finished" and state["last_seq"] == 5
    assert [f["seq"] for f in frames] == [4, 5]
    stored = RunFrame.objects.get(run=run, seq=4).payload
    assert frames[0]["frame"] == stored


def test_an_unknown_run_gets_a_not_found_error_and_a_final_close_code(redis_url):
    async def scenario() -> tuple[dict, dict]:
        ws = communicator(f"/ws/runs/{uuid.uuid4()}/")
        connected, _ = await ws.connect()
        assert connected
        error = await receive(ws)
        closed = await ws.receive_output(timeout=5)
        return error, closed

    error, closed = async_to_sync(scenario)()

    assert error["type"] == "error" and error["code"] == "not_found"
    assert "no such run" in error["message"]
    assert closed == {"type": "websocket.close", "code": 4404}


@pytest.mark.parametrize(
    "after", ["-2", "²", "٣", "1.5", "1e3", " 1", "0x10", "9" * 13, "%00", "1%2F2"]
)
def test_a_malformed_resume_position_is_refused_with_a_message_naming_it(redis_url, after):
    run = services.run_ping_create(frames=1)

    async def scenario() -> tuple[dict, dict]:
        ws = communicator(f"/ws/runs/{run.id}/?after={after}")
        await ws.connect()
        return await receive(ws), await ws.receive_output(timeout=5)

    error, closed = async_to_sync(scenario)()

    assert error["type"] == "error" and error["code"] == "bad_request"
    assert error["message"].startswith("after: must be a whole number")
    assert closed["code"] == 4400


@pytest.mark.parametrize(
    "run_id", ["not-a-uuid", "1", "%00", "²", "x" * 300, "00000000-0000-0000-0000-00000000000g"]
)
def test_a_socket_path_with_a_run_id_that_is_not_a_uuid_is_told_not_found(redis_url, run_id):
    async def scenario() -> tuple[dict, dict]:
        ws = communicator(f"/ws/runs/{run_id}/")
        await ws.connect()
        return await receive(ws), await ws.receive_output(timeout=5)

    error, closed = async_to_sync(scenario)()

    assert error["type"] == "error" and error["code"] == "not_found"
    assert closed == {"type": "websocket.close", "code": 4404}


def test_messages_from_the_client_get_an_error_and_keep_the_socket_open(redis_url):
    run = services.run_ping_create(frames=1)

    async def scenario() -> list[dict]:
        ws = communicator(f"/ws/runs/{run.id}/")
        await ws.connect()
        await receive(ws)
        await ws.send_to(text_data="{not json")
        bad_json = await receive(ws)
        await ws.send_json_to({"type": "pause"})
        unsupported = await receive(ws)
        await ws.disconnect()
        return [bad_json, unsupported]

    bad_json, unsupported = async_to_sync(scenario)()

    assert bad_json["code"] == "bad_json" and "not valid JSON" in bad_json["message"]
    assert unsupported["code"] == "unsupported" and "'pause'" in unsupported["message"]


def test_a_websocket_from_a_foreign_origin_is_rejected(redis_url):
    run = services.run_ping_create(frames=1)

    async def scenario() -> bool:
        ws = communicator(f"/ws/runs/{run.id}/", origin=(b"origin", b"https://evil.example"))
        connected, _ = await ws.connect()
        return connected

    assert async_to_sync(scenario)() is False


def test_a_socket_with_nothing_to_carry_stays_open(redis_url):
    """The list-based layer waited 5 s in BRPOP with a 5 s socket timeout, and an idle
    consumer died with 1011 whenever the timeout fired first (about every 5 s under load)."""
    run = services.run_ping_create(frames=1)

    async def scenario() -> tuple[bool, dict]:
        ws = communicator(f"/ws/runs/{run.id}/")
        await ws.connect()
        await receive(ws)
        quiet = await ws.receive_nothing(timeout=7, interval=0.5)
        await ws.send_json_to({"type": "still there?"})
        answer = await receive(ws)
        await ws.disconnect()
        return quiet, answer

    quiet, answer = async_to_sync(scenario)()

    assert quiet
    assert answer["type"] == "error" and answer["code"] == "unsupported"


def test_a_live_frame_after_a_gap_comes_after_the_missed_ones_read_from_the_record(redis_url):
    """Live delivery is at most once: frames published while Redis restarted never reach
    the socket. They were recorded first, so the consumer fills the gap from the database."""
    from sandbox.runs.models import Run
    from sandbox.runs.streams import run_frame_message, stream_publish
    from tests.channels.live import Owner, socket

    owner = Owner()
    run = Run.objects.create(
        kind=Run.Kind.SIMULATION,
        scenario=owner.scenario,
        document=owner.scenario.document,
        state=Run.State.RUNNING,
        duration_s=60,
    )

    def frame(seq: int) -> dict:
        payload = {"seq": seq, "t": float(seq), "events": []}
        RunFrame.objects.create(run=run, seq=seq, payload=payload)
        return payload

    frame(1)

    async def scenario() -> list[dict]:
        ws = socket(f"/ws/runs/{run.id}/", owner.cookie)
        await ws.connect()
        received = [await receive(ws) for _ in range(3)]  # state, events, frame 1
        await database_sync_to_async(frame)(2)
        await database_sync_to_async(frame)(3)
        newest = await database_sync_to_async(frame)(4)
        await database_sync_to_async(stream_publish)(run.id, run_frame_message(newest))
        received += [await receive(ws) for _ in range(3)]
        assert await ws.receive_nothing(timeout=0.3)
        await ws.disconnect()
        return received

    messages = async_to_sync(scenario)()

    frames = [m["seq"] for m in messages if m["type"] == "run.frame"]
    assert frames == [1, 2, 3, 4]
