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


class TaskQueue:
    """The background queue (django-tasks' database backend), as the workers find it."""

    def collect(self):
        from django_tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from staffgate.core import timeutil

        now = timeutil.now()
        jobs = GaugeMetricFamily(
            "staffgate_queue_jobs",
            "Jobs in the background queue: due (waiting for a worker), scheduled (for later, "
            "retries among them), running, failed (kept for inspection).",
            labels=["state"],
        )
        oldest = GaugeMetricFamily(
            "staffgate_queue_oldest_due_job_age_seconds",
            "How long the oldest due job has waited for a worker (0 when none waits).",
        )
        retries = GaugeMetricFamily(
            "staffgate_queue_retries_waiting",
            "Deliveries waiting to be tried again because the other server did not answer: "
            "task=logout (an app's back-channel logout), task=mail (the mail server).",
            labels=["task"],
        )
        try:
            waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
            due = waiting.ready()
            counts = {
                "due": due.count(),
                "scheduled": waiting.exclude(pk__in=due.values("pk")).count(),
                "running": DBTaskResult.objects.running().count(),
                "failed": DBTaskResult.objects.failed().count(),
            }
            # A job booked for no time in particular carries the latest date there is.
            since = min(
                (max(enqueued, run_after) if run_after <= now else enqueued
                 for enqueued, run_after in due.values_list("enqueued_at", "run_after")),
                default=now,
            )  # fmt: skip
            retrying = {}
            for name, path in _retried_task_paths().items():
                deliveries = waiting.filter(task_path=path).values_list("args_kwargs", flat=True)
                retrying[name] = sum(1 for arguments in deliveries if _attempt(arguments) > 1)
        except DatabaseError:
            return
        for state, count in counts.items():
            jobs.add_metric([state], count)
        oldest.add_metric([], max(0.0, (now - since).total_seconds()))
        for name, count in retrying.items():
            retries.add_metric([name], count)
        yield jobs
        yield oldest
        yield retries


def _retried_task_paths() -> dict[str, str]:
    """The tasks that book their own retries (``core.queue``), by the name the metric gives."""
    from staffgate.core.mail import deliver_mail
    from staffgate.oidc.tasks import deliver_logout_token

    return {"logout": deliver_logout_token.module_path, "mail": deliver_mail.module_path}


def _attempt(arguments: dict) -> int:
    """The attempt number of a delivery: its last argument, by the queue's retry rule."""
    args = arguments.get("args") or []
    attempt = (arguments.get("kwargs") or {}).get("attempt", args[-1] if len(args) > 1 else 1)
    return attempt if isinstance(attempt, int) else 1


class AuditCounts:
    """Counts of events that any process may write (the worker, commands), from the audit log."""

    FAMILIES = {
        EventTag.Sso.TOKENS_REVOKED: (
            "staffgate_token_revocations",
            "People whose app tokens were revoked, by reason (logout, not_eligible, "
            "password change, the help desk …).",
            "reason",
        ),
        EventTag.Sso.BACKCHANNEL_DELIVERED: (
            "staffgate_backchannel_deliveries",
            "Back-channel logout deliveries: delivered, or gave_up after the last retry.",
            "result",
        ),
    }

    def collect(self):
        from staffgate.audit.models import AuditEvent

        delivered, failed = EventTag.Sso.BACKCHANNEL_DELIVERED, EventTag.Sso.BACKCHANNEL_FAILED
        try:
            rows = list(
                AuditEvent.objects.filter(tag__in=[EventTag.Sso.TOKENS_REVOKED, delivered, failed])
                .order_by()
                .values("tag", "outcome")
                .annotate(count=Count("id"))
            )
        except DatabaseError:
            return
        families = {}
        for tag, (name, documentation, label) in self.FAMILIES.items():
            families[tag] = CounterMetricFamily(name, documentation, labels=[label])
        families[failed] = families[delivered]
        for row in rows:
            families[row["tag"]].add_metric([row["outcome"]], row["count"])
        yield from (families[tag] for tag in self.FAMILIES)
