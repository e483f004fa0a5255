"""Settings for the test process: the project's one settings module, with development
defaults switched on (DEBUG for the fixed key; pytest-django turns DEBUG off for the tests),
and a Celery queue of this test session's own, shared with the worker and server processes
the tests start, so that other workers on the same Redis never take the tests' tasks."""

import os
import uuid

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", f"test-{uuid.uuid4().hex[:12]}")

from sandbox.settings import *  # noqa: E402,F403

# Hashing passwords at full strength would make every test that signs someone up slow.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
