"""The run host: many live runs in one worker process, each at its own pace, admitted while
they fit, with quotas that hold under bursts of parallel requests."""

import threading
import time

import pytest
from asgiref.sync import async_to_sync
from django.db import close_old_connections

from sandbox.runs import services
from sandbox.runs.models import Run, RunFrame
from sandbox.scenarios.services import LimitExceeded
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


def start(owner: Owner, **options) -> Run:
    return start_run(owner, **{"duration_s": 600, "speed": 10, **options})


def test_several_runs_progress_together_on_one_process_and_a_pause_stays_with_its_run(
    one_process_host,
):
    owners = [Owner(f"student{i}") for i in range(4)]
    runs = [start(owner) for owner in owners]
    for run in runs:
        wait_for_state(run, {"running"})
    assert {run.worker for run in runs} == {one_process_host.name}
    assert len({run.host for run in runs}) == 1  # one process carries all four

    async def pause_one_watch_another():
        paused_ws = socket(f"/ws/runs/{runs[0].id}/", owners[0].cookie)
        other_ws = socket(f"/ws/runs/{runs[1].id}/", owners[1].cookie)
        await paused_ws.connect()
        await other_ws.connect()
        await receive(paused_ws)
        await paused_ws.send_json_to({"type": "control", "id": "p", "action": "pause"})
        await receive_until(paused_ws, is_state("paused"))
        await receive(other_ws)
        frames = []
        while len(frames) < 15:
            message = await receive(other_ws)
            if message["type"] == "run.frame":
                frames.append(message["frame"])
        quiet = await paused_ws.receive_nothing(timeout=0.5)
        await paused_ws.disconnect()
        await other_ws.disconnect()
        return frames, quiet

    frames, paused_quiet = async_to_sync(pause_one_watch_another)()

    assert paused_quiet
    assert frames[-1]["t"] > frames[0]["t"]  # the other run went on while the first was paused
    for run in runs:
        run.refresh_from_db()
    assert runs[0].state == "paused"
    assert all(run.state == "running" for run in runs[1:])
    assert all(RunFrame.objects.filter(run=run).exists() for run in runs[1:])
    for run in runs:
        stop_run(run)


@pytest.mark.parametrize("one_process_host", [{"RUN_HOST_MAX_RUNS": "1"}], indirect=True)
def test_a_run_that_does_not_fit_waits_with_its_place_and_starts_when_room_frees(
    one_process_host,
):
    first, second = Owner("first"), Owner("second")
    running = start(first, duration_s=20, speed=10)
    wait_for_state(running, {"running"})
    waiting = start(second, duration_s=20, speed=10)

    async def wait_in_line():
        ws = socket(f"/ws/runs/{waiting.id}/", second.cookie)
        await ws.connect()
        state = await receive(ws)
        started = await receive_until(ws, is_state("running"), timeout=40)
        await ws.disconnect()
        return state, started

    state, started = async_to_sync(wait_in_line)()

    assert state["run"]["state"] == "queued"
    queue = state["run"]["queue"]
    assert queue["place"] == 1 and queue["text"].startswith("1st in line")
    assert queue["estimate_s"] is not None and 0 < queue["estimate_s"] <= 4
    running.refresh_from_db()
    assert running.state == "finished"  # the second started only once the first had ended
    detail = second.client.get(f"/api/runs/{waiting.id}").json()
    assert detail["queue"] is None and detail["state"] in {"running", "finished"}
    stop_run(waiting)


def test_a_queued_run_can_be_stopped_before_any_host_takes_it(celery_worker):
    owner = Owner()
    celery_worker.stop()
    try:
        run = start(owner)
        detail = owner.client.get(f"/api/runs/{run.id}").json()
        assert detail["state"] == "queued" and detail["queue"]["place"] == 1
        assert "no worker is running" in detail["queue"]["text"]

        async def stop_it():
            ws = socket(f"/ws/runs/{run.id}/", owner.cookie)
            await ws.connect()
            await receive(ws)
            await ws.send_json_to({"type": "control", "action": "stop"})
            cancelled = await receive_until(ws, is_state("cancelled"))
            await ws.disconnect()
            return cancelled

        async_to_sync(stop_it)()
        run.refresh_from_db()
        assert run.state == "cancelled"
    finally:
        celery_worker.start()


def burst(callables) -> tuple[list, list]:
    """Call each at the same moment from its own thread; the results and the refusals."""
    gate = threading.Barrier(len(callables))
    results, refusals, lock = [], [], threading.Lock()

    def call(fn):
        gate.wait()
        try:
            value = fn()
            with lock:
                results.append(value)
        except LimitExceeded as exc:
            with lock:
                refusals.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=call, args=(fn,)) for fn in callables]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, refusals


def test_eight_parallel_starts_by_one_owner_are_held_to_the_quota(settings):
    settings.RUNS_AT_ONCE_PER_OWNER = 2
    owner = Owner()
    started, refused = burst([lambda: start(owner) for _ in range(8)])

    assert len(started) == 2 and len(refused) == 6
    assert all(exc.status == 409 and "the most at once" in str(exc) for exc in refused)
    assert Run.objects.filter(scenario=owner.scenario, state__in=Run.ACTIVE_STATES).count() == 2


def test_visitors_without_an_account_are_held_to_one_run_each_and_a_cap_all_together(settings):
    from sandbox.accounts.visitors import Visitor
    from sandbox.scenarios import services as scenario_services
    from tests.sandbox.scenario_fixtures import example

    settings.RUNS_AT_ONCE_ANONYMOUS = 3
    visitors = [Visitor(user=None, session_key=f"anon{i:036d}") for i in range(6)]
    scenarios = [
        scenario_services.scenario_create(
            visitor=v, title="t", description="", document=example("01-single-server.json")
        )
        for v in visitors
    ]

    def start_anonymous(i):
        return services.run_start(scenario=scenarios[i], visitor=visitors[i], speed=1)

    started, refused = burst([lambda i=i: start_anonymous(i) for i in range(6)])
    assert len(started) == 3 and len(refused) == 3
    assert all(exc.status == 429 for exc in refused)
    with pytest.raises(LimitExceeded, match="browser session"):
        start_anonymous(next(i for i in range(6) if scenarios[i].runs.exists()))


def test_a_run_ended_elsewhere_is_dropped_by_its_host_and_never_comes_back(celery_worker):
    owner = Owner()
    run = start(owner, speed=20)
    wait_for_state(run, {"running"})
    Run.objects.filter(id=run.id).update(state=Run.State.FAILED, failure_reason="ended by the test")
    frames_then = RunFrame.objects.filter(run=run).count()
    time.sleep(3)  # several heartbeats and flushes of the host

    run.refresh_from_db()
    assert run.state == "failed" and run.failure_reason == "ended by the test"
    assert RunFrame.objects.filter(run=run).count() <= frames_then + 1  # one flush in flight


@pytest.mark.parametrize(
    "one_process_host", [{"RUN_CONTROLS_PER_S": "5", "RUN_CONTROLS_BURST": "5"}], indirect=True
)
def test_a_flood_of_controls_is_refused_past_the_rate_and_the_run_keeps_its_pace(
    one_process_host, settings
):
    settings.RUN_CONTROLS_PER_S = 5
    settings.RUN_CONTROLS_BURST = 5
    owner = Owner()
    run = start(owner, speed=10)
    wait_for_state(run, {"running"})

    async def flood():
        ws = socket(f"/ws/runs/{run.id}/", owner.cookie)
        await ws.connect()
        await receive(ws)
        for i in range(200):
            await ws.send_json_to(
                {"type": "control", "id": i, "action": "users", "users": 1000 + i}
            )
        messages = await receive_until(
            ws, lambda m: m["type"] == "run.frame" and m["frame"]["t"] >= 40, timeout=30
        )
        await ws.disconnect()
        return messages

    messages = async_to_sync(flood)()

    refused = [m for m in messages if m.get("code") == "rate_limited"]
    acked = [m for m in messages if m["type"] == "run.ack"]
    assert len(refused) >= 190 and 5 <= len(acked) <= 10
    run.refresh_from_db()
    assert run.state == "running"
    stop_run(run)


@pytest.mark.parametrize("one_process_host", [{"SCENARIO_MAX_NODES": "6"}], indirect=True)
def test_add_node_is_refused_once_the_design_has_the_most_nodes_a_design_may_have(
    one_process_host,
):
    owner = Owner()  # stage 3: users, lb, web-1, web-2, db: five nodes
    run = start(owner, speed=5)
    wait_for_state(run, {"running"})
    web = {"id": "web-{n}", "kind": "server", "params": {}}

    async def add_two():
        ws = socket(f"/ws/runs/{run.id}/", owner.cookie)
        await ws.connect()
        await receive(ws)
        answers = []
        for n in (3, 4):
            node = {**web, "id": f"web-{n}"}
            await ws.send_json_to(
                {"type": "control", "id": n, "action": "add_node", "node": node, "edges": []}
            )
            answers += await receive_until(ws, lambda m, n=n: m.get("id") == n, timeout=15)
        await ws.disconnect()
        return answers

    answers = async_to_sync(add_two)()

    first = next(m for m in answers if m.get("id") == 3)
    second = next(m for m in answers if m.get("id") == 4)
    assert first["type"] == "run.ack"
    assert second["type"] == "run.error" and "the most a design may have" in second["message"]
    stop_run(run)
