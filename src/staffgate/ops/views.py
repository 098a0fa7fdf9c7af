"""``/metrics`` for Prometheus and ``/readyz`` for the load balancer."""

from __future__ import annotations

import hmac
import ipaddress
import os

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from staffgate.audit.services import client_ip
from staffgate.ops import readiness


def may_scrape(request) -> bool:
    """From a configured network (``STAFFGATE_METRICS_NETWORKS``), or with the bearer token."""
    token = settings.STAFFGATE_METRICS_TOKEN
    offered = request.META.get("HTTP_AUTHORIZATION", "")
    if token and offered.startswith("Bearer "):
        if hmac.compare_digest(offered[len("Bearer ") :].encode(), token.encode()):
            return True
    address = client_ip(request)
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in settings.STAFFGATE_METRICS_NETWORKS)


@require_GET
def metrics_view(request):
    """The Prometheus exposition of every server process's metrics."""
    if not may_scrape(request):
        response = HttpResponse("Forbidden\n", status=403, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    from prometheus_client import (
        CONTENT_TYPE_LATEST,
        REGISTRY,
        CollectorRegistry,
        generate_latest,
    )

    from staffgate.ops.collectors import AuditCounts, RosterImports, TaskQueue

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Default(REGISTRY))
    for collector in (RosterImports(), TaskQueue(), AuditCounts()):
        registry.register(collector)
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class _Default:
    """This process's own metrics, when it is the only process (no multiprocess folder)."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()


@require_GET
def readyz(request):
    """200 when every part is ready; 503 naming each part that is not."""
    results = readiness.run_checks()
    failing = {name: problem for name, problem in results.items() if problem is not None}
    body = {
        "status": "unavailable" if failing else "ok",
        "checks": {name: problem or "ok" for name, problem in results.items()},
    }
    if failing:
        body["failing"] = sorted(failing)
        return JsonResponse(body, status=503)
    return JsonResponse(body)
