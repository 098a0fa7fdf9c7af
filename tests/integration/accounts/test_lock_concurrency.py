"""The lock holds exactly under concurrent logins through real HTTP."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import PASSWORD
from tests.http import CountingVerify, post_login

pytestmark = pytest.mark.django_db(transaction=True)


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
