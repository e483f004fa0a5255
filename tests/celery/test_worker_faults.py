"""Faults of the system itself: a worker that dies mid-run, seen by the API and by watchers."""

import time
import uuid

import pytest
from asgiref.sync import async_to_sync

from sandbox.runs.models import Run
from sandbox.runs.tasks import simulation_run
from tests.channels.live import (
    Owner,
    is_state,
    receive,
    receive_until,
    socket,
    stop_run,
    wait_for_state,
)
from tests.processes import CeleryWorker

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_killed_mid_run_leaves_it_failed_with_a_reason_and_it_can_start_again(
    celery_worker, settings, tmp_path
):
    settings.RUN_HEARTBEAT_TIMEOUT_S = 3
    owner = Owner()
    doomed = CeleryWorker(tmp_path / "doomed.log", queue=f"doomed-{uuid.uuid4().hex[:8]}")
    doomed.start()
    run = Run.objects.create(
        kind=Run.Kind.SIMULATION,
        scenario=owner.scenario,
        document=owner.scenario.document,
        duration_s=600,
        speed=1,
    )
    simulation_run.apply_async((str(run.id),), queue=doomed.queue)
    wait_for_state(run, {"running"})
    assert run.worker == doomed.name

    async def watch_it_die():
        ws = socket(f"/ws/runs/{run.id}/", owner.cookie)
        await ws.connect()
        await receive(ws)
        doomed.kill()
        killed_at = time.monotonic()
        messages = await receive_until(ws, is_state("failed"), timeout=20)
        await ws.disconnect()
        return messages[-1], time.monotonic() - killed_at

    failed, noticed_after_s = async_to_sync(watch_it_die)()

    assert "stopped answering" in failed["run"]["failure_reason"]
    assert doomed.name in failed["run"]["failure_reason"]
    assert noticed_after_s < 3 + 10  # the timeout, plus the watchdog's period and slack
    detail = owner.client.get(f"/api/runs/{run.id}").json()
    assert detail["state"] == "failed"
    again = owner.client.post(f"/api/runs/{run.id}/again")
    assert again.status_code == 201
    second = Run.objects.get(id=again.json()["id"])
    assert second.document == run.document and second.duration_s == 600
    wait_for_state(second, {"running"})
    assert second.worker == celery_worker.name
    stop_run(second)
