"""ScaleLab's Django project: settings, URLs, ASGI and Celery wiring, and its apps."""

from sandbox.celery import app as celery_app

__all__ = ["celery_app"]
