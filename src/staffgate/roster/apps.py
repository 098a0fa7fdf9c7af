from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "staffgate.roster"
    label = "roster"
    verbose_name = "HR roster"
