"""Import the HR roster from a CSV file: every row checked, then all or nothing.

The file is read once, as a stream (:mod:`~staffgate.roster.reading`), each record checked
by the pure rules of :mod:`~staffgate.roster.rows`; valid rows are staged in a temporary
table while the file is clean (:mod:`~staffgate.roster.staging`). If any line has an error
the staging table is dropped and the roster is not touched. Otherwise one transaction
updates the rows that changed, inserts the new ones and writes the audit event, so the
roster never holds half a file.

Memory stays flat whatever the file size: rows are not kept, only the set of Employee
IDs seen so far (with the line of each, to report duplicates by both line numbers).
"""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from dataclasses import dataclass

from django.db import connection as default_connection
from django.db import transaction
from django.dispatch import Signal

from staffgate.audit.tags import EventTag
from staffgate.core.timeutil import local_today, now
from staffgate.roster.reading import ErrorLog, RowError, open_binary, read_roster
from staffgate.roster.rows import latest_birth_year
from staffgate.roster.staging import Staging

# Sent inside the import's transaction once the roster has changed (``report``), so that
# access that the new roster no longer allows is withdrawn in the same commit.
roster_imported = Signal()


@dataclass(frozen=True)
class ImportReport:
    """What an import did, or why it did nothing (``errors`` is capped, ``error_count`` is not)."""

    rows: int
    created: int = 0
    updated: int = 0
    dry_run: bool = False
    errors: tuple[RowError, ...] = ()
    error_count: int = 0
    full: bool = False
    removed: int = 0  # full imports: people no longer listed (would be, when refused)
    present: int = 0  # full imports: people in the roster before it
    removals_refused: bool = False  # more removals than STAFFGATE_ROSTER_MAX_REMOVALS allows

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and not self.removals_refused

    @property
    def unchanged(self) -> int:
        return self.rows - self.created - self.updated if self.ok else 0

    def summary(self) -> str:
        """``created: 3, updated: 1, unchanged: 10``, marked when nothing was written."""
        text = f"created: {self.created}, updated: {self.updated}, unchanged: {self.unchanged}"
        if self.full:
            text += f", removed: {self.removed}"
        return text + " (dry run: nothing written)" if self.dry_run else text


def removal_allowed(removed: int, present: int, max_percent: float) -> bool:
    """Whether removing ``removed`` of ``present`` people stays within ``max_percent``."""
    return removed * 100 <= present * max_percent


def import_roster(
    path_or_file,
    *,
    dry_run: bool = False,
    actor: str = "cli",
    today: dt.date | None = None,
    full: bool = False,
    force: bool = False,
    max_removals: float | None = None,
    source: str = "",
) -> ImportReport:
    """Import a roster CSV (a path or a binary file): all of it, or nothing.

    Every line is checked first; any error leaves the database as it was and the
    report lists the errors by line number. Otherwise people are upserted by
    ``employee_id`` in one transaction that also writes the ``roster:import`` audit
    event. With ``dry_run`` the counts are computed and nothing is written.
    ``today`` (default: the portal's today) bounds plausible birth years.

    With ``full`` the file is the whole roster: people it does not list lose access
    (kept and marked removed, each audited, their sessions ended). When that would
    remove more than ``max_removals`` percent of the roster (default:
    ``STAFFGATE_ROSTER_MAX_REMOVALS``) nothing is written unless ``force``.
    ``source`` (a file's name) is noted in the audit event.
    """
    if max_removals is None:
        from django.conf import settings

        max_removals = settings.STAFFGATE_ROSTER_MAX_REMOVALS
    max_birth_year = latest_birth_year(today or local_today())
    errors = ErrorLog()
    with ExitStack() as stack:
        binary = open_binary(path_or_file, stack)
        staging = stack.enter_context(Staging(default_connection))
        rows = read_roster(binary, errors, staging.add, max_birth_year=max_birth_year)
        staging.finish()
        if errors.count:
            report = ImportReport(
                rows, dry_run=dry_run, errors=errors.in_line_order(), error_count=errors.count
            )
        else:
            report = _apply(staging, rows, dry_run, full, force, max_removals, actor, source)
    if not report.ok and not dry_run:
        _audit(report, actor, source)
    return report


def _apply(staging, rows, dry_run, full, force, max_removals, actor, source) -> ImportReport:
    missing, present = staging.count_missing() if full else (0, 0)
    if full and not force and not removal_allowed(missing, present, max_removals):
        return ImportReport(
            rows, dry_run=dry_run, full=True, removed=missing, present=present,
            removals_refused=True,
        )  # fmt: skip
    if dry_run:
        created, updated = staging.count_changes()
        return ImportReport(
            rows, created, updated, dry_run=True, full=full, removed=missing, present=present
        )
    with transaction.atomic():
        created, updated, removed_ids = staging.merge(now(), remove_missing=full)
        report = ImportReport(
            rows, created, updated, full=full, removed=len(removed_ids), present=present
        )
        _audit(report, actor, source)
        if removed_ids:
            from staffgate.roster.removal import people_removed

            people_removed(removed_ids, actor=actor)
        if updated or removed_ids:
            # Single sign-on revokes, in this transaction, what people no longer let in held.
            roster_imported.send(sender=ImportReport, report=report)
    return report


def _audit(report: ImportReport, actor: str, source: str = "") -> None:
    # Counts only: the audit log never holds a roster row's personal data.
    from staffgate.audit.services import record_event

    if report.ok:
        detail = {
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        }
        if report.full:
            detail |= {"full": True, "removed": report.removed}
    elif report.removals_refused:
        detail = {"rows": report.rows, "would_remove": report.removed, "roster": report.present}
    else:
        detail = {"rows": report.rows, "errors": report.error_count}
    if source:
        detail["file"] = source
    outcome = "imported" if report.ok else "refused" if report.removals_refused else "rejected"
    record_event(EventTag.Roster.IMPORT, actor=actor, outcome=outcome, detail=detail)
