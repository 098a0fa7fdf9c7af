"""Account actions shared by the command line and (later) the help desk."""

from __future__ import annotations

from staffgate.accounts import attempts, sessions
from staffgate.accounts.models import Account
from staffgate.audit.services import record_event
from staffgate.roster.ids import normalise_user_id


def unlock_account(user_id: str, *, actor: str, reason: str, request=None) -> bool:
    """Clear every lock and failure count of ``user_id``, audited; True if anything was locked."""
    user_id = normalise_user_id(user_id)
    state = attempts.lock_state(user_id)
    was_locked = bool(
        state
        and (
            state.locked_until
            or state.recovery_locked_at
            or state.login_failures
            or state.recovery_failures
        )
    )
    attempts.unlock(user_id)
    account = Account.objects.filter(user_id=user_id).first()
    if account is not None:
        sessions.end_sessions(account)
    record_event(
        "account:unlock",
        request=request,
        user_id=user_id,
        actor=actor,
        outcome="unlocked" if was_locked else "nothing_to_unlock",
        detail={"reason": reason},
    )
    return was_locked
