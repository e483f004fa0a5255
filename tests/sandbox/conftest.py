"""Fixtures of the Django layer."""

import uuid

import pytest


@pytest.fixture(autouse=True)
def fresh_rate_counters(settings):
    """Each test counts from zero: its rate counters live under a key prefix of its own on
    the shared Redis (which tests never flush: the broker and other sessions use it too)."""
    default = settings.CACHES["default"]
    prefix = f"{default['KEY_PREFIX']}-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": prefix}}
