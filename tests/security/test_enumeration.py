"""Nobody can tell from the login page whether an ID exists (ASVS 5.0 V6.3.8)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login, outcome_code
from tests.http import CountingVerify

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter(monkeypatch):
    return CountingVerify(monkeypatch)


def normalised(body: bytes, user_id: str) -> str:
    text = body.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    return text.replace(user_id, "USER_ID")


def kinds(make_person, make_account):
    return {
        "unknown ID": "3141592",
        "unregistered ID, wrong PIN": make_person().employee_id,
        "registered ID, wrong password": make_account().user_id,
    }


def test_v6_3_8_every_kind_of_id_costs_one_hash_and_gives_the_same_page(
    client, make_person, make_account, counter
):
    pages = {}
    for kind, user_id in kinds(make_person, make_account).items():
        counter.count = 0
        response = login(client, user_id, "Wrong1pass")
        assert outcome_code(response) == "login.invalid", kind
        assert counter.count == 1, f"{kind}: {counter.count} hashes"
        pages[kind] = (response.status_code, normalised(response.content, user_id))
    assert len(set(pages.values())) == 1, "the pages differ between kinds of ID"


def test_v6_3_8_locked_ids_known_or_not_give_the_same_page_at_the_same_cost(
    client, make_person, make_account, counter
):
    pages = {}
    for kind, user_id in kinds(make_person, make_account).items():
        for _ in range(3):
            login(client, user_id, "Wrong1pass")
        counter.count = 0
        response = login(client, user_id, "Wrong1pass")
        assert outcome_code(response) == "login.locked", kind
        # A lock answers before any hash, for every kind of ID alike: no timing difference.
        assert counter.count == 0, kind
        pages[kind] = (response.status_code, normalised(response.content, user_id))
    assert len(set(pages.values())) == 1


def test_v6_3_8_failures_leave_no_cookie_trace_that_differs(client, make_person, make_account):
    cookies = {}
    for kind, user_id in kinds(make_person, make_account).items():
        client.cookies.clear()
        client.get("/login/")
        response = login(client, user_id, "Wrong1pass")
        cookies[kind] = sorted(response.cookies.keys())
    assert len({tuple(value) for value in cookies.values()}) == 1
