"""Edit My Profile: the changes a logged-in employee makes to their own account.

Changing the e-mail, the password or the questions asks for the current
password. Each check of it is charged like a login attempt *before* the hash
is computed, so guessing it here locks the account exactly as the login page
does. Every change is audited; mails never carry a secret.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.db.models import Q

from staffgate.accounts import attempts, sessions
from staffgate.accounts.models import Account, AccountSession, ChallengeAnswer
from staffgate.accounts.policy import Policy
from staffgate.accounts.services import email_in_use, release_unproved_email
from staffgate.audit.models import AuditEvent
from staffgate.audit.services import record_event
from staffgate.audit.tags import EventTag
from staffgate.core import timeutil
from staffgate.core.mail import mail_account, send_security_mail
from staffgate.core.outcomes import Outcome, ServiceOutcome

# Sign-in activity shown on the overview: logins, and current-password checks here.
ACTIVITY_TAG_PREFIX = "account:login:"
PASSWORD_FAILURE_TAG = EventTag.Account.PROFILE_PASSWORD_FAILURE
ACTIVITY_LIMIT = 20


class CurrentPassword(ServiceOutcome):
    """The result of checking the current password typed on a profile form."""

    RIGHT = "right"
    WRONG = "wrong"
    # This wrong attempt reached the maximum: the account is now locked.
    LOCKED_NOW = Outcome.LOGIN_LOCKED
    # Already locked before the attempt; no hash was computed.
    LOCKED = "locked", Outcome.LOGIN_LOCKED
    ACCOUNT_LOCKED = Outcome.ACCOUNT_LOCKED

    @property
    def locks(self) -> bool:
        """True when a lock refuses the change (the session goes on)."""
        return self.page is not None

    @property
    def outcome(self) -> Outcome | None:
        """The page outcome of the lock page shown instead of the form."""
        return self.page


def verify_current_password(
    account: Account, raw: str, policy: Policy, *, form: str, request=None
) -> CurrentPassword:
    """Check ``raw`` against the account's password, counting it as a login attempt."""

    def audit(check: attempts.Check) -> None:
        if check.refused:
            record_event(
                EventTag.Account.PROFILE_REFUSED,
                request=request,
                user_id=account.user_id,
                outcome=_current_result(check).outcome.value,
                detail={"form": form},
            )
            return
        record_event(
            PASSWORD_FAILURE_TAG,
            request=request,
            user_id=account.user_id,
            outcome=(Outcome.LOGIN_LOCKED if check.locks else Outcome.FORM_INVALID).value,
            detail={"attempt": check.attempt, "form": form},
        )

    check = attempts.charged_check(
        attempts.Series.LOGIN,
        account.user_id,
        policy,
        # No hash upgrade here: it would change the session hash and end this very session.
        lambda: check_password(raw, account.password),
        now=timeutil.now(),
        audit=audit,
    )
    return _current_result(check)


def _current_result(check: attempts.Check) -> CurrentPassword:
    if check.refusal is attempts.Refusal.RECOVERY_LOCK:
        return CurrentPassword.ACCOUNT_LOCKED
    if check.refused:
        return CurrentPassword.LOCKED
    if check.correct:
        return CurrentPassword.RIGHT
    return CurrentPassword.LOCKED_NOW if check.locks else CurrentPassword.WRONG


def current_password_lock(
    account: Account, now: dt.datetime | None = None
) -> tuple[CurrentPassword, dt.datetime | None] | None:
    """The lock that refuses current-password checks now, with its end (``None``: not locked).

    A signed-in person keeps their session under a lock: only the checks are refused.
    """
    state = attempts.lock_state(account.user_id)
    if state is None:
        return None
    if state.recovery_locked_at is not None:
        return CurrentPassword.ACCOUNT_LOCKED, None
    if state.locked_until is not None and state.locked_until > (now or timeutil.now()):
        return CurrentPassword.LOCKED, state.locked_until
    return None


def current_password_tries_left(account: Account, policy: Policy) -> int:
    """Wrong current passwords (or logins) still allowed before the temporary lock."""
    state = attempts.lock_state(account.user_id)
    failures = state.login_failures if state is not None and state.locked_until is None else 0
    return attempts.tries_left(failures, policy.max_login_failures)


def change_password(request, account: Account, new_password: str) -> int:
    """Set a new password, keep this session, end the others and mail the person.

    Returns how many other sessions were ended.
    """
    now = timeutil.now()
    keep = request.session.session_key
    # Hashed before the transaction: no other write waits on it.
    password_hash = make_password(new_password)
    with transaction.atomic():
        account.password = password_hash
        account.password_changed_at = now
        account.save(update_fields=["password", "password_changed_at"])
        ended = sessions.end_sessions(account, keep=keep)
        record_event(
            EventTag.Account.PROFILE_PASSWORD_CHANGED,
            request=request,
            user_id=account.user_id,
            outcome="changed",
            detail={"other_sessions_ended": ended},
        )
    # The session carries a value derived from the password: renew it (under a new key, which
    # its listing follows) so that this one lives on.
    update_session_auth_hash(request, account)
    AccountSession.objects.filter(session_key=keep).update(session_key=request.session.session_key)
    mail_account(account, "password_changed", changed_at=now)
    return ended


class EmailTaken(Exception):
    """Another account took the address between the form check and the write."""


@dataclass(frozen=True)
class ContactChange:
    email_changed: bool
    app_id_changed: bool

    @property
    def anything(self) -> bool:
        return self.email_changed or self.app_id_changed


def change_contact(
    request, account: Account, email: str, app_id: str, *, proved: bool = False
) -> ContactChange:
    """Store a new e-mail address and application ID; a new address is told to both mailboxes.

    ``proved``: the new address came back with its code, so it is this account's from now
    on, and any account holding it without having proved it gives it up.
    """
    old_email = account.email
    change = ContactChange(
        email_changed=email != old_email, app_id_changed=app_id != account.app_id
    )
    if not change.anything:
        return change
    try:
        with transaction.atomic():
            if change.email_changed and email_in_use(email, besides=account):
                raise EmailTaken
            fields = ["email", "app_id"]
            if change.email_changed and proved:
                release_unproved_email(email, to=account, request=request)
                account.email_verified_at = timeutil.now()
                fields.append("email_verified_at")
            account.email = email
            account.app_id = app_id
            account.save(update_fields=fields)
            record_event(
                EventTag.Account.PROFILE_EMAIL_CHANGED
                if change.email_changed
                else EventTag.Account.PROFILE_APP_ID_CHANGED,
                request=request,
                user_id=account.user_id,
                outcome="changed",
                detail={"app_id_changed": change.app_id_changed},
            )
    except IntegrityError:
        account.email = old_email
        raise EmailTaken from None
    if change.email_changed:
        now = timeutil.now()
        context = {"account": account, "person": account.person, "changed_at": now}
        if old_email.casefold() != email.casefold():
            send_security_mail(
                "email_changed",
                old_email,
                language=account.language,
                context={**context, "to_old_address": True},
            )
        send_security_mail(
            "email_changed",
            email,
            language=account.language,
            context={**context, "to_old_address": False},
        )
    return change


def needs_email_confirmed(account) -> bool:
    """An employee whose address was kept from before e-mail codes: asked for it at login."""
    return bool(
        getattr(account, "is_employee", False)
        and account.email
        and account.email_verified_at is None
    )


def confirm_email(request, account: Account, address: str) -> bool:
    """The code mailed to the account's current address came back: it counts from now on.

    False when the address was changed meanwhile (the code proved another one) or another
    account proved it first."""
    with transaction.atomic():
        if email_in_use(address, besides=account):
            return False
        now = timeutil.now()
        confirmed = Account.objects.filter(
            pk=account.pk, email__iexact=address, email_verified_at__isnull=True
        ).update(email_verified_at=now)
        if not confirmed:
            return False
        release_unproved_email(address, to=account, request=request)
        account.email_verified_at = now
        record_event(
            EventTag.Account.EMAIL_CONFIRMED,
            request=request,
            user_id=account.user_id,
            outcome="confirmed",
        )
    return True


def change_questions(request, account: Account, hashed: list[list[str]]) -> None:
    """Replace the three questions and answer hashes at once, audited and mailed."""
    with transaction.atomic():
        # Two changes of the same account at once must not leave six answers.
        Account.objects.select_for_update().filter(pk=account.pk).first()
        account.answers.all().delete()
        ChallengeAnswer.objects.bulk_create(
            ChallengeAnswer(account=account, position=i, question_key=key, answer_hash=answer)
            for i, (key, answer) in enumerate(hashed, start=1)
        )
        record_event(
            EventTag.Account.PROFILE_QUESTIONS_CHANGED,
            request=request,
            user_id=account.user_id,
            outcome="changed",
            detail={"questions": [key for key, _ in hashed]},
        )
    mail_account(account, "questions_changed", changed_at=timeutil.now())


def change_language(request, account: Account, code: str) -> bool:
    """Store the language on the account and in the session; True when it changed."""
    request.session[sessions.LANGUAGE_KEY] = code
    return _store_choice(
        request, account, "language", code, EventTag.Account.PROFILE_LANGUAGE_CHANGED
    )


def change_time_zone(request, account: Account, zone: str) -> bool:
    """Store the zone the person's times are shown in ("": the portal's); True when changed."""
    return _store_choice(
        request, account, "time_zone", zone, EventTag.Account.PROFILE_TIME_ZONE_CHANGED
    )


def _store_choice(request, account: Account, field: str, value: str, tag) -> bool:
    """Save one of the account's display choices and audit the change; False if unchanged."""
    previous = getattr(account, field)
    if value == previous:
        return False
    setattr(account, field, value)
    account.save(update_fields=[field])
    record_event(
        tag,
        request=request,
        user_id=account.user_id,
        outcome="changed",
        detail={"from": previous, "to": value},
    )
    return True


def end_other_sessions(request, account: Account) -> int:
    """End every session of the account except this one; return how many ended."""
    ended = sessions.end_sessions(account, keep=request.session.session_key)
    record_event(
        EventTag.Account.PROFILE_SESSIONS_ENDED,
        request=request,
        user_id=account.user_id,
        outcome="ended",
        detail={"count": ended},
    )
    return ended


def active_sessions(account: Account, policy: Policy, now: dt.datetime | None = None):
    """The account's sessions still within the idle and absolute limits, latest first."""
    now = now or timeutil.now()
    # "Last seen" is written at most once a minute, so allow that much slack.
    idle = dt.timedelta(seconds=policy.session_idle_seconds + sessions.SEEN_WRITE_INTERVAL)
    return list(
        AccountSession.objects.filter(
            account=account,
            last_seen_at__gte=now - idle,
            created_at__gte=now - dt.timedelta(seconds=policy.session_max_seconds),
        ).order_by("-last_seen_at", "-id")
    )


def recent_activity(account: Account, limit: int = ACTIVITY_LIMIT) -> list[AuditEvent]:
    """The latest sign-in events of the account's User ID, newest first."""
    return list(
        AuditEvent.objects.filter(user_id=account.user_id)
        .filter(Q(tag__startswith=ACTIVITY_TAG_PREFIX) | Q(tag=PASSWORD_FAILURE_TAG))
        .order_by("-created_at", "-id")[:limit]
    )
