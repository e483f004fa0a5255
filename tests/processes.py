"""Real processes for the tests: a Celery worker and a daphne server, started against the
test database and the test Redis, and stopped when the tests are done."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """A DATABASE_URL for the test database pytest-django created, for child processes."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] or ""
    if db["PASSWORD"]:
        auth += f":{db['PASSWORD']}"
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


# Set only for this process by the browser tests; children keep Django's async safety.
TEST_PROCESS_ONLY = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def inherited_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in TEST_PROCESS_ONLY}


def child_env() -> dict[str, str]:
    return {
        **inherited_env(),
        "DJANGO_SETTINGS_MODULE": "sandbox.settings",
        "DEBUG": "1",
        "DATABASE_URL": test_database_url(),
        "PYTHONUNBUFFERED": "1",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class CeleryWorker:
    """One `celery worker` process consuming the test session's own batch and live queues, so
    that other workers on the same Redis (another test run, `make run`) never take the tests'
    tasks. Each of its processes is a run host (sandbox/runs/host.py)."""

    def __init__(
        self,
        log_path: Path,
        queue: str | None = None,
        pool: str = "prefork",
        concurrency: int = 2,
        env: dict[str, str] | None = None,
    ) -> None:
        self.queue = queue or settings.CELERY_TASK_DEFAULT_QUEUE
        self.queues = [self.queue, settings.CELERY_LIVE_QUEUE]
        self.name = f"{self.queue}@{socket.gethostname()}"
        self.concurrency = concurrency
        self.env = env or {}
        self.log_path = log_path
        self.pool = pool
        self.process: subprocess.Popen | None = None

    def start(self) -> CeleryWorker:
        command = [sys.executable, "-m", "celery", "-A", "sandbox", "worker", f"--pool={self.pool}"]
        command += [f"--concurrency={self.concurrency}", "--loglevel=INFO", "-n", self.name]
        command += ["-Q", ",".join(self.queues)]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**child_env(), **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()
        return self

    def kill(self) -> None:
        """Die as a machine would: SIGKILL to the worker and all its children at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def _wait_ready(self, timeout: float = 60) -> None:
        from sandbox.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited early:\n{self.log()}")
            if app.control.ping(destination=[self.name], timeout=0.5):
                return
        raise RuntimeError(f"celery worker did not answer within {timeout:g} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)


class DaphneServer:
    """The app served by daphne on a free port, as `make run` serves it."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> DaphneServer:
        command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port)]
        command += ["sandbox.asgi:application"]
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=child_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"daphne did not answer within 60 s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
