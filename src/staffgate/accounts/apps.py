from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "staffgate.accounts"
    label = "accounts"
    verbose_name = "Employee accounts"
