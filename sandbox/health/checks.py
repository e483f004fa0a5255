"""Readiness checks: can this process reach the database, Redis and a Celery worker?"""

import redis
from django.conf import settings
from django.db import connection

from sandbox.celery import app as celery_app

TIMEOUT_S = 1.0
RETRY_AFTER_S = 5


class ServiceUnavailable(Exception):
    """A part the request needs (Redis, the database) is down: a 503 with Retry-After, before
    anything is written, so the request can simply be sent again."""

    def __init__(self, message: str, retry_after: int = RETRY_AFTER_S) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def require_redis(what: str) -> None:
    """Raise ServiceUnavailable at once (within TIMEOUT_S) if Redis cannot be reached, so that
    work that must go through the task queue is refused before any row is made for it."""
    result = check_redis()
    if not result["ok"]:
        raise ServiceUnavailable(
            f"{what} needs the task queue, which is unreachable right now "
            f"(Redis: {result['error'].split(': ', 1)[-1]}); nothing was saved, try again "
            f"in a few seconds"
        )


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "error": f"database unreachable: {exc}".strip()}
    return {"ok": True, "vendor": connection.vendor}


def check_redis() -> dict:
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        return {
            "ok": False,
            "error": f"redis unreachable at {_redacted(settings.REDIS_URL)}: {exc}",
        }
    finally:
        client.close()
    return {"ok": True}


def check_celery(*, redis_ok: bool) -> dict:
    if not redis_ok:
        return {"ok": False, "error": "no Celery worker can answer: the broker (Redis) is down"}
    try:
        with celery_app.connection_for_write(settings.REDIS_URL) as conn:
            replies = celery_app.control.ping(timeout=TIMEOUT_S, limit=1, connection=conn)
    except Exception as exc:
        return {"ok": False, "error": f"celery ping failed: {exc}"}
    workers = sorted(name for reply in replies for name in reply)
    if not workers:
        return {"ok": False, "error": f"no Celery worker answered within {TIMEOUT_S:g} s"}
    return {"ok": True, "workers": workers}


def readiness() -> tuple[bool, dict]:
    database = check_database()
    redis_result = check_redis()
    celery = check_celery(redis_ok=redis_result["ok"])
    checks = {"database": database, "redis": redis_result, "celery": celery}
    ready = all(check["ok"] for check in checks.values())
    down = [name for name, check in checks.items() if not check["ok"]]
    return ready, {"status": "ready" if ready else "unavailable", "down": down, "checks": checks}


def _redacted(url: str) -> str:
    """The URL without its password, fit to show in a response."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
