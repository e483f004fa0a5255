"""Each test drives its WebSocket clients in an event loop of its own; the channel layer
keeps asyncio locks bound to the loop that first contended for them, so each test gets a
fresh layer (daphne runs one loop for its whole life and never needs this)."""

import pytest
from channels.layers import channel_layers


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
