from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "staffgate.helpdesk"
    label = "helpdesk"
    verbose_name = "Help desk"
