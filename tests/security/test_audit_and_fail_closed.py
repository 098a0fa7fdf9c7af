"""The audit log and failing closed, by ASVS 5.0 requirement."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection

from staffgate.accounts.models import AccountSession
from staffgate.audit.models import AppendOnlyError, AuditEvent
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def test_v16_2_1_events_carry_time_actor_target_address_agent_outcome_and_tag(client, make_account):
    account = make_account()
    client.post(
        "/login/",
        {"user_id": account.user_id, "password": "Wrong1pass"},
        headers={"user-agent": "Firefox/128"},
    )
    event = AuditEvent.objects.get()
    assert event.tag == "account:login:failure"
    assert event.outcome == "login.invalid"
    assert event.user_id == account.user_id
    assert event.ip == "127.0.0.1"
    assert event.user_agent == "Firefox/128"
    assert event.created_at.utcoffset().total_seconds() == 0


def test_v16_4_1_control_characters_in_logged_input_are_escaped(client):
    client.post(
        "/login/",
        {"user_id": "12\n34", "password": "Wrong1pass"},
        headers={"user-agent": "evil\r\nINJECTED: yes\x00"},
    )
    event = AuditEvent.objects.get()
    assert "\n" not in event.user_agent and "\r" not in event.user_agent
    assert "\x00" not in event.user_agent
    assert "\\x0d\\x0aINJECTED" in event.user_agent


def test_v16_4_2_audit_rows_cannot_be_changed_or_deleted_by_the_application(client):
    client.post("/login/", {"user_id": "1234567", "password": "Wrong1pass"})
    event = AuditEvent.objects.get()
    event.outcome = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(outcome="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger on PostgreSQL")
def test_v16_4_2_the_database_itself_refuses_updates_and_deletes_of_audit_rows(client):
    from django.db import DatabaseError, transaction

    client.post("/login/", {"user_id": "1234567", "password": "Wrong1pass"})
    for sql in (
        "UPDATE audit_auditevent SET outcome = 'x'",
        "DELETE FROM audit_auditevent",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.get().outcome == "login.invalid"


def test_v16_3_export_audit_writes_json_lines_since_a_date(client):
    client.post("/login/", {"user_id": "1234567", "password": "Wrong1pass"})
    client.post("/login/", {"user_id": "7654321", "password": "Wrong1pass"})
    out = io.StringIO()
    call_command("export_audit", since="2000-01-01", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["user_id"] for line in lines] == ["1234567", "7654321"]
    assert lines[0]["tag"] == "account:login:failure"
    assert lines[0]["time"].endswith("+00:00")
    future = io.StringIO()
    call_command("export_audit", since="2999-01-01", stdout=future)
    assert future.getvalue() == ""
    with pytest.raises(CommandError):
        call_command("export_audit", since="last tuesday")


def test_v16_5_2_database_down_mid_login_fails_closed(client, make_account, monkeypatch):
    account = make_account()
    from staffgate.accounts import sessions

    def broken(*args, **kwargs):
        raise OperationalError("connection to server lost")

    monkeypatch.setattr(sessions.AccountSession.objects, "create", broken)
    response = login(client, account.user_id, PASSWORD)
    assert response.status_code == 503
    assert "cannot reach its records" in response.content.decode()
    assert "Traceback" not in response.content.decode()
    monkeypatch.undo()
    assert client.get("/").status_code == 302  # not logged in
    assert not AccountSession.objects.exists()


def test_v16_5_2_a_login_whose_session_cannot_start_is_not_audited_as_a_sign_in(
    client, make_account, monkeypatch
):
    account = make_account()
    from staffgate.accounts import attempts, sessions

    def broken(*args, **kwargs):
        raise OperationalError("connection to server lost")

    monkeypatch.setattr(sessions.AccountSession.objects, "create", broken)
    assert login(client, account.user_id, PASSWORD).status_code == 503
    monkeypatch.undo()
    # The right password, its audit and the cleared count commit with the session, or not at all.
    assert not AuditEvent.objects.filter(tag="account:login:success").exists()
    assert attempts.lock_state(account.user_id).login_failures == 1
    assert login(client, account.user_id, PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(tag="account:login:success").count() == 1
    assert attempts.lock_state(account.user_id).login_failures == 0
