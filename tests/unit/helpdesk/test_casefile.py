"""Which lock an agent is shown, from the raw counters and "now"."""

from __future__ import annotations

import datetime as dt

from staffgate.helpdesk.casefile import LockKind, describe_lock

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def lock(**fields):
    values = {
        "login_failures": 0,
        "locked_until": None,
        "recovery_failures": 0,
        "recovery_locked_at": None,
        "now": NOW,
    } | fields
    return describe_lock(**values)


def test_no_counters_is_no_lock():
    summary = lock()
    assert summary.kind is LockKind.NONE and not summary.locked


def test_a_running_temporary_lock_shows_its_end():
    end = NOW + dt.timedelta(minutes=7)
    summary = lock(login_failures=3, locked_until=end)
    assert (summary.kind, summary.until, summary.login_failures) == (LockKind.TEMPORARY, end, 3)
    assert summary.locked


def test_an_ended_temporary_lock_is_no_lock_but_keeps_the_count():
    summary = lock(login_failures=3, locked_until=NOW)
    assert summary.kind is LockKind.NONE
    assert summary.login_failures == 3


def test_the_recovery_lock_wins_over_a_temporary_one():
    since = NOW - dt.timedelta(days=3)
    summary = lock(
        login_failures=3,
        locked_until=NOW + dt.timedelta(minutes=5),
        recovery_failures=3,
        recovery_locked_at=since,
    )
    assert (summary.kind, summary.since, summary.until) == (LockKind.RECOVERY, since, None)


def test_the_recovery_lock_never_ends_by_time():
    summary = lock(recovery_failures=3, recovery_locked_at=NOW - dt.timedelta(days=400))
    assert summary.kind is LockKind.RECOVERY
