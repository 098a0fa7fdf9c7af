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
from staffgate.factors import crypto, passkeys, recovery_codes, totp
from staffgate.factors.models import PasskeyFactor, TotpFactor

DEFAULT_NAME = "Authenticator app"
DEFAULT_PASSKEY_NAME = "Passkey"
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
    PASSKEY = "passkey"
    EMAIL_CODE = "email_code"


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


def _mailed_code_matches(email_code, typed: str) -> str:
    """``Used.EMAIL_CODE`` when ``typed`` is the fallback code mailed at this login."""
    from staffgate.factors import email_codes

    code = "".join(typed.split())
    if email_code is None or not (len(code) == email_codes.DIGITS and code.isdigit()):
        return ""
    right = email_codes.check_code(email_code, code).verdict is email_codes.Verdict.RIGHT
    return Used.EMAIL_CODE if right else ""


def matching_method(account, typed: str) -> str:
    """Which factor ``typed`` is a right code of (now used), uncharged: callers charge first."""
    return _matching_method(account, typed)


def check_code(
    account, typed: str, policy: Policy, *, request=None, purpose: str, email_code=None
) -> CodeResult:
    """Check an authenticator-app, recovery or mailed code, charged to the login lock first."""

    def verify(used: dict) -> bool:
        used["method"] = _matching_method(account, typed) or _mailed_code_matches(email_code, typed)
        return bool(used["method"])

    result = _charged(account, policy, verify, request=request, purpose=purpose)
    if result.method == Used.RECOVERY_CODE:
        mail_account(account, "recovery_code_used", remaining=recovery_codes.remaining(account))
    return result


def check_passkey(
    account,
    credential_json: str,
    policy: Policy,
    *,
    request,
    purpose: str,
    ceremony: passkeys.Ceremony = passkeys.Ceremony.LOGIN,
) -> CodeResult:
    """Check a passkey's signed challenge, charged to the login lock first like a code."""

    def verify(used: dict) -> bool:
        try:
            passkeys.verify_assertion(request, account, credential_json, ceremony)
        except passkeys.Refused as refused:
            used["failure"] = refused.failure.value
            return False
        used["method"] = Used.PASSKEY
        return True

    return _charged(account, policy, verify, request=request, purpose=purpose)


def _charged(account, policy: Policy, verify, *, request, purpose: str) -> CodeResult:
    """One second-factor check through the login lock's skeleton, audited as a code check."""
    used: dict = {}

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
            if "failure" in used:
                detail |= {"factor": Used.PASSKEY.value, "reason": used["failure"]}
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
        lambda: verify(used),
        now=timeutil.now(),
        audit=audit,
    )
    outcome = _outcome(check)
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
        codes = _added(request, account, factor)
    mail_account(account, "factor_added", factor_name=factor.name)
    return Enrolment(factor, codes)


def add_passkey(request, account, credential_json: str, name: str = "") -> Enrolment:
    """Verify the browser's new passkey and keep it; raises ``passkeys.Refused`` (audited)."""
    try:
        new = passkeys.verify_registration(request, credential_json)
        with transaction.atomic():
            factor = passkeys.store_passkey(
                account, new, (name or "").strip()[:NAME_MAX] or DEFAULT_PASSKEY_NAME
            )
            codes = _added(request, account, factor)
    except passkeys.Refused as refused:
        record_event(
            EventTag.Account.FACTOR_REFUSED,
            request=request,
            user_id=account.user_id,
            outcome="refused",
            detail={"kind": "passkey", "reason": refused.failure.value},
        )
        raise
    mail_account(account, "factor_added", factor_name=factor.name)
    return Enrolment(factor, codes)


def _added(request, account, factor) -> list[str]:
    """Audit a new factor; the first one also brings recovery codes (returned in clear)."""
    codes = []
    if recovery_codes.remaining(account) == 0:
        codes = recovery_codes.replace_codes(account)
    record_event(
        EventTag.Account.FACTOR_ADDED,
        request=request,
        user_id=account.user_id,
        outcome="added",
        detail={"kind": kind_of(factor), "factor": factor.pk, "recovery_codes": bool(codes)},
    )
    account.factor_enrolled = True
    return codes


def kind_of(factor) -> str:
    return "passkey" if isinstance(factor, PasskeyFactor) else "totp"


def rename_factor(request, account, factor: TotpFactor | PasskeyFactor, name: str) -> None:
    old = factor.name
    default = DEFAULT_PASSKEY_NAME if isinstance(factor, PasskeyFactor) else DEFAULT_NAME
    factor.name = name.strip()[:NAME_MAX] or default
    factor.save(update_fields=["name"])
    record_event(
        EventTag.Account.FACTOR_RENAMED,
        request=request,
        user_id=account.user_id,
        outcome="renamed",
        detail={"kind": kind_of(factor), "factor": factor.pk},
    )
    mail_account(account, "factor_renamed", old_name=old, factor_name=factor.name)


def remove_factor(request, account, factor: TotpFactor | PasskeyFactor) -> None:
    """Remove an app or a passkey; without any factor left, the recovery codes go too."""
    name, pk, kind = factor.name, factor.pk, kind_of(factor)
    with transaction.atomic():
        factor.delete()
        last = not has_any_factor(account)
        if last:
            account.recovery_codes.all().delete()
        record_event(
            EventTag.Account.FACTOR_REMOVED,
            request=request,
            user_id=account.user_id,
            outcome="removed",
            detail={"kind": kind, "factor": pk, "last": last},
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
    """The account's authenticator apps."""
    return TotpFactor.objects.filter(user=account, confirmed=True)


def passkeys_of(account):
    return passkeys.passkeys_of(account)


def has_any_factor(account) -> bool:
    return factors_of(account).exists() or passkeys_of(account).exists()


def reset_factors(account, *, actor: str, reason: str, request=None) -> bool:
    """The help desk's reset: every app, passkey and recovery code goes, sessions end.

    The person is told by mail; they log in with their password alone (and enrol again
    where a factor is required). True when there was something to remove.
    """
    from staffgate.accounts import sessions

    with transaction.atomic():
        removed, _kinds = TotpFactor.objects.filter(user=account).delete()
        keys, _kinds = PasskeyFactor.objects.filter(user=account).delete()
        codes, _kinds = account.recovery_codes.all().delete()
        had = bool(removed or keys or codes)
        if had:
            sessions.end_sessions(account)
        record_event(
            EventTag.Account.FACTORS_RESET,
            request=request,
            user_id=account.user_id,
            actor=actor,
            outcome="reset" if had else "nothing_to_reset",
            detail={"reason": reason, "apps": removed, "passkeys": keys},
        )
    account.factor_enrolled = False
    if had:
        mail_account(account, "factors_reset")
    return had
