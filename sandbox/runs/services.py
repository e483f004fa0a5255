"""Writes of runs: start a simulation run of a scenario (or a ping run, the pipeline check),
hand it to a Celery worker, start it again, and fail runs whose worker stopped answering."""

import contextlib
import os
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from sandbox.accounts.visitors import Visitor
from sandbox.health.checks import check_redis, require_redis
from sandbox.runs.locks import owner_lock
from sandbox.runs.models import CapacityCurve, Run, RunFrame
from sandbox.runs.selectors import run_host_ids_alive, run_last_seq, runs_of_owner
from sandbox.runs.streams import run_frame_message, run_state_message, stream_publish
from sandbox.scenarios.documents import DocumentRejected
from sandbox.scenarios.models import Scenario
from sandbox.scenarios.selectors import scenarios_owned_by
from sandbox.scenarios.services import LimitExceeded
from simulation.capacity import max_users_meeting, users_steps
from simulation.validate import validate_scenario

PING_FRAME_INTERVAL_S = 0.2


def run_ping_create(*, frames: int) -> Run:
    if not 1 <= frames <= settings.PING_RUN_MAX_FRAMES:
        raise ValueError(f"frames: must be between 1 and {settings.PING_RUN_MAX_FRAMES}")
    return Run.objects.create(kind=Run.Kind.PING, frames_expected=frames)


def _run_send_to_worker(run_id: str, kind: str) -> None:
    from sandbox.runs.tasks import ping_run, simulation_run

    if kind == Run.Kind.SIMULATION:
        # Only a wake-up: the run hosts take queued runs from the database at their next
        # poll anyway, so a broker that is down delays the run by a poll, it does not lose it.
        if check_redis()["ok"]:
            with contextlib.suppress(OperationalError):
                simulation_run.delay(run_id)
        return
    try:
        ping_run.delay(run_id)
    except OperationalError as exc:
        reason = f"the task queue (Redis) could not be reached: {exc}"
        Run.objects.filter(id=run_id).update(
            state=Run.State.FAILED, failure_reason=reason, finished_at=timezone.now()
        )


def run_enqueue(*, run: Run) -> None:
    """Hand the run to a worker once the transaction commits."""
    run_id, kind = str(run.id), run.kind
    transaction.on_commit(lambda: _run_send_to_worker(run_id, kind))


def run_ping_start(*, frames: int) -> Run:
    require_redis("a ping run")
    with transaction.atomic():
        run = run_ping_create(frames=frames)
        run_enqueue(run=run)
    run.refresh_from_db()
    return run


def run_start(
    *,
    scenario: Scenario,
    visitor: Visitor,
    engine: str = "flow",
    duration_s: float | None = None,
    speed: float = 1.0,
    seed: int | None = None,
) -> Run:
    """Snapshot the scenario's document and hand it to a worker."""
    result = validate_scenario(scenario.document)
    if not result.ok:
        raise DocumentRejected(result.errors)
    document = scenario.document
    duration = duration_s if duration_s is not None else result.scenario.run.duration_s
    if engine == "des":
        workload = result.scenario.workload
        offered = workload.users * workload.requests_per_user_per_s
        if offered > settings.RUN_DES_MAX_RPS:
            raise LimitExceeded(
                f"engine: the discrete-event engine simulates every request, so it takes designs "
                f"offering at most {settings.RUN_DES_MAX_RPS:,} requests per second; this one "
                f"offers {offered:,.0f}. Use the flow engine, or fewer users.",
                status=422,
            )
    return _run_create_and_enqueue(
        scenario=scenario,
        visitor=visitor,
        document=document,
        revision=scenario.revision,
        engine=engine,
        duration_s=duration,
        speed=speed,
        seed=result.scenario.seed if seed is None else seed,
    )


def run_start_again(*, run: Run, visitor: Visitor) -> Run:
    """A new run with the same snapshot and options, e.g. after its worker died."""
    return _run_create_and_enqueue(
        scenario=run.scenario,
        visitor=visitor,
        document=run.document,
        revision=run.scenario_revision,
        engine=run.engine,
        duration_s=run.duration_s,
        speed=run.speed,
        seed=run.seed,
    )


def _run_create_and_enqueue(
    *,
    scenario: Scenario,
    visitor: Visitor,
    document: dict,
    revision: int | None,
    engine: str,
    duration_s: float,
    speed: float,
    seed: int,
) -> Run:
    if duration_s > settings.RUN_MAX_DURATION_S:
        raise LimitExceeded(
            f"duration_s: at most {settings.RUN_MAX_DURATION_S} simulated seconds", status=422
        )
    for active in runs_of_owner(visitor=visitor).filter(state__in=Run.ACTIVE_STATES):
        run_fail_if_stale(run=active)
    with transaction.atomic():
        owner_lock(visitor=visitor)
        _runs_quota_check(visitor=visitor)
        run = Run.objects.create(
            kind=Run.Kind.SIMULATION,
            scenario=scenario,
            scenario_revision=revision,
            started_by=visitor.user,
            session_key="" if visitor.user else visitor.session_key,
            document=document,
            engine=engine,
            duration_s=duration_s,
            speed=speed,
            seed=seed,
        )
        run_enqueue(run=run)
    run.refresh_from_db()
    return run


def _runs_quota_check(*, visitor: Visitor) -> None:
    """Runs at once: per account, per anonymous browser session, and for all anonymous
    visitors together (new sessions are free to make, so a per-session quota alone would not
    keep a script from occupying the hosts). Called with the owner's lock held."""
    mine = runs_of_owner(visitor=visitor).filter(state__in=Run.ACTIVE_STATES).count()
    limit = settings.RUNS_AT_ONCE_PER_OWNER if visitor.user else settings.RUNS_AT_ONCE_PER_SESSION
    if mine >= limit:
        who = "you have" if visitor.user else "this browser session has"
        raise LimitExceeded(
            f"{who} {limit} run{'s' if limit > 1 else ''} going, the most at once; "
            "stop one or wait for it to finish",
            status=409,
        )
    if visitor.user is None:
        anonymous = Run.objects.filter(
            kind=Run.Kind.SIMULATION, started_by__isnull=True, state__in=Run.ACTIVE_STATES
        ).count()
        if anonymous >= settings.RUNS_AT_ONCE_ANONYMOUS:
            raise LimitExceeded(
                f"{anonymous} runs of visitors without an account are going, the most at once; "
                "sign up (free) to run now, or try again in a minute",
                status=429,
            )


def run_cancel_queued(*, run: Run) -> bool:
    """Stop a run that no host has taken yet; False when a host took it meanwhile (then the
    stop goes to the host as a control)."""
    cancelled = Run.objects.filter(id=run.id, state=Run.State.QUEUED).update(
        state=Run.State.CANCELLED, finished_at=timezone.now()
    )
    if cancelled:
        run.refresh_from_db()
        stream_publish(run.id, run_state_message(run=run, last_seq=0))
    return bool(cancelled)


def run_fail_if_stale(*, run: Run) -> bool:
    """A run whose host stopped beating is resumed by another host; only when no host is left
    to resume it is it failed, with the reason, so that it never stays "running" for ever.
    True when it was failed now."""
    if run.state not in (Run.State.RUNNING, Run.State.PAUSED) or run.heartbeat_at is None:
        return False
    silent_for = (timezone.now() - run.heartbeat_at).total_seconds()
    if silent_for < settings.RUN_HEARTBEAT_TIMEOUT_S:
        return False
    if run_host_ids_alive() - {run.host}:
        return False  # one of them resumes it at its next poll
    if silent_for < 2 * settings.RUN_HEARTBEAT_TIMEOUT_S:
        return False  # a restarted worker may yet come back
    reason = (
        f"no worker is left to carry it: the one running it ({run.worker or 'unknown'}) "
        f"stopped answering {silent_for:.0f} s ago and no other worker is running; "
        "start the run again once a worker is up"
    )
    updated = Run.objects.filter(
        id=run.id, state=run.state, heartbeat_at=run.heartbeat_at, host=run.host
    ).update(state=Run.State.FAILED, failure_reason=reason, finished_at=timezone.now())
    if not updated:
        return False
    run.refresh_from_db()
    stream_publish(run.id, run_state_message(run=run, last_seq=run_last_seq(run=run)))
    return True


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


def capacity_start(
    *,
    scenario: Scenario,
    visitor: Visitor,
    users_min: int,
    users_max: int,
    points: int,
    latency_target_ms: float | None,
    duration_s: float,
) -> CapacityCurve:
    """Fan the curve's points out over the workers as a Celery chord; the last one to finish
    collects them."""
    require_redis("a capacity curve")
    result = validate_scenario(scenario.document)
    if not result.ok:
        raise DocumentRejected(result.errors)
    try:
        users = users_steps(users_min, users_max, points)
    except ValueError as exc:
        raise LimitExceeded(str(exc), status=422) from None
    target = latency_target_ms or result.scenario.workload.latency_target_ms
    with transaction.atomic():
        owner_lock(visitor=visitor)
        _capacity_quota_check(visitor=visitor)
        curve = CapacityCurve.objects.create(
            scenario=scenario, users=users, latency_target_ms=target, duration_s=duration_s
        )
    document = scenario.document
    curve_id = str(curve.id)

    def fan_out() -> None:
        from celery import chord

        from sandbox.runs.tasks import capacity_collect, capacity_failed, capacity_point_task

        points_group = [capacity_point_task.s(document, u, duration_s) for u in users]
        collect = capacity_collect.s(curve_id).on_error(capacity_failed.s(curve_id))
        try:
            chord(points_group)(collect)
        except OperationalError as exc:
            capacity_fail(curve_id=curve_id, reason=f"the task queue could not be reached: {exc}")

    transaction.on_commit(fan_out)
    curve.refresh_from_db()
    return curve


def _capacity_quota_check(*, visitor: Visitor) -> None:
    """Capacity curves at once, per owner and for all visitors without an account together;
    called with the owner's lock held."""
    running = CapacityCurve.objects.filter(state=CapacityCurve.State.RUNNING)
    mine = running.filter(scenario__in=scenarios_owned_by(visitor=visitor)).count()
    if mine >= settings.CAPACITY_CURVES_AT_ONCE_PER_OWNER:
        raise LimitExceeded(
            f"{mine} capacity curve{'s are' if mine > 1 else ' is'} being computed for you, "
            "the most at once; wait for it to finish",
            status=409,
        )
    if visitor.user is None:
        anonymous = running.filter(scenario__owner__isnull=True).count()
        if anonymous >= settings.CAPACITY_CURVES_AT_ONCE_ANONYMOUS:
            raise LimitExceeded(
                f"{anonymous} capacity curves of visitors without an account are being "
                "computed, the most at once; sign up (free), or try again in a minute",
                status=429,
            )


def capacity_finish(*, curve_id: str, points: list[dict]) -> None:
    curve = CapacityCurve.objects.get(id=curve_id)
    curve.points = sorted(points, key=lambda p: p["users"])
    curve.max_users_meeting_target = max_users_meeting(curve.points, curve.latency_target_ms)
    curve.state = CapacityCurve.State.FINISHED
    curve.finished_at = timezone.now()
    curve.save()


def capacity_fail_lost(*, older_than_s: float) -> int:
    """Fail, with the reason, the capacity curves still running long after any curve takes
    (their tasks were lost), so that none stays "running" for ever or holds its owner's
    quota. How many."""
    cutoff = timezone.now() - timedelta(seconds=older_than_s)
    reason = (
        f"the curve did not finish within {older_than_s / 60:.0f} minutes: its work was lost "
        "(a worker or the task queue restarted); start it again"
    )
    return CapacityCurve.objects.filter(
        state=CapacityCurve.State.RUNNING, created_at__lt=cutoff
    ).update(state=CapacityCurve.State.FAILED, failure_reason=reason, finished_at=timezone.now())


def capacity_fail(*, curve_id: str, reason: str) -> None:
    CapacityCurve.objects.filter(id=curve_id).update(
        state=CapacityCurve.State.FAILED, failure_reason=reason, finished_at=timezone.now()
    )
