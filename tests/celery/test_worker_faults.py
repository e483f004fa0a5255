"""Faults of the system itself: a run host that dies mid-run. Another host resumes its runs
from their snapshots without a gap in the frames; with no host left, the runs fail with a
reason that says so."""

import time
import uuid

import pytest
from asgiref.sync import async_to_sync

from sandbox.runs import services
from sandbox.runs.models import Run, RunFrame
from tests.channels.live import (
    Owner,
    receive,
    receive_until,
    socket,
    start_run,
    stop_run,
    wait_for_state,
)
from tests.processes import CeleryWorker

pytestmark = pytest.mark.django_db(transaction=True)


def start(owner: Owner, **options) -> Run:
    return start_run(owner, **{"duration_s": 600, "speed": 5, **options})


TIMEOUT_S = 4  # the hosts' heartbeat timeout in these tests


# The hosts' heartbeat timeout, shortened so that the tests see a dead host within seconds.
SHORT_TIMEOUT = pytest.mark.parametrize(
    "one_process_host", [{"RUN_HEARTBEAT_TIMEOUT_S": str(TIMEOUT_S)}], indirect=True
)


@pytest.fixture
def lone_host(one_process_host, settings):
    """The one host the runs start on, with the short heartbeat timeout here too."""
    settings.RUN_HEARTBEAT_TIMEOUT_S = TIMEOUT_S
    return one_process_host


@SHORT_TIMEOUT
def test_a_host_killed_with_two_runs_has_both_resumed_on_another_without_a_gap(
    lone_host, celery_worker, tmp_path
):
    first, second = Owner("first"), Owner("second")
    runs = [start(first), start(second)]
    for run in runs:
        wait_for_state(run, {"running"})
        assert run.worker == lone_host.name
    rescuer = CeleryWorker(
        tmp_path / "rescuer.log",
        queue=f"rescuer-{uuid.uuid4().hex[:8]}",
        env={"RUN_HEARTBEAT_TIMEOUT_S": str(TIMEOUT_S)},
    )

    async def watch(run: Run, owner: Owner, kill_first: bool) -> tuple[list[dict], float]:
        ws = socket(f"/ws/runs/{run.id}/", owner.cookie)
        await ws.connect()
        await receive(ws)
        await receive_until(ws, lambda m: m["type"] == "run.frame")
        killed_at = time.monotonic()
        if kill_first:
            lone_host.kill()
            rescuer.start()
        messages = await receive_until(
            ws,
            lambda m: (
                m["type"] == "run.frame"
                and any("resumed on another worker" in e["text"] for e in m["frame"]["events"])
            ),
            timeout=40,
        )
        resumed_after = time.monotonic() - killed_at
        messages += await receive_until(ws, lambda m: m["type"] == "run.frame", timeout=10)
        await ws.disconnect()
        return messages, resumed_after

    try:
        seen_a, resumed_a = async_to_sync(watch)(runs[0], first, True)
        seen_b, _ = async_to_sync(watch)(runs[1], second, False)
        for run, seen in ((runs[0], seen_a), (runs[1], seen_b)):
            seqs = [m["seq"] for m in seen if m["type"] == "run.frame"]
            assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs  # no gap, no repeat
            times = [m["frame"]["t"] for m in seen if m["type"] == "run.frame"]
            assert times == sorted(times) and len(set(times)) == len(times)
            recorded = list(
                RunFrame.objects.filter(run=run).order_by("seq").values_list("seq", flat=True)
            )
            assert recorded == list(range(1, len(recorded) + 1))
            run.refresh_from_db()
            assert run.state == "running" and run.worker == rescuer.name
            assert run.failure_reason == ""
        # The host's timeout, the rescuer's start and one poll: within the 20 s promised.
        assert resumed_a < 20 + 15  # plus the rescuer worker's own start-up in this test
        for run in runs:
            stop_run(run)
    finally:
        rescuer.stop()


@SHORT_TIMEOUT
def test_a_run_fails_with_a_reason_only_when_no_host_is_left(lone_host):
    owner = Owner()
    run = start(owner)
    wait_for_state(run, {"running"})

    async def watch_it_die():
        ws = socket(f"/ws/runs/{run.id}/", owner.cookie)
        await ws.connect()
        await receive(ws)
        lone_host.kill()
        messages = await receive_until(
            ws, lambda m: m["type"] == "run.state" and m["run"]["state"] == "failed", timeout=30
        )
        await ws.disconnect()
        return messages[-1]

    failed = async_to_sync(watch_it_die)()

    reason = failed["run"]["failure_reason"]
    assert "no worker is left" in reason and lone_host.name in reason
    again = owner.client.post(f"/api/runs/{run.id}/again")
    assert again.status_code == 201
    second = Run.objects.get(id=again.json()["id"])
    assert second.document == run.document and second.state == "queued"
    second.refresh_from_db()
    services.run_cancel_queued(run=second)
    assert Run.objects.get(id=second.id).state == "cancelled"
