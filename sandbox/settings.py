"""ScaleLab's one settings module: every setting that varies between machines comes from the
environment, with safe development defaults (SQLite, a local Redis)."""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """The variable's value; unset and empty both mean the default."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected an integer") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a finite number")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string in production, "
            "or DEBUG=1 for local development (which uses a fixed development key)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "ninja",
    "sandbox.accounts",
    "sandbox.scenarios",
    "sandbox.runs",
    "sandbox.exercises",
    "sandbox.health",
    "sandbox.web",
]

MIDDLEWARE = [
    "sandbox.health.middleware.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "sandbox.web.csp.ContentSecurityPolicyMiddleware",
    "sandbox.web.middleware.NulCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "sandbox.urls"
ASGI_APPLICATION = "sandbox.asgi.application"
WSGI_APPLICATION = "sandbox.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Databases: SQLite file by default, anything dj-database-url understands via DATABASE_URL.
_CELERY_WORKER = "celery" in Path(sys.argv[0]).parts[-2:] and "worker" in sys.argv
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # daphne and the Celery worker write to the same file: WAL and IMMEDIATE transactions
    # keep them from failing with "database is locked". (tests/settings.py makes the test
    # database a file too, so that the worker and server processes the tests start see it.)
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and _CELERY_WORKER:
    # Celery closes a process's pool around every task (its Django fix-up), which would pull
    # the connections from under a run host's thread: a worker keeps a connection per thread.
    DATABASES["default"]["CONN_MAX_AGE"] = 300
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_POOL", True
):
    # A connection pool per process: under ASGI each request runs in its own thread, so
    # persistent connections do not apply; a pool saves a new connection per request. A
    # request waits at most DATABASE_POOL_TIMEOUT for one, then gets a 503 (database down).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN", 2),
        "max_size": env_int("DATABASE_POOL_MAX", 20),
        "timeout": env_float("DATABASE_POOL_TIMEOUT", 3.0),
    }
    # The pool checks a connection before handing it out: after a database restart the idle
    # ones are dead, and each would otherwise fail one request with a 503.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files: the built frontend (frontend/dist) is served under /static/ by WhiteNoise.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [FRONTEND_DIST] if FRONTEND_DIST.is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Vite puts a content hash in every file name under assets/: cache those for ever.
WHITENOISE_IMMUTABLE_FILE_TEST = r"^.+/assets/.+-[0-9A-Za-z_-]{8,}\.\w+$"

# Redis carries the Celery broker, Celery results and the channel layer.
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")

CHANNELS_PREFIX = env_str("CHANNELS_PREFIX", "scalelab")
# The pub/sub layer of channels-redis: a message is one PUBLISH, and each process holds one
# subscription for all its sockets: 0.13 ms of CPU per message sent and received, against
# 0.76 ms for the list-based layer (measured here), which sets how many live runs a machine
# carries. Delivery is at most once, which is all a live stream needs: every frame is recorded
# before it is published, and a client that missed one resumes with `after`.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": REDIS_URL,
                    "socket_timeout": 30,
                    "socket_connect_timeout": 5,
                    "retry_on_timeout": True,
                    "health_check_interval": 15,
                }
            ],
            "prefix": CHANNELS_PREFIX,
        },
    },
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = 3600
# Batch work (capacity curve points, grading, the ping run) goes to the default queue; live runs
# to their own queue, consumed by the run hosts (sandbox/runs/host.py). See docs/architecture.md.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "scalelab")
CELERY_LIVE_QUEUE = env_str("CELERY_LIVE_QUEUE", f"{CELERY_TASK_DEFAULT_QUEUE}-live")
CELERY_TASK_ROUTES = {"runs.simulation_run": {"queue": CELERY_LIVE_QUEUE}}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Fail fast when the broker is down: the API answers 503 instead of hanging.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# Tasks are acknowledged when done, so that one taken by a worker that is killed outright is
# handed to another worker once the broker's visibility timeout passes (longer than any task's
# time limit). A task whose pool process dies is failed, not retried (a task that kills its
# process would otherwise come back for ever). Work lost beyond that (e.g. a Redis without
# persistence restarted) is failed with a reason after BATCH_WORK_LOST_AFTER_S by the hosts'
# sweep (sandbox/runs/host.py).
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 5,
    "socket_connect_timeout": 5,
    "visibility_timeout": 1200,
}
BATCH_WORK_LOST_AFTER_S = env_int("BATCH_WORK_LOST_AFTER_S", 1800)
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"socket_timeout": 5, "socket_connect_timeout": 5}

# The shared cache holds the rate-limit counters (sandbox/web/throttling.py), so that a limit
# holds across processes. Keys are prefixed with the queue's name unless CACHE_KEY_PREFIX says
# otherwise: each test session has a queue of its own, so sessions never share counters.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", CELERY_TASK_DEFAULT_QUEUE),
        "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
    }
}

# Limits of stored designs; see docs/limits.md.
SCENARIO_MAX_NODES = env_int("SCENARIO_MAX_NODES", 1000)
SCENARIO_MAX_EDGES = env_int("SCENARIO_MAX_EDGES", 5000)
SCENARIO_MAX_BYTES = env_int("SCENARIO_MAX_BYTES", 1_048_576)
SCENARIO_SAVES_PER_MINUTE = env_int("SCENARIO_SAVES_PER_MINUTE", 60)
SCENARIO_REVISIONS_KEPT = env_int("SCENARIO_REVISIONS_KEPT", 100)
SCENARIOS_PER_OWNER = env_int("SCENARIOS_PER_OWNER", 500)
SHARE_LINKS_PER_SCENARIO = 20
# A request body may carry one document plus its title and description.
DATA_UPLOAD_MAX_MEMORY_SIZE = SCENARIO_MAX_BYTES + 64 * 1024
AUTH_RATE = env_str("AUTH_RATE", "20/m")
LOGIN_FAILURES_PER_NAME = env_str("LOGIN_FAILURES_PER_NAME", "10/15m")
LOGIN_FAILURES_PER_ADDRESS = env_str("LOGIN_FAILURES_PER_ADDRESS", "30/15m")
# Proxies in front of the app that append the client's address to X-Forwarded-For; with 0
# the header is ignored (anyone can write it). See docs/limits.md.
NUM_PROXIES = env_int("NUM_PROXIES", 0)
NINJA_NUM_PROXIES = NUM_PROXIES
PASSWORD_RESET_TIMEOUT = 3 * 3600

# Limits of live runs; see docs/limits.md.
RUN_MAX_DURATION_S = env_int("RUN_MAX_DURATION_S", 86_400)
RUN_MAX_WALL_S = env_int("RUN_MAX_WALL_S", 1800)
RUNS_AT_ONCE_PER_OWNER = env_int("RUNS_AT_ONCE_PER_OWNER", 2)
RUN_FRAMES_PER_S = 10.0
RUN_DES_MAX_RPS = env_int("RUN_DES_MAX_RPS", 2000)
RUN_HEARTBEAT_S = 1.0
# A host silent this long is taken for dead: another host resumes its runs from their snapshots.
RUN_HEARTBEAT_TIMEOUT_S = env_int("RUN_HEARTBEAT_TIMEOUT_S", 8)
RUN_SNAPSHOT_S = env_float("RUN_SNAPSHOT_S", 5.0)
# The run host: CPU seconds per wall second a worker process spends on live runs, the most runs
# it hosts, and the largest share of a process one run may take (a run at speed 0 included).
RUN_HOST_BUDGET = env_float("RUN_HOST_BUDGET", 0.85)
RUN_HOST_MAX_RUNS = env_int("RUN_HOST_MAX_RUNS", 60)
RUN_MAX_CPU_SHARE = env_float("RUN_MAX_CPU_SHARE", 0.25)
RUN_HOST_POLL_S = 0.5
# Controls of a live run: per WebSocket, a rate with bursts; per run, the most waiting for the
# host, and the most a host applies in one turn (so a flood cannot starve the heartbeat).
RUN_CONTROLS_PER_S = env_float("RUN_CONTROLS_PER_S", 10.0)
RUN_CONTROLS_BURST = env_int("RUN_CONTROLS_BURST", 20)
RUN_CONTROLS_QUEUED_MAX = env_int("RUN_CONTROLS_QUEUED_MAX", 50)
RUN_CONTROLS_PER_TURN = 10
# Anonymous visitors: one run at once per browser session, and all of them together at most
# this many, so that a script making new sessions cannot occupy the hosts.
RUNS_AT_ONCE_PER_SESSION = env_int("RUNS_AT_ONCE_PER_SESSION", 1)
RUNS_AT_ONCE_ANONYMOUS = env_int("RUNS_AT_ONCE_ANONYMOUS", 10)
CAPACITY_CURVES_AT_ONCE_PER_OWNER = env_int("CAPACITY_CURVES_AT_ONCE_PER_OWNER", 1)
CAPACITY_CURVES_AT_ONCE_ANONYMOUS = env_int("CAPACITY_CURVES_AT_ONCE_ANONYMOUS", 4)
SUBMISSIONS_AT_ONCE_PER_STUDENT = env_int("SUBMISSIONS_AT_ONCE_PER_STUDENT", 2)
CAPACITY_MAX_POINTS = 24

# The account that owns the exercises shipped with ScaleLab (manage.py load_exercises); its
# published exercises are listed on the start page for everyone.
SHIPPED_EXERCISES_AUTHOR = env_str("SHIPPED_EXERCISES_AUTHOR", "scalelab")

# Limits of the ping run (the pipeline check); see docs/limits.md.
PING_RUN_MAX_FRAMES = 50
PING_RUN_RATE = env_str("PING_RUN_RATE", "30/m")

# Security: strict unless DEBUG. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
