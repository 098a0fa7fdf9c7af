"""``staffgate export-audit --since DATE``: the audit log as JSON lines, oldest first."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from staffgate.audit.models import AuditEvent


def parse_since(value: str) -> dt.datetime:
    """``YYYY-MM-DD`` (midnight UTC) or an ISO 8601 time; naive times are UTC."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since {value!r} is not a date like 2026-11-01.") from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


class Command(BaseCommand):
    help = "Write audit events since a date as JSON lines (UTC times)."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="YYYY-MM-DD or ISO 8601 time")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, since, output, **options):
        moment = parse_since(since)
        stream = open(output, "w", encoding="utf-8") if output else self.stdout  # noqa: SIM115
        try:
            events = AuditEvent.objects.filter(created_at__gte=moment).order_by("created_at", "id")
            count = 0
            for event in events.iterator(chunk_size=2000):
                record = {
                    "time": event.created_at.astimezone(dt.UTC).isoformat(),
                    "tag": event.tag,
                    "outcome": event.outcome,
                    "user_id": event.user_id,
                    "actor": event.actor,
                    "ip": event.ip,
                    "user_agent": event.user_agent,
                    "detail": event.detail,
                    "request_id": event.request_id,
                }
                line = json.dumps(record, ensure_ascii=False, sort_keys=True)
                stream.write(line if stream is self.stdout else line + "\n")
                count += 1
        finally:
            if output:
                stream.close()
        if output:
            self.stderr.write(f"{count} events written to {output}")
