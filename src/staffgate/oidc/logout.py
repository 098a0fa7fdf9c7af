"""Signing a person out of every app: their tokens revoked, each app told by back-channel.

Every event that ends portal sessions (logout, password change, "end my other
sessions", the help desk's unlock or reset, a lost eligibility) ends the sign-ins
made from those sessions. The logout tokens are queued in the same transaction,
so none is lost if the app, or the worker, is down at that moment.
"""

from __future__ import annotations

from django.db import transaction

from staffgate.audit.services import record_event
from staffgate.audit.tags import EventTag
from staffgate.core import timeutil
from staffgate.core.keys import stored_key
from staffgate.oidc import access, claims
from staffgate.oidc.models import SignIn

SESSION_KEY_NAME = "oidc-session-id"


def sid_of_session(session_key: str | None) -> str:
    """The ``sid`` of a portal session, as apps see it."""
    return claims.session_id(stored_key(SESSION_KEY_NAME), session_key or "")


@transaction.atomic
def end_sign_ins(account, *, sids: list[str] | None, reason: str) -> int:
    """End the account's sign-ins from the sessions ``sids`` (all when None), revoke their
    tokens and queue a logout token for each app that asked for one; return how many."""
    from staffgate.oidc.tasks import deliver_logout_token
    from staffgate.oidc.validators import subject_of

    rows = SignIn.objects.filter(account=account, ended_at__isnull=True).select_related(
        "application__profile"
    )
    if sids is not None:
        rows = rows.filter(sid__in=sids)
    rows = list(rows.select_for_update(of=("self",)))
    if sids is None:
        revoked = access.revoke_tokens(account)
    else:
        families = {row.token_family for row in rows if row.token_family}
        revoked = access.revoke_tokens(account, families=families) if families else 0
    notified = set()
    for row in rows:
        profile = getattr(row.application, "profile", None)
        target = (row.application_id, row.sid)
        if profile is None or not profile.backchannel_logout_uri or target in notified:
            continue
        notified.add(target)
        subject = subject_of(row.application.client_id, account)
        deliver_logout_token.enqueue(row.application_id, subject, row.sid, row.issuer)
    SignIn.objects.filter(pk__in=[row.pk for row in rows]).update(ended_at=timeutil.now())
    if rows or revoked:
        record_event(
            EventTag.Sso.TOKENS_REVOKED,
            user_id=account.user_id,
            outcome=reason,
            detail={"sign_ins": len(rows), "refresh_tokens": revoked, "apps": len(notified)},
        )
    return len(rows)


def on_logged_out(sender, request, user, **kwargs) -> None:
    """Django's ``user_logged_out``: the session ending is this request's."""
    if user is None or not getattr(user, "is_employee", False):
        return
    end_sign_ins(user, sids=[sid_of_session(request.session.session_key)], reason="logout")


def on_sessions_ended(sender, account, session_keys, everywhere, reason, **kwargs) -> None:
    """The portal ended sessions of ``account`` (password change, help desk, …): when it
    kept none, every app sign-in ends too, even one whose session had already ended."""
    if not account.is_employee:
        return
    if everywhere:
        end_sign_ins(account, sids=None, reason=reason)
    elif session_keys:
        end_sign_ins(account, sids=[sid_of_session(key) for key in session_keys], reason=reason)


def withdraw_access(account, *, reason: str) -> int:
    """The person may no longer come in: end every portal session and every app sign-in."""
    from staffgate.accounts import sessions

    with transaction.atomic():
        before = SignIn.objects.filter(account=account, ended_at__isnull=True).count()
        sessions.end_sessions(account, reason=reason)  # ends the sign-ins through the signal
        end_sign_ins(account, sids=None, reason=reason)
        return before
