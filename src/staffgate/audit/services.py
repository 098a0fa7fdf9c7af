"""Writing audit events: one call per security event, never a secret."""

from __future__ import annotations

import ipaddress

from staffgate.audit.models import AuditEvent
from staffgate.ops.logs import get_logger
from staffgate.ops.middleware import current_request_id

# Every event also goes to the log stream (for a SIEM), with the same fields as its row.
log = get_logger("staffgate.audit")

_CONTROL = {i: f"\\x{i:02x}" for i in range(32)} | {127: "\\x7f"}


def clean_text(value: str, limit: int) -> str:
    """Escape control characters and cut to ``limit`` so logged input cannot forge lines."""
    return str(value).translate(_CONTROL)[:limit]


def client_ip(request) -> str | None:
    """The caller's address as the server sees it (proxies are handled by middleware)."""
    if request is None:
        return None
    ip = request.META.get("REMOTE_ADDR") or None
    try:
        return str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        return None


def record_event(
    tag: str,
    *,
    request=None,
    user_id: str = "",
    outcome: str = "",
    actor: str = "",
    detail: dict | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event, log it and count it. ``tag`` reads like ``account:login:failure``.

    ``user_id`` is kept only when it has the shape of a User ID; anything else is
    kept as a keyed hash with its length (:mod:`staffgate.core.identifiers`).
    ``ip`` names the address when there is no request to take it from.
    """
    from staffgate.core.identifiers import recorded_identifier
    from staffgate.ops import metrics

    agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    event = AuditEvent.objects.create(
        tag=tag,
        outcome=outcome,
        user_id=recorded_identifier(str(user_id or "")),
        actor=clean_text(actor, 160),
        ip=client_ip(request) or ip,
        user_agent=clean_text(agent, 300),
        detail=detail or {},
        request_id=current_request_id(),
    )
    log.info(
        "audit",
        audit_id=event.pk,
        tag=str(event.tag),
        outcome=event.outcome,
        user_id=event.user_id,
        actor=event.actor,
        ip=event.ip,
        detail=event.detail,
    )
    metrics.count_audit_event(str(event.tag), event.outcome, event.actor, event.detail)
    return event
