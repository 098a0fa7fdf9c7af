from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "staffgate.core"
    label = "core"
    verbose_name = "Portal"
