"""A WebSocket to a path no route knows is told `not_found` and closed with 4404, the same
as for a run that does not exist, instead of an HTTP 500."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from sandbox.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("path", ["/ws/unknown/", "/ws/", "/", "/ws/runs/", "/api/scenarios"])
def test_a_socket_to_an_unknown_path_is_told_not_found_and_closed_4404(path):
    async def scenario():
        ws = WebsocketCommunicator(application, path, headers=[(b"origin", b"http://localhost")])
        connected, _ = await ws.connect(timeout=5)
        message = json.loads(await ws.receive_from(timeout=5))
        closed = await ws.receive_output(timeout=5)
        return connected, message, closed

    connected, message, closed = async_to_sync(scenario)()

    assert connected
    assert message["code"] == "not_found"
    assert closed == {"type": "websocket.close", "code": 4404}
