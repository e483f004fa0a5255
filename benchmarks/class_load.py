"""A class on one machine: R learners each run the chapter's stage 6 live at speed 10, each run
watched by V viewers; then, with --grading, a class submitting an exercise at once.

Live mode. The stack runs one daphne process per CPU, one live worker with one pool process
per CPU (the run hosts) and a batch worker, with Redis and SQLite in a temporary folder. R
owners sign up (signed-in accounts, as a class would have, so no anonymous quota applies), each
saves its own copy of stage 6 and starts one run. Every run gets a probe: the owner's socket in
a process of its own, so that no other client's work delays what it measures. V viewers per
run watch through a share link of the run's scenario, many to a process. After a warm-up, over
--seconds, the probe counts frames a second, takes each frame's delay (time of receipt minus
the frame's `produced_at`, both wall clocks of this machine), and every 2 s sends a `users`
control and times it until a frame shows the new number of users. The runs still `queued` at
the end (GET /api/runs/{id}) are the waiting ones. As a peer measured in the same run: a Redis
PUBLISH reaching a subscriber on the same Redis, the floor under any frame.

    .venv/bin/python benchmarks/class_load.py [--runs 60] [--viewers 0] [--seconds 20]
                                              [--web-processes N]

Targets (the class load issue): 60 runs all running (30 or more per pool process on two
CPUs), each at 9 frames/s or more, frame delay p99 at most 250 ms, control to effect p99 at
most 500 ms; 20 runs with 10 viewers each (200 sockets), frame delay p99 at most 250 ms.

Grading mode (--grading). A shipped exercise (manage.py load_exercises) gets --submissions
submissions from --students signed-up students (two each by default, the most one student may
have grading at once), posted as fast as eight threads can; the time from the first post to
the last report (the latest `graded_at`), with a batch worker of 1 and then of 2 processes,
and their ratio (target 1.7 or more). Peer: the same grading units run in this process, one
after the other, for one submission.

    .venv/bin/python benchmarks/class_load.py --grading [--submissions 200] [--students 100]

The clients share the machine with the stack, so their CPU time per wall second is printed.
A missed target is printed, not an error; the exit status is non-zero only on errors. The
last line is a JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import websockets  # noqa: E402
from live_latency import quantile, redis_floor  # noqa: E402
from stack import ROOT, Browser, Stack  # noqa: E402

STAGE_6 = json.loads((ROOT / "examples" / "06-cdn.json").read_text())
EXERCISES = ROOT / "examples" / "exercises"
PASSWORD = "class-load-bench-Kq7v"
SPEED = 10.0
WARMUP_S = 5.0
CONTROL_EVERY_S = 2.0
# A control sent late in the window may take effect after it; wait this long for its frame.
CONTROL_GRACE_S = 2.0
USERS_STEP = 50
SOCKETS_PER_VIEWER_PROCESS = 100
API_THREADS = 8
READY_TIMEOUT_S = 120.0
GRADING_TIMEOUT_S = 900.0
TARGETS = {
    "frames_per_s_per_run_min": 9.0,
    "frame_delay_p99_ms": 250.0,
    "control_to_effect_p99_ms": 500.0,
    "runs_per_process": 30.0,
    "grading_speedup": 1.7,
}


# --- clients, in processes of their own -------------------------------------------------------


async def watch(job: dict, start_at, ready) -> dict:
    """One socket on a run until the window closes: frames and their delays inside the window,
    and, for a probe, the users controls it sends and when their effect shows."""
    out = {"run": job["run"], "frames": 0, "delays": [], "effects": [], "sent": 0, "lost": 0}
    out |= {"state": None, "errors": []}
    pending: dict[int, float] = {}
    signalled = False
    try:
        async with websockets.connect(
            job["url"], additional_headers=job["headers"], max_size=2**24, open_timeout=60
        ) as ws:
            users = STAGE_6["workload"]["users"]
            next_control = None
            while True:
                now = time.time()
                start = start_at.value
                end = start + job["seconds"] if start else math.inf
                if now >= end and (not pending or now >= end + CONTROL_GRACE_S):
                    break
                if job["probe"] and start and now >= start:
                    # Spread over the runs, so that the controls do not all land at once.
                    next_control = next_control or start + job["offset"]
                    if next_control <= now < end - 1:
                        users += USERS_STEP
                        pending[users] = now
                        control = {"type": "control", "action": "users", "users": users}
                        await ws.send(json.dumps({**control, "id": out["sent"]}))
                        out["sent"] += 1
                        next_control += CONTROL_EVERY_S
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=0.2)
                except TimeoutError:
                    continue
                received = time.time()
                message = json.loads(raw)
                kind = message["type"]
                if kind == "run.state":
                    out["state"] = message["run"]["state"]
                    if not signalled:
                        ready.put(None)
                        signalled = True
                elif kind in ("error", "run.error"):
                    out["errors"].append(f"{message['code']}: {message['message']}")
                elif kind == "run.frame":
                    frame = message["frame"]
                    if start and start <= received < end:
                        out["frames"] += 1
                        out["delays"].append((received - frame["produced_at"]) * 1000)
                        out["sim_t"] = [*out.get("sim_t", [frame["t"]])[:1], frame["t"]]
                    if pending:
                        sent_at = pending.pop(int(frame["system"]["users"]), None)
                        if sent_at is not None:
                            out["effects"].append((received - sent_at) * 1000)
    except (OSError, TimeoutError, websockets.WebSocketException) as exc:
        out["errors"].append(f"{type(exc).__name__}: {exc}")
    if not signalled:
        ready.put(None)
    out["lost"] = len(pending)
    return out


async def cpu_over_window(start_at, seconds: float) -> float:
    """CPU seconds this process spent inside the measurement window."""
    while not start_at.value or time.time() < start_at.value:
        await asyncio.sleep(0.05)
    used = time.process_time()
    await asyncio.sleep(max(0.0, start_at.value + seconds - time.time()))
    return time.process_time() - used


async def watch_all(jobs: list[dict], start_at, ready) -> dict:
    watches = (watch(job, start_at, ready) for job in jobs)
    *outs, cpu = await asyncio.gather(*watches, cpu_over_window(start_at, jobs[0]["seconds"]))
    return {"watches": outs, "cpu_s": cpu}


def client_process(group: int, jobs: list[dict], start_at, ready, results) -> None:
    results.put((group, asyncio.run(watch_all(jobs, start_at, ready))))


# --- the stack's own CPU ------------------------------------------------------------------------


def _proc_stat(pid: int) -> tuple[int, float] | None:
    """The parent pid and the CPU seconds (user + system) of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stack_cpu(stack: Stack) -> dict[str, float]:
    """CPU seconds so far of the stack's processes and their children (the pool processes),
    by part: web, live, batch, redis."""
    stats = {int(p): s for p in os.listdir("/proc") if p.isdigit() and (s := _proc_stat(int(p)))}
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    parts: dict[str, float] = {}
    for process in stack.processes:
        command = " ".join(map(str, process.args))
        part = next(
            name
            for name, mark in (
                ("redis", "redis-server"),
                ("web", "daphne"),
                ("live", "-live"),
                ("batch", ""),
            )
            if mark in command
        )
        tree = [process.pid]
        for pid in tree:
            tree.extend(children.get(pid, []))
        parts[part] = parts.get(part, 0.0) + sum(stats[p][1] for p in tree if p in stats)
    return parts


def log_tail(stack: Stack, lines: int = 40) -> str:
    return "\n".join(stack.log.read_text(errors="replace").splitlines()[-lines:])


def log_errors(stack: Stack) -> list[str]:
    marks = ("Traceback", "ERROR", "CRITICAL", "Error:", "database is locked")
    text = stack.log.read_text(errors="replace")
    # /readyz answers 503 until the stack is up, which the start waits through.
    lines = text.splitlines()
    return [x for x in lines if any(m in x for m in marks) and "/readyz" not in x]


def report_log_errors(errors: list[str]) -> None:
    if errors:
        print(f"stack log: {len(errors)} error lines, such as:")
        for line in sorted(set(errors))[:10]:
            print(f"  {line[:300]}")


# --- live mode ----------------------------------------------------------------------------------


def in_threads(function: Callable, items: Iterable) -> list:
    with ThreadPoolExecutor(max_workers=API_THREADS) as pool:
        return list(pool.map(function, items))


def sign_up(base: str, name: str) -> Browser:
    browser = Browser(base)
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    browser.call("POST", "/api/auth/signup", body)
    return browser


def owner_start(base: str, index: int, share: bool) -> dict:
    """A signed-up owner with its own copy of stage 6 and a share link to it; no run yet."""
    browser = sign_up(base, f"owner{index}")
    scenario = browser.create_scenario(STAGE_6)
    token = None
    if share:
        token = browser.call("POST", f"/api/scenarios/{scenario['id']}/share")["token"]
    return {"browser": browser, "scenario": scenario["id"], "token": token, "index": index}


def run_start(owner: dict, duration_s: float) -> dict:
    body = {"scenario": owner["scenario"], "duration_s": duration_s, "speed": SPEED}
    return owner["browser"].call("POST", "/api/runs", body)


def measure_live(args: argparse.Namespace) -> dict:
    pool_processes = os.cpu_count() or 1
    # Long enough to cover sign-ups, the warm-up, the window and the controls' grace.
    duration_s = SPEED * (args.seconds + WARMUP_S + 120)
    ctx = multiprocessing.get_context("forkserver")
    # Each client is forked from a server that has imported this module once.
    ctx.set_forkserver_preload(["__main__", "websockets", "asyncio", "json"])
    start_at = ctx.Value("d", 0.0, lock=False)
    ready, results = ctx.Queue(), ctx.Queue()
    processes: list[multiprocessing.Process] = []
    env = {"AUTH_RATE": "100000/m"}
    with Stack(
        workers=1,
        web_processes=args.web_processes,
        live_concurrency=pool_processes,
        **env,
    ) as stack:
        try:
            floor = redis_floor(stack.redis_url)
            began = time.monotonic()
            owners = in_threads(
                lambda i: owner_start(stack.base, i, args.viewers > 0),
                range(args.runs),
            )
            signed_up_s = time.monotonic() - began
            began = time.monotonic()
            runs = in_threads(lambda o: run_start(o, duration_s), owners)
            started_s = time.monotonic() - began
            print(
                f"{args.runs} owners signed up with a scenario each in {signed_up_s:.1f} s; "
                f"their runs started in {started_s:.1f} s "
                f"({sum(r['state'] == 'queued' for r in runs)} answered queued)"
            )
            ws_base = stack.base.replace("http", "ws")
            probes, viewers = [], []
            for owner, run in zip(owners, runs, strict=True):
                url = f"{ws_base}/ws/runs/{run['id']}/"
                cookie = f"sessionid={owner['browser'].cookies['sessionid']}"
                common = {"run": run["id"], "seconds": args.seconds}
                probes.append(
                    common
                    | {
                        "url": url,
                        "headers": {"Origin": "http://localhost", "Cookie": cookie},
                        "probe": True,
                        "offset": CONTROL_EVERY_S * owner["index"] / args.runs,
                    }
                )
                viewers += [
                    common
                    | {
                        "url": f"{url}?share={owner['token']}",
                        "headers": {"Origin": "http://localhost"},
                        "probe": False,
                    }
                ] * args.viewers
            groups = [[probe] for probe in probes]
            viewer_processes = math.ceil(len(viewers) / SOCKETS_PER_VIEWER_PROCESS)
            groups += [viewers[i::viewer_processes] for i in range(viewer_processes)]
            for group, jobs in enumerate(groups):
                process = ctx.Process(
                    target=client_process, args=(group, jobs, start_at, ready, results)
                )
                process.start()
                processes.append(process)
            for _ in range(len(probes) + len(viewers)):
                ready.get(timeout=READY_TIMEOUT_S)
            start_at.value = time.time() + WARMUP_S
            time.sleep(max(0.0, start_at.value - time.time()))
            cpu_before = stack_cpu(stack)
            time.sleep(args.seconds)
            cpu_after = stack_cpu(stack)
            states = in_threads(
                lambda pair: pair[0]["browser"].call("GET", f"/api/runs/{pair[1]['id']}")["state"],
                zip(owners, runs, strict=True),
            )
            # In the order of the groups: the probes first, then the viewers.
            collected = [r for _, r in sorted(results.get(timeout=60) for _ in groups)]
            for process in processes:
                process.join(timeout=10)
            errors = log_errors(stack)
        except (Exception, SystemExit):
            print(f"stack log ({stack.log}), last lines:\n{log_tail(stack)}", file=sys.stderr)
            raise
        finally:
            for process in processes:
                if process.is_alive():
                    process.terminate()
        report_log_errors(errors)
    return summarise_live(
        args,
        pool_processes=pool_processes,
        floor=floor,
        states=states,
        collected=collected,
        stack_cpu_s={k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after},
        log_error_lines=len(errors),
    )


def summarise_live(
    args: argparse.Namespace,
    *,
    pool_processes: int,
    floor: list[float],
    states: list[str],
    collected: list[dict],
    stack_cpu_s: dict[str, float],
    log_error_lines: int,
) -> dict:
    probes, viewers = collected[: args.runs], collected[args.runs :]
    watches = [w for c in probes for w in c["watches"]]
    viewer_watches = [w for c in viewers for w in c["watches"]]
    rates = sorted(w["frames"] / args.seconds for w in watches)
    # Simulated seconds a wall second: below the speed, the run lags; at it, fewer frames than
    # ticks means ticks were coalesced into one frame.
    paces = [(w["sim_t"][-1] - w["sim_t"][0]) / args.seconds for w in watches if "sim_t" in w]
    delays = [d for w in watches for d in w["delays"]]
    viewer_delays = [d for w in viewer_watches for d in w["delays"]]
    effects = [e for w in watches for e in w["effects"]]
    errors = [e for w in watches + viewer_watches for e in w["errors"]]
    running = states.count("running")
    floor_p99 = quantile(floor, 99)
    summary = {
        "runs_running": running,
        "runs_waiting": states.count("queued"),
        "runs_other": {s: states.count(s) for s in set(states) - {"running", "queued"}},
        "frames_per_s_per_run_p5": round(quantile(rates, 5), 2),
        "frames_per_s_per_run_min": round(rates[0], 2),
        "sim_s_per_s_p50": round(quantile(paces, 50), 2),
        "frame_delay_p50_ms": round(quantile(delays, 50), 1),
        "frame_delay_p99_ms": round(quantile(delays, 99), 1),
        "viewer_frame_delay_p99_ms": round(quantile(viewer_delays, 99), 1)
        if viewer_delays
        else None,
        "control_to_effect_p50_ms": round(quantile(effects, 50), 1),
        "control_to_effect_p99_ms": round(quantile(effects, 99), 1),
        "controls_sent": sum(w["sent"] for w in watches),
        "controls_without_effect": sum(w["lost"] for w in watches),
        "client_errors": len(errors),
        "pool_processes": pool_processes,
        "runs_per_process": round(running / pool_processes, 1),
        "clients_cpu_s_per_s": round(sum(c["cpu_s"] for c in collected) / args.seconds, 2),
        "client_processes": len(collected),
        "stack_cpu_s_per_s": {k: round(v / args.seconds, 2) for k, v in stack_cpu_s.items()},
        "stack_log_error_lines": log_error_lines,
        "redis_pubsub_p99_ms": round(floor_p99, 3),
        "frame_delay_p99_over_redis_p99": round(quantile(delays, 99) / floor_p99, 1),
        "owners": "signed up",
        "web_processes": args.web_processes,
        "R": args.runs,
        "V": args.viewers,
        "seconds": args.seconds,
    }
    for error in sorted(set(errors))[:10]:
        print(f"client error: {error}")
    print(
        f"runs: {running} running, {summary['runs_waiting']} waiting, other "
        f"{summary['runs_other'] or 'none'}; {summary['runs_per_process']} running per pool "
        f"process ({pool_processes} processes)"
    )
    print(
        f"frames per second per run (probe): min {summary['frames_per_s_per_run_min']:.2f}, "
        f"p5 {summary['frames_per_s_per_run_p5']:.2f}, median {quantile(rates, 50):.2f}; "
        f"simulated s per wall s: median {quantile(paces, 50):.2f} (speed {SPEED:g}, "
        f"tick {STAGE_6['run']['tick_s']:g} s)"
    )
    print(
        f"frame delay at the probes: p50 {summary['frame_delay_p50_ms']:.1f} ms, p99 "
        f"{summary['frame_delay_p99_ms']:.1f} ms ({len(delays)} frames)"
        + (
            f"; at the {len(viewer_watches)} viewers: p99 "
            f"{summary['viewer_frame_delay_p99_ms']:.1f} ms ({len(viewer_delays)} frames)"
            if viewer_delays
            else ""
        )
    )
    print(
        f"control → effect: p50 {summary['control_to_effect_p50_ms']:.1f} ms, p99 "
        f"{summary['control_to_effect_p99_ms']:.1f} ms ({len(effects)} of "
        f"{summary['controls_sent']} controls showed within the window + {CONTROL_GRACE_S:g} s)"
    )
    print(
        f"peer: Redis PUBLISH → SUBSCRIBE p99 {floor_p99:.2f} ms; the probes' frame delay p99 is "
        f"{summary['frame_delay_p99_over_redis_p99']}× it"
    )
    print(
        f"CPU seconds per wall second: clients {summary['clients_cpu_s_per_s']:.2f} "
        f"({len(collected)} processes), stack {summary['stack_cpu_s_per_s']}, on "
        f"{os.cpu_count()} CPUs shared with whatever else runs"
    )
    checks = {
        f"all {args.runs} runs running": running == args.runs,
        f"each run ≥ {TARGETS['frames_per_s_per_run_min']:g} frames/s": rates[0]
        >= TARGETS["frames_per_s_per_run_min"],
        f"frame delay p99 ≤ {TARGETS['frame_delay_p99_ms']:g} ms": quantile(delays, 99)
        <= TARGETS["frame_delay_p99_ms"],
        f"control → effect p99 ≤ {TARGETS['control_to_effect_p99_ms']:g} ms, none lost": (
            quantile(effects, 99) <= TARGETS["control_to_effect_p99_ms"]
            and summary["controls_without_effect"] == 0
        ),
    }
    if args.runs >= 60:
        checks[f"≥ {TARGETS['runs_per_process']:g} running runs per pool process"] = (
            running / pool_processes >= TARGETS["runs_per_process"]
        )
    if viewer_delays:
        checks[f"viewers' frame delay p99 ≤ {TARGETS['frame_delay_p99_ms']:g} ms"] = (
            quantile(viewer_delays, 99) <= TARGETS["frame_delay_p99_ms"]
        )
    for check, met in checks.items():
        print(f"target {check}: {'met' if met else 'MISSED'}")
    summary["targets_met"] = all(checks.values())
    return summary


# --- grading mode -------------------------------------------------------------------------------


def load_exercises(stack: Stack) -> None:
    """The shipped exercises, loaded into the stack's database as `make` would."""
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "sandbox.settings"}
    env.setdefault("DATABASE_URL", f"sqlite:///{Path(stack.tmp.name) / 'bench.sqlite3'}")
    env["REDIS_URL"] = stack.redis_url
    command = [sys.executable, "manage.py", "load_exercises"]
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def grade_class(concurrency: int, args: argparse.Namespace, title: str) -> dict:
    """Students submit at once to a stack whose batch worker has `concurrency` processes;
    the seconds from the first post to the last report."""
    with Stack(workers=1, concurrency=concurrency, AUTH_RATE="100000/m") as stack:
        try:
            load_exercises(stack)
            listed = Browser(stack.base).call("GET", "/api/x")
            path = next(e["path"] for e in listed if e["title"] == title)
            token = path.rsplit("/", 1)[1]

            def student(index: int) -> dict:
                browser = sign_up(stack.base, f"student{index}")
                scenario = browser.call("POST", f"/api/x/{token}/attempt")["scenario"]
                return {"browser": browser, "scenario": scenario}

            students = in_threads(student, range(args.students))
            turns = [students[i % len(students)] for i in range(args.submissions)]
            # One submission per student a round, as a class would send them.
            rounds = [turns[i : i + len(students)] for i in range(0, len(turns), len(students))]
            refused: list[str] = []

            def submit(one: dict) -> None:
                status, answer = one["browser"].request(
                    "POST", f"/api/x/{token}/submit", {"scenario": one["scenario"]}
                )
                if status != 202:
                    refused.append(f"{status} {answer}")

            cpu_before = stack_cpu(stack)
            first_post = time.time()
            for batch in rounds:
                in_threads(submit, batch)
            posted_s = time.time() - first_post
            done: dict[str, dict] = {}
            outstanding = list(students)
            deadline = time.monotonic() + GRADING_TIMEOUT_S
            while outstanding and time.monotonic() < deadline:
                time.sleep(1.0)
                mine = in_threads(
                    lambda s: s["browser"].call("GET", f"/api/x/{token}/submissions"), outstanding
                )
                still = []
                for s, submissions in zip(outstanding, mine, strict=True):
                    finished = [x for x in submissions if x["state"] in ("graded", "failed")]
                    done.update({x["id"]: x for x in finished})
                    if len(finished) < len(submissions):
                        still.append(s)
                outstanding = still
            # Whether the batch processes ran side by side: CPU seconds per wall second.
            batch_cpu = (stack_cpu(stack)["batch"] - cpu_before["batch"]) / (
                time.time() - first_post
            )
            errors = log_errors(stack)
        except (Exception, SystemExit):
            print(f"stack log ({stack.log}), last lines:\n{log_tail(stack)}", file=sys.stderr)
            raise
        report_log_errors(errors)
    if outstanding:
        raise SystemExit(f"{len(outstanding)} students still had submissions being graded")
    last = max(datetime.fromisoformat(x["graded_at"]).timestamp() for x in done.values())
    return {
        "posted_s": round(posted_s, 2),
        "last_report_s": round(last - first_post, 2),
        "graded": sum(x["state"] == "graded" for x in done.values()),
        "failed": sum(x["state"] == "failed" for x in done.values()),
        "refused": refused,
        "batch_cpu_s_per_s": round(batch_cpu, 2),
        "stack_log_error_lines": len(errors),
    }


def engine_seconds(path: Path) -> float:
    """CPU seconds the engine alone takes to grade one submission of the starting design."""
    from simulation.grading import ExerciseSpec, grading_units, run_unit

    spec = ExerciseSpec.model_validate(json.loads(path.read_text())["spec"])
    document = spec.starting_design.model_dump(mode="json", by_alias=True)
    if spec.workload is not None:
        document["workload"] = spec.workload.model_dump(mode="json", by_alias=True)
    used = time.process_time()
    for unit in grading_units(spec):
        run_unit(spec, document, unit)
    return time.process_time() - used


def measure_grading(args: argparse.Namespace) -> dict:
    path = next(EXERCISES.glob(f"{args.exercise}*.json"))
    title = json.loads(path.read_text())["title"]
    engine_s = engine_seconds(path)
    results = {}
    for concurrency in (1, 2):
        result = grade_class(concurrency, args, title)
        results[concurrency] = result
        print(
            f"{concurrency} batch process(es): {args.submissions} submissions posted in "
            f"{result['posted_s']:.1f} s; last report {result['last_report_s']:.1f} s after the "
            f"first post ({result['graded']} graded, {result['failed']} failed, "
            f"{len(result['refused'])} refused); the batch worker used "
            f"{result['batch_cpu_s_per_s']:.2f} CPU s per wall s"
        )
        for refusal in result["refused"][:5]:
            print(f"  refused: {refusal}")
    speedup = results[1]["last_report_s"] / results[2]["last_report_s"]
    serial = engine_s * args.submissions
    print(
        f"peer: the engine alone grades one submission in {engine_s:.3f} CPU s here, so "
        f"{args.submissions} one after the other ≈ {serial:.1f} s; with one process the stack "
        f"took {results[1]['last_report_s'] / serial:.2f}× that"
    )
    met = speedup >= TARGETS["grading_speedup"]
    print(
        f"target 2 processes ≥ {TARGETS['grading_speedup']}× faster: {speedup:.2f}× — "
        f"{'met' if met else 'MISSED'}"
    )
    return {
        "mode": "grading",
        "exercise": title,
        "submissions": args.submissions,
        "students": args.students,
        "posted_s": {str(c): r["posted_s"] for c, r in results.items()},
        "last_report_s": {str(c): r["last_report_s"] for c, r in results.items()},
        "graded": {str(c): r["graded"] for c, r in results.items()},
        "failed": {str(c): r["failed"] for c, r in results.items()},
        "refused": {str(c): len(r["refused"]) for c, r in results.items()},
        "batch_cpu_s_per_s": {str(c): r["batch_cpu_s_per_s"] for c, r in results.items()},
        "speedup_2_over_1": round(speedup, 2),
        "engine_s_per_submission": round(engine_s, 3),
        "target_met": met,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--viewers", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--web-processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--grading", action="store_true")
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument(
        "--exercise", default="01", help="the shipped exercise's file name starts with this"
    )
    args = parser.parse_args()
    summary = measure_grading(args) if args.grading else measure_live(args)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
