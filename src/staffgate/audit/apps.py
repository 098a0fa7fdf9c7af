from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "staffgate.audit"
    label = "audit"
    verbose_name = "Audit log"
