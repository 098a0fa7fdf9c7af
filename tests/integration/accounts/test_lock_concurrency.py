"""The lock holds exactly under concurrent logins through real HTTP (SPEC §3)."""

from __future__ import annotations

import re
import secrets
import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.hashers import get_hasher

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

CSRF = secrets.token_hex(16)  # a 32-character secret is accepted as both cookie and field


def post_login(base_url: str, user_id: str, password: str) -> str:
    """POST the login form over HTTP and return the page's outcome code."""
    body = urllib.parse.urlencode(
        {"user_id": user_id, "password": password, "csrfmiddlewaretoken": CSRF}
    ).encode()
    request = urllib.request.Request(
        base_url + "/login/",
        data=body,
        headers={"Cookie": f"csrftoken={CSRF}"},
        method="POST",
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            page = response.read().decode()
    except urllib.error.HTTPError as error:
        if error.code == 302:
            return "redirect"
        raise
    match = re.search(r'role="alert" data-code="([^"]+)"', page)
    return match.group(1) if match else "none"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class CountingVerify:
    """Counts password verifications made by the production hasher."""

    def __init__(self, monkeypatch):
        self.count = 0
        self._lock = threading.Lock()
        hasher_class = type(get_hasher())
        original = hasher_class.verify

        def verify(hasher, password, encoded):
            with self._lock:
                self.count += 1
            return original(hasher, password, encoded)

        monkeypatch.setattr(hasher_class, "verify", verify)


def fire(base_url: str, user_id: str, password: str, n: int) -> list[str]:
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda _: post_login(base_url, user_id, password), range(n)))


def test_fifty_parallel_wrong_logins_give_two_invalid_and_the_rest_locked(
    live_server, make_account, monkeypatch
):
    account = make_account()
    counter = CountingVerify(monkeypatch)
    codes = fire(live_server.url, account.user_id, "Wrong1pass", 50)
    assert codes.count("login.invalid") == 2
    assert codes.count("login.locked") == 48
    assert counter.count == 3  # a locked or racing request costs no hash
    assert post_login(live_server.url, account.user_id, PASSWORD) == "login.locked"


def test_parallel_logins_for_an_unknown_id_lock_the_same_way(live_server, db, monkeypatch):
    counter = CountingVerify(monkeypatch)
    codes = fire(live_server.url, "7777777", "Wrong1pass", 50)
    assert sorted(set(codes)) == ["login.invalid", "login.locked"]
    assert codes.count("login.invalid") == 2
    assert counter.count == 3


def test_an_unknown_id_costs_exactly_one_hash(live_server, db, monkeypatch):
    counter = CountingVerify(monkeypatch)
    assert post_login(live_server.url, "6666666", "Wrong1pass") == "login.invalid"
    assert counter.count == 1
