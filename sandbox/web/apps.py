from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sandbox.web"
    verbose_name = "Web app"
