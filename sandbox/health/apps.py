from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "sandbox.health"
    verbose_name = "Health"
