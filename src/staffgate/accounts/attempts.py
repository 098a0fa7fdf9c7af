"""Failure counters and locks per User ID, exact under concurrency.

Each attempt is charged in one atomic upsert *before* any password hash is
computed, so however many requests arrive at once, at most the allowed number
of verifications happen per ID and lock window, and a locked or racing request
costs no hash. The same statement works on PostgreSQL and SQLite (both support
``INSERT … ON CONFLICT … DO UPDATE … WHERE … RETURNING``).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q

from staffgate.accounts.models import AccessLock
from staffgate.accounts.policy import Policy

TABLE = AccessLock._meta.db_table


class Refusal(enum.Enum):
    """Why an attempt was refused before any secret was checked."""

    TEMPORARY_LOCK = "temporary"
    RECOVERY_LOCK = "recovery"


def _ts(value: dt.datetime | None):
    return connection.ops.adapt_datetimefield_value(value)


def charge_login_attempt(user_id: str, now: dt.datetime, policy: Policy) -> int | Refusal:
    """Count one login attempt for ``user_id``; return its number in the series (1…max).

    The attempt that reaches the maximum sets the lock at once; a later
    success lifts it. Returns a :class:`Refusal` when the ID is locked.
    """
    lock_end = now + dt.timedelta(seconds=policy.lock_seconds)
    first_lock = _ts(lock_end) if policy.max_login_failures <= 1 else None
    sql = f"""
        INSERT INTO {TABLE} AS t (user_id, login_failures, locked_until,
                                  recovery_failures, recovery_locked_at)
        VALUES (%s, 1, %s, 0, NULL)
        ON CONFLICT (user_id) DO UPDATE SET
            login_failures = CASE WHEN t.locked_until IS NOT NULL THEN 1
                                  ELSE t.login_failures + 1 END,
            locked_until = CASE
                WHEN (CASE WHEN t.locked_until IS NOT NULL THEN 1
                           ELSE t.login_failures + 1 END) >= %s THEN %s
                ELSE NULL END
        WHERE t.recovery_locked_at IS NULL
          AND (t.locked_until IS NULL OR t.locked_until <= %s)
        RETURNING login_failures
    """  # noqa: S608 - the table name is a constant; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [user_id, first_lock, policy.max_login_failures, _ts(lock_end), _ts(now)]
        )
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    return _refusal(user_id)


def clear_login_failures(user_id: str) -> None:
    """A successful login: the series of failures (login and recovery) starts again."""
    AccessLock.objects.filter(user_id=user_id, recovery_locked_at__isnull=True).update(
        login_failures=0, locked_until=None, recovery_failures=0
    )


def refund_login_attempt(user_id: str, attempt: int, policy: Policy) -> None:
    """Take back one charged attempt whose secret was right but only the first of two factors.

    The series goes on, to be ended by the second factor: a right password neither counts as
    a failure nor clears the earlier ones. The lock is lifted only when this very attempt
    set it (it was the last allowed); a lock set by another attempt stays.
    """
    sql = f"""
        UPDATE {TABLE} SET
            login_failures = CASE WHEN login_failures > 0 THEN login_failures - 1 ELSE 0 END,
            locked_until = CASE WHEN %s >= %s THEN NULL ELSE locked_until END
        WHERE user_id = %s AND recovery_locked_at IS NULL
    """  # noqa: S608 - the table name is a constant; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [attempt, policy.max_login_failures, user_id])


def charge_recovery_attempt(user_id: str, now: dt.datetime, policy: Policy) -> int | Refusal:
    """Count one recovery attempt; the one that reaches the maximum locks until unlocked."""
    first_lock = _ts(now) if policy.max_recovery_failures <= 1 else None
    sql = f"""
        INSERT INTO {TABLE} AS t (user_id, login_failures, locked_until,
                                  recovery_failures, recovery_locked_at)
        VALUES (%s, 0, NULL, 1, %s)
        ON CONFLICT (user_id) DO UPDATE SET
            recovery_failures = t.recovery_failures + 1,
            recovery_locked_at = CASE WHEN t.recovery_failures + 1 >= %s THEN %s ELSE NULL END
        WHERE t.recovery_locked_at IS NULL
        RETURNING recovery_failures
    """  # noqa: S608 - the table name is a constant; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, first_lock, policy.max_recovery_failures, _ts(now)])
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    return Refusal.RECOVERY_LOCK


def clear_recovery_failures(user_id: str) -> None:
    """Right answers: the recovery series starts again (and any provisional lock is lifted)."""
    AccessLock.objects.filter(user_id=user_id).update(recovery_failures=0, recovery_locked_at=None)


def lock_state(user_id: str) -> AccessLock | None:
    """The counters of ``user_id``, if any attempt was ever recorded."""
    return AccessLock.objects.filter(user_id=user_id).first()


def unlock(user_id: str) -> bool:
    """Clear every count and lock of ``user_id``; True when there was something to clear.

    The help desk's counters of a name, one per client network (``NAME@network``), go too.
    """
    rows = AccessLock.objects.filter(Q(user_id=user_id) | Q(user_id__startswith=f"{user_id}@"))
    return (
        rows.update(
            login_failures=0, locked_until=None, recovery_failures=0, recovery_locked_at=None
        )
        > 0
    )


def lock_states(user_id: str) -> list[AccessLock]:
    """The counters of ``user_id`` and of its help-desk sign-ins from every network."""
    return list(
        AccessLock.objects.filter(Q(user_id=user_id) | Q(user_id__startswith=f"{user_id}@"))
    )


def tries_left(attempt: int, maximum: int) -> int:
    """How many more wrong tries the series allows after its ``attempt``-th (0: it is locked)."""
    return max(0, maximum - attempt)


def login_lock_end(user_id: str) -> dt.datetime | None:
    """When the temporary lock of ``user_id`` ends, if it is locked (``None`` otherwise)."""
    state = lock_state(user_id)
    return state.locked_until if state is not None else None


def _refusal(user_id: str) -> Refusal:
    state = lock_state(user_id)
    if state is not None and state.recovery_locked_at is not None:
        return Refusal.RECOVERY_LOCK
    return Refusal.TEMPORARY_LOCK


# --- The one skeleton of every check of a secret -------------------------------------------


class Series(enum.Enum):
    """The two series an ID's attempts are charged to."""

    LOGIN = "login"  # passwords and PINs: login pages, help desk, current-password checks
    RECOVERY = "recovery"  # answers to the challenge questions


@dataclass(frozen=True)
class Check:
    """What one charged check of a secret came to."""

    refusal: Refusal | None = None  # refused by a lock before any hash was computed
    attempt: int = 0  # its number in the series (1…maximum); 0 when refused
    correct: bool = False
    locks: bool = False  # a wrong attempt that reached the maximum, and so set the lock

    @property
    def refused(self) -> bool:
        return self.refusal is not None


def charged_check(
    series: Series,
    key: str,
    policy: Policy,
    verify: Callable[[], bool],
    *,
    now: dt.datetime,
    audit: Callable[[Check], None],
    settles: Callable[[], bool] | None = None,
    accepted: Callable[[], None] | None = None,
) -> Check:
    """Charge the attempt, verify the secret, audit a refusal or a failure, clear on success.

    Login, the help desk's login, recovery answers and current-password checks all
    go through here, so each is exact under concurrency in the same way: ``verify``
    (the hashing) runs only for an attempt the lock has already counted. ``settles``
    (login series only) says whether a right secret ends the series: False when a second
    factor must still pass, and then the attempt is refunded instead of the series cleared.
    ``accepted`` is what a right secret leads to (audit, session): it commits together
    with the clearing, after the hash, in one transaction.
    """
    if series is Series.LOGIN:
        charge = charge_login_attempt(key, now, policy)
        maximum, clear = policy.max_login_failures, clear_login_failures
    else:
        charge = charge_recovery_attempt(key, now, policy)
        maximum, clear = policy.max_recovery_failures, clear_recovery_failures
    if isinstance(charge, Refusal):
        check = Check(refusal=charge)
    elif verify():
        with transaction.atomic():
            if series is Series.LOGIN and settles is not None and not settles():
                refund_login_attempt(key, charge, policy)
            else:
                clear(key)
            if accepted is not None:
                accepted()
        return Check(attempt=charge, correct=True)
    else:
        check = Check(attempt=charge, locks=charge >= maximum)
    audit(check)
    return check
