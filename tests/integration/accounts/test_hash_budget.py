"""Each login attempt costs one password hash, whatever the ID; the pages around it cost none.

The hash is the cost the portal pays on purpose: a login that cost two would
halve the logins a server can take, and one that cost none would tell an attacker that
the ID does not exist.
"""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.http import CountingVerify

pytestmark = pytest.mark.django_db


def post(client, user_id: str, secret: str):
    return client.post("/login/", {"user_id": user_id, "password": secret})


@pytest.fixture
def counter(monkeypatch):
    return CountingVerify(monkeypatch)


@pytest.mark.parametrize(
    "kind",
    ["right password", "wrong password", "unknown ID", "right PIN", "wrong PIN", "not eligible"],
)
def test_every_kind_of_attempt_costs_exactly_one_hash(
    client, make_person, make_account, pin_for, counter, kind
):
    if kind == "right password":
        user_id, secret = make_account().user_id, PASSWORD
    elif kind == "wrong password":
        user_id, secret = make_account().user_id, "Wrong1pass"
    elif kind == "unknown ID":
        user_id, secret = "5550001", "Wrong1pass"
    elif kind == "right PIN":
        person = make_person()
        user_id, secret = person.employee_id, pin_for(person)
    elif kind == "wrong PIN":
        user_id, secret = make_person().employee_id, "ZZ9999"
    else:
        account = make_account(person=make_person(country="FR"))
        user_id, secret = account.user_id, PASSWORD

    response = post(client, user_id, secret)

    assert response.status_code in (200, 302)
    assert counter.count == 1


def test_the_login_form_and_the_home_page_cost_no_hash(client, make_account, counter):
    account = make_account()
    assert client.get("/login/").status_code == 200
    assert post(client, account.user_id, PASSWORD).status_code == 302
    counter.count = 0

    assert client.get("/").status_code == 200
    assert client.get("/login/").status_code == 302  # logged in: sent home
    assert counter.count == 0


def test_attempts_refused_by_the_lock_cost_no_hash(client, make_account, counter, settings):
    account = make_account()
    for _ in range(settings.STAFFGATE_LOGIN_MAX_FAILURES):
        post(client, account.user_id, "Wrong1pass")
    assert counter.count == settings.STAFFGATE_LOGIN_MAX_FAILURES

    for secret in ("Wrong1pass", PASSWORD, "Wrong1pass"):
        post(client, account.user_id, secret)

    assert counter.count == settings.STAFFGATE_LOGIN_MAX_FAILURES
