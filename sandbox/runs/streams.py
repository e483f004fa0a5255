"""The run's live stream: group names and the messages sent to a run's WebSocket group
through the channel layer (channels-redis)."""

import asyncio
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from sandbox.runs.models import Run


def run_group(run_id: uuid.UUID | str) -> str:
    return f"run.{run_id}"


def run_state_message(*, run: Run, last_seq: int) -> dict:
    from sandbox.runs.selectors import run_queue_position

    return {
        "type": "run.state",
        "run": {
            "id": str(run.id),
            "kind": run.kind,
            "state": run.state,
            "frames": run.frames_expected,
            "failure_reason": run.failure_reason,
            "scenario": str(run.scenario_id) if run.scenario_id else None,
            "engine": run.engine,
            "duration_s": run.duration_s,
            "speed": run.speed,
            "seed": run.seed,
            "sim_time": run.sim_time,
            "worker": run.worker,
            "queue": run_queue_position(run=run) if run.state == Run.State.QUEUED else None,
        },
        "last_seq": last_seq,
    }


def run_frame_message(frame: dict) -> dict:
    return {"type": "run.frame", "seq": frame["seq"], "frame": frame}


def run_frame_encoded(seq: int, frame_json: str) -> dict:
    """A live frame whose client message is already JSON: the consumer sends the text as it
    is, instead of decoding and encoding it again for every watcher."""
    text = f'{{"type": "run.frame", "seq": {seq}, "frame": {frame_json}}}'
    return {"type": "run.frame", "seq": seq, "json": text}


def stream_publish(run_id: uuid.UUID | str, message: dict) -> None:
    """Send a message to everyone watching the run; the consumer relays it unchanged."""
    async_to_sync(get_channel_layer().group_send)(run_group(run_id), message)


class Publisher:
    """For a worker that publishes many messages (a live run): one event loop kept for the
    run's life, so the channel layer's Redis connections are made once, not per message."""

    def __init__(self, run_id: uuid.UUID | str) -> None:
        self.group = run_group(run_id)
        self.loop = asyncio.new_event_loop()
        self.layer = get_channel_layer()

    def __call__(self, message: dict) -> None:
        self.loop.run_until_complete(self.layer.group_send(self.group, message))

    def close(self) -> None:
        self.loop.run_until_complete(self.layer.close_pools())
        self.loop.close()
