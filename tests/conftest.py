"""Fixtures shared by the Django, Celery, Channels and browser layers."""

import pytest
import redis
from channels.layers import channel_layers
from django.conf import settings

from tests.processes import CeleryWorker, DaphneServer


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """Each test drives its WebSocket clients in an event loop of its own; the channel layer
    keeps asyncio locks bound to the loop that first contended for them, so each test gets a
    fresh layer (daphne runs one loop for its whole life and never needs this)."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(scope="session")
def redis_url() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(
            f"the tests need a real Redis at REDIS_URL={settings.REDIS_URL}: {exc}. "
            "`make test` starts one when REDIS_URL is not set."
        )
    finally:
        client.close()
    return settings.REDIS_URL


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, redis_url, tmp_path_factory):
    """A real `celery worker` process on the test database and the test Redis."""
    worker = CeleryWorker(tmp_path_factory.mktemp("celery") / "worker.log")
    with django_db_blocker.unblock():
        worker.start()
    yield worker
    worker.stop()


@pytest.fixture(scope="session")
def live_app(django_db_setup, django_db_blocker, celery_worker, tmp_path_factory):
    """The app served by a real daphne process, sending its tasks to the test worker."""
    server = DaphneServer(tmp_path_factory.mktemp("daphne") / "daphne.log")
    with django_db_blocker.unblock():
        server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def runs_let_go(request):
    """After a test whose runs a real worker may carry (the session's worker takes every
    queued run it finds), end them and wait until no host carries one, so that no host is
    writing frames while the test database is flushed (on PostgreSQL the flush's TRUNCATE
    and a host's transaction can deadlock)."""
    yield
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    if not (transactional or {"celery_worker", "live_app"} & set(request.fixturenames)):
        return  # no real worker could be carrying this test's runs
    import time
    from datetime import timedelta

    from django.utils import timezone

    from sandbox.runs.models import Run, RunHost

    Run.objects.filter(state__in=Run.ACTIVE_STATES).update(
        state=Run.State.CANCELLED, finished_at=timezone.now()
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        fresh = timezone.now() - timedelta(seconds=3)
        if not RunHost.objects.filter(runs__gt=0, heartbeat_at__gte=fresh).exists():
            return
        time.sleep(0.2)
