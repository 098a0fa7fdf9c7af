"""The background queue's one retry rule, shared by every task that talks to another server.

A task that could not reach its server (an app's back-channel logout endpoint, the
SMTP relay) books its own next attempt, later, with the attempt number as its last
argument: 5 s, doubling, at most an hour apart, up to ``MAX_ATTEMPTS`` in all (about
eleven hours), then gives up and says so. The queue itself does not retry.
"""

from __future__ import annotations

import datetime as dt

from staffgate.core import timeutil

MAX_ATTEMPTS = 20
MAX_DELAY = 3600


def retry_delay(attempt: int) -> int:
    """Seconds before attempt ``attempt + 1``: 5 s, doubling, at most an hour."""
    return min(5 * 2 ** (attempt - 1), MAX_DELAY)


def retry_later(task, *args, attempt: int, backend: str | None = None) -> bool:
    """Book attempt ``attempt + 1`` of ``task(*args, attempt + 1)`` after the backoff.

    False, and nothing booked, when ``attempt`` was the last one allowed.
    """
    if attempt >= MAX_ATTEMPTS:
        return False
    later = timeutil.now() + dt.timedelta(seconds=retry_delay(attempt))
    options = {"run_after": later}
    if backend is not None:
        options["backend"] = backend
    task.using(**options).enqueue(*args, attempt + 1)
    return True
