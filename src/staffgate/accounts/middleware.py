"""End signed-in sessions that must end, on every path: timeouts and lost eligibility."""

from __future__ import annotations

import time

from django.contrib.auth.models import AnonymousUser

from staffgate.accounts import sessions
from staffgate.accounts.policy import current_policy
from staffgate.audit.services import record_event
from staffgate.audit.tags import EventTag
from staffgate.core import timeutil
from staffgate.roster.eligibility import check_eligibility, facts_of


class SessionLimitsMiddleware:
    """After Django's ``AuthenticationMiddleware``: one set of limits for every account.

    A session ends past its idle or absolute limit; an employee's also ends the
    moment the roster no longer lets them in. The password check is Django's own
    (the session hash). ``request.session_ended`` tells the login pages to say so.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.session_ended = False
        user = request.user
        if user.is_authenticated:
            reason = self._reason_to_end(request, user)
            if reason is None:
                sessions.touch_session(request, time.time())
            else:
                self._end(request, user, reason)
        return self.get_response(request)

    @staticmethod
    def _reason_to_end(request, user) -> str | None:
        policy = current_policy()
        if not sessions.within_limits(
            request.session,
            time.time(),
            idle=policy.session_idle_seconds,
            limit=policy.session_max_seconds,
        ):
            return "expired"
        if user.is_employee and (
            check_eligibility(facts_of(user.person), timeutil.local_today()) is not None
        ):
            return "not_eligible"
        return None

    @staticmethod
    def _end(request, user, reason: str) -> None:
        if user.is_employee:
            record_event(
                EventTag.Account.SESSION_END, request=request, user_id=user.user_id, outcome=reason
            )
        else:
            record_event(
                EventTag.Helpdesk.SESSION_END,
                request=request,
                actor=f"agent:{user.get_username()}",
                outcome=reason,
            )
        sessions.end_current_session(request)
        request.user = AnonymousUser()
        request.session_ended = True
