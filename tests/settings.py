"""Settings for the test process: the project's one settings module, with development
defaults switched on (DEBUG for the fixed key; pytest-django turns DEBUG off for the tests),
and a Celery queue and SQLite test database of this test session's own, shared with the
worker and server processes the tests start, so that test runs side by side never meet."""

import os
import uuid

SESSION = uuid.uuid4().hex[:12]
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", f"test-{SESSION}")

from sandbox.settings import *  # noqa: E402,F403
from sandbox.settings import BASE_DIR, DATABASES  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".pytest-db-{SESSION}.sqlite3")}

# Hashing passwords at full strength would make every test that signs someone up slow.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
