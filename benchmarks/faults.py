"""Faults with live runs going: Redis restarted, the live worker killed, a daphne process
killed, the database stopped; per fault, the runs lost or stuck, the frames lost, the seconds
until every run's frames flow again, and the 5xx answers the API gave meanwhile.

The stack (benchmarks/stack.py, restartable) runs its own append-only Redis, two daphne
processes on one port, a live worker with one run host per CPU and a batch worker, all on a
throwaway PostgreSQL cluster in a temporary folder on a free port (never the machine's own
cluster): the database fault needs a server that can be stopped, and one stack for every fault
keeps them comparable. R owners sign up, each saves stage 3 and starts one run at speed 5.
Each run has a probe, a WebSocket client that records every frame's seq and, when its socket
drops, reconnects with `?after=<last seq>` and the browser's back-off (frontend/src/live/
socket.ts). A poller asks GET /api/runs/{id} and GET /api/scenarios every 0.2 s.

The faults, in the order given: redis_restart (SIGTERM, down 5 s, back on the same port and
append-only files), worker_kill (SIGKILL to the live worker's process group, a new worker 1 s
later as `make run`'s supervisor would; RUN_HEARTBEAT_TIMEOUT_S at its default, 8 s, unless
set), web_kill (SIGKILL to one of the two daphne processes, started again 1 s later),
database_down (pg_ctl stop -m fast, down 10 s).

Before each fault every run is flowing (a run that ended or stalled is replaced, a silent
probe is reopened, as a learner would reload the page). Then, per fault:

- runs_lost: runs running at the fault that ended failed or cancelled by the end;
- runs_stuck: runs still not ended whose sim_time (GET /api/runs/{id}) does not advance over
  3 s taken 60 s after the fault, or cannot be read then (each GET tried up to 10 times
  half a second apart; the refusals are counted as checks_refused: the stack should answer
  again long before);
- frames_lost: the seqs the probes skipped (after a reconnect or not) plus the seqs missing
  from the record (GET /api/runs/{id}/frames) from just before the fault to the end;
- recover_s: seconds from the fault until the last run's probe received frames again, after
  the first pause of over 1 s (five frames' time) that began before the part was back; about
  0 for a run whose frames never paused; null when some run's frames had not come again by
  the check;
- http_5xx: the poller's 5xx answers from the fault to the end of the check, but for a 503
  with Retry-After answered within 5 s (the documented answer while Redis or the database
  is down), counted as http_503; http_503_after_back counts those answered more than 5 s
  after the part was back.

    .venv/bin/python benchmarks/faults.py [--runs 6]
        [--faults redis_restart,worker_kill,web_kill,database_down]

Targets (the fault issue): per fault 0 runs lost, 0 stuck, 0 frames lost, recovery within
20 s, 0 5xx other than a fast 503. A missed target is printed, not an error; the exit status
is non-zero only on errors of the benchmark itself. The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import websockets  # noqa: E402
from class_load import in_threads, log_tail, sign_up  # noqa: E402
from stack import STAGE_3, Browser, Stack  # noqa: E402

from scripts.dev import BACKOFF_FIRST_S, free_port  # noqa: E402

FAULTS = ("redis_restart", "worker_kill", "web_kill", "database_down")
SPEED = 5.0
WEB_PROCESSES = 2
# How long Redis and the database stay down: long enough for every part to notice.
REDIS_DOWN_S = 5.0
DATABASE_DOWN_S = 10.0
# The stuck check starts this long after the fault and looks for progress over STUCK_CHECK_S.
OBSERVE_S = 60.0
STUCK_CHECK_S = 3.0
POLL_EVERY_S = 0.2
# A 503 slower than this is a hang that ended in a refusal, not the documented fast answer.
FAST_503_S = 5.0
# Frames come every 0.2 s at speed 5; a pause five times as long is an interruption.
SILENCE_S = 1.0
# The checks retry as a page would, so that a refusal or two does not pass for a stuck run.
GET_TRIES = 10
# A 503 this long after the part is back is no longer the outage's answer.
BACK_GRACE_S = 5.0
FLOWING_S = 3.0  # a probe that received a frame this recently sees its run flowing
PREPARE_TIMEOUT_S = 60.0
HTTP_TIMEOUT_S = 30.0
FRAMES_PAGE = 1000  # FRAMES_PAGE_MAX in sandbox/runs/api.py
# The record is checked from a little before the fault, so that a gap at the fault shows.
RECORD_MARGIN = 10
ENDED = ("finished", "failed", "cancelled")
TARGETS = {"runs_lost": 0, "runs_stuck": 0, "frames_lost": 0, "recover_s": 20.0, "http_5xx": 0}
HEARTBEAT_TIMEOUT_S = int(os.environ.get("RUN_HEARTBEAT_TIMEOUT_S", "8"))
LOG_MARKS = ("Traceback", "ERROR", "CRITICAL", "WARNING", "Error", " 500 ")
PG_BIN = Path("/usr/lib/postgresql/15/bin")


# --- a throwaway PostgreSQL cluster -------------------------------------------------------------


class ThrowawayPostgres:
    """A PostgreSQL cluster of its own in a temporary folder, on a free port and a socket
    folder of its own, that can be stopped and started; removed on exit whatever happened.
    Run as the `postgres` user when this process is root, since initdb refuses root."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{' '.join(command)}: exit {done.returncode}: {done.stderr.strip()}")

    def __enter__(self) -> ThrowawayPostgres:
        self.folder = Path(tempfile.mkdtemp(prefix="scalelab-faults-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.folder, user="postgres", group="postgres")
        self.data = self.folder / "data"
        try:
            self._run(
                str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--no-sync",
            )  # fmt: skip
            self.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "postgres.log"),
            "-o", options, "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def __exit__(self, *exc: object) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(SystemExit):
                self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


# --- probes: WebSocket clients that reconnect as the browser does -----------------------------


@dataclass
class Probe:
    """One run's watcher. Lists only grow, so the main thread reads them while the probe's
    thread appends."""

    run: str
    url: str
    headers: dict
    last_seq: int = 0
    state: str | None = None
    final_seq: int | None = None
    # (received, seq, produced_at, t) of every frame
    frames: list[tuple[float, int, float, float]] = field(default_factory=list)
    gaps: list[tuple[float, int, int]] = field(default_factory=list)  # (received, last, seq)
    repeats: list[tuple[float, int]] = field(default_factory=list)
    drops: list[tuple[float, str]] = field(default_factory=list)
    connects: list[float] = field(default_factory=list)
    future: Future | None = None

    def received_since(self, since: float) -> bool:
        return bool(self.frames) and self.frames[-1][0] >= since

    def take(self, message: dict, received: float) -> None:
        kind = message.get("type")
        if kind == "run.state":
            self.state = message["run"]["state"]
            self.final_seq = message.get("last_seq") if self.state in ENDED else None
        elif kind == "run.frame":
            seq, frame = message["seq"], message["frame"]
            if seq <= self.last_seq:
                self.repeats.append((received, seq))
            elif self.last_seq and seq > self.last_seq + 1:
                self.gaps.append((received, self.last_seq, seq))
            self.last_seq = max(self.last_seq, seq)
            self.frames.append((received, seq, frame.get("produced_at", 0.0), frame.get("t", 0.0)))


def backoff_s(attempt: int) -> float:
    """The browser's reconnect delay: 250 ms doubling up to 5 s, less up to half of jitter."""
    return min(5.0, 0.25 * 2**attempt) * (1 - 0.5 * random.random())


async def watch(probe: Probe) -> None:
    """Watch the run until it is over, reconnecting after any close that is not final."""
    failures = 0
    while True:
        url = f"{probe.url}?after={probe.last_seq}"
        code = 1006
        try:
            # No client pings: a browser sends none, so a silent socket stays silent here too.
            async with websockets.connect(
                url,
                additional_headers=probe.headers,
                ping_interval=None,
                open_timeout=10,
                max_size=2**24,
            ) as ws:
                probe.connects.append(time.time())
                async for raw in ws:
                    message = json.loads(raw)
                    probe.take(message, time.time())
                    if message.get("type") == "run.state":
                        failures = 0  # accepted: the next drop starts the back-off over
                    if probe.final_seq is not None and probe.last_seq >= probe.final_seq:
                        return  # every frame is in: the browser hangs up here
                code = ws.close_code or 1006
            reason = f"closed {code}"
        except websockets.ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else 1006
            reason = f"closed {code}"
        except (OSError, TimeoutError, websockets.WebSocketException) as exc:
            reason = f"{type(exc).__name__}: {exc}"[:200]
        probe.drops.append((time.time(), reason))
        if 4000 <= code <= 4999 or (code == 1000 and probe.state in ENDED):
            return
        await asyncio.sleep(backoff_s(failures))
        failures += 1


class Probes:
    """The probes' event loop, in a thread of this process."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.all: dict[str, Probe] = {}

    def watch(self, probe: Probe) -> Probe:
        self.all[probe.run] = probe
        probe.future = asyncio.run_coroutine_threadsafe(watch(probe), self.loop)
        return probe

    def reopen(self, probe: Probe) -> None:
        """A new socket for a probe whose frames stopped, as a reload would (after its last
        seq, so that a gap still shows)."""
        probe.future.cancel()
        probe.future = asyncio.run_coroutine_threadsafe(watch(probe), self.loop)

    def close(self) -> None:
        async def cancel_all() -> None:
            tasks = asyncio.all_tasks() - {asyncio.current_task()}
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel_all(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


# --- the API: owners' calls and the background poller -----------------------------------------


def api(browser: Browser, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    """The status and answer; a dropped keep-alive connection (a daphne process killed) is
    opened again once, as a browser would; no answer at all is status 0."""
    for attempt in range(2):
        try:
            return browser.request(method, path, body)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            browser.conn.close()
            if attempt:
                return 0, {"detail": f"{type(exc).__name__}: {exc}"}
    raise AssertionError("unreachable")


@dataclass
class Answer:
    at: float
    path: str
    status: int  # 0: no answer (refused, reset, timed out)
    elapsed: float
    retry_after: bool
    detail: str


class Poller(threading.Thread):
    """GET /api/runs/{id} (the runs in turn) and GET /api/scenarios every POLL_EVERY_S, as
    an owner's open page would, recording every answer."""

    def __init__(self, base: str, targets: Callable[[], list[tuple[str, str]]]) -> None:
        super().__init__(daemon=True)
        host, port = base.removeprefix("http://").split(":")
        self.address = (host, int(port))
        self.targets = targets  # (run id, owner's cookie header)
        self.answers: list[Answer] = []
        self.stopping = threading.Event()
        self.conn: http.client.HTTPConnection | None = None

    def _get(self, path: str, cookie: str) -> None:
        began = time.time()
        status, retry_after, detail = 0, False, ""
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(*self.address, timeout=HTTP_TIMEOUT_S)
            headers = {"Host": "localhost", "Cookie": cookie}
            self.conn.request("GET", path, headers=headers)
            response = self.conn.getresponse()
            body = response.read()
            status = response.status
            retry_after = response.getheader("Retry-After") is not None
            if status >= 500:
                detail = body.decode(errors="replace")[:200]
        except (OSError, http.client.HTTPException) as exc:
            detail = f"{type(exc).__name__}: {exc}"[:200]
            self.conn.close()
            self.conn = None
        self.answers.append(Answer(began, path, status, time.time() - began, retry_after, detail))

    def run(self) -> None:
        turn = 0
        while not self.stopping.is_set():
            began = time.monotonic()
            targets = self.targets()
            run, cookie = targets[turn % len(targets)]
            turn += 1
            self._get(f"/api/runs/{run}", cookie)
            self._get("/api/scenarios", cookie)
            self.stopping.wait(max(0.0, POLL_EVERY_S - (time.monotonic() - began)))


# --- runs ---------------------------------------------------------------------------------------


@dataclass(eq=False)
class Owner:
    browser: Browser
    scenario: str
    name: str
    run: str | None = None

    @property
    def cookie(self) -> str:
        return f"sessionid={self.browser.cookies['sessionid']}"


def owner_sign_up(base: str, index: int) -> Owner:
    browser = sign_up(base, f"faults{index}")
    scenario = browser.create_scenario(STAGE_3)
    return Owner(browser, scenario["id"], f"faults{index}")


def run_begin(owner: Owner, probes: Probes, ws_base: str, duration_s: float) -> bool:
    """A new run for the owner, watched by a new probe; False (said why) if refused."""
    body = {"scenario": owner.scenario, "duration_s": duration_s, "speed": SPEED}
    status, answer = api(owner.browser, "POST", "/api/runs", body)
    if status != 201:
        print(f"  {owner.name}: a new run was refused: {status} {answer}")
        return False
    owner.run = answer["id"]
    headers = {"Origin": "http://localhost", "Cookie": owner.cookie}
    probes.watch(Probe(owner.run, f"{ws_base}/ws/runs/{owner.run}/", headers))
    return True


def api_get(owner: Owner, path: str, refused: list[str] | None = None) -> dict | None:
    """The answer to an owner's GET, tried GET_TRIES times half a second apart; each refusal
    is noted in `refused`, since the stack should answer well after a fault is over."""
    for _ in range(GET_TRIES):
        status, answer = api(owner.browser, "GET", path)
        if status == 200:
            return answer
        if refused is not None:
            refused.append(f"GET {path.split('?')[0]}: {status} {answer.get('detail', '')}"[:240])
        time.sleep(0.5)
    return None


def run_get(owner: Owner, run: str, refused: list[str] | None = None) -> dict | None:
    return api_get(owner, f"/api/runs/{run}", refused)


def wait_flowing(owners: list[Owner], probes: Probes, timeout: float) -> list[Owner]:
    """Until every owner's run flows at its probe or `timeout` passes; the owners whose does."""
    deadline = time.time() + timeout
    while True:
        since = time.time() - FLOWING_S
        flowing = [o for o in owners if probes.all[o.run].received_since(since)]
        if len(flowing) == len(owners) or time.time() >= deadline:
            return flowing
        time.sleep(0.5)


def prepare(owners: list[Owner], probes: Probes, ws_base: str, duration_s: float) -> list[Owner]:
    """Every owner's run flowing before the next fault: a silent probe is reopened, and a run
    that ended or still does not flow is replaced by a new one. The owners whose run flows."""
    flowing = wait_flowing(owners, probes, PREPARE_TIMEOUT_S / 3)
    for owner in owners:
        if owner not in flowing:
            print(f"  {owner.name}: the probe of run {owner.run} saw no frame lately; reopened")
            probes.reopen(probes.all[owner.run])
    flowing = wait_flowing(owners, probes, PREPARE_TIMEOUT_S / 3)
    for owner in owners:
        if owner not in flowing:
            run = run_get(owner, owner.run)
            print(
                f"  {owner.name}: run {owner.run} does not flow "
                f"({run['state'] if run else 'unknown state'}); starting another"
            )
            run_begin(owner, probes, ws_base, duration_s)
    flowing = wait_flowing(owners, probes, PREPARE_TIMEOUT_S)
    if len(flowing) < len(owners):
        print(f"  only {len(flowing)} of {len(owners)} runs flow; the fault is measured on those")
    return flowing


# --- the faults ---------------------------------------------------------------------------------


def redis_restart(stack: Stack, pg: ThrowawayPostgres) -> str:
    stack.stop_redis()
    time.sleep(REDIS_DOWN_S)
    stack.start_redis()
    return f"Redis stopped (SIGTERM) for {REDIS_DOWN_S:g} s, started again on the same port"


def worker_kill(stack: Stack, pg: ThrowawayPostgres) -> str:
    stack.kill(stack.live_worker)
    time.sleep(BACKOFF_FIRST_S)  # the supervisor's first back-off
    stack.start_again(stack.live_worker)
    return (
        f"the live worker's process group SIGKILLed, a new live worker started "
        f"{BACKOFF_FIRST_S:g} s later (heartbeat timeout {HEARTBEAT_TIMEOUT_S} s)"
    )


def web_kill(stack: Stack, pg: ThrowawayPostgres) -> str:
    stack.kill(stack.web[0])
    time.sleep(BACKOFF_FIRST_S)
    stack.start_again(stack.web[0])
    return (
        f"one of {WEB_PROCESSES} daphne processes SIGKILLed, started again "
        f"{BACKOFF_FIRST_S:g} s later"
    )


def database_down(stack: Stack, pg: ThrowawayPostgres) -> str:
    pg.stop()
    time.sleep(DATABASE_DOWN_S)
    pg.start()
    return f"PostgreSQL stopped (pg_ctl stop -m fast) for {DATABASE_DOWN_S:g} s, started again"


INJECT = {f.__name__: f for f in (redis_restart, worker_kill, web_kill, database_down)}


# --- measuring one fault ------------------------------------------------------------------------


def recorded_seqs(
    owner: Owner, run: str, after: int, refused: list[str]
) -> list[tuple[int, float]] | None:
    """(seq, t) of the run's recorded frames after `after`, all pages."""
    out = []
    while True:
        path = f"/api/runs/{run}/frames?after={after}&limit={FRAMES_PAGE}"
        answer = api_get(owner, path, refused)
        if answer is None:
            return None
        out += [(f["seq"], f.get("t", 0.0)) for f in answer["frames"]]
        if answer["next_after"] is None:
            return out
        after = answer["next_after"]


def recovery(probe: Probe, t0: float, restored: float, t_end: float) -> float | None:
    """Seconds from the fault until the probe's frames came again: the end of the first
    silence longer than SILENCE_S that began before the part was back (plus SILENCE_S); about
    0 when the frames never paused; None when they had not come again by `t_end`."""
    received = [r for r, *_ in probe.frames if r <= t_end]
    previous = max((r for r in received if r < t0), default=t0)
    after = [r for r in received if r >= t0]
    for r in after:
        if r - previous > SILENCE_S and previous <= restored + SILENCE_S:
            return r - t0
        previous = r
    if not after or t_end - previous > SILENCE_S:
        return None
    return after[0] - t0


def missing(seqs: list[int], first: int) -> int:
    """Seqs absent from an ascending list that should run from `first` without a hole."""
    expected = first
    lost = 0
    for seq in seqs:
        lost += max(0, seq - expected)
        expected = max(expected, seq + 1)
    return lost


def log_lines(stack: Stack, start: int, end: int) -> list[str]:
    """The stack log's warnings and errors written between two byte offsets, each once with
    numbers and ids blanked, so that 40 copies of a line show as one."""
    with stack.log.open("rb") as log:
        log.seek(start)
        text = log.read(end - start).decode(errors="replace")
    seen: dict[str, int] = {}
    for line in text.splitlines():
        if any(mark in line for mark in LOG_MARKS) and "/readyz" not in line:
            shape = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+(\.\d+)?", "#", line)[:240]
            seen[shape] = seen.get(shape, 0) + 1
    return [f"{count}× {shape}" for shape, count in seen.items()]


def measure(
    name: str, stack: Stack, pg: ThrowawayPostgres, owners: list[Owner], probes: Probes,
    poller: Poller,
) -> dict:  # fmt: skip
    watched = [(o, o.run, probes.all[o.run]) for o in owners]
    seq_at = {run: probe.last_seq for _, run, probe in watched}
    log_start = stack.log.stat().st_size
    t0 = time.time()
    what = INJECT[name](stack, pg)
    restored_s = time.time() - t0
    time.sleep(max(0.0, t0 + OBSERVE_S - time.time()))
    refused: list[str] = []
    checked_at = time.time()
    first = {run: run_get(o, run, refused) for o, run, _ in watched}
    time.sleep(STUCK_CHECK_S)
    second = {run: run_get(o, run, refused) for o, run, _ in watched}
    t_end = time.time()

    lost, stuck, recover = [], [], {}
    probe_lost = gaps = record_lost = repeated = mismatched = 0
    for owner, run, probe in watched:
        before, after = first[run], second[run]
        state = (after or before or {}).get("state")
        if state in ("failed", "cancelled"):
            lost.append(f"{run} {state}: {(after or before).get('failure_reason', '')}")
        elif state not in ENDED and (
            before is None or after is None or after["sim_time"] <= before["sim_time"]
        ):
            # Whether the frames still come tells a stalled run from a stale sim_time.
            seen = [f for f in probe.frames if checked_at <= f[0] <= t_end]
            stuck.append(
                f"{run} {state or '(state unknown: GET refused)'}, sim_time "
                f"{(before or {}).get('sim_time', '?')} then {(after or {}).get('sim_time', '?')} "
                f"{STUCK_CHECK_S:g} s later; its probe got {len(seen)} frames meanwhile"
                + (f", the last seq {seen[-1][1]} at t {seen[-1][3]:g}" if seen else "")
            )
        back = recovery(probe, t0, t0 + restored_s, t_end)
        if back is not None:
            recover[run] = back
        probe_gaps = [s - last - 1 for r, last, s in probe.gaps if t0 <= r <= t_end]
        probe_lost += sum(probe_gaps)
        gaps += len(probe_gaps)
        repeated += sum(1 for r, _ in probe.repeats if t0 <= r <= t_end)
        start = max(0, seq_at[run] - RECORD_MARGIN)
        record = recorded_seqs(owner, run, start, refused)
        if record is None:
            print(f"  run {run}: its recorded frames could not be read")
            continue
        record_lost += missing([s for s, _ in record], start + 1)
        recorded_t = dict(record)
        mismatched += sum(
            1
            for r, s, _, t in probe.frames
            if t0 <= r <= t_end and s in recorded_t and recorded_t[s] != t
        )
    recovered = len(recover) == len(watched) - len(lost)
    answers = [a for a in poller.answers if t0 <= a.at <= t_end]
    fast_503 = [a for a in answers if a.status == 503 and a.retry_after and a.elapsed <= FAST_503_S]
    bad = [a for a in answers if a.status >= 500 and a not in fast_503]
    late_503 = [a for a in fast_503 if a.at > t0 + restored_s + BACK_GRACE_S]
    unanswered = [a for a in answers if a.status == 0]
    drops = sum(1 for _, _, p in watched for at, _ in p.drops if t0 <= at <= t_end)
    result = {
        "runs_lost": len(lost),
        "runs_stuck": len(stuck),
        "frames_lost": probe_lost + record_lost,
        "recover_s": round(max(recover.values()), 1) if recover and recovered else None,
        "http_5xx": len(bad),
        "http_503": len(fast_503),
        "http_503_after_back": len(late_503),
        "runs": len(watched),
        "frames_lost_at_probes": probe_lost,
        "frames_missing_from_record": record_lost,
        "frames_repeated": repeated,
        "frames_mismatched": mismatched,
        "sockets_dropped": drops,
        "http_unanswered": len(unanswered),
        "http_requests": len(answers),
        "http_slowest_s": round(max((a.elapsed for a in answers), default=0.0), 2),
        "checks_refused": len(refused),
        "restored_after_s": round(restored_s, 1),
    }
    print(f"{name}: {what}; back {restored_s:.1f} s after the fault")
    print(
        f"  {len(watched)} runs: {len(lost)} lost, {len(stuck)} stuck; frames lost: "
        f"{probe_lost} skipped at the probes ({gaps} gaps), {record_lost} missing from the record "
        f"({repeated} repeated, {mismatched} differing from the record); {drops} socket drops"
    )
    for line in lost + stuck:
        print(f"    {line}")
    per_run = ", ".join(f"{recover[r]:.1f}" if r in recover else "never" for _, r, _ in watched)
    print(f"  each probe's frames came again after (s): {per_run}")
    print(
        f"  poller: {len(answers)} requests, {len(bad)} 5xx (not a fast 503), "
        f"{len(fast_503)} fast 503 ({len(late_503)} of them over {BACK_GRACE_S:g} s after the "
        f"part was back), {len(unanswered)} unanswered, slowest "
        f"{result['http_slowest_s']:.2f} s"
    )
    for detail in sorted({f"{a.status} {a.path.split('/')[2]} {a.detail}" for a in bad})[:5]:
        print(f"    {detail}")
    if refused:
        print(
            f"  the checks {OBSERVE_S:g} s after the fault were refused {len(refused)} times "
            f"(each GET tried up to {GET_TRIES} times), such as:"
        )
        for line in sorted(set(refused))[:5]:
            print(f"    {line}")
    lines = log_lines(stack, log_start, stack.log.stat().st_size)
    result["log_lines"] = len(lines)
    if lines:
        print(f"  stack log during the fault ({len(lines)} kinds of warning/error line):")
        for line in lines[:30]:
            print(f"    {line}")
    return result


def checks(result: dict) -> dict[str, bool]:
    return {
        "runs_lost": result["runs_lost"] <= TARGETS["runs_lost"],
        "runs_stuck": result["runs_stuck"] <= TARGETS["runs_stuck"],
        "frames_lost": result["frames_lost"] <= TARGETS["frames_lost"],
        "recover_s": result["recover_s"] is not None
        and result["recover_s"] <= TARGETS["recover_s"],
        "http_5xx": result["http_5xx"] <= TARGETS["http_5xx"],
    }


# --- main ---------------------------------------------------------------------------------------


def measure_all(args: argparse.Namespace, faults: list[str]) -> dict:
    # Long enough for the sign-ups and every fault's window, well within RUN_MAX_WALL_S.
    duration_s = SPEED * (120 + len(faults) * (OBSERVE_S + 60))
    results: dict[str, dict] = {}
    with ThrowawayPostgres() as pg:
        print(
            f"throwaway PostgreSQL cluster on port {pg.port} ({pg.folder}); every fault runs on it"
        )
        with Stack(
            restartable=True,
            web_processes=WEB_PROCESSES,
            live_concurrency=os.cpu_count() or 1,
            DATABASE_URL=pg.url,
            AUTH_RATE="100000/m",
        ) as stack:
            probes = Probes()
            poller = None
            try:
                ws_base = stack.base.replace("http", "ws")
                owners = in_threads(lambda i: owner_sign_up(stack.base, i), range(args.runs))
                for owner in owners:
                    if not run_begin(owner, probes, ws_base, duration_s):
                        raise SystemExit("the first runs must start")
                print(
                    f"{args.runs} owners signed up, each running stage 3 at speed {SPEED:g}; "
                    f"{WEB_PROCESSES} daphne processes, {os.cpu_count()} run hosts"
                )
                poller = Poller(stack.base, lambda: [(o.run, o.cookie) for o in owners])
                poller.start()
                for name in faults:
                    flowing = prepare(owners, probes, ws_base, duration_s)
                    if not flowing:
                        raise SystemExit(f"{name}: no run flows, so there is nothing to measure")
                    results[name] = measure(name, stack, pg, flowing, probes, poller)
                    met = checks(results[name])
                    for figure, ok in met.items():
                        print(f"  target {figure} {TARGETS[figure]:g}: {'met' if ok else 'MISSED'}")
                if not all(all(checks(r).values()) for r in results.values()):
                    print(f"stack log ({stack.log}), last lines:\n{log_tail(stack)}")
            except (Exception, SystemExit):
                print(f"stack log ({stack.log}), last lines:\n{log_tail(stack)}", file=sys.stderr)
                raise
            finally:
                if poller is not None:
                    poller.stopping.set()
                    poller.join(timeout=HTTP_TIMEOUT_S)
                probes.close()
    return {
        "faults": results,
        "targets_met": all(all(checks(r).values()) for r in results.values()),
        "targets": TARGETS,
        "runs": args.runs,
        "speed": SPEED,
        "scenario": "examples/03-load-balancer.json",
        "database": "throwaway PostgreSQL 15 cluster, every fault",
        "web_processes": WEB_PROCESSES,
        "run_hosts": os.cpu_count() or 1,
        "heartbeat_timeout_s": HEARTBEAT_TIMEOUT_S,
        "redis_down_s": REDIS_DOWN_S,
        "database_down_s": DATABASE_DOWN_S,
        "observe_s": OBSERVE_S,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument(
        "--faults",
        default=",".join(FAULTS),
        help=f"comma-separated, in the order to inject them: {', '.join(FAULTS)}",
    )
    args = parser.parse_args()
    faults = [f.strip() for f in args.faults.split(",") if f.strip()]
    unknown = sorted(set(faults) - set(FAULTS))
    if unknown:
        parser.error(f"--faults: unknown {', '.join(unknown)}; choose from {', '.join(FAULTS)}")
    if args.runs < 1:
        parser.error("--runs: must be at least 1")
    # SIGTERM unwinds like Ctrl-C, so that the stack and the PostgreSQL cluster are removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))
    print(json.dumps(measure_all(args, faults)))


if __name__ == "__main__":
    main()
