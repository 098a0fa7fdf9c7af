"""Wrong authenticator-app codes charged to the exact lock, however many arrive at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from staffgate.accounts.models import AccessLock
from staffgate.factors import crypto, service, totp
from staffgate.factors.models import TotpFactor
from tests.conftest import PASSWORD
from tests.http import outcome_of, post_form, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


class CountingCodeChecks:
    """Counts the codes actually compared with a factor (in this process, live server included)."""

    def __init__(self, monkeypatch):
        self.count = 0
        lock = threading.Lock()
        original = service._matching_method

        def counted(account, typed):
            nonlocal lock
            with lock:
                self.count += 1
            return original(account, typed)

        monkeypatch.setattr(service, "_matching_method", counted)


def test_fifty_parallel_wrong_codes_make_three_checks_and_then_the_lock(
    live_server, make_account, monkeypatch
):
    account = make_account()
    TotpFactor.objects.create(
        user=account, name="Phone", confirmed=True, encrypted_key=crypto.encrypt(totp.new_key())
    )
    status, _page, headers = post_form(
        live_server.url, "/login/", {"user_id": account.user_id, "password": PASSWORD}
    )
    assert status == 302 and headers["Location"] == "/login/verify/"
    cookies = session_cookie(headers)
    # The right password took nothing from the series.
    assert AccessLock.objects.get(user_id=account.user_id).login_failures == 0
    checks = CountingCodeChecks(monkeypatch)

    def wrong_code(n):
        status, page, _ = post_form(
            live_server.url, "/login/verify/", {"code": f"{n:06d}"}, cookies
        )
        return "redirect" if status == 302 else outcome_of(page)

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(wrong_code, range(50)))

    assert checks.count == 3  # exactly the allowed number of comparisons
    assert outcomes.count("code.invalid") == 2
    # The others saw the lock (or, once the lock had ended the step, the way back to login).
    assert set(outcomes) - {"code.invalid"} <= {"login.locked", "redirect"}
    assert outcomes.count("login.locked") >= 1
    state = AccessLock.objects.get(user_id=account.user_id)
    assert state.login_failures == 3 and state.locked_until is not None
    status, page, _ = post_form(
        live_server.url, "/login/", {"user_id": account.user_id, "password": PASSWORD}
    )
    assert outcome_of(page) == "login.locked"
