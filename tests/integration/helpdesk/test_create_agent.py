"""``staffgate create-agent``: help-desk staff accounts from the command line."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from staffgate.accounts.models import Account as User
from staffgate.audit.models import AuditEvent
from staffgate.helpdesk.services import is_agent
from tests.integration.helpdesk.conftest import agent_login

pytestmark = pytest.mark.django_db

GOOD = "Harbour-lights-77"


def create(*args):
    out = io.StringIO()
    call_command("create_agent", *args, stdout=out)
    return out.getvalue()


def test_creates_an_agent_who_can_log_in(monkeypatch):
    monkeypatch.setenv("AGENT_PW", GOOD)
    output = create("carol", "--email", "carol@example.com", "--password-from-env", "AGENT_PW")
    assert "carol" in output and GOOD not in output
    user = User.objects.get(user_id="carol")
    assert is_agent(user)
    assert user.email == "carol@example.com"
    assert not user.is_superuser
    assert user.password.startswith("argon2")
    client = Client()
    assert agent_login(client, "carol", GOOD)["Location"] == "/helpdesk/"
    event = AuditEvent.objects.get(tag="helpdesk:agent:created")
    assert event.detail == {"agent": "carol"}
    assert GOOD not in str(event.detail)


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("carol", "short1"),
        ("carol", "password123456"),
        ("carol", "12345678901234"),
        ("harbourlights", "Harbourlights1"),
    ],
)
def test_weak_passwords_are_refused_by_django_validators(monkeypatch, username, password):
    monkeypatch.setenv("AGENT_PW", password)
    with pytest.raises(CommandError, match="The password is refused"):
        create(username, "--password-from-env", "AGENT_PW")
    assert not User.objects.filter(user_id=username).exists()


def test_an_existing_name_is_refused(monkeypatch, make_agent):
    make_agent("carol")
    monkeypatch.setenv("AGENT_PW", GOOD)
    with pytest.raises(CommandError, match="already exists"):
        create("carol", "--password-from-env", "AGENT_PW")


def test_a_missing_variable_is_refused(monkeypatch):
    monkeypatch.delenv("NO_SUCH_VAR", raising=False)
    with pytest.raises(CommandError, match="NO_SUCH_VAR"):
        create("carol", "--password-from-env", "NO_SUCH_VAR")


def test_a_bad_email_or_username_is_refused(monkeypatch):
    monkeypatch.setenv("AGENT_PW", GOOD)
    with pytest.raises(CommandError, match="e-mail"):
        create("carol", "--email", "nope", "--password-from-env", "AGENT_PW")
    with pytest.raises(CommandError, match="valid username"):
        create("carol smith", "--password-from-env", "AGENT_PW")
    assert not User.objects.exists()


def test_without_a_terminal_it_asks_for_the_variable(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="--password-from-env"):
        create("carol")


def test_prompts_twice_on_a_terminal(monkeypatch):
    answers = iter([GOOD, GOOD])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    create("dave")
    assert is_agent(User.objects.get(user_id="dave"))


def test_prompted_passwords_must_match(monkeypatch):
    answers = iter([GOOD, GOOD + "x"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="differ"):
        create("dave")
