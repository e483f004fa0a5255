"""The process supervisor of `make run` (scripts/dev.py): daphne processes sharing one port,
restarts with back-off, stopping in order, and the worker commands."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from scripts.dev import (
    Child,
    ChildSpec,
    bind_socket,
    restart_delay,
    web_commands,
    worker_command,
)

ROOT = Path(__file__).resolve().parent.parent
SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]

# An ASGI app that answers with its process id. It blocks its event loop for a moment, so
# that the next connection is accepted by another process instead of queueing behind it.
PID_APP = """
import os
import time


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    time.sleep(0.3)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(os.getpid()).encode()})
"""

# Runs the supervisor on the children given as JSON, as `make run` does on its own.
SUPERVISOR = f"""
import json, os, sys
sys.path.insert(0, {str(ROOT)!r})
from scripts.dev import ChildSpec, supervise
specs = [ChildSpec(**spec) for spec in json.loads(sys.argv[1])]
sys.exit(supervise(specs, env=os.environ))
"""


def stop_child(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def pid_of(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.read())
    except OSError:
        return None  # not serving yet


def staggered_pids(url: str, count: int) -> list[int | None]:
    """Overlapping requests on fresh connections, each started a little after the last: while
    one process is busy, the kernel hands the next connection to another."""
    results: list[int | None] = []
    threads = [threading.Thread(target=lambda: results.append(pid_of(url))) for _ in range(count)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    return results


class Supervisor:
    """scripts/dev.py's supervisor in a subprocess, with its output read line by line."""

    def __init__(self, specs: list[dict]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SUPERVISOR, json.dumps(specs)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip())

    def expect(self, pattern: str, timeout: float = 20) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"no line matching {pattern!r}; the supervisor said {self.seen}")

    def started_pid(self, name: str) -> int:
        return int(self.expect(rf"started {name} \(pid (\d+)\)").group(1))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_restart_delay_doubles_from_one_second_up_to_thirty():
    assert [restart_delay(n) for n in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert restart_delay(1000) == 30


def test_a_child_that_stayed_up_a_minute_restarts_after_one_second_again():
    child = Child(ChildSpec("daphne 1", SLEEPER))
    child.started_at = 100.0
    assert child.exited(101.0) == 1
    child.started_at = 102.0
    assert child.exited(103.0) == 2
    child.started_at = 105.0
    assert child.exited(105.5) == 4
    child.started_at = 110.0
    assert child.exited(170.0) == 1


def test_two_daphne_processes_on_one_socket_both_answer(tmp_path):
    (tmp_path / "pidapp.py").write_text(PID_APP)
    sock = bind_socket("127.0.0.1", 0)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    processes = [
        subprocess.Popen(
            command,
            cwd=tmp_path,
            env=env,
            pass_fds=(sock.fileno(),),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for command in web_commands(sock, 2, application="pidapp:app")
    ]
    answered: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(answered) < 2 and time.monotonic() < deadline:
            answered |= {pid for pid in staggered_pids(url, 6) if pid is not None}
    finally:
        for process in processes:
            stop_child(process)
        sock.close()
    assert answered == {process.pid for process in processes}


def test_a_killed_child_is_restarted_with_back_off_and_the_others_keep_running():
    supervisor = Supervisor(
        [{"name": "web", "command": SLEEPER}, {"name": "worker", "command": SLEEPER}]
    )
    try:
        web = supervisor.started_pid("web")
        worker = supervisor.started_pid("worker")

        os.kill(web, signal.SIGKILL)
        supervisor.expect(rf"web \(pid {web}\) exited with code -9; restarting it in 1 s")
        second = supervisor.started_pid("web")
        assert second != web and alive(second)

        # Dead again right after its restart: the next wait doubles.
        os.kill(second, signal.SIGKILL)
        supervisor.expect(rf"web \(pid {second}\) exited with code -9; restarting it in 2 s")
        third = supervisor.started_pid("web")

        assert alive(third) and alive(worker)
        assert supervisor.process.poll() is None
        supervisor.process.send_signal(signal.SIGTERM)
        assert supervisor.process.wait(timeout=30) == 0
        assert not alive(third) and not alive(worker)
    finally:
        stop_child(supervisor.process)


def test_sigterm_stops_the_app_before_redis(tmp_path):
    def recorder(name: str, linger_s: float) -> list[str]:
        """A child that, on SIGTERM, waits `linger_s` and then writes its name to a log."""
        code = (
            "import signal, sys, time\n"
            "def stop(*_):\n"
            f"    time.sleep({linger_s})\n"
            f"    with open({str(tmp_path / 'stopped')!r}, 'a') as log:\n"
            f"        log.write({name!r} + '\\n')\n"
            "    sys.exit(0)\n"
            "signal.signal(signal.SIGTERM, stop)\n"
            f"open({str(tmp_path / name)!r}, 'w').close()\n"
            "time.sleep(600)\n"
        )
        return [sys.executable, "-c", code]

    # The app lingers on its way out: stopped all at once, Redis would finish first.
    supervisor = Supervisor(
        [
            {"name": "redis", "command": recorder("redis", 0), "stage": 0},
            {"name": "app", "command": recorder("app", 0.5), "stage": 1},
        ]
    )
    try:
        deadline = time.monotonic() + 20
        while not all((tmp_path / name).exists() for name in ("redis", "app")):
            assert time.monotonic() < deadline, "the children did not start"
            time.sleep(0.05)
        supervisor.process.send_signal(signal.SIGTERM)
        assert supervisor.process.wait(timeout=30) == 0
    finally:
        stop_child(supervisor.process)
    assert (tmp_path / "stopped").read_text().split() == ["app", "redis"]


@pytest.mark.parametrize(
    ("env", "live", "batch"),
    [
        ({}, "scalelab-live", "scalelab"),
        ({"CELERY_TASK_DEFAULT_QUEUE": "bench-1"}, "bench-1-live", "bench-1"),
        ({"CELERY_TASK_DEFAULT_QUEUE": "q", "CELERY_LIVE_QUEUE": "runs"}, "runs", "q"),
    ],
)
def test_workers_consume_the_queues_the_settings_name(env, live, batch):
    live_command = worker_command("live", 3, env=env)
    batch_command = worker_command("batch", 2, env=env)
    assert live_command[live_command.index("-Q") + 1] == live
    assert batch_command[batch_command.index("-Q") + 1] == batch
    assert "--concurrency=3" in live_command and "--concurrency=2" in batch_command
    assert live_command[live_command.index("-n") + 1] == "live@%h"
    assert batch_command[:3] == ["nice", "-n", "10"] and live_command[0] != "nice"


def test_an_unknown_worker_role_is_refused_by_name():
    with pytest.raises(ValueError, match="'grading': must be one of live, batch"):
        worker_command("grading", 1)
