from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the portal as a service: structured logs, metrics, readiness."""

    name = "staffgate.ops"
    label = "ops"
    verbose_name = "operations"

    def ready(self):
        from oauth2_provider.signals import app_authorized

        from staffgate.ops import heartbeat, readiness

        readiness.register_check("worker", heartbeat.check_worker)
        app_authorized.connect(_count_tokens_issued, dispatch_uid="staffgate_ops_tokens")


def _count_tokens_issued(sender, **kwargs):
    # Imported here: the metrics module must wait for the server's metrics folder.
    from staffgate.ops import metrics

    metrics.count_tokens_issued(sender, **kwargs)
