"""The run's WebSocket: authenticates the watcher (the owner, or a share-link holder who may
only watch), joins the run's group, sends the current state, the event log and the frames the
client has not seen, relays live frames, and passes the owner's controls to the worker.
Protocol: docs/websocket-protocol.md."""

import asyncio
import json
import re
import time
import uuid
from urllib.parse import parse_qs

import redis.asyncio as aioredis
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from sandbox.accounts.visitors import Visitor
from sandbox.runs import selectors, services
from sandbox.runs.controls import ControlError, control_check, control_key
from sandbox.runs.models import Run
from sandbox.runs.streams import run_frame_message, run_group, run_state_message
from sandbox.scenarios.selectors import scenario_is_owned_by, share_link_get_active

CLOSE_BAD_REQUEST = 4400
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
RESUME_MAX_FRAMES = 600
EVENT_LOG_MAX = 500
WATCHDOG_S = 3.0
QUEUE_POLL_S = 1.0
AFTER = re.compile(r"[0-9]{1,12}")  # ASCII digits: str.isdigit() takes '²', int() doesn't


class RunConsumer(AsyncWebsocketConsumer):
    group: str | None = None
    last_sent_seq = 0
    run_id: str = ""
    may_control = False
    watchdog: asyncio.Task | None = None
    control_queue: aioredis.Redis | None = None
    share_token: str = ""
    run_kind: str = ""
    queue_seen: dict | None = None
    control_tokens: float = 0.0
    control_refilled: float = 0.0

    async def connect(self) -> None:
        await self.accept()
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        raw_after = query.get("after", ["0"])[-1]
        if not AFTER.fullmatch(raw_after):
            await self._fail(
                "bad_request",
                "after: must be a whole number of at least 0, in digits 0-9",
                CLOSE_BAD_REQUEST,
            )
            return
        after = int(raw_after)
        self.run_id = self.scope["url_route"]["kwargs"]["run_id"]
        try:
            self.run_id = str(uuid.UUID(self.run_id))
        except ValueError:
            await self._fail("not_found", "no such run (a run id is a UUID)", CLOSE_NOT_FOUND)
            return
        self.share_token = query.get("share", [""])[-1]
        found = await database_sync_to_async(self._authorise)(self.share_token)
        if found is None:
            await self._fail("not_found", f"run {self.run_id}: no such run", CLOSE_NOT_FOUND)
            return
        run, self.may_control = found
        self.run_kind = run.kind
        # Join before reading the backlog so that no frame falls between the two.
        self.group = run_group(run.id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        state, events, backlog = await database_sync_to_async(self._current)(run, after)
        self.queue_seen = state["run"].get("queue")
        self.control_tokens = settings.RUN_CONTROLS_BURST
        self.control_refilled = time.monotonic()
        await self._send({**state, "role": "owner" if self.may_control else "watcher"})
        if events is not None:
            await self._send({"type": "run.events", "events": events})
        self.last_sent_seq = after
        for frame in backlog:
            await self.run_frame(run_frame_message(frame))
        if run.kind == Run.Kind.SIMULATION:
            self.watchdog = asyncio.create_task(self._watch_heartbeat())

    def _authorise(self, share_token: str) -> tuple[Run, bool] | None:
        run = selectors.run_get(run_id=self.run_id)
        if run is None:
            return None
        if run.kind == Run.Kind.PING:
            return run, False
        session = self.scope.get("session")
        user = self.scope.get("user")
        visitor = Visitor(
            user=user if user is not None and user.is_authenticated else None,
            session_key=(session.session_key if session is not None else None) or "",
        )
        if scenario_is_owned_by(scenario=run.scenario, visitor=visitor):
            return run, True
        link = share_link_get_active(token=share_token) if share_token else None
        if link is not None and link.scenario_id == run.scenario_id:
            return run, False
        return None

    @staticmethod
    def _current(run: Run, after: int) -> tuple[dict, list | None, list[dict]]:
        services.run_fail_if_stale(run=run)
        run.refresh_from_db()
        state = run_state_message(run=run, last_seq=selectors.run_last_seq(run=run))
        if run.kind == Run.Kind.PING:
            return state, None, selectors.run_frames_after(run=run, after=after)
        events = selectors.run_events(run=run, limit=EVENT_LOG_MAX)
        backlog = selectors.run_frames_after(run=run, after=after, keep_last=RESUME_MAX_FRAMES)
        return state, events, backlog

    async def _watch_heartbeat(self) -> None:
        """While the run waits, tell its place in line as it changes; while it runs, notice a
        host that died with no other host to resume the run (it is failed, everyone is told);
        and close a watcher's socket when the share link it came with is revoked."""
        while True:
            queued = self.queue_seen is not None
            await asyncio.sleep(QUEUE_POLL_S if queued else WATCHDOG_S)
            run, position, revoked = await database_sync_to_async(self._check)()
            if revoked:
                await self._fail("forbidden", "the share link was revoked", CLOSE_FORBIDDEN)
                return
            if run is None or not run.active:
                return
            if position != self.queue_seen:
                self.queue_seen = position
                if position is not None:
                    await self._send({"type": "run.queue", "queue": position})

    def _check(self) -> tuple[Run | None, dict | None, bool]:
        watcher = not self.may_control and self.share_token
        if watcher and share_link_get_active(token=self.share_token) is None:
            return None, None, True
        run = selectors.run_get(run_id=self.run_id)
        if run is None or not run.active:
            return run, None, False
        services.run_fail_if_stale(run=run)
        return run, selectors.run_queue_position(run=run), False

    async def disconnect(self, code: int) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
        if self.control_queue is not None:
            await self.control_queue.aclose()
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = json.loads(text_data) if text_data is not None else None
        except json.JSONDecodeError as exc:
            await self._error("bad_json", f"message is not valid JSON: {exc.msg} at {exc.pos}")
            return
        if not isinstance(message, dict) or message.get("type") != "control":
            kind = message.get("type") if isinstance(message, dict) else None
            await self._error("unsupported", f"type {kind!r}: only 'control' messages are taken")
            return
        control_id = message.get("id")
        if not self.may_control:
            await self._error(
                "forbidden", "only the run's owner controls it; you may watch", control_id
            )
            return
        try:
            control = control_check(message)
        except ControlError as exc:
            await self._error("invalid_control", str(exc), control_id)
            return
        if not self._control_allowed():
            await self._error(
                "rate_limited",
                f"at most {settings.RUN_CONTROLS_PER_S:g} controls a second "
                f"(bursts of {settings.RUN_CONTROLS_BURST}); this one was dropped",
                control_id,
            )
            return
        run = await database_sync_to_async(selectors.run_get)(run_id=self.run_id)
        if run is None or not run.active:
            state = run.state if run else "gone"
            await self._error("not_running", f"the run is {state}: nothing to control", control_id)
            return
        queued_stop = control["action"] == "stop" and run.state == Run.State.QUEUED
        if queued_stop and await database_sync_to_async(services.run_cancel_queued)(run=run):
            return
        try:
            await self._push_control(control, control_id)
        except aioredis.RedisError as exc:
            await self._error(
                "unavailable", f"the run could not be reached ({exc}); try again", control_id
            )

    def _control_allowed(self) -> bool:
        """A token bucket per socket: RUN_CONTROLS_PER_S, with bursts of RUN_CONTROLS_BURST."""
        now = time.monotonic()
        self.control_tokens = min(
            settings.RUN_CONTROLS_BURST,
            self.control_tokens + (now - self.control_refilled) * settings.RUN_CONTROLS_PER_S,
        )
        self.control_refilled = now
        if self.control_tokens < 1:
            return False
        self.control_tokens -= 1
        return True

    async def _push_control(self, control: dict, control_id: object) -> None:
        if self.control_queue is None:
            self.control_queue = aioredis.from_url(
                settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=3
            )
        key = control_key(self.run_id)
        waiting = await self.control_queue.llen(key)
        if waiting >= settings.RUN_CONTROLS_QUEUED_MAX:
            await self._error(
                "busy",
                f"{waiting} controls are waiting for this run to take them; "
                "this one was dropped, send it again in a moment",
                control_id,
            )
            return
        pipe = self.control_queue.pipeline(transaction=False)
        pipe.rpush(key, json.dumps(control))
        pipe.expire(key, settings.RUN_MAX_WALL_S)
        await pipe.execute()

    # --- messages from the run's group ---------------------------------------------------------

    async def run_frame(self, event: dict) -> None:
        seq = event["seq"]
        if seq <= self.last_sent_seq:
            return
        if seq > self.last_sent_seq + 1 and self.run_kind == Run.Kind.SIMULATION:
            # Live delivery is at most once (a Redis restart drops what was published
            # meanwhile); every frame is recorded before it is published, so the gap is
            # filled from the database and the watcher sees every frame, in order.
            missed = await database_sync_to_async(selectors.run_frames_between)(
                run_id=self.run_id, after=self.last_sent_seq, before=seq
            )
            for frame in missed:
                await self._send(run_frame_message(frame))
        self.last_sent_seq = seq
        if "json" in event:
            await self.send(text_data=event["json"])
        else:
            await self._send(event)

    async def run_state(self, event: dict) -> None:
        await self._send(event)

    async def run_ack(self, event: dict) -> None:
        await self._send(event)

    async def run_error(self, event: dict) -> None:
        await self._send(event)

    # --- sending ---------------------------------------------------------------------------

    async def _send(self, message: dict) -> None:
        await self.send(text_data=json.dumps(message))

    async def _error(self, code: str, text: str, control_id: object = None) -> None:
        message = {"type": "error", "code": code, "message": text}
        if control_id is not None:
            message["id"] = control_id
        await self._send(message)

    async def _fail(self, code: str, text: str, close_code: int) -> None:
        await self._error(code, text)
        await self.close(code=close_code)
