"""Rotating the secret key: signed sessions outlive it, and the recovery decoys do not move.

The operator sets a new STAFFGATE_SECRET_KEY and lists the old one in
STAFFGATE_SECRET_KEY_FALLBACKS; nothing a visitor can observe may change.
"""

from __future__ import annotations

import html
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client, override_settings

from staffgate.accounts.questions import QUESTIONS
from staffgate.core.keys import stored_key
from staffgate.core.models import StoredKey
from tests.conftest import ANSWERS, PASSWORD, login

pytestmark = pytest.mark.django_db

OLD_KEY = "old-secret-key-" + "o" * 40
NEW_KEY = "new-secret-key-" + "n" * 40
QUESTION_TEXT = {str(text): key for key, text in QUESTIONS.items()}
UNKNOWN_IDS = ["5550001", "5550002", "OV000999999"]


def rotated(fallbacks=(OLD_KEY,)):
    return override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=list(fallbacks))


def recovery_questions(user_id: str) -> list[str]:
    """The question keys the recovery page asks a fresh visitor for ``user_id``."""
    client = Client()
    assert client.post("/recover/", {"user_id": user_id})["Location"] == "/recover/questions/"
    page = client.get("/recover/questions/").content.decode()
    labels = re.findall(r'<label for="id_answer_\d">([^<]+)</label>', page)
    return [QUESTION_TEXT[html.unescape(label)] for label in labels]


@override_settings(SECRET_KEY=OLD_KEY, SECRET_KEY_FALLBACKS=[])
def test_decoy_questions_of_unknown_ids_stay_the_same_after_a_key_rotation(make_account):
    account = make_account()
    before = {user_id: recovery_questions(user_id) for user_id in UNKNOWN_IDS}
    with rotated():
        after = {user_id: recovery_questions(user_id) for user_id in UNKNOWN_IDS}
        own = recovery_questions(account.user_id)
    assert after == before
    assert all(len(set(questions)) == 3 for questions in after.values())
    # Real people's questions never depended on the key either.
    assert own == [key for key, _ in ANSWERS]


@override_settings(SECRET_KEY=OLD_KEY, SECRET_KEY_FALLBACKS=[])
def test_decoy_questions_stay_the_same_once_the_old_key_is_dropped():
    before = recovery_questions(UNKNOWN_IDS[0])
    with rotated(fallbacks=()):
        assert recovery_questions(UNKNOWN_IDS[0]) == before


@override_settings(SECRET_KEY=OLD_KEY, SECRET_KEY_FALLBACKS=[])
def test_a_help_desk_session_survives_a_key_rotation(make_agent):
    client = Client()
    client.force_login(make_agent("alice"))
    assert client.get("/helpdesk/").status_code == 200
    with rotated():
        assert client.get("/helpdesk/").status_code == 200


@override_settings(SECRET_KEY=OLD_KEY, SECRET_KEY_FALLBACKS=[])
def test_an_employee_signed_in_before_a_rotation_stays_signed_in(make_account):
    account = make_account()
    client = Client()
    login(client, account.user_id, PASSWORD)
    assert client.get("/").status_code == 200
    with rotated():
        home = client.get("/")
        profile = client.get("/profile/")
    assert home.status_code == 200
    assert "Pat" in home.content.decode()
    assert profile.status_code == 200


@override_settings(SECRET_KEY=OLD_KEY, SECRET_KEY_FALLBACKS=[])
def test_an_employee_session_ends_when_the_old_key_is_not_listed(make_account):
    account = make_account()
    client = Client()
    login(client, account.user_id, PASSWORD)
    with rotated(fallbacks=()):
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@override_settings(SECRET_KEY=OLD_KEY, SECRET_KEY_FALLBACKS=[])
def test_without_the_old_key_in_the_fallbacks_sessions_end(make_agent):
    client = Client()
    client.force_login(make_agent("alice"))
    with rotated(fallbacks=()):
        response = client.get("/helpdesk/")
    assert response.status_code == 302
    assert response["Location"].startswith("/helpdesk/login/")


def test_a_stored_key_is_made_once_and_kept():
    first = stored_key("test.key")
    assert len(first) >= 40
    with rotated():
        assert stored_key("test.key") == first
    assert stored_key("test.other") != first
    assert str(StoredKey.objects.get(name="test.key")) == "test.key"


@pytest.mark.django_db(transaction=True)
def test_servers_asking_at_once_all_get_the_one_stored_key():
    def ask(_):
        try:
            return stored_key("test.race")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(ask, range(16)))
    assert len(keys) == 1
    assert StoredKey.objects.filter(name="test.race").count() == 1
