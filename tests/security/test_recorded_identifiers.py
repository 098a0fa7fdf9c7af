"""What is typed as a User ID is kept only when it has an ID's shape (ASVS 5.0 V16.2.5).

A password typed into the User ID box must not end up in the append-only audit
log or the lock table: such text is kept as a keyed hash with its length, which
still counts and locks repeated tries together.
"""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from staffgate.accounts.models import AccessLock
from staffgate.audit.models import AuditEvent
from staffgate.core.identifiers import KEY_NAME, hashed_identifier
from staffgate.core.keys import stored_key
from tests.conftest import login, outcome_code

pytestmark = pytest.mark.django_db

TYPED = "My Secret-Pass 42!"
WRONG = {"answer_1": "nope", "answer_2": "nada", "answer_3": "rien"}


def everything_stored() -> str:
    sessions = [s.get_decoded() for s in Session.objects.all()]
    return str(
        [list(AuditEvent.objects.values()), list(AccessLock.objects.values()), sessions]
    ).upper()


def test_v16_2_5_text_that_is_no_id_is_kept_as_a_keyed_hash_with_its_length(client):
    for _ in range(3):
        login(client, TYPED, "Wrong1pass")
    expected = hashed_identifier(TYPED.upper(), stored_key(KEY_NAME))
    assert expected.startswith(f"hmac:{len(TYPED)}:")
    assert set(AuditEvent.objects.values_list("user_id", flat=True)) == {expected}
    assert list(AccessLock.objects.values_list("user_id", flat=True)) == [expected]
    assert TYPED.upper() not in everything_stored()
    # The same text still locks like any ID.
    assert outcome_code(login(client, TYPED, "Wrong1pass")) == "login.locked"


def test_v16_2_5_recovery_keeps_no_typed_text_either(client):
    client.post("/recover/", {"user_id": TYPED})
    assert outcome_code(client.post("/recover/questions/", WRONG)) == "recover.invalid"
    event = AuditEvent.objects.get(tag="account:recover:failure")
    assert event.user_id.startswith(f"hmac:{len(TYPED)}:")
    assert TYPED.upper() not in everything_stored()


def test_v16_2_5_ids_with_the_shape_of_an_id_are_kept_as_they_are(client, make_account):
    account = make_account()
    login(client, f" {account.user_id.lower()} ", "Wrong1pass")
    login(Client(), "9999999", "Wrong1pass")
    assert sorted(AuditEvent.objects.values_list("user_id", flat=True)) == sorted(
        [account.user_id, "9999999"]
    )


def test_v16_2_5_the_help_desk_keeps_agent_names_and_hashes_other_text(client, make_agent):
    make_agent("alice.smith")
    for username in ("alice.smith", TYPED):
        client.post("/helpdesk/login/", {"username": username, "password": "Wrong1pass"})
    names = [e.detail["username"] for e in AuditEvent.objects.filter(tag="helpdesk:login:failure")]
    assert "alice.smith" in names
    assert any(name.startswith(f"hmac:{len(TYPED)}:") for name in names)
    assert TYPED.upper() not in everything_stored()
