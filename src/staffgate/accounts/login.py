"""Logging in: the password for registered people and staff, the PIN for the others.

Every attempt that is not refused by a lock costs exactly one password hash,
whether the ID is unknown, unregistered or registered, so neither the answer
nor its timing tells whether an ID exists.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cache

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction

from staffgate.accounts import attempts
from staffgate.accounts.models import Account
from staffgate.accounts.policy import Policy
from staffgate.audit.services import clean_text, record_event
from staffgate.core import timeutil
from staffgate.core.outcomes import Outcome
from staffgate.roster.eligibility import check_eligibility, facts_of
from staffgate.roster.ids import MAX_LENGTH, normalise_user_id
from staffgate.roster.models import Person
from staffgate.roster.pin import pin_matches, pin_of


class Entry(enum.Enum):
    """Where an attempt was made: its audit tags start with the value."""

    PORTAL = "account"  # the employees' login page
    HELPDESK = "helpdesk"  # the help desk's login page


class LoginOutcome(enum.Enum):
    SIGNED_IN = "signed_in"
    START_REGISTRATION = "start_registration"
    INVALID = Outcome.LOGIN_INVALID.value
    LOCKED = Outcome.LOGIN_LOCKED.value
    ACCOUNT_LOCKED = Outcome.ACCOUNT_LOCKED.value
    NOT_ELIGIBLE = Outcome.LOGIN_NOT_ELIGIBLE.value


@dataclass
class LoginResult:
    outcome: LoginOutcome
    user_id: str
    account: Account | None = None
    person: Person | None = None


@cache
def _dummy_hash() -> str:
    """A hash with the production parameters, verified when there is nothing real to verify."""
    return make_password("staffgate-timing-equaliser")


def spend_one_hash(secret: str) -> None:
    """Cost the same as verifying a real password, for IDs that have none."""
    check_password(secret, _dummy_hash())


def find_login(typed: str, user_id: str) -> tuple[Person | None, Account | None]:
    """The roster person and account a typed User ID names: an employee's, or a staff name."""
    person = None
    if len(user_id) <= MAX_LENGTH:
        # [:1] rather than first(): no ORDER BY on a unique lookup.
        person = next(
            iter(Person.objects.select_related("account").filter(employee_id=user_id)[:1]), None
        )
    if person is not None:
        return person, getattr(person, "account", None)
    staff = Account.objects.filter(user_id=typed.strip(), person__isnull=True)[:1]
    return None, next(iter(staff), None)


def attempt_login(
    user_id: str, secret: str, policy: Policy, *, request=None, entry: Entry = Entry.PORTAL
) -> LoginResult:
    """Check ``secret`` (a password, or a PIN before registration) for ``user_id``.

    Employees and staff alike: the attempt is charged to the lock of the
    normalised ID first, then exactly one hash is computed.
    """
    typed = user_id or ""
    user_id = normalise_user_id(typed)
    key = user_id[: MAX_LENGTH * 3]
    charge = attempts.charge_login_attempt(key, timeutil.now(), policy)
    if isinstance(charge, attempts.Refusal):
        outcome = (
            LoginOutcome.ACCOUNT_LOCKED
            if charge is attempts.Refusal.RECOVERY_LOCK
            else LoginOutcome.LOCKED
        )
        _audit(entry, "refused", request, key, typed, outcome.value)
        return LoginResult(outcome, user_id)

    person, account = find_login(typed, user_id)
    if account is not None:

        def upgrade(raw):
            account.password = make_password(raw)
            account.save(update_fields=["password"])

        correct = check_password(secret, account.password, setter=upgrade) and account.is_active
    else:
        spend_one_hash(secret)
        correct = person is not None and pin_matches(secret, pin_of(person))

    if not correct:
        outcome = (
            LoginOutcome.LOCKED if charge >= policy.max_login_failures else LoginOutcome.INVALID
        )
        tag = "locked" if outcome is LoginOutcome.LOCKED else "failure"
        detail = {"attempt": charge, "method": "password" if account else "pin"}
        _audit(entry, tag, request, key, typed, outcome.value, detail)
        return LoginResult(outcome, user_id)

    with transaction.atomic():
        return _accepted(key, user_id, person, account, request, entry)


def _audit(entry, what, request, key, typed, outcome, detail=None) -> None:
    if entry is Entry.PORTAL:
        record_event(
            f"account:login:{what}", request=request, user_id=key, outcome=outcome, detail=detail
        )
        return
    # The help desk's events name the typed username and keep their own outcome words.
    named = {"username": clean_text(typed, 150)}
    if what == "refused":
        record_event("helpdesk:login:refused", request=request, detail=named)
        return
    record_event(
        "helpdesk:login:failure",
        request=request,
        outcome="locked" if what == "locked" else "invalid",
        detail={**named, "attempt": detail["attempt"]},
    )


def _accepted(key, user_id, person, account, request, entry) -> LoginResult:
    """The secret was right: clear the failures, then let in, register or turn away."""
    attempts.clear_login_failures(key)
    if person is None:
        return LoginResult(LoginOutcome.SIGNED_IN, user_id, account, None)
    reason = check_eligibility(facts_of(person), timeutil.local_today())
    if reason is not None:
        record_event(
            f"{entry.value}:login:not_eligible",
            request=request,
            user_id=key,
            outcome=LoginOutcome.NOT_ELIGIBLE.value,
            detail={"reason": reason.value},
        )
        return LoginResult(LoginOutcome.NOT_ELIGIBLE, user_id, account, person)
    if account is None:
        if entry is Entry.PORTAL:
            record_event(
                "account:register:start", request=request, user_id=key, outcome="pin_accepted"
            )
        return LoginResult(LoginOutcome.START_REGISTRATION, user_id, None, person)
    if entry is Entry.PORTAL:
        record_event("account:login:success", request=request, user_id=key, outcome="signed_in")
    return LoginResult(LoginOutcome.SIGNED_IN, user_id, account, person)
