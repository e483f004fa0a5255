from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sandbox.accounts"
    verbose_name = "Accounts"
