"""What ``staffgate worker`` does beside the task queue, each at its own pace, in a thread.

The heartbeat (:mod:`staffgate.ops.heartbeat`) always; the roster drop folder
(:mod:`staffgate.roster.dropfolder`) when ``STAFFGATE_ROSTER_DROP_DIR`` is set. Each duty
runs in a daemon thread with its own database connection, so a long import does not
delay the beats, nor a long task either. A failing run is logged and tried again later.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections

from staffgate.ops.logs import get_logger

log = get_logger("staffgate.worker")

DROP_FOLDER_SECONDS = 15.0


@dataclass(frozen=True)
class Duty:
    name: str
    interval: float
    run: Callable[[], object]

    def run_once(self) -> None:
        """Run the duty; a failure is logged, never raised (the next run tries again)."""
        try:
            self.run()
        except Exception:
            log.exception("worker duty failed", duty=self.name)


def worker_duties() -> list[Duty]:
    """The duties of this worker process, with their intervals in seconds."""
    from staffgate.ops import heartbeat

    worker = heartbeat.worker_name()
    duties = [Duty("heartbeat", heartbeat.beat_interval(), lambda: heartbeat.record_beat(worker))]
    if settings.STAFFGATE_ROSTER_DROP_DIR:
        from staffgate.roster import dropfolder

        folder = settings.STAFFGATE_ROSTER_DROP_DIR
        duties.append(
            Duty("roster-drop-folder", DROP_FOLDER_SECONDS, lambda: dropfolder.scan(folder))
        )
    return duties


def run_duties_once() -> None:
    """Each duty once, in this thread (``staffgate worker --batch``)."""
    for duty in worker_duties():
        duty.run_once()


def start_duties() -> list[threading.Thread]:
    """Start one daemon thread per duty: it runs at once, then every ``interval`` seconds."""
    threads = []
    for duty in worker_duties():
        thread = threading.Thread(
            target=_every, args=(duty,), name=f"staffgate-{duty.name}", daemon=True
        )
        thread.start()
        threads.append(thread)
    return threads


def _every(duty: Duty) -> None:
    while True:  # the thread ends with the process
        duty.run_once()
        close_old_connections()  # as after a request: a broken connection is not kept
        time.sleep(duty.interval)
