"""Employee sessions (SPEC §8): started with a fresh key, listed, ended server-side.

An employee's login lives in Django's session under a few module keys; each
live session is also listed in :class:`AccountSession` so a person's other
sessions can be shown and ended (password change, reset, help-desk action).
"""

from __future__ import annotations

import time
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from staffgate.accounts.models import Account, AccountSession
from staffgate.audit.services import clean_text, client_ip
from staffgate.core import language, timeutil

ACCOUNT_KEY = "staffgate.account"
HASH_KEY = "staffgate.account_hash"
STARTED_KEY = "staffgate.started"
SEEN_KEY = "staffgate.seen"
LANGUAGE_KEY = language.SESSION_KEY
# Refresh "last seen" at most this often, so most requests write nothing.
SEEN_WRITE_INTERVAL = 60


def session_hash(account: Account) -> str:
    """A value that changes whenever the password does, ending sessions made before."""
    return salted_hmac("staffgate.session", account.password, algorithm="sha256").hexdigest()


@transaction.atomic  # the session, its listing and the login time: one commit
def start_account_session(request, account: Account) -> None:
    """Log ``account`` in on this request with a new session key."""
    language = request.session.get(LANGUAGE_KEY)
    request.session.flush()
    now = time.time()
    request.session[ACCOUNT_KEY] = account.pk
    request.session[HASH_KEY] = session_hash(account)
    request.session[STARTED_KEY] = now
    request.session[SEEN_KEY] = now
    request.session[LANGUAGE_KEY] = account.language or language or settings.LANGUAGE_CODE
    request.session.save()
    stamp = timeutil.now()
    AccountSession.objects.create(
        account=account,
        session_key=request.session.session_key,
        created_at=stamp,
        last_seen_at=stamp,
        ip=client_ip(request),
        user_agent=clean_text(request.META.get("HTTP_USER_AGENT", ""), 300),
    )
    Account.objects.filter(pk=account.pk).update(
        previous_login_at=account.last_login_at, last_login_at=stamp
    )
    request.account = account


def end_current_session(request) -> None:
    """Log out: the session is deleted on the server and the cookie gets a new key."""
    key = request.session.session_key
    language = request.session.get(LANGUAGE_KEY)
    request.session.flush()
    if language:
        request.session[LANGUAGE_KEY] = language
    if key:
        AccountSession.objects.filter(session_key=key).delete()
    request.account = None


def end_sessions(account: Account, *, keep: str | None = None) -> int:
    """End every session of ``account`` except the one keyed ``keep``; return how many."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    rows = AccountSession.objects.filter(account=account)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store_class(session_key=key).delete()
    rows.delete()
    return len(keys)


def session_still_valid(session, account: Account, now: float, *, idle: int, limit: int) -> bool:
    """True within the idle and absolute limits, while the password is unchanged."""
    started = session.get(STARTED_KEY, 0)
    seen = session.get(SEEN_KEY, 0)
    if now - started > limit or now - seen > idle:
        return False
    return constant_time_compare(session.get(HASH_KEY, ""), session_hash(account))


def touch_session(request, now: float) -> None:
    """Record activity, writing at most once a minute."""
    if now - request.session.get(SEEN_KEY, 0) >= SEEN_WRITE_INTERVAL:
        request.session[SEEN_KEY] = now
        AccountSession.objects.filter(session_key=request.session.session_key).update(
            last_seen_at=timeutil.now()
        )
