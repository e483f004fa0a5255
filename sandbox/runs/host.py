"""The run host: one per worker process of the live queue, a thread that carries many live runs
at once. It takes queued runs while their measured cost fits its CPU budget, steps each at its
own pace in fair turns, records every frame before publishing it, snapshots each run's engine
so that another host can resume it, and resumes the runs of hosts that died.

Architecture, admission and snapshots: docs/architecture.md ("Live runs: the run host")."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from datetime import timedelta

import redis
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction
from django.utils import timezone

from sandbox.runs.hosted import HostedRun, Outbox, RunEnded
from sandbox.runs.models import Run, RunHost, RunSnapshot
from sandbox.runs.records import events_record, frames_record
from sandbox.runs.selectors import host_alive_key, run_host_ids_alive
from sandbox.runs.streams import run_group, run_state_message

log = logging.getLogger(__name__)

HOST_SLICE_S = 0.005  # the longest turn a run gets before the next run's turn
WAIT_MAX_S = 0.1  # the longest the host sleeps, so housekeeping runs on time
MIN_CYCLE_S = 0.1  # runs due within this share one flush (one transaction, one batch of sends)
STATS_EVERY_S = 10.0
SWEEP_EVERY_S = 60.0
IDLE_MIN = 0.1
CLAIM_BATCH = 8


class Host:
    """A thread stepping the live runs of this process. `offer()` wakes it to look for work."""

    def __init__(self, worker: str) -> None:
        self.worker = worker
        self.id = f"{worker}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.budget = settings.RUN_HOST_BUDGET
        self.runs: dict[str, HostedRun] = {}
        self.outbox = Outbox()
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._main, name="run-host", daemon=True)
        self.redis = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=3
        )
        self.loop = asyncio.new_event_loop()
        self.layer = get_channel_layer()
        self.last_housekeeping = 0.0
        self.last_beat = 0.0
        self.overhead = 0.0  # CPU s per wall s spent recording and publishing, not in turns
        self.db_down_since: float | None = None
        self._turn_cpu = 0.0
        self.last_cycle = 0.0
        self.last_sweep = 0.0
        # The share of wall time the host waits for its runs' next ticks. A host that hardly
        # waits is behind (the machine gives it less CPU than its runs measure): it admits no
        # more, whatever the costs say.
        self.idle = 1.0
        self.stats = CycleStats()

    # --- life --------------------------------------------------------------------------------

    def start(self) -> Host:
        self.thread.start()
        return self

    def offer(self) -> None:
        """A run was queued: look for it now rather than at the next poll."""
        self.wake.set()

    def stop(self, timeout: float = 10) -> None:
        """Hand every run back (snapshotted, with a heartbeat other hosts take at once)."""
        self.stopping.set()
        self.wake.set()
        self.thread.join(timeout)

    def _main(self) -> None:
        log.info("run host %s started (budget %.2f CPU s/s)", self.id, self.budget)
        try:
            while not self.stopping.is_set():
                self._cycle()
        except Exception:
            log.exception("run host %s crashed", self.id)
        finally:
            self._release_all()
            close_old_connections()

    def _cycle(self) -> None:
        now = time.monotonic()
        if now - self.last_housekeeping >= settings.RUN_HOST_POLL_S or self.wake.is_set():
            self.wake.clear()
            self._housekeeping(now)
        busy_start = time.thread_time()
        wall = time.monotonic()
        self._turns()
        turned = time.monotonic()
        self._flush()
        flushed = time.monotonic()
        spent = time.thread_time() - busy_start
        self.overhead = 0.9 * self.overhead + 0.1 * max(0.0, spent - self._turn_cpu)
        self.stats.add(turns=turned - wall, flush=flushed - turned, cpu=spent)
        self._wait()
        waited = time.monotonic() - flushed
        self.stats.add(wait=waited)
        self.idle = 0.9 * self.idle + 0.1 * waited / max(time.monotonic() - wall, 1e-6)
        self.stats.report(self)

    # --- turns -------------------------------------------------------------------------------

    def _turns(self) -> None:
        """One turn for every run that is due, earliest due first; each turn is bounded by the
        slice and by the run's CPU share, so a run at speed 0 cannot starve the others."""
        self._turn_cpu = 0.0
        now = time.monotonic()
        due = sorted(
            (r for r in self.runs.values() if r.due_at(now) <= now), key=lambda r: r.due_at(now)
        )
        for hosted in due:
            begin = time.thread_time()
            try:
                hosted.turn(self.outbox, slice_s=HOST_SLICE_S)
            except RunEnded:
                self._end(hosted)
            except Exception as exc:
                log.exception("run %s failed on host %s", hosted.run_id, self.id)
                hosted.fail(self.outbox, f"{type(exc).__name__}: {exc}")
                self._end(hosted)
            self._turn_cpu += time.thread_time() - begin

    def _wait(self) -> None:
        """Sleep until the next run is due, waking at once for a control or an offer."""
        now = time.monotonic()
        next_due = min((r.due_at(now) for r in self.runs.values()), default=now + WAIT_MAX_S)
        # Cycles at least MIN_CYCLE_S apart: runs due close together share one flush.
        delay = min(max(next_due - now, self.last_cycle + MIN_CYCLE_S - now, 0.0), WAIT_MAX_S)
        self.last_cycle = now
        if not self.runs:
            self.wake.wait(delay)
            return
        self._take_controls(block_s=delay)

    def _take_controls(self, block_s: float) -> None:
        keys = [r.control_key for r in self.runs.values()]
        try:
            if block_s >= 0.002:
                item = self.redis.blpop(keys, timeout=block_s)
                if item is not None:
                    self._control(item[0].decode(), item[1])
            pipe = self.redis.pipeline(transaction=False)
            for key in keys:
                pipe.lpop(key, settings.RUN_CONTROLS_PER_TURN)
            for key, popped in zip(keys, pipe.execute(), strict=True):
                for raw in popped or []:
                    self._control(key, raw)
        except redis.RedisError as exc:
            log.warning("run host %s: controls unreachable (%s); retrying", self.id, exc)
            time.sleep(min(block_s, 0.5))

    def _control(self, key: str, raw: bytes) -> None:
        hosted = next((r for r in self.runs.values() if r.control_key == key), None)
        if hosted is None:
            return
        try:
            hosted.receive(raw, self.outbox)
        except RunEnded:
            self._end(hosted)

    # --- recording and publishing ------------------------------------------------------------

    def _flush(self) -> None:
        """Record the frames, events and snapshots of this cycle in one transaction, then
        publish them: nothing reaches a watcher that a reconnecting client could not get
        back from the database. Rows of runs this host no longer owns are dropped."""
        out = self.outbox
        if out.empty():
            return
        try:
            with transaction.atomic():
                owned = set(
                    map(
                        str,
                        Run.objects.select_for_update()
                        .filter(id__in=list(out.run_ids()), host=self.id)
                        .exclude(state__in=Run.ENDED_STATES)
                        .values_list("id", flat=True),
                    )
                )
                frames_record([f for f in out.frames if f[0] in owned])
                events_record([e for e in out.events if e[0] in owned])
                for run_id, (seq, t, data) in out.snapshots.items():
                    if run_id in owned:
                        RunSnapshot.objects.update_or_create(
                            run_id=run_id,
                            defaults={
                                "seq": seq,
                                "sim_time": t,
                                "data": data,
                                "taken_at": timezone.now(),
                            },
                        )
                for run_id, fields in out.updates.items():
                    if run_id in owned or fields.get("state") in Run.ENDED_STATES:
                        Run.objects.filter(id=run_id, host=self.id).update(**fields)
        except DatabaseError as exc:
            self._database_down(exc)
            return
        self.db_down_since = None
        lost = set(out.run_ids()) - owned
        messages = [(run_id, m) for run_id, m in out.messages if run_id in owned]
        self.outbox = Outbox()
        for run_id in lost:
            hosted = self.runs.pop(run_id, None)
            if hosted is not None and not hosted.ended:
                log.warning("run host %s: run %s is no longer ours; dropped", self.id, run_id)
        self._publish(messages)

    def _publish(self, messages: list[tuple[str, dict]]) -> None:
        if not messages:
            return

        by_run: dict[str, list[dict]] = {}
        for run_id, message in messages:
            by_run.setdefault(run_id, []).append(message)

        async def send_in_order(run_id: str, run_messages: list[dict]) -> None:
            for message in run_messages:
                await self.layer.group_send(run_group(run_id), message)

        async def send_all() -> None:
            # Runs in parallel, each run's messages in their order (a frame before the state
            # that follows it).
            sends = [send_in_order(run_id, ms) for run_id, ms in by_run.items()]
            results = await asyncio.gather(*sends, return_exceptions=True)
            for result in results:
                if isinstance(result, Exception):
                    raise result

        try:
            self.loop.run_until_complete(send_all())
        except Exception as exc:  # Redis down: the frames are recorded; clients catch up
            log.warning("run host %s: publishing failed (%s); watchers catch up", self.id, exc)

    def _database_down(self, exc: Exception) -> None:
        """Keep the runs and their unrecorded frames, and stop stepping (the outbox would
        otherwise grow without bound) until the database is back; retry meanwhile. The host
        still announces itself in Redis, so that no watcher takes its runs for orphans."""
        now = time.monotonic()
        if self.db_down_since is None:
            self.db_down_since = now
            log.warning("run host %s: the database is unreachable (%s); holding", self.id, exc)
        close_old_connections()
        for hosted in self.runs.values():
            hosted.hold_until = now + 1.0

    # --- housekeeping: heartbeat, admission, resumption --------------------------------------

    def _housekeeping(self, now: float) -> None:
        self.last_housekeeping = now
        try:
            if now - self.last_beat >= settings.RUN_HEARTBEAT_S:
                self._beat()
                self.last_beat = now
            if not self.stopping.is_set():
                self._resume_orphans()
                self._admit()
            if now - self.last_sweep >= SWEEP_EVERY_S:
                self.last_sweep = now
                self._sweep()
        except DatabaseError as exc:
            self._database_down(exc)

    def _sweep(self) -> None:
        """Batch work whose tasks were lost ends with a reason instead of staying for ever
        (every host sweeps; the updates are compare-and-set, so twice does no harm)."""
        from sandbox.exercises.services import submissions_fail_lost
        from sandbox.runs.services import capacity_fail_lost

        older_than = settings.BATCH_WORK_LOST_AFTER_S
        if capacity_fail_lost(older_than_s=older_than) + submissions_fail_lost(
            older_than_s=older_than
        ):
            log.warning("run host %s: failed batch work lost for %s s", self.id, older_than)

    def load(self) -> float:
        """CPU s per wall s the runs here cost (measured, or estimated until measured)."""
        return self.overhead + sum(r.cost for r in self.runs.values())

    def _beat(self) -> None:
        with contextlib.suppress(redis.RedisError):
            self.redis.set(
                host_alive_key(self.id), self.worker, ex=settings.RUN_HEARTBEAT_TIMEOUT_S
            )
        stamp = timezone.now()
        mine = list(self.runs.values())
        if mine:
            with transaction.atomic():
                owned = set(
                    map(
                        str,
                        Run.objects.filter(id__in=[r.run_id for r in mine], host=self.id)
                        .exclude(state__in=Run.ENDED_STATES)
                        .values_list("id", flat=True),
                    )
                )
                rows = [r.progress_row(stamp) for r in mine if r.run_id in owned]
                Run.objects.bulk_update(
                    rows, ["heartbeat_at", "sim_time", "frames_expected", "cost"]
                )
            for hosted in mine:
                if hosted.run_id not in owned and not hosted.ended:
                    log.warning("run host %s: run %s ended or moved", self.id, hosted.run_id)
                    self.runs.pop(hosted.run_id, None)
        # After the runs that ended elsewhere were let go, so that `runs` is what it carries.
        RunHost.objects.update_or_create(
            id=self.id,
            defaults={
                "worker": self.worker,
                "budget": self.budget,
                "load": self.load(),
                "runs": len(self.runs),
                "heartbeat_at": stamp,
            },
        )

    def _room(self) -> float:
        return self.budget - self.load()

    def _admit(self) -> None:
        """Take the oldest queued runs while each one's estimated cost fits the budget."""
        if len(self.runs) >= settings.RUN_HOST_MAX_RUNS:
            return
        if self.runs and self.idle < IDLE_MIN:
            return
        queued = Run.objects.filter(kind=Run.Kind.SIMULATION, state=Run.State.QUEUED).order_by(
            "created_at"
        )[:CLAIM_BATCH]
        for run in queued:
            estimate = HostedRun.estimate_cost(run)
            if self.runs and estimate > self._room():
                return  # first in line waits for room: the queue stays in order
            claimed = Run.objects.filter(id=run.id, state=Run.State.QUEUED).update(
                state=Run.State.RUNNING,
                host=self.id,
                worker=self.worker,
                started_at=timezone.now(),
                heartbeat_at=timezone.now(),
                cost=estimate,
            )
            if not claimed:
                continue
            run.refresh_from_db()
            self._take(HostedRun.start(run, estimate=estimate))
            if len(self.runs) >= settings.RUN_HOST_MAX_RUNS:
                return

    def _resume_orphans(self) -> None:
        """Resume runs whose host stopped beating. They were admitted once, so they come
        before queued runs and take no budget check (up to the most runs a host carries)."""
        cutoff = timezone.now() - timedelta(seconds=settings.RUN_HEARTBEAT_TIMEOUT_S)
        orphans = (
            Run.objects.filter(
                kind=Run.Kind.SIMULATION,
                state__in=(Run.State.RUNNING, Run.State.PAUSED),
                heartbeat_at__lt=cutoff,
            )
            .exclude(host=self.id)
            .order_by("heartbeat_at")[:CLAIM_BATCH]
        )
        if not orphans:
            return
        alive = run_host_ids_alive()  # after a database outage, rows are stale but hosts live
        for run in orphans:
            if run.host in alive:
                continue
            if len(self.runs) >= settings.RUN_HOST_MAX_RUNS:
                return
            silent_s = (timezone.now() - run.heartbeat_at).total_seconds()
            claimed = Run.objects.filter(
                id=run.id, host=run.host, heartbeat_at=run.heartbeat_at, state=run.state
            ).update(host=self.id, worker=self.worker, heartbeat_at=timezone.now())
            if not claimed:
                continue
            run.refresh_from_db()
            try:
                hosted = HostedRun.resume(run, silent_s=silent_s)
            except Exception as exc:
                log.exception("run %s could not be resumed", run.id)
                reason = f"it could not be resumed after its worker died: {exc}"
                Run.objects.filter(id=run.id, host=self.id).update(
                    state=Run.State.FAILED, failure_reason=reason, finished_at=timezone.now()
                )
                run.refresh_from_db()
                self._publish([(str(run.id), run_state_message(run=run, last_seq=0))])
                continue
            self._take(hosted)

    def _take(self, hosted: HostedRun) -> None:
        self.runs[hosted.run_id] = hosted
        hosted.begin(self.outbox)
        self._flush()

    def _end(self, hosted: HostedRun) -> None:
        self.runs.pop(hosted.run_id, None)
        with contextlib.suppress(redis.RedisError):
            self.redis.delete(hosted.control_key)  # controls sent too late act on nothing

    def _release_all(self) -> None:
        """On a clean shutdown: snapshot every run, record it, and make its heartbeat old so
        that another host resumes it at its next poll instead of after the timeout."""
        try:
            for hosted in self.runs.values():
                hosted.checkpoint(self.outbox)
            self._flush()
            stale = timezone.now() - timedelta(seconds=10 * settings.RUN_HEARTBEAT_TIMEOUT_S)
            Run.objects.filter(id__in=list(self.runs), host=self.id).update(heartbeat_at=stale)
            RunHost.objects.filter(id=self.id).delete()
            self.redis.delete(host_alive_key(self.id))
        except Exception:
            log.exception("run host %s could not hand its runs back", self.id)


class CycleStats:
    """Where a host's wall time goes (turns, recording and publishing, waiting, CPU), logged
    every STATS_EVERY_S so that an operator sees a host that cannot keep up."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self.cycles = 0
        self.since = time.monotonic()

    def add(self, **seconds: float) -> None:
        for name, value in seconds.items():
            self.totals[name] = self.totals.get(name, 0.0) + value
        self.cycles += "turns" in seconds

    def report(self, host: Host) -> None:
        elapsed = time.monotonic() - self.since
        if elapsed < STATS_EVERY_S:
            return
        if not host.runs:  # an idle host has nothing to say (make run's log stays readable)
            self.__init__()
            return
        shares = ", ".join(f"{k} {v / elapsed:.0%}" for k, v in sorted(self.totals.items()))
        # A host that never waits is behind: its runs go slower than asked.
        behind = host.runs and self.totals.get("wait", 0.0) < 0.05 * elapsed
        log.log(
            logging.WARNING if behind else logging.INFO,
            "run host %s: %d runs, load %.2f of %.2f; %d cycles in %.0f s; %s",
            host.id,
            len(host.runs),
            host.load(),
            host.budget,
            self.cycles,
            elapsed,
            shares,
        )
        self.__init__()


_host: Host | None = None
_host_lock = threading.Lock()


def run_host(worker: str | None = None) -> Host:
    """This process's host, started on first use."""
    global _host
    with _host_lock:
        if _host is None or not _host.thread.is_alive():
            _host = Host(worker or socket.gethostname()).start()
        return _host


def run_host_stop() -> None:
    global _host
    with _host_lock:
        if _host is not None:
            _host.stop()
            _host = None
