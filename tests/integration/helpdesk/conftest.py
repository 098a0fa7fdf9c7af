"""Fixtures of the help-desk tests: agents (staff users with the agent right) and tickets."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.test import Client

from staffgate.helpdesk import services

AGENT_PASSWORD = "Desk-agent-2026!"
HELP = {
    "user_id": "1234567",
    "full_name": "Pat Jones",
    "email": "pat.jones@example.org",
    "phone": "+1 (555) 010-2030",
    "topic": "unlock",
    "message": "I answered my questions wrong and now I am locked out.",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Counters live in the cache, which a non-database backend would keep between tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_agent(db):
    def make(username="alice", *, agent=True, **fields) -> User:
        user = User.objects.create_user(username, password=AGENT_PASSWORD, **fields)
        if agent:
            user.user_permissions.add(Permission.objects.get(codename="act_on_tickets"))
        return user

    return make


def agent_login(client, username, password=AGENT_PASSWORD, **extra):
    return client.post("/helpdesk/login/", {"username": username, "password": password, **extra})


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
