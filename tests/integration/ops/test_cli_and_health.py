"""The ``staffgate`` command, start-up checks, ``/healthz`` and the production server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from staffgate.accounts.models import AccessLock
from staffgate.audit.models import AuditEvent
from tests.conftest import PASSWORD, login, outcome_code
from tests.serving import get, serving, stylesheet_of

STAFFGATE = str(Path(sys.executable).with_name("staffgate"))


def run_cli(*args, env_overrides=None, tmp_path=None):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "STAFFGATE_SECRET_KEY": "s" * 50,
        "STAFFGATE_ALLOWED_HOSTS": "localhost",
        "STAFFGATE_VAR_DIR": str(tmp_path or "/tmp"),
        **(env_overrides or {}),
    }
    return subprocess.run([STAFFGATE, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("STAFFGATE_LOGIN_MAX_FAILURES", "three", "STAFFGATE_LOGIN_MAX_FAILURES"),
        ("STAFFGATE_PASSWORD_POLICY", "lax", "classic, strict"),
        ("STAFFGATE_TIME_ZONE", "Mars/Olympus", "time zone"),
        ("EMAIL_URL", "carrier-pigeon://x", "EMAIL_URL"),
        ("DATABASE_URL", "mysql://db/x", "DATABASE_URL"),
        ("STAFFGATE_DEBUG", "maybe", "STAFFGATE_DEBUG"),
    ],
)
def test_bad_setting_stops_startup_with_a_clear_message(tmp_path, variable, value, words):
    result = run_cli("check", env_overrides={variable: value}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "configuration error" in result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_secret_key_is_required_outside_debug(tmp_path):
    result = run_cli("check", env_overrides={"STAFFGATE_SECRET_KEY": ""}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "STAFFGATE_SECRET_KEY is not set" in result.stderr


def test_manage_commands_work_through_the_cli(tmp_path):
    result = run_cli("check", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_unlock_command_clears_locks_and_is_audited(client, make_account):
    account = make_account()
    for _ in range(3):
        login(client, account.user_id, "Wrong1pass")
    assert outcome_code(login(client, account.user_id, PASSWORD)) == "login.locked"
    call_command("unlock", account.user_id.lower(), reason="called the help line")
    assert AccessLock.objects.get(user_id=account.user_id).locked_until is None
    assert login(client, account.user_id, PASSWORD).status_code == 302
    event = AuditEvent.objects.get(tag="account:unlock")
    assert event.actor == "cli" and event.detail == {"reason": "called the help line"}


@pytest.mark.django_db
def test_unlock_command_needs_a_valid_id_and_a_reason():
    with pytest.raises(CommandError):
        call_command("unlock", "not an id!", reason="x")
    with pytest.raises(CommandError):
        call_command("unlock", "1234567", reason="   ")


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    from django.db import connection

    def broken():
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


@pytest.mark.sqlite_portal
def test_serve_runs_the_production_server_with_static_files(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/serve.sqlite3"}
    assert run_cli("migrate", "-v", "0", env_overrides=env, tmp_path=tmp_path).returncode == 0
    full_env = {
        "PATH": os.environ.get("PATH", ""),
        "STAFFGATE_SECRET_KEY": "s" * 50,
        "STAFFGATE_ALLOWED_HOSTS": "127.0.0.1",
        "STAFFGATE_VAR_DIR": str(tmp_path),
        "STAFFGATE_SECURE_COOKIES": "0",  # plain HTTP, as `make run` serves it
        **env,
    }
    with serving(STAFFGATE, full_env, log=tmp_path / "serve.log") as base:
        page = get(base + "/login/")
        assert 'name="user_id"' in page
        assert b"staffgate" in stylesheet_of(base, page)
