from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the portal as a service: structured logs, metrics, readiness."""

    name = "staffgate.ops"
    label = "ops"
    verbose_name = "operations"

    def ready(self):
        from staffgate.ops import heartbeat, readiness

        readiness.register_check("worker", heartbeat.check_worker)
