"""The app as the benchmarks run it: Redis (unless REDIS_URL is set), daphne processes sharing
one port, a live and a batch Celery worker as separate processes, on a temporary SQLite
database (or DATABASE_URL), and an anonymous browser session that talks to the API. With
`restartable=True` its parts can be killed and started again one by one (benchmarks/faults.py)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from celery import Celery

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.dev import bind_socket, start_redis, web_commands, worker_command  # noqa: E402
from tests.processes import free_port, stop_process  # noqa: E402

STAGE_3 = json.loads((ROOT / "examples" / "03-load-balancer.json").read_text())


class Stack:
    """`with Stack(workers=2) as stack:` … `stack.base` is the app's URL.

    `web_processes` daphne processes share the port; one live worker with `live_concurrency`
    processes hosts the live runs; `workers` batch workers with `concurrency` processes each
    take the batch work (capacity curve points, grading).

    `restartable`: Redis keeps an append-only file (a restart loses no queued task, as under
    `make run`) and every process gets a session of its own, so that one part can be killed,
    its pool processes with it, and started again without touching the others or this
    process."""

    def __init__(
        self,
        *,
        workers: int = 1,
        concurrency: int = 1,
        web_processes: int = 1,
        live_concurrency: int = 1,
        restartable: bool = False,
        **env: str,
    ) -> None:
        self.workers = workers
        self.concurrency = concurrency
        self.web_processes = web_processes
        self.live_concurrency = live_concurrency
        self.extra_env = env
        self.restartable = restartable
        self.processes: list[subprocess.Popen] = []
        self.redis: subprocess.Popen | None = None
        self.web: list[subprocess.Popen] = []
        # What started each process, by pid, so that start_again can start it once more.
        self._spawned: dict[int, tuple[list[str], dict]] = {}

    def __enter__(self) -> Stack:
        try:
            return self._start()
        except BaseException:
            self.__exit__()  # whatever started before the failure is stopped
            raise

    def _start(self) -> Stack:
        self.tmp = tempfile.TemporaryDirectory(prefix="scalelab-bench-")
        tmp = Path(self.tmp.name)
        env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "sandbox.settings"}
        env.update({"LOG_LEVEL": "WARNING", **self.extra_env})
        env.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
        if not env.get("REDIS_URL"):
            self.redis_port = free_port()
            self.redis = start_redis(tmp / "redis", self.redis_port, persistent=self.restartable)
            self.processes.append(self.redis)
            env["REDIS_URL"] = f"redis://127.0.0.1:{self.redis_port}/0"
        # Queues of its own, so that other workers on the same Redis never take its tasks.
        queue = f"bench-{os.getpid()}-{time.monotonic_ns()}"
        env["CELERY_TASK_DEFAULT_QUEUE"] = queue
        env["CELERY_LIVE_QUEUE"] = f"{queue}-live"
        self.redis_url = env["REDIS_URL"]
        python = sys.executable
        subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        self.socket = bind_socket("127.0.0.1", 0)
        self.base = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.log = tmp / "stack.log"
        self._log_file = self.log.open("wb")
        self.env = env
        for command in web_commands(self.socket, self.web_processes):
            self.web.append(self._spawn(command, pass_fds=(self.socket.fileno(),)))
        self.worker_names = [f"{queue}-live"]
        workers = [worker_command("live", self.live_concurrency, name=f"{queue}-live", env=env)]
        for i in range(self.workers):
            self.worker_names.append(f"{queue}-batch{i}")
            command = worker_command("batch", self.concurrency, name=f"{queue}-batch{i}", env=env)
            # One process in the worker itself, as the measurements before the pool had it.
            workers.append(command + (["--pool=solo"] if self.concurrency == 1 else []))
        for command in workers:
            command.append("--loglevel=WARNING")
        self.live_worker, *_ = [self._spawn(command) for command in workers]
        self._wait_ready()
        return self

    def _spawn(self, command: list[str], **options: object) -> subprocess.Popen:
        options = {"start_new_session": self.restartable, **options}
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self._log_file, stderr=self._log_file, **options
        )
        self._spawned[process.pid] = (command, options)
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL a process of a restartable stack and everything in its session (a worker's
        pool processes), as when the machine under it dies."""
        if not self.restartable:
            raise RuntimeError("Stack(restartable=True) is needed to kill one of its processes")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def start_again(self, process: subprocess.Popen) -> subprocess.Popen:
        """Start a dead process's command once more, as a supervisor would; the new process
        takes the old one's place (in `web`, `live_worker`, `processes`)."""
        command, options = self._spawned.pop(process.pid)
        self.processes.remove(process)
        again = self._spawn(command, **options)
        self.web = [again if p is process else p for p in self.web]
        if self.live_worker is process:
            self.live_worker = again
        return again

    def stop_redis(self) -> None:
        """Stop the stack's own Redis as its operator would (SIGTERM: the append-only file is
        written out first)."""
        if self.redis is None:
            raise RuntimeError("the stack uses REDIS_URL's Redis, not one of its own")
        stop_process(self.redis)

    def start_redis(self) -> None:
        """Start the stack's Redis again on the same port and files, and wait until it
        listens."""
        index = self.processes.index(self.redis)
        tmp = Path(self.tmp.name)
        self.redis = start_redis(tmp / "redis", self.redis_port, persistent=self.restartable)
        self.processes[index] = self.redis

    def _wait_ready(self) -> None:
        """Until the app is ready and every worker of this stack answers a ping."""
        control = Celery(broker=self.redis_url).control
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=3) as response:
                    ready = json.loads(response.read())["status"] == "ready"
            except OSError:
                ready = False
            if ready:
                replies = control.ping(timeout=1.0)
                answered = {name.split("@")[0] for reply in replies for name in reply}
                if answered.issuperset(self.worker_names):
                    return
            time.sleep(0.3)
        raise SystemExit(f"the stack did not become ready; see {self.log}")

    def __exit__(self, *exc: object) -> None:
        for process in reversed(self.processes):
            stop_process(process)
            if self.restartable:
                # A worker stopped while its pool was busy can leave pool processes behind.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
        for name in ("_log_file", "socket"):  # absent when start-up failed before them
            if hasattr(self, name):
                getattr(self, name).close()
        self.tmp.cleanup()


class Browser:
    """An anonymous browser session talking to the API over one keep-alive connection,
    keeping its cookies and sending the CSRF token."""

    def __init__(self, base: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=60)
        self.cookies: dict[str, str] = {}
        self.call("GET", "/api/auth/csrf")

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        """The status and the JSON answer, whatever the status."""
        headers = {"Host": "localhost", "Origin": "http://localhost"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        payload = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, (json.loads(payload) if payload else {})

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        """The JSON answer; a status other than 2xx stops the benchmark with the answer."""
        status, answer = self.request(method, path, body)
        if not 200 <= status < 300:
            raise SystemExit(f"{method} {path}: {status} {answer}")
        return answer

    def create_scenario(self, document: dict = STAGE_3) -> dict:
        return self.call("POST", "/api/scenarios", {"title": "bench", "document": document})
