"""Helpers for the live-run tests: owners with a scenario, and WebSocket clients that carry
their session cookie and an allowed Origin."""

import json
import time

import redis
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from sandbox.accounts.visitors import Visitor
from sandbox.asgi import application
from sandbox.runs import services as run_services
from sandbox.runs.controls import control_key
from sandbox.runs.models import Run
from sandbox.scenarios import services as scenario_services
from tests.sandbox.scenario_fixtures import example, user_client


class Owner:
    def __init__(self, name: str = "owner", stage: str = "03-load-balancer.json") -> None:
        self.client: Client = user_client(name)
        self.visitor = Visitor(user=self.client.user, session_key="")
        self.scenario = scenario_services.scenario_create(
            visitor=self.visitor, title=stage, description="", document=example(stage)
        )

    @property
    def cookie(self) -> str:
        return f"sessionid={self.client.cookies['sessionid'].value}"


def start_run(owner: Owner, *, duration_s: float = 120, speed: float = 20, **options) -> Run:
    """A live run of the owner's scenario, started as the API starts one."""
    return run_services.run_start(
        scenario=owner.scenario,
        visitor=owner.visitor,
        duration_s=duration_s,
        speed=speed,
        **options,
    )


def socket(path: str, cookie: str | None = None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://localhost")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def receive(ws: WebsocketCommunicator, timeout: float = 15) -> dict:
    return json.loads(await ws.receive_from(timeout=timeout))


async def receive_until(ws: WebsocketCommunicator, predicate, timeout: float = 30) -> list[dict]:
    """Messages up to and including the first that satisfies `predicate`."""
    messages: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = await receive(ws, timeout=max(0.1, deadline - time.monotonic()))
        messages.append(message)
        if predicate(message):
            return messages
    raise AssertionError(f"no matching message within {timeout} s; got {messages[-5:]}")


def is_state(state: str):
    return lambda m: m.get("type") == "run.state" and m["run"]["state"] == state


def wait_for_state(run: Run, states: set[str], timeout: float = 30) -> Run:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.state in states:
            return run
        time.sleep(0.1)
    raise AssertionError(f"run stayed {run.state!r}, expected one of {states} within {timeout} s")


def stop_run(run: Run) -> None:
    """Stop a run as the owner's browser does (a stop control), and wait for it to end."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.rpush(control_key(str(run.id)), json.dumps({"id": None, "action": "stop"}))
    client.close()
    wait_for_state(run, {"cancelled", "finished", "failed"})
