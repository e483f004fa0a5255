"""A Redis restart does not leave the web process or the worker broken: both reconnect, and
a run started after the restart goes through daphne, Redis and the worker as before."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from scripts.dev import redis_server_binary, wait_for_port
from tests.processes import ROOT, child_env, free_port, stop_process

pytestmark = pytest.mark.django_db(transaction=True)


def start_redis(port: int, data_dir: Path) -> subprocess.Popen:
    command = [redis_server_binary(), "--bind", "127.0.0.1", "--port", str(port)]
    command += ["--save", "", "--appendonly", "no", "--dir", str(data_dir)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, timeout=10, process=process, what="redis-server")
    return process


CSRF = "k" * 32  # a token of the right form, sent as cookie and header like a browser's


def http(method: str, url: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    request.add_header("Host", "localhost")
    request.add_header("Cookie", f"csrftoken={CSRF}")
    request.add_header("X-CSRFToken", CSRF)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")
    except OSError:
        return 0, {}  # not listening (yet)


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.3)
    raise AssertionError(f"{what} within {timeout} s (last: {last})")


def test_after_a_redis_restart_the_web_process_and_the_worker_carry_runs_again(
    django_db_setup, tmp_path
):
    redis_port = free_port()
    redis = start_redis(redis_port, tmp_path)
    queue = f"restart-{os.getpid()}"
    env = {
        **child_env(),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    web_port = free_port()
    base = f"http://127.0.0.1:{web_port}"
    log = (tmp_path / "processes.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "sandbox", "worker", "--pool=solo", "-Q", queue]
        + ["-n", f"{queue}@%h", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    daphne = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(web_port)]
        + ["sandbox.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: http("GET", base + "/readyz")[0] == 200, 60, "ready before")

        stop_process(redis)
        down = wait_until(
            lambda: (r := http("GET", base + "/readyz"))[0] == 503 and r[1], 15, "503 when down"
        )
        redis = start_redis(redis_port, tmp_path)
        wait_until(lambda: http("GET", base + "/readyz")[0] == 200, 60, "ready after restart")

        status, run = http("POST", base + "/api/runs/ping", {"frames": 3})
        assert status == 201, run
        finished = wait_until(
            lambda: (
                (r := http("GET", base + f"/api/runs/{run['id']}")[1])["state"] == "finished" and r
            ),
            30,
            "the ping run finished",
        )
    finally:
        for process in (daphne, worker, redis):
            stop_process(process)
        log.close()

    assert "redis" in down["down"]
    assert finished["worker"] == f"{queue}@{os.uname().nodename}"
