"""The run's WebSocket: joins the run's group, sends the current state and the frames the
client has not seen yet, then relays live frames. Protocol: docs/websocket-protocol.md."""

import json
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from sandbox.runs import selectors
from sandbox.runs.streams import run_frame_message, run_group, run_state_message

CLOSE_BAD_REQUEST = 4400
CLOSE_NOT_FOUND = 4404


class RunConsumer(AsyncWebsocketConsumer):
    group: str | None = None
    last_sent_seq = 0

    async def connect(self) -> None:
        await self.accept()
        after = self._after_from_query()
        if after is None:
            await self._fail(
                "bad_request", "after: must be a whole number of at least 0", CLOSE_BAD_REQUEST
            )
            return
        run_id = self.scope["url_route"]["kwargs"]["run_id"]
        run = await database_sync_to_async(selectors.run_get)(run_id=run_id)
        if run is None:
            await self._fail("not_found", f"run {run_id}: no such run", CLOSE_NOT_FOUND)
            return
        # Join before reading the backlog so that no frame falls between the two.
        self.group = run_group(run.id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        backlog, last_seq = await database_sync_to_async(self._backlog)(run, after)
        await self._send(run_state_message(run=run, last_seq=last_seq))
        self.last_sent_seq = after
        for frame in backlog:
            await self.run_frame(run_frame_message(frame))

    @staticmethod
    def _backlog(run, after: int) -> tuple[list[dict], int]:
        run.refresh_from_db()
        return selectors.run_frames_after(run=run, after=after), selectors.run_last_seq(run=run)

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = json.loads(text_data) if text_data is not None else None
        except json.JSONDecodeError as exc:
            await self._error("bad_json", f"message is not valid JSON: {exc.msg} at {exc.pos}")
            return
        kind = message.get("type") if isinstance(message, dict) else None
        await self._error("unsupported", f"type {kind!r}: ping runs accept no control messages")

    async def run_frame(self, event: dict) -> None:
        if event["seq"] <= self.last_sent_seq:
            return
        self.last_sent_seq = event["seq"]
        await self._send(event)

    async def run_state(self, event: dict) -> None:
        await self._send(event)

    def _after_from_query(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        raw = query.get("after", ["0"])[-1]
        return int(raw) if raw.isdigit() else None

    async def _send(self, message: dict) -> None:
        await self.send(text_data=json.dumps(message))

    async def _error(self, code: str, text: str) -> None:
        await self._send({"type": "error", "code": code, "message": text})

    async def _fail(self, code: str, text: str, close_code: int) -> None:
        await self._error(code, text)
        await self.close(code=close_code)
