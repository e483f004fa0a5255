from django.apps import AppConfig


class RunsConfig(AppConfig):
    name = "sandbox.runs"
    verbose_name = "Runs"
