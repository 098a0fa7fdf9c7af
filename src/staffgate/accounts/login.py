"""Logging in (SPEC §3): the password for registered people, the PIN for the others.

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
from staffgate.audit.services import record_event
from staffgate.core import timeutil
from staffgate.core.outcomes import Outcome
from staffgate.roster.eligibility import check_eligibility, facts_of
from staffgate.roster.ids import MAX_LENGTH, normalise_user_id
from staffgate.roster.models import Person
from staffgate.roster.pin import pin_matches, pin_of


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


def attempt_login(user_id: str, secret: str, policy: Policy, *, request=None) -> LoginResult:
    """Check ``secret`` (a password, or a PIN before registration) for ``user_id``."""
    user_id = normalise_user_id(user_id)
    key = user_id[: MAX_LENGTH * 3]
    now = timeutil.now()
    charge = attempts.charge_login_attempt(key, now, policy)
    if isinstance(charge, attempts.Refusal):
        outcome = (
            LoginOutcome.ACCOUNT_LOCKED
            if charge is attempts.Refusal.RECOVERY_LOCK
            else LoginOutcome.LOCKED
        )
        record_event("account:login:refused", request=request, user_id=key, outcome=outcome.value)
        return LoginResult(outcome, user_id)

    person = None
    if len(user_id) <= MAX_LENGTH:
        # [:1] rather than first(): no ORDER BY on a unique lookup.
        person = next(
            iter(Person.objects.select_related("account").filter(employee_id=user_id)[:1]), None
        )
    account = getattr(person, "account", None) if person is not None else None
    if account is not None:

        def upgrade(raw):
            account.password = make_password(raw)
            account.save(update_fields=["password"])

        correct = check_password(secret, account.password, setter=upgrade)
    else:
        spend_one_hash(secret)
        correct = person is not None and pin_matches(secret, pin_of(person))

    if not correct:
        outcome = (
            LoginOutcome.LOCKED if charge >= policy.max_login_failures else LoginOutcome.INVALID
        )
        tag = "account:login:locked" if outcome is LoginOutcome.LOCKED else "account:login:failure"
        record_event(
            tag,
            request=request,
            user_id=key,
            outcome=outcome.value,
            detail={"attempt": charge, "method": "password" if account else "pin"},
        )
        return LoginResult(outcome, user_id)

    with transaction.atomic():
        return _accepted(key, user_id, person, account, request)


def _accepted(key: str, user_id: str, person: Person, account: Account | None, request):
    """The secret was right: clear the failures, then let in, register or turn away."""
    attempts.clear_login_failures(key)
    reason = check_eligibility(facts_of(person), timeutil.local_today())
    if reason is not None:
        record_event(
            "account:login:not_eligible",
            request=request,
            user_id=key,
            outcome=LoginOutcome.NOT_ELIGIBLE.value,
            detail={"reason": reason.value},
        )
        return LoginResult(LoginOutcome.NOT_ELIGIBLE, user_id, account, person)
    if account is None:
        record_event("account:register:start", request=request, user_id=key, outcome="pin_accepted")
        return LoginResult(LoginOutcome.START_REGISTRATION, user_id, None, person)
    record_event("account:login:success", request=request, user_id=key, outcome="signed_in")
    return LoginResult(LoginOutcome.SIGNED_IN, user_id, account, person)
