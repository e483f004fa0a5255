"""Writes of runs: start a ping run, and carry it out inside a Celery worker."""

import os
import time
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from sandbox.runs.models import Run, RunFrame
from sandbox.runs.streams import run_frame_message, run_state_message, stream_publish

PING_FRAME_INTERVAL_S = 0.2


def run_ping_create(*, frames: int) -> Run:
    if not 1 <= frames <= settings.PING_RUN_MAX_FRAMES:
        raise ValueError(f"frames: must be between 1 and {settings.PING_RUN_MAX_FRAMES}")
    return Run.objects.create(kind=Run.Kind.PING, frames_expected=frames)


def _run_send_to_worker(run_id: str) -> None:
    from sandbox.runs.tasks import ping_run

    try:
        ping_run.delay(run_id)
    except OperationalError as exc:
        reason = f"the task queue (Redis) could not be reached: {exc}"
        Run.objects.filter(id=run_id).update(
            state=Run.State.FAILED, failure_reason=reason, finished_at=timezone.now()
        )


def run_enqueue(*, run: Run) -> None:
    """Hand the run to a worker once the transaction commits; if the broker cannot be
    reached, the run is marked failed with the reason instead of staying queued."""
    run_id = str(run.id)
    transaction.on_commit(lambda: _run_send_to_worker(run_id))


def run_ping_start(*, frames: int) -> Run:
    with transaction.atomic():
        run = run_ping_create(frames=frames)
        run_enqueue(run=run)
    run.refresh_from_db()
    return run


def _run_set_state(*, run: Run, state: str, last_seq: int, **fields) -> None:
    run.state = state
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=["state", *fields])
    stream_publish(run.id, run_state_message(run=run, last_seq=last_seq))


def run_ping_execute(*, run_id: uuid.UUID | str, worker: str) -> dict:
    """Publish the run's numbered frames, recording each before it is sent so that a watcher
    who connects late, or reconnects, gets the ones it missed from the database."""
    run = Run.objects.get(id=run_id)
    if run.state != Run.State.QUEUED:
        return {"run": str(run.id), "state": run.state, "frames": 0, "worker": worker}
    _run_set_state(
        run=run,
        state=Run.State.RUNNING,
        last_seq=0,
        worker=worker,
        started_at=timezone.now(),
    )
    seq = 0
    try:
        for seq in range(1, run.frames_expected + 1):
            frame = {
                "seq": seq,
                "sim_time": round(seq * PING_FRAME_INTERVAL_S, 3),
                "produced_at": time.time(),
                "worker": worker,
                "pid": os.getpid(),
                "message": f"ping {seq} of {run.frames_expected}",
            }
            RunFrame.objects.create(run=run, seq=seq, payload=frame)
            stream_publish(run.id, run_frame_message(frame))
            if seq < run.frames_expected:
                time.sleep(PING_FRAME_INTERVAL_S)
    except Exception as exc:
        _run_set_state(
            run=run,
            state=Run.State.FAILED,
            last_seq=seq,
            failure_reason=f"{type(exc).__name__}: {exc}",
            finished_at=timezone.now(),
        )
        raise
    _run_set_state(run=run, state=Run.State.FINISHED, last_seq=seq, finished_at=timezone.now())
    return {"run": str(run.id), "state": run.state, "frames": seq, "worker": worker}
