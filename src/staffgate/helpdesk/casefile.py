"""What an agent sees about the person behind a ticket: roster, account, locks, recent events.

Built from rows into plain values for the template, so no hash of a password or
an answer can ever reach the page: they are never read here.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from staffgate.accounts import attempts
from staffgate.accounts.models import Account
from staffgate.audit.models import AuditEvent
from staffgate.roster.eligibility import Ineligibility, check_eligibility, facts_of
from staffgate.roster.models import Person

RECENT_EVENTS = 20


class LockKind(enum.Enum):
    NONE = "none"
    TEMPORARY = "temporary"
    RECOVERY = "recovery"


@dataclass(frozen=True)
class LockSummary:
    """Which lock holds (the recovery lock wins: only the help desk lifts it) and the counts."""

    kind: LockKind
    since: dt.datetime | None
    until: dt.datetime | None
    login_failures: int
    recovery_failures: int

    @property
    def locked(self) -> bool:
        return self.kind is not LockKind.NONE


def describe_lock(
    *,
    login_failures: int,
    locked_until: dt.datetime | None,
    recovery_failures: int,
    recovery_locked_at: dt.datetime | None,
    now: dt.datetime,
) -> LockSummary:
    """Summarise one ID's counters at ``now``; an ended temporary lock counts as none."""
    if recovery_locked_at is not None:
        kind, since, until = LockKind.RECOVERY, recovery_locked_at, None
    elif locked_until is not None and locked_until > now:
        kind, since, until = LockKind.TEMPORARY, None, locked_until
    else:
        kind, since, until = LockKind.NONE, None, None
    return LockSummary(kind, since, until, login_failures, recovery_failures)


@dataclass(frozen=True)
class RosterRecord:
    employee_id: str
    full_name: str
    status: str
    country: str
    retirement_plan: bool
    separation_date: dt.date | None
    ineligibility: Ineligibility | None
    email: str = ""

    @property
    def eligible(self) -> bool:
        return self.ineligibility is None


@dataclass(frozen=True)
class AccountRecord:
    registered_at: dt.datetime
    email: str
    language: str
    last_login: dt.datetime | None
    password_changed_at: dt.datetime
    live_sessions: int


@dataclass(frozen=True)
class CaseFile:
    user_id: str
    roster: RosterRecord | None
    account: AccountRecord | None
    lock: LockSummary
    events: list[AuditEvent]


def load_case_file(user_id: str, *, now: dt.datetime, today: dt.date) -> CaseFile:
    """Everything the help desk may know about ``user_id`` (already normalised)."""
    person = Person.objects.filter(employee_id=user_id).first()
    roster = None
    if person is not None:
        roster = RosterRecord(
            employee_id=person.employee_id,
            full_name=person.full_name,
            status=person.status,
            country=person.country,
            retirement_plan=person.retirement_plan,
            separation_date=person.separation_date,
            ineligibility=check_eligibility(facts_of(person), today),
            email=person.email,
        )
    row = (
        Account.objects.filter(user_id=user_id)
        .only("registered_at", "email", "language", "last_login", "password_changed_at")
        .first()
    )
    account = None
    if row is not None:
        account = AccountRecord(
            registered_at=row.registered_at,
            email=row.email,
            language=row.language,
            last_login=row.last_login,
            password_changed_at=row.password_changed_at,
            live_sessions=row.sessions.count(),
        )
    state = attempts.lock_state(user_id)
    lock = describe_lock(
        login_failures=state.login_failures if state else 0,
        locked_until=state.locked_until if state else None,
        recovery_failures=state.recovery_failures if state else 0,
        recovery_locked_at=state.recovery_locked_at if state else None,
        now=now,
    )
    events = list(
        AuditEvent.objects.filter(user_id=user_id)
        .only("created_at", "tag", "outcome", "actor", "ip")
        .order_by("-created_at", "-id")[:RECENT_EVENTS]
    )
    return CaseFile(user_id, roster, account, lock, events)
