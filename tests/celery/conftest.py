"""Fixtures of the Celery tests that need a worker of their own."""

import uuid

import pytest

from tests.processes import CeleryWorker


@pytest.fixture
def one_process_host(celery_worker, tmp_path, request):
    """The only host while the test runs: a one-process worker with the environment the test
    asks for (`indirect` parametrisation), so that every run started lands on it. The
    session's worker is stopped meanwhile and started again afterwards."""
    celery_worker.stop()
    host = CeleryWorker(
        tmp_path / "host.log",
        queue=f"host-{uuid.uuid4().hex[:8]}",
        concurrency=1,
        env=getattr(request, "param", {}),
    )
    host.start()
    yield host
    host.stop()
    if celery_worker.process.poll() is not None:
        celery_worker.start()
