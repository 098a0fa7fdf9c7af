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
        try:  # a scrape must work while the database does not
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
        yield from self._last_import_rows(AuditEvent)

    @staticmethod
    def _last_import_rows(audit_events):
        changes = GaugeMetricFamily(
            "staffgate_roster_last_import_people",
            "People the last roster import created, updated, left unchanged or removed.",
            labels=["change"],
        )
        try:
            latest = list(
                audit_events.objects.filter(tag=EventTag.Roster.IMPORT, outcome="imported")
                .order_by("-created_at", "-id")
                .values_list("detail", flat=True)[:1]
            )
        except DatabaseError:
            return
        for detail in latest:
            for change in ("created", "updated", "unchanged", "removed"):
                if change in detail:
                    changes.add_metric([change], detail[change])
        yield changes
