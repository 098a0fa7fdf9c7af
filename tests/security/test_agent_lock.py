"""Strangers cannot lock a help-desk agent out everywhere (ASVS 5.0 V6.3.1).

An agent's sign-in lock is kept per name and client network: three wrong
passwords from one place lock the name there only. ``staffgate unlock`` takes an
agent's name and clears it from every network.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from staffgate.accounts.models import AccessLock
from staffgate.audit.models import AuditEvent
from tests.conftest import AGENT_PASSWORD, outcome_code, pass_factor_step

pytestmark = pytest.mark.django_db

STRANGER = "203.0.113.66"
OFFICE = "198.51.100.10"


def agent_login(username, password, address):
    """Sign in at the help desk from ``address``, passing the factor step after a right password."""
    client = Client()
    response = client.post(
        "/helpdesk/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return pass_factor_step(client, response, username)


@pytest.mark.parametrize("name", ["alice", "bob.jones"])
def test_v6_3_1_an_agent_locked_from_one_network_still_signs_in_from_another(make_agent, name):
    make_agent(name)
    codes = [outcome_code(agent_login(name, "wrong-guess-1", STRANGER)) for _ in range(3)]
    assert codes == ["login.invalid", "login.invalid", "login.locked"]
    assert outcome_code(agent_login(name, AGENT_PASSWORD, STRANGER)) == "login.locked"
    # The same /64 is the same place; another address is not.
    assert agent_login(name, AGENT_PASSWORD, OFFICE)["Location"] == "/helpdesk/"


def test_v6_3_1_the_ipv6_64_of_the_stranger_is_one_place(make_agent):
    make_agent("alice")
    for n in range(3):
        agent_login("alice", "wrong", f"2001:db8:66::{n + 1}")
    assert outcome_code(agent_login("alice", AGENT_PASSWORD, "2001:db8:66::99")) == ("login.locked")
    assert agent_login("alice", AGENT_PASSWORD, "2001:db8:67::1")["Location"] == "/helpdesk/"


@pytest.mark.parametrize("name", ["alice", "bob.jones"])
def test_v6_3_1_staffgate_unlock_accepts_an_agent_name(make_agent, name, capsys):
    make_agent(name)
    for address in (STRANGER, OFFICE):
        for _ in range(3):
            agent_login(name, "wrong", address)
    call_command("unlock", name, reason="agent locked out by a stranger")
    assert f"{name}: unlocked" in capsys.readouterr().out
    assert not AccessLock.objects.filter(login_failures__gt=0).exists()
    assert agent_login(name, AGENT_PASSWORD, STRANGER)["Location"] == "/helpdesk/"
    event = AuditEvent.objects.get(tag="account:unlock")
    assert (event.actor, event.outcome) == ("cli", "unlocked")
    assert event.detail == {"reason": "agent locked out by a stranger", "agent": name}


def test_v6_3_1_unlock_still_refuses_text_that_is_neither_an_id_nor_an_agent(make_agent):
    make_agent("alice")
    with pytest.raises(CommandError, match="neither a valid User ID"):
        call_command("unlock", "no.such.agent", reason="x")
