"""Attach the logged-in employee to each request, ending sessions that must end."""

from __future__ import annotations

import time

from staffgate.accounts import sessions
from staffgate.accounts.models import Account
from staffgate.accounts.policy import current_policy
from staffgate.audit.services import record_event
from staffgate.core import timeutil
from staffgate.roster.eligibility import check_eligibility, facts_of


class AccountSessionMiddleware:
    """Sets ``request.account``; ends the session on timeout, password change or ineligibility."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.account = None
        request.session_ended = False
        account_pk = request.session.get(sessions.ACCOUNT_KEY)
        if account_pk is not None:
            self._load(request, account_pk)
        return self.get_response(request)

    def _load(self, request, account_pk) -> None:
        policy = current_policy()
        now = time.time()
        # [:1] rather than first(): no ORDER BY on a primary-key lookup.
        found = Account.objects.select_related("person").filter(pk=account_pk)[:1]
        account = next(iter(found), None)
        reason = None
        if account is None:
            reason = "account_gone"
        elif not sessions.session_still_valid(
            request.session,
            account,
            now,
            idle=policy.session_idle_seconds,
            limit=policy.session_max_seconds,
        ):
            reason = "expired"
        elif check_eligibility(facts_of(account.person), timeutil.local_today()) is not None:
            reason = "not_eligible"
        if reason is None:
            request.account = account
            sessions.touch_session(request, now)
            return
        record_event(
            "account:session:end",
            request=request,
            user_id=account.user_id if account else "",
            outcome=reason,
        )
        sessions.end_current_session(request)
        request.session_ended = True
