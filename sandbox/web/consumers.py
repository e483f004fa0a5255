"""The WebSocket answer for a path no route matches: a `not_found` error and close 4404,
as for a run that does not exist (docs/websocket-protocol.md), instead of an HTTP 500."""

import json

from channels.generic.websocket import AsyncWebsocketConsumer

CLOSE_NOT_FOUND = 4404


class NotFoundConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()
        path = self.scope.get("path", "")
        message = {"type": "error", "code": "not_found", "message": f"{path}: no such socket"}
        await self.send(text_data=json.dumps(message))
        await self.close(code=CLOSE_NOT_FOUND)
