"""Signed-in sessions of every account: started by Django's ``login()``, limited, listed, ended.

Django's ``login()`` rotates the key and binds the session to the password
(``SECRET_KEY_FALLBACKS`` included); ``logout()`` deletes it on the server. On
top of that the portal keeps an idle and an absolute limit, and lists each
live session in :class:`AccountSession` so that a person's other sessions can
be shown and ended (password change, reset, help-desk action).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from importlib import import_module

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.db import transaction
from django.dispatch import Signal

from staffgate.accounts.models import Account, AccountSession
from staffgate.audit.services import clean_text, client_ip
from staffgate.core import language, timeutil
from staffgate.factors.methods import record_methods

STARTED_KEY = "staffgate.started"
SEEN_KEY = "staffgate.seen"
LANGUAGE_KEY = language.SESSION_KEY
# Refresh "last seen" at most this often, so most requests write nothing.
SEEN_WRITE_INTERVAL = 60

# Sent by end_sessions(): ``account``, the ``session_keys`` ended, and ``everywhere`` (True
# when no session was kept), so that what was signed in from them ends too.
sessions_ended = Signal()


@transaction.atomic(savepoint=False)  # the session, its listing and the login time: one commit
def log_in(request, account: Account, *, methods: Iterable[str] = ()) -> None:
    """Sign ``account`` in on this request under a new session key, keeping the language.

    ``methods`` are how the login was made (``amr``). The session is stored here, in the
    login's transaction, with all it holds now: the response stores it again only if a
    view changes it meanwhile.
    """
    chosen = request.session.get(LANGUAGE_KEY)
    auth_login(request, account)
    request.session[LANGUAGE_KEY] = (
        (account.language if account.is_employee else None) or chosen or settings.LANGUAGE_CODE
    )
    if methods:
        record_methods(request.session, methods)
    request.session.save()


def record_login(sender, request, user, **kwargs) -> None:
    """On every ``login()``: start the session's clocks, list it, and stamp the login time."""
    now = time.time()
    request.session[STARTED_KEY] = now
    request.session[SEEN_KEY] = now
    if request.session.session_key is None:
        request.session.save()  # its key is needed to list it
    stamp = timeutil.now()
    AccountSession.objects.create(
        account=user,
        session_key=request.session.session_key,
        created_at=stamp,
        last_seen_at=stamp,
        ip=client_ip(request),
        user_agent=clean_text(request.META.get("HTTP_USER_AGENT", ""), 300),
    )
    Account.objects.filter(pk=user.pk).update(previous_login_at=user.last_login, last_login=stamp)
    user.previous_login_at, user.last_login = user.last_login, stamp


def end_current_session(request) -> None:
    """Log out: the session is deleted on the server and the cookie gets a new key."""
    key = request.session.session_key
    chosen = request.session.get(LANGUAGE_KEY)
    auth_logout(request)
    if chosen:
        request.session[LANGUAGE_KEY] = chosen
    if key:
        AccountSession.objects.filter(session_key=key).delete()


def end_sessions(
    account: Account, *, keep: str | None = None, reason: str = "sessions_ended"
) -> int:
    """End every session of ``account`` except the one keyed ``keep``; return how many."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    rows = AccountSession.objects.filter(account=account)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store_class(session_key=key).delete()
    rows.delete()
    sessions_ended.send(
        sender=Account, account=account, session_keys=keys, everywhere=keep is None, reason=reason
    )
    return len(keys)


def within_limits(session, now: float, *, idle: int, limit: int) -> bool:
    """True while the session is inside its idle and absolute limits."""
    started = session.get(STARTED_KEY, 0)
    seen = session.get(SEEN_KEY, 0)
    return now - started <= limit and now - seen <= idle


def touch_session(request, now: float) -> None:
    """Record activity, writing at most once a minute."""
    if now - request.session.get(SEEN_KEY, 0) >= SEEN_WRITE_INTERVAL:
        request.session[SEEN_KEY] = now
        AccountSession.objects.filter(session_key=request.session.session_key).update(
            last_seen_at=timeutil.now()
        )
