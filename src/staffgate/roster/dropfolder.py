"""HR's drop folder (``STAFFGATE_ROSTER_DROP_DIR``): the worker imports the roster files put
there and files each one away in ``done/`` or ``failed/``, with the reason beside it.

Only complete files are taken: names ending in ``.csv`` (not hidden), unchanged for
``STAFFGATE_ROSTER_DROP_SETTLE_SECONDS``. A transfer should write another name
(``roster.csv.part``) and rename the file when it is complete; the settling time covers
one that writes the final name directly. A worker claims a file by moving it into
``processing/`` (a rename: with several workers, one wins), then imports it as
``staffgate import-roster`` would (``--full`` unless ``STAFFGATE_ROSTER_DROP_FULL=0``) and
moves it on: to ``done/``, or to ``failed/`` with ``NAME.errors.txt`` saying what was
wrong. Names are prefixed with the time the file was taken, so a file sent every day under
the same name keeps each copy. Every import is audited (``roster:import``, with the file's
name); when the database cannot be reached the file goes back, to be tried again.
"""

from __future__ import annotations

import enum
import os
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from staffgate.audit.tags import EventTag
from staffgate.core import timeutil
from staffgate.ops.logs import get_logger
from staffgate.roster.importer import ImportReport, import_roster

ACTOR = "drop-folder"
PROCESSING, DONE, FAILED = "processing", "done", "failed"
REASON_SUFFIX = ".errors.txt"

log = get_logger("staffgate.roster.dropfolder")


class Filed(enum.StrEnum):
    """Where a dropped file went."""

    DONE = DONE
    FAILED = FAILED


@dataclass(frozen=True)
class DroppedFile:
    """One file taken from the drop folder: its name as dropped, where it went, and why."""

    name: str
    filed: Filed
    path: Path
    reason: str = ""


def complete_files(folder: Path, *, now: float, settle: float) -> list[Path]:
    """The files of ``folder`` ready to import, oldest first: ``*.csv``, settled."""
    ready = []
    for path in folder.iterdir():
        if path.name.startswith(".") or not path.name.lower().endswith(".csv"):
            continue
        try:
            status = path.stat()
        except FileNotFoundError:
            continue  # taken meanwhile by another worker
        if path.is_file() and now - status.st_mtime >= settle:
            ready.append((status.st_mtime, path.name, path))
    return [path for _, _, path in sorted(ready)]


def scan(
    folder, *, now: float | None = None, settle: float | None = None, full: bool | None = None
) -> list[DroppedFile]:
    """Import every complete file of the drop ``folder`` and file it away; what happened.

    ``now`` (Unix time) and ``settle`` (seconds) default to the clock and
    ``STAFFGATE_ROSTER_DROP_SETTLE_SECONDS``; ``full`` to ``STAFFGATE_ROSTER_DROP_FULL``.
    """
    folder = Path(folder)
    settle = settings.STAFFGATE_ROSTER_DROP_SETTLE_SECONDS if settle is None else settle
    full = settings.STAFFGATE_ROSTER_DROP_FULL if full is None else full
    for name in (PROCESSING, DONE, FAILED):
        (folder / name).mkdir(exist_ok=True)
    results = []
    ready = complete_files(folder, now=time.time() if now is None else now, settle=settle)
    for path in ready:
        claimed = _move(path, folder / PROCESSING, _stamped(path.name))
        if claimed is not None:
            results.append(_import(claimed, folder, path.name, full=full))
    return results


def _import(claimed: Path, folder: Path, name: str, *, full: bool) -> DroppedFile:
    try:
        report = import_roster(claimed, actor=ACTOR, full=full, source=name)
    except OSError as exc:
        from staffgate.audit.services import record_event

        reason = f"The file cannot be read: {exc.strerror or exc}."
        record_event(
            EventTag.Roster.IMPORT,
            actor=ACTOR,
            outcome="rejected",
            detail={"file": name, "error": "unreadable"},
        )
        return _file_away(claimed, folder / FAILED, name, Filed.FAILED, reason)
    except Exception:
        # Not the file's fault (the database is away): back where HR put it, tried again.
        back = folder / name
        if not back.exists():
            os.replace(claimed, back)
        raise
    if report.ok:
        log.info("roster file imported", file=name, summary=report.summary())
        return _file_away(claimed, folder / DONE, name, Filed.DONE)
    return _file_away(claimed, folder / FAILED, name, Filed.FAILED, failure_reason(report))


def failure_reason(report: ImportReport) -> str:
    """Why a file was not imported, as written beside it in ``failed/``."""
    if report.removals_refused:
        limit = settings.STAFFGATE_ROSTER_MAX_REMOVALS
        return (
            f"This file would remove {report.removed} of the {report.present} people in the "
            f"roster, more than STAFFGATE_ROSTER_MAX_REMOVALS ({limit:g}%) allows: nothing was "
            "imported. Check the file; if those people really left, import it by hand with "
            "staffgate import-roster --full --force FILE."
        )
    lines = [
        f"{report.error_count} error(s) in this file: it was rejected and nothing was imported.",
        *(str(error) for error in report.errors),
    ]
    hidden = report.error_count - len(report.errors)
    if hidden:
        lines.append(f"… and {hidden} more error(s) not shown")
    return "\n".join(lines)


def _file_away(claimed: Path, target: Path, name: str, filed: Filed, reason: str = ""):
    moved = _move(claimed, target, claimed.name) or claimed
    if reason:
        moved.with_name(moved.name + REASON_SUFFIX).write_text(reason + "\n", encoding="utf-8")
        log.warning("roster file rejected", file=name, moved_to=str(moved))
    return DroppedFile(name, filed, moved, reason)


def _stamped(name: str) -> str:
    return f"{timeutil.now():%Y%m%dT%H%M%SZ}-{name}"


def _move(path: Path, folder: Path, name: str) -> Path | None:
    """Move ``path`` into ``folder`` as ``name`` (``name-2`` … when taken); None if it is gone."""
    stem, dot, suffix = name.rpartition(".")
    target, count = folder / name, 1
    while target.exists():
        count += 1
        target = folder / f"{stem}-{count}{dot}{suffix}"
    try:
        os.rename(path, target)
    except FileNotFoundError:
        return None  # another worker took it first
    return target
