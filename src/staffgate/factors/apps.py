from django.apps import AppConfig


class FactorsConfig(AppConfig):
    name = "staffgate.factors"
    label = "factors"
    verbose_name = "Second factors"
