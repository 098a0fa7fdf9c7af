"""The request ID: made (or taken from a trusted proxy), logged with every line, returned."""

from __future__ import annotations

import ipaddress
import re
import time
import uuid

import structlog
from django.conf import settings

from staffgate.ops.logs import get_logger

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
# What a proxy may hand on (nginx's $request_id is 32 hex digits); anything else is replaced.
ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

log = get_logger("staffgate.request")


def current_request_id() -> str:
    """The ID of the request being handled on this thread, or ``""`` outside a request."""
    return structlog.contextvars.get_contextvars().get("request_id", "")


class RequestIdMiddleware:
    """First of all middleware: give the request an ID, bind it to the log, send it back.

    An ``X-Request-ID`` is believed only from a trusted proxy (so that nginx's ID joins
    both logs); otherwise a fresh random one is made. One ``request`` line is logged per
    response, with status and duration: the path only, never the query string or body.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = settings.STAFFGATE_TRUSTED_PROXIES

    def _from_trusted_proxy(self, request) -> bool:
        try:
            peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(peer in net for net in self.trusted)

    def __call__(self, request):
        offered = request.META.get(META_KEY, "")
        if offered and ACCEPTED.match(offered) and self._from_trusted_proxy(request):
            request_id = offered
        else:
            request_id = uuid.uuid4().hex
        request.request_id = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            log.info(
                "request",
                method=request.method,
                path=request.path[:300],
                status=response.status_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                # Set by the proxy middleware further in, from X-Forwarded-For when trusted.
                client=request.META.get("REMOTE_ADDR", ""),
            )
            return response
        finally:
            structlog.contextvars.clear_contextvars()
