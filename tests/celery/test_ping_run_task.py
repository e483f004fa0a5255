"""The ping run's task, carried out by a real worker process through a real Redis broker."""

import os
import time

import pytest

from sandbox.runs import services
from sandbox.runs.models import Run, RunFrame
from sandbox.runs.tasks import ping_run

pytestmark = pytest.mark.django_db(transaction=True)


def test_ping_run_round_trips_through_a_real_worker_and_records_every_frame(celery_worker):
    run = services.run_ping_create(frames=3)

    result = ping_run.delay(str(run.id)).get(timeout=30)

    assert result == {
        "run": str(run.id),
        "state": "finished",
        "frames": 3,
        "worker": celery_worker.name,
    }
    run.refresh_from_db()
    assert run.state == Run.State.FINISHED
    assert run.worker == celery_worker.name
    assert run.started_at is not None and run.finished_at >= run.started_at
    frames = list(RunFrame.objects.filter(run=run).values_list("seq", "payload"))
    assert [seq for seq, _ in frames] == [1, 2, 3]
    assert [payload["message"] for _, payload in frames] == [
        "ping 1 of 3",
        "ping 2 of 3",
        "ping 3 of 3",
    ]
    assert {payload["pid"] for _, payload in frames} != {os.getpid()}


def test_starting_a_ping_run_enqueues_it_once_the_transaction_commits(celery_worker):
    run = services.run_ping_start(frames=2)

    finished = _wait_for_state(run, Run.State.FINISHED)

    assert finished.frames.count() == 2


def test_a_run_already_carried_out_is_not_published_twice(celery_worker):
    run = services.run_ping_create(frames=1)
    ping_run.delay(str(run.id)).get(timeout=30)

    again = ping_run.delay(str(run.id)).get(timeout=30)

    assert again["frames"] == 0 and again["state"] == "finished"
    assert RunFrame.objects.filter(run=run).count() == 1


def _wait_for_state(run: Run, state: str, timeout: float = 30) -> Run:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.state == state:
            return run
        time.sleep(0.1)
    raise AssertionError(f"run stayed {run.state!r}, expected {state!r} within {timeout} s")
