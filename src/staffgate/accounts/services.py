"""Account actions shared by the command line and the help desk."""

from __future__ import annotations

from django.db import transaction

from staffgate.accounts import attempts, sessions
from staffgate.accounts.models import Account
from staffgate.audit.services import record_event
from staffgate.audit.tags import EventTag
from staffgate.core.identifiers import recorded_identifier
from staffgate.core.mail import send_security_mail
from staffgate.roster.ids import normalise_user_id


def email_owner(email: str, *, besides_user_id: str | None = None) -> Account | None:
    """The account (other than ``besides_user_id``'s) whose *proved* address is ``email``,
    letter case ignored: an address typed in but never proved with a code is nobody's."""
    accounts = Account.objects.filter(email__iexact=email, email_verified_at__isnull=False)
    if besides_user_id is not None:
        accounts = accounts.exclude(user_id=besides_user_id)
    return accounts.select_related("person").first()


def email_in_use(email: str, *, besides: Account | None = None) -> bool:
    """True when an account (other than ``besides``) has proved ``email``."""
    return email_owner(email, besides_user_id=besides.user_id if besides else None) is not None


def release_unproved_email(email: str, *, to: Account | None = None, request=None) -> int:
    """``email`` was just proved by a code for ``to`` (or a registration): every other account
    that holds it without having proved it loses it, audited; returns how many."""
    holders = Account.objects.filter(email__iexact=email, email_verified_at__isnull=True)
    if to is not None:
        holders = holders.exclude(pk=to.pk)
    released = 0
    for holder in holders.select_for_update():
        holder.email = ""
        holder.save(update_fields=["email"])
        record_event(
            EventTag.Account.EMAIL_RELEASED,
            request=request,
            user_id=holder.user_id,
            outcome="released",
        )
        released += 1
    return released


def unlock_account(user_id: str, *, actor: str, reason: str, request=None) -> bool:
    """Clear every lock and failure count of ``user_id``, audited; True if anything was locked."""
    name = (user_id or "").strip()
    user_id = normalise_user_id(user_id)
    key = recorded_identifier(user_id)
    was_locked = any(
        state.locked_until
        or state.recovery_locked_at
        or state.login_failures
        or state.recovery_failures
        for state in attempts.lock_states(key)
    )
    attempts.unlock(key)
    # An employee's account is named by the normalised ID, a staff account by its own name.
    account = (
        Account.objects.filter(user_id=user_id).first()
        or Account.objects.filter(user_id=name, person__isnull=True).first()
    )
    if account is not None:
        sessions.end_sessions(account)
    detail = {"reason": reason}
    if account is not None and not account.is_employee:
        detail["agent"] = account.user_id
    record_event(
        EventTag.Account.UNLOCK,
        request=request,
        user_id=user_id,
        actor=actor,
        outcome="unlocked" if was_locked else "nothing_to_unlock",
        detail=detail,
    )
    return was_locked


def reset_registration(user_id: str, *, actor: str, reason: str, request=None) -> bool:
    """Delete the account of ``user_id`` so the person registers again with the PIN, audited.

    Its answers and sessions go with it, in one transaction, and every count and
    lock is cleared. The person is told at the address that was on file. True
    when there was a registration to reset.
    """
    user_id = normalise_user_id(user_id)
    with transaction.atomic():
        account = (
            Account.objects.select_for_update(of=("self",))
            .select_related("person")
            .filter(user_id=user_id)
            .first()
        )
        if account is not None:
            sessions.end_sessions(account)
            account.delete()
        attempts.unlock(user_id)
        record_event(
            EventTag.Account.REGISTRATION_RESET,
            request=request,
            user_id=user_id,
            actor=actor,
            outcome="reset" if account is not None else "not_registered",
            detail={"reason": reason},
        )
    if account is None:
        return False
    send_security_mail(
        "registration_reset",
        account.email,
        language=account.language,
        context={"person": account.person, "user_id": user_id},
    )
    return True
