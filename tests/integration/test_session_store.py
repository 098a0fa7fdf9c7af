"""The session store configured for the portal: what it keeps, and when it forgets."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def saved_session(**data) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    return store.session_key


def test_a_live_session_is_read_back_whole():
    key = saved_session(language="fr", visits=3, when=1.5)
    assert dict(SessionStore(session_key=key).items()) == {
        "language": "fr",
        "visits": 3,
        "when": 1.5,
    }


def test_an_expired_session_reads_as_empty_and_gets_a_new_key_when_saved():
    key = saved_session(language="fr")
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    store = SessionStore(session_key=key)
    assert dict(store.items()) == {}
    store["language"] = "es"
    store.save()
    assert store.session_key != key


def test_an_unknown_key_reads_as_empty():
    assert dict(SessionStore(session_key="k" * 32).items()) == {}


def test_an_expired_login_cookie_no_longer_opens_the_home_page(client, make_account):
    account = make_account()
    client.post("/login/", {"user_id": account.user_id, "password": PASSWORD})
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_rotated_key_keeps_the_data_and_the_old_key_opens_nothing():
    key = saved_session(language="fr")
    store = SessionStore(session_key=key)
    store["visits"] = 1
    store.cycle_key()
    assert store.session_key != key
    assert not Session.objects.filter(session_key=key).exists()
    store["signed_in"] = True
    store.save()
    assert dict(SessionStore(session_key=store.session_key).items()) == {
        "language": "fr",
        "visits": 1,
        "signed_in": True,
    }
    assert dict(SessionStore(session_key=key).items()) == {}


def test_a_save_of_what_is_stored_already_writes_nothing_and_a_change_is_written():
    store = SessionStore()
    store["language"] = "fr"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + dt.timedelta(hours=1)
    )
    before = Session.objects.get(session_key=store.session_key).expire_date
    store.save()  # the same content: no second write
    assert Session.objects.get(session_key=store.session_key).expire_date == before
    store["language"] = "es"
    store.save()
    assert SessionStore(session_key=store.session_key)["language"] == "es"


def test_a_login_writes_its_session_once_with_its_signed_in_content(client, make_account):
    account = make_account()
    with CaptureQueriesContext(connection) as captured:
        client.post("/login/", {"user_id": account.user_id, "password": PASSWORD})
    writes = [q["sql"] for q in captured if "django_session" in q["sql"]]
    assert len(writes) == 1 and writes[0].startswith("INSERT"), writes
    stored = SessionStore(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)
    assert stored["_auth_user_id"] == str(account.pk)
    assert stored["staffgate.factors.methods"] == ["pwd"]
    assert client.get("/").status_code == 200


def test_a_new_session_whose_key_is_taken_is_refused_and_the_stored_one_is_untouched():
    from django.contrib.sessions.backends.base import CreateError

    key = saved_session(language="fr")
    clash = SessionStore(session_key=key)
    clash["language"] = "es"
    with pytest.raises(CreateError):
        clash.save(must_create=True)
    assert SessionStore(session_key=key)["language"] == "fr"


def test_a_session_saved_inside_a_transaction_adds_no_savepoint_of_its_own():
    from django.db import transaction

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        saved_session(language="fr")
    assert not [q for q in queries if "SAVEPOINT" in q["sql"].upper()]


def test_saving_a_session_deleted_meanwhile_ends_it_rather_than_bringing_it_back():
    from django.contrib.sessions.backends.base import UpdateError

    key = saved_session(language="fr")
    store = SessionStore(session_key=key)
    store["language"] = "es"
    Session.objects.filter(session_key=key).delete()
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.filter(session_key=key).exists()
