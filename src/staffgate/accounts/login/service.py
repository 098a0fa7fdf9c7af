"""Logging in: the password for registered people and staff, the PIN for the others.

Every attempt that is not refused by a lock costs exactly one password hash,
whether the ID is unknown, unregistered or registered, so neither the answer
nor its timing tells whether an ID exists.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.contrib.auth.hashers import check_password, make_password

from staffgate.accounts import attempts
from staffgate.accounts.access import refused_access
from staffgate.accounts.models import AccessLock, Account
from staffgate.accounts.policy import Policy
from staffgate.audit.services import clean_text, client_ip, record_event
from staffgate.audit.tags import EventTag
from staffgate.core import timeutil
from staffgate.core.identifiers import recorded_identifier
from staffgate.core.outcomes import Outcome, ServiceOutcome
from staffgate.core.prepared import PreparedQuery
from staffgate.core.throttle import client_network
from staffgate.factors.enrolment import enrolled_annotation, factor_follows
from staffgate.roster.ids import MAX_LENGTH, is_well_formed, normalise_user_id
from staffgate.roster.models import Person
from staffgate.roster.pin import pin_matches, pin_of

KEY_LENGTH = AccessLock._meta.get_field("user_id").max_length


class Entry(enum.Enum):
    """Where an attempt was made: its audit tags start with the value."""

    PORTAL = "account"  # the employees' login page
    HELPDESK = "helpdesk"  # the help desk's login page


class LoginOutcome(ServiceOutcome):
    """What a sign-in attempt led to, and the page outcome each refusal shows."""

    SIGNED_IN = "signed_in"
    START_REGISTRATION = "start_registration"
    INVALID = Outcome.LOGIN_INVALID
    LOCKED = Outcome.LOGIN_LOCKED
    ACCOUNT_LOCKED = Outcome.ACCOUNT_LOCKED
    NOT_ELIGIBLE = Outcome.LOGIN_NOT_ELIGIBLE


@dataclass
class LoginResult:
    outcome: LoginOutcome
    user_id: str
    account: Account | None = None
    person: Person | None = None
    tries_left: int | None = None  # after a wrong secret: wrong tries allowed before the lock
    locked_until: dt.datetime | None = None  # the temporary lock's end


@cache
def _dummy_hash() -> str:
    """A hash with the production parameters, verified when there is nothing real to verify."""
    return make_password("staffgate-timing-equaliser")


def spend_one_hash(secret: str) -> None:
    """Cost the same as verifying a real password, for IDs that have none."""
    check_password(secret, _dummy_hash())


# [:1] rather than first(): no ORDER BY on a unique lookup.
_PERSON_WITH_ACCOUNT = PreparedQuery(
    lambda employee_id: (
        Person.objects.select_related("account")
        .filter(employee_id=employee_id)
        .annotate(**enrolled_annotation())[:1]
    ),
    str,
)
_STAFF_ACCOUNT = PreparedQuery(
    lambda name: Account.objects.filter(user_id=name, person__isnull=True)[:1], str
)


def find_login(typed: str, user_id: str) -> tuple[Person | None, Account | None]:
    """The roster person and account a typed User ID names: an employee's, or a staff name."""
    person = None
    if len(user_id) <= MAX_LENGTH:
        person = next(iter(_PERSON_WITH_ACCOUNT(user_id)), None)
    # The staff names are looked up for every ID, a roster one too, so that an ID on the
    # roster and one that is not cost the same queries (a staff account's factor is looked
    # up later, only when the name is one).
    staff_account = next(iter(_STAFF_ACCOUNT(typed.strip())), None)
    if person is not None:
        account = getattr(person, "account", None)
        if account is not None:
            account.factor_enrolled = person.factor_enrolled
        return person, account
    return None, staff_account


def lock_key(user_id: str, entry: Entry = Entry.PORTAL, request=None) -> str:
    """The counters an attempt is charged to: the normalised ID's, as the lock table keeps it.

    At the help desk, the agent's name together with the client's network: strangers
    can lock an agent out only from where they are, not from everywhere.
    """
    key = recorded_identifier(user_id)
    if entry is Entry.HELPDESK:
        network = client_network(client_ip(request) or "unknown")
        if len(key) + 1 + len(network) > KEY_LENGTH:
            network = hashlib.sha256(network.encode()).hexdigest()[:16]
        key = f"{key}@{network}"
    return key


def attempt_login(
    user_id: str,
    secret: str,
    policy: Policy,
    *,
    request=None,
    entry: Entry = Entry.PORTAL,
    then: Callable[[LoginResult], None] | None = None,
) -> LoginResult:
    """Check ``secret`` (a password, or a PIN before registration) for ``user_id``.

    Employees and staff alike: the attempt is charged to the lock of the
    normalised ID first, then exactly one hash is computed. After a right secret,
    ``then(result)`` (what the page does next: the session) runs in the transaction
    that clears the series and audits the outcome, so that all of it is one commit.
    """
    typed = user_id or ""
    user_id = normalise_user_id(typed)
    key = lock_key(user_id, entry, request)
    found: dict = {}

    def verify() -> bool:
        person, account = found["person"], found["account"] = find_login(typed, user_id)
        if account is not None:

            def upgrade(raw):
                account.password = make_password(raw)
                account.save(update_fields=["password"])

            return check_password(secret, account.password, setter=upgrade) and account.is_active
        spend_one_hash(secret)
        return person is not None and pin_matches(secret, pin_of(person))

    def audit(check: attempts.Check) -> None:
        _audit_refusal_or_failure(entry, check, request, key, typed, found.get("account"))

    def settles() -> bool:
        # With a second factor to pass, the right password does not end the series.
        return not factor_follows(found["account"])

    def accepted() -> None:
        result = found["result"] = _accepted(
            key, user_id, found["person"], found["account"], request, entry
        )
        if then is not None:
            then(result)

    check = attempts.charged_check(
        attempts.Series.LOGIN,
        key,
        policy,
        verify,
        now=timeutil.now(),
        audit=audit,
        settles=settles,
        accepted=accepted,
    )
    if check.refusal is attempts.Refusal.RECOVERY_LOCK:
        return LoginResult(LoginOutcome.ACCOUNT_LOCKED, user_id)
    if check.refused or check.locks:
        return LoginResult(
            LoginOutcome.LOCKED, user_id, locked_until=attempts.login_lock_end(key), tries_left=0
        )
    if not check.correct:
        left = attempts.tries_left(check.attempt, policy.max_login_failures)
        return LoginResult(LoginOutcome.INVALID, user_id, tries_left=left)
    return found["result"]


def _audit_refusal_or_failure(entry, check, request, key, typed, account) -> None:
    if check.refused:
        outcome = (
            LoginOutcome.ACCOUNT_LOCKED
            if check.refusal is attempts.Refusal.RECOVERY_LOCK
            else LoginOutcome.LOCKED
        )
    else:
        outcome = LoginOutcome.LOCKED if check.locks else LoginOutcome.INVALID
    if entry is Entry.PORTAL:
        if check.refused:
            tag, detail = EventTag.Account.LOGIN_REFUSED, None
        else:
            tag = EventTag.Account.LOGIN_LOCKED if check.locks else EventTag.Account.LOGIN_FAILURE
            detail = {"attempt": check.attempt, "method": "password" if account else "pin"}
        record_event(tag, request=request, user_id=key, outcome=outcome.value, detail=detail)
        return
    # The help desk's events name the agent and keep their own outcome words; a name that is
    # no staff account's is kept like any other typed ID: as itself only when ID-shaped.
    if account is not None and not account.is_employee:
        username = account.user_id
    elif is_well_formed(normalise_user_id(typed)):
        username = typed.strip()
    else:
        username = recorded_identifier(normalise_user_id(typed))
    named = {"username": clean_text(username, 150)}
    if check.refused:
        record_event(EventTag.Helpdesk.LOGIN_REFUSED, request=request, detail=named)
        return
    record_event(
        EventTag.Helpdesk.LOGIN_FAILURE,
        request=request,
        outcome="locked" if check.locks else "invalid",
        detail={**named, "attempt": check.attempt},
    )


def _accepted(key, user_id, person, account, request, entry) -> LoginResult:
    """The secret was right: let in, register or turn away (in the settling transaction)."""
    if person is None:
        return LoginResult(LoginOutcome.SIGNED_IN, user_id, account, None)
    if refused_access(
        person,
        EventTag.Account.LOGIN_NOT_ELIGIBLE,
        request=request,
        user_id=key,
        outcome=LoginOutcome.NOT_ELIGIBLE.value,
    ):
        return LoginResult(LoginOutcome.NOT_ELIGIBLE, user_id, account, person)
    if account is None:
        if entry is Entry.PORTAL:
            record_event(
                EventTag.Account.REGISTER_START,
                request=request,
                user_id=key,
                outcome="pin_accepted",
            )
        return LoginResult(LoginOutcome.START_REGISTRATION, user_id, None, person)
    if entry is Entry.PORTAL:
        # With a second factor to pass, the session has not started yet.
        tag, outcome = (
            (EventTag.Account.LOGIN_PASSWORD_OK, "code_next")
            if factor_follows(account)
            else (EventTag.Account.LOGIN_SUCCESS, "signed_in")
        )
        record_event(tag, request=request, user_id=key, outcome=outcome)
    return LoginResult(LoginOutcome.SIGNED_IN, user_id, account, person)
