from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    name = "sandbox.scenarios"
    verbose_name = "Scenarios"
