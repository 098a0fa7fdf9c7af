"""The second step of a login: between a right password and the session, a session key.

Nobody is logged in until the factor passes: the half-way state is a
:class:`PendingLogin` under its own session key, which Django's ``login()`` replaces
(under a new session key) once the code is right.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

from django.http import HttpResponseRedirect
from django.shortcuts import redirect

from staffgate.accounts import sessions
from staffgate.accounts.models import Account
from staffgate.audit.services import record_event
from staffgate.audit.tags import EventTag
from staffgate.core.flows import SessionState
from staffgate.factors import methods
from staffgate.factors.enrolment import factor_follows

PENDING_KEY = "staffgate.factors.pending"
# The code must follow the password within this time.
STEP_SECONDS = 300
PORTAL, HELPDESK = "account", "helpdesk"


@dataclass
class PendingLogin(SessionState):
    session_key: ClassVar[str] = PENDING_KEY

    account_pk: int
    started_at: float
    next_url: str
    entry: str = PORTAL
    email_code: int | None = None  # a fallback code mailed at this step, if asked for

    def expired(self, now: float) -> bool:
        return now - self.started_at > STEP_SECONDS


def sign_in(request, account: Account, *, next_url: str, entry: str = PORTAL):
    """After a right password: log in, or first ask for the second factor."""
    if begin_if_needed(request, account, next_url=next_url, entry=entry):
        return redirect("login-verify")
    if request.user.is_authenticated:
        # Logging in again (an app asked for a fresh login): the former session ends, with
        # what was signed in from it, as when a factor step follows.
        sessions.end_current_session(request)
    sessions.log_in(request, account, methods=[methods.PASSWORD])
    return HttpResponseRedirect(next_url)


def begin_if_needed(request, account: Account, *, next_url: str, entry: str) -> bool:
    """Start the factor step when this account has one; True when it was started."""
    if not factor_follows(account):
        PendingLogin.clear(request.session)  # an earlier, unfinished login on this browser
        return False
    if request.user.is_authenticated:
        sessions.end_current_session(request)  # one person per browser session
    language = request.session.get(sessions.LANGUAGE_KEY)
    request.session.cycle_key()
    PendingLogin(
        account_pk=account.pk, started_at=time.time(), next_url=next_url, entry=entry
    ).save(request.session)
    if language:
        request.session[sessions.LANGUAGE_KEY] = language
    return True


def pending_login(request) -> tuple[PendingLogin | None, Account | None]:
    """The login waiting for its factor on this browser, and its account, if still valid."""
    state = PendingLogin.load(request.session)
    if state is None:
        return None, None
    account = Account.objects.select_related("person").filter(pk=state.account_pk).first()
    if account is None or not account.is_active or state.expired(time.time()):
        PendingLogin.clear(request.session)
        return None, None
    return state, account


def finish(request, state: PendingLogin, account: Account, method: str) -> HttpResponseRedirect:
    """The factor passed: the session starts now, noting how it was signed in."""
    PendingLogin.clear(request.session)
    second = methods.HARDWARE_KEY if method == "passkey" else methods.ONE_TIME_CODE
    sessions.log_in(request, account, methods=[methods.PASSWORD, second])
    if state.entry == HELPDESK:
        record_event(
            EventTag.Helpdesk.LOGIN_SUCCESS,
            request=request,
            actor=f"agent:{account.get_username()}",
            outcome="signed_in",
            detail={"factor": method},
        )
    else:
        record_event(
            EventTag.Account.LOGIN_CODE_SUCCESS,
            request=request,
            user_id=account.user_id,
            outcome="signed_in",
            detail={"factor": method},
        )
    return HttpResponseRedirect(state.next_url)


def abandon(request) -> None:
    PendingLogin.clear(request.session)
