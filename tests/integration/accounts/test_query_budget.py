"""The login path stays lean: a fixed, small number of SQL statements per request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_pruning_of_the_throttle_table(monkeypatch):
    """The address counters' table is pruned after one write in many, at random: never here."""
    from types import SimpleNamespace

    from staffgate.core import throttle

    monkeypatch.setattr(throttle, "random", SimpleNamespace(randrange=lambda n: 1))


def statements(client, method: str, path: str, data=None) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        getattr(client, method)(path, data or {})
    # Savepoints are the test's own transaction wrapping; in production they are BEGIN/COMMIT.
    return [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]]


@pytest.mark.parametrize(("user_id", "password"), [("known", "Wrong1pass"), ("5551234", "x1")])
def test_a_failed_login_costs_five_statements_whether_or_not_the_id_is_in_the_roster(
    client, make_account, user_id, password
):
    account = make_account()
    user_id = account.user_id if user_id == "known" else user_id
    sql = statements(client, "post", "/login/", {"user_id": user_id, "password": password})
    # the address's charge, the ID's charge, person lookup, staff-name lookup, audit: the
    # staff names are looked up for a roster ID too, so that both cost the same (timing)
    assert len(sql) == 5, sql


def test_a_successful_login_costs_ten_statements(client, make_account):
    account = make_account()
    sql = statements(client, "post", "/login/", {"user_id": account.user_id, "password": PASSWORD})
    # the address's charge, the ID's charge, person, staff name (looked up for every ID, for
    # equal timing); then in one transaction: clear counts, audit, session listing, last
    # login, and the new session inserted once with its data; then the address's charge
    # given back
    assert len(sql) == 10, sql
    assert sum(q.startswith("UPDATE") and "django_session" in q for q in sql) == 0, sql
    assert "core_throttle_count" in sql[-1] and "hits - 1" in sql[-1], sql


def test_the_login_form_costs_none_and_the_home_page_two(client, make_account):
    assert statements(client, "get", "/login/") == []
    account = make_account()
    client.post("/login/", {"user_id": account.user_id, "password": PASSWORD})
    client.get("/")  # the list of apps is then kept for a minute by each server process
    assert len(statements(client, "get", "/")) == 2  # the session, the account with its person
