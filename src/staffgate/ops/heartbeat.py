"""The background workers' heartbeat, which ``/readyz`` checks.

Each ``staffgate worker`` process keeps one row (its host and process ID) and stamps it
when it starts and then four times per ``STAFFGATE_WORKER_HEARTBEAT_TIMEOUT``, from a
thread of its own (:mod:`staffgate.ops.background`), so a long task does not stop the
beats. The rows are in the database: app servers on any host see workers on any other,
on SQLite and PostgreSQL alike. The portal is ready while at least one worker has beaten
within the timeout.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Max

from staffgate.core import timeutil

# Rows of workers gone this long are deleted by the workers still running.
FORGET_AFTER = dt.timedelta(days=1)


def worker_name() -> str:
    """This process as a worker: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def beat_interval() -> float:
    """Seconds between two beats of one worker: a quarter of the readiness timeout."""
    return settings.STAFFGATE_WORKER_HEARTBEAT_TIMEOUT / 4


def record_beat(worker: str, *, now: dt.datetime | None = None) -> None:
    """Stamp ``worker``'s row with ``now`` (made on its first beat); forget long-gone workers."""
    from staffgate.ops.models import WorkerHeartbeat

    now = now or timeutil.now()
    if not WorkerHeartbeat.objects.filter(worker=worker).update(beat_at=now):
        WorkerHeartbeat.objects.update_or_create(
            worker=worker,
            defaults={"beat_at": now},
            create_defaults={"beat_at": now, "started_at": now},
        )
    WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()


def check_worker(now: dt.datetime | None = None) -> str | None:
    """``/readyz``'s worker part: ``None`` while some worker beat within the timeout."""
    from staffgate.ops.models import WorkerHeartbeat

    try:
        latest = WorkerHeartbeat.objects.aggregate(latest=Max("beat_at"))["latest"]
    except DatabaseError:
        return "unknown"
    if latest is None:
        return "no heartbeat"
    age = ((now or timeutil.now()) - latest).total_seconds()
    if age > settings.STAFFGATE_WORKER_HEARTBEAT_TIMEOUT:
        return f"no heartbeat for {int(age)} s"
    return None
