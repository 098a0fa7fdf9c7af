"""Metrics read from the database at scrape time, so every process's work is in them."""

from __future__ import annotations

from django.db import DatabaseError
from django.db.models import Count, Max
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from staffgate.audit.tags import EventTag


class RosterImports:
    """Roster imports by result, from the audit log (imports run in their own process)."""

    def collect(self):
        from staffgate.audit.models import AuditEvent

        results = CounterMetricFamily(
            "staffgate_roster_imports",
            "Roster imports by result: imported, rejected (errors in the file) or refused "
            "(too many removals).",
            labels=["result"],
        )
        last = GaugeMetricFamily(
            "staffgate_roster_last_import_timestamp_seconds",
            "When the last roster import was written (Unix time).",
        )
        try:
            rows = (
                AuditEvent.objects.filter(tag=EventTag.Roster.IMPORT)
                .order_by()
                .values("outcome")
                .annotate(count=Count("id"), last=Max("created_at"))
            )
            rows = list(rows)
        except DatabaseError:
            return
        for row in rows:
            results.add_metric([row["outcome"]], row["count"])
        imported = [row["last"] for row in rows if row["outcome"] == "imported"]
        if imported:
            last.add_metric([], imported[0].timestamp())
        yield results
        yield last
