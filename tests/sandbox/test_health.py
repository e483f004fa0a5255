"""/healthz answers while the process is up; /readyz only when every dependency answers."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def test_healthz_answers_without_touching_any_dependency(client, settings):
    settings.REDIS_URL = UNREACHABLE_REDIS

    response = client.get("/healthz", HTTP_HOST="10.0.0.7")

    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


def test_readyz_is_503_and_names_redis_and_celery_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = UNREACHABLE_REDIS

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["down"] == ["redis", "celery"]
    assert body["checks"]["database"]["ok"] is True
    assert "redis unreachable at redis://127.0.0.1:1/0" in body["checks"]["redis"]["error"]
    assert "broker (Redis) is down" in body["checks"]["celery"]["error"]


def test_readyz_is_503_naming_celery_when_no_worker_answers(client, settings, redis_url):
    # The same Redis server, but a database no worker listens on.
    settings.REDIS_URL = redis_url.rsplit("/", 1)[0] + "/13"

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["down"] == ["celery"]


@pytest.mark.django_db(transaction=True)
def test_readyz_is_200_with_every_check_when_db_redis_and_a_worker_answer(client, celery_worker):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["down"] == []
    assert body["checks"]["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["checks"]["redis"] == {"ok": True}
    assert body["checks"]["celery"]["ok"] is True and body["checks"]["celery"]["workers"]
