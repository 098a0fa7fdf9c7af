"""Second factors: the login step's check, enrolment, and the changes a person makes.

Every check of a code is charged to the account's login lock *before* the code is
looked at, through the same skeleton as passwords, so password guesses and code
guesses share one series of strikes, exact under any concurrency.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.db import transaction

from staffgate.accounts import attempts
from staffgate.accounts.policy import Policy
from staffgate.audit.services import record_event
from staffgate.audit.tags import EventTag
from staffgate.core import timeutil
from staffgate.core.mail import mail_account
from staffgate.core.outcomes import Outcome, ServiceOutcome
from staffgate.factors import crypto, recovery_codes, totp
from staffgate.factors.models import TotpFactor

DEFAULT_NAME = "Authenticator app"
NAME_MAX = 64


class CodeOutcome(ServiceOutcome):
    """What one typed second-factor code came to."""

    RIGHT = "right"
    WRONG = "code.invalid", Outcome.CODE_INVALID
    LOCKED = "login.locked", Outcome.LOGIN_LOCKED
    ACCOUNT_LOCKED = "account.locked", Outcome.ACCOUNT_LOCKED


@dataclass(frozen=True)
class CodeResult:
    outcome: CodeOutcome
    method: str = ""  # "totp" or "recovery_code" when right
    tries_left: int = 0


class Used(enum.StrEnum):
    TOTP = "totp"
    RECOVERY_CODE = "recovery_code"


def _matching_method(account, typed: str) -> str:
    """Which factor ``typed`` is a right (and so now used) code of, or ``""``."""
    code = "".join(typed.split())
    if len(code) == totp.DIGITS and code.isdigit():
        for factor in TotpFactor.objects.filter(user=account, confirmed=True):
            if factor.verify_token(code):
                return Used.TOTP
        return ""
    if recovery_codes.use_code(account, typed):
        return Used.RECOVERY_CODE
    return ""


def check_code(account, typed: str, policy: Policy, *, request=None, purpose: str) -> CodeResult:
    """Check an authenticator-app or recovery code, charged to the login lock first."""
    used = {}

    def verify() -> bool:
        used["method"] = _matching_method(account, typed)
        return bool(used["method"])

    def audit(check: attempts.Check) -> None:
        if check.refused:
            tag, detail = EventTag.Account.LOGIN_REFUSED, {"purpose": purpose}
        else:
            tag = (
                EventTag.Account.LOGIN_CODE_LOCKED
                if check.locks
                else EventTag.Account.LOGIN_CODE_FAILURE
            )
            detail = {"attempt": check.attempt, "purpose": purpose}
        record_event(
            tag,
            request=request,
            user_id=account.user_id,
            outcome=_outcome(check).value,
            detail=detail,
        )

    check = attempts.charged_check(
        attempts.Series.LOGIN,
        account.user_id,
        policy,
        verify,
        now=timeutil.now(),
        audit=audit,
    )
    outcome = _outcome(check)
    if outcome is CodeOutcome.RIGHT and used["method"] == Used.RECOVERY_CODE:
        mail_account(account, "recovery_code_used", remaining=recovery_codes.remaining(account))
    return CodeResult(
        outcome,
        method=used.get("method", "") if outcome is CodeOutcome.RIGHT else "",
        tries_left=max(0, policy.max_login_failures - check.attempt) if check.attempt else 0,
    )


def _outcome(check: attempts.Check) -> CodeOutcome:
    if check.refusal is attempts.Refusal.RECOVERY_LOCK:
        return CodeOutcome.ACCOUNT_LOCKED
    if check.refused or check.locks:
        return CodeOutcome.LOCKED
    return CodeOutcome.RIGHT if check.correct else CodeOutcome.WRONG


def tries_left(account, policy: Policy) -> int:
    """How many more wrong passwords or codes the lock allows right now."""
    state = attempts.lock_state(account.user_id)
    if state is None:
        return policy.max_login_failures
    if state.recovery_locked_at is not None:
        return 0
    if state.locked_until is not None and state.locked_until > timeutil.now():
        return 0
    failures = 0 if state.locked_until is not None else state.login_failures
    return max(0, policy.max_login_failures - failures)


# --- Enrolment ---------------------------------------------------------------------------


def start_totp(account) -> TotpFactor:
    """A new, unconfirmed authenticator app with a fresh key (earlier unconfirmed ones go)."""
    TotpFactor.objects.filter(user=account, confirmed=False).delete()
    return TotpFactor.objects.create(
        user=account,
        name=DEFAULT_NAME,
        confirmed=False,
        encrypted_key=crypto.encrypt(totp.new_key()),
    )


def pending_totp(account, pk) -> TotpFactor | None:
    return TotpFactor.objects.filter(user=account, pk=pk, confirmed=False).first()


@dataclass(frozen=True)
class Enrolment:
    factor: TotpFactor
    codes: list[str]  # new recovery codes, in clear this once; empty when some already exist


def confirm_totp(request, account, factor: TotpFactor, name: str = "") -> Enrolment:
    """The first right code was typed: the app counts from now on, and is announced."""
    with transaction.atomic():
        factor.confirmed = True
        factor.name = (name or "").strip()[:NAME_MAX] or DEFAULT_NAME
        factor.save(update_fields=["confirmed", "name"])
        codes = []
        if recovery_codes.remaining(account) == 0:
            codes = recovery_codes.replace_codes(account)
        record_event(
            EventTag.Account.FACTOR_ADDED,
            request=request,
            user_id=account.user_id,
            outcome="added",
            detail={"kind": "totp", "factor": factor.pk, "recovery_codes": bool(codes)},
        )
    account.factor_enrolled = True
    mail_account(account, "factor_added", factor_name=factor.name)
    return Enrolment(factor, codes)


def rename_factor(request, account, factor: TotpFactor, name: str) -> None:
    old = factor.name
    factor.name = name.strip()[:NAME_MAX] or DEFAULT_NAME
    factor.save(update_fields=["name"])
    record_event(
        EventTag.Account.FACTOR_RENAMED,
        request=request,
        user_id=account.user_id,
        outcome="renamed",
        detail={"factor": factor.pk},
    )
    mail_account(account, "factor_renamed", old_name=old, factor_name=factor.name)


def remove_factor(request, account, factor: TotpFactor) -> None:
    """Remove an authenticator app; without any left, the recovery codes go too."""
    name, pk = factor.name, factor.pk
    with transaction.atomic():
        factor.delete()
        last = not TotpFactor.objects.filter(user=account, confirmed=True).exists()
        if last:
            account.recovery_codes.all().delete()
        record_event(
            EventTag.Account.FACTOR_REMOVED,
            request=request,
            user_id=account.user_id,
            outcome="removed",
            detail={"kind": "totp", "factor": pk, "last": last},
        )
    account.factor_enrolled = not last
    mail_account(account, "factor_removed", factor_name=name, last=last)


def regenerate_codes(request, account) -> list[str]:
    codes = recovery_codes.replace_codes(account)
    record_event(
        EventTag.Account.RECOVERY_CODES_NEW,
        request=request,
        user_id=account.user_id,
        outcome="replaced",
    )
    mail_account(account, "recovery_codes_replaced")
    return codes


def factors_of(account):
    return TotpFactor.objects.filter(user=account, confirmed=True)


def reset_factors(account, *, actor: str, reason: str, request=None) -> bool:
    """The help desk's reset: every app and recovery code goes, and the person's sessions end.

    The person is told by mail; they log in with their password alone (and enrol again
    where a factor is required). True when there was something to remove.
    """
    from staffgate.accounts import sessions

    with transaction.atomic():
        removed, _kinds = TotpFactor.objects.filter(user=account).delete()
        codes, _kinds = account.recovery_codes.all().delete()
        had = bool(removed or codes)
        if had:
            sessions.end_sessions(account)
        record_event(
            EventTag.Account.FACTORS_RESET,
            request=request,
            user_id=account.user_id,
            actor=actor,
            outcome="reset" if had else "nothing_to_reset",
            detail={"reason": reason},
        )
    account.factor_enrolled = False
    if had:
        mail_account(account, "factors_reset")
    return had
