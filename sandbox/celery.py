"""The Celery application; workers start it with `celery -A sandbox worker`."""

import os

from celery import Celery
from celery.signals import celeryd_after_setup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandbox.settings")

app = Celery("sandbox")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@celeryd_after_setup.connect
def _remember_queues(sender: str, instance, **_kwargs) -> None:
    """The worker's name and queues, known before its pool forks, so that each process knows
    whether it hosts live runs (sandbox/runs/tasks.py)."""
    instance.app._scalelab_worker = sender
    instance.app._scalelab_queues = set(instance.app.amqp.queues.consume_from)
