"""Fixtures of the help-desk tests: agents (staff users with the agent right) and tickets."""

from __future__ import annotations

import pytest
from django.test import Client

from staffgate.helpdesk import services
from tests.conftest import AGENT_PASSWORD, pass_factor_step

HELP = {
    "user_id": "1234567",
    "full_name": "Pat Jones",
    "email": "pat.jones@example.org",
    "phone": "+1 (555) 010-2030",
    "topic": "unlock",
    "message": "I answered my questions wrong and now I am locked out.",
}


def agent_login(client, username, password=AGENT_PASSWORD, **extra):
    """Log in at the help-desk login page, passing the factor step an agent meets after it."""
    response = client.post(
        "/helpdesk/login/", {"username": username, "password": password, **extra}
    )
    return pass_factor_step(client, response, username)


@pytest.fixture
def agent_client(make_agent):
    """A browser where agent ``alice`` logged in through the help-desk login page."""
    make_agent("alice")
    client = Client()
    assert agent_login(client, "alice")["Location"] == "/helpdesk/"
    return client


@pytest.fixture
def make_ticket(db):
    def make(**fields):
        data = HELP | {"language": "en"} | fields
        return services.file_ticket(**data)

    return make
