"""The portal's links and forms follow the URL configuration, even under a path prefix."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.test.utils import override_script_prefix

from staffgate.helpdesk import services
from tests.conftest import AGENT_PASSWORD, PASSWORD, login, pass_factor_step

pytestmark = pytest.mark.django_db

PREFIX = "/portal/"
TARGET = re.compile(r"""(?<![\w-])(?:href|action|formaction|src)="([^"]*)\"""")


def absolute_targets(response) -> list[str]:
    assert response.status_code in (200, 404), response.status_code
    return [t for t in TARGET.findall(response.content.decode()) if t.startswith("/")]


def assert_reversed(response):
    """Every absolute address on the page carries the prefix, or is a static file."""
    targets = absolute_targets(response)
    assert targets, "the page has no links"
    written_out = [t for t in targets if not t.startswith((PREFIX, settings.STATIC_URL))]
    assert written_out == []


@pytest.mark.parametrize(
    "path", ["/login/", "/help/", "/recover/", "/helpdesk/login/", "/nowhere/"]
)
def test_public_pages_link_through_the_url_configuration(client, path):
    with override_script_prefix(PREFIX):
        assert_reversed(client.get(path))


def test_a_logged_in_person_s_pages_link_through_the_url_configuration(client, make_account):
    account = make_account()
    login(client, account.user_id, PASSWORD)
    with override_script_prefix(PREFIX):
        for path in ["/", "/profile/", "/profile/email/", "/profile/password/"]:
            assert_reversed(client.get(path))


def test_the_help_desk_s_pages_link_through_the_url_configuration(make_agent):
    make_agent("alice")
    ticket = services.file_ticket(
        user_id="1234567",
        full_name="Pat Jones",
        email="pat.jones@example.org",
        phone="",
        topic="unlock",
        message="Locked out.",
        language="en",
    )
    agent = Client()
    pass_factor_step(
        agent,
        agent.post("/helpdesk/login/", {"username": "alice", "password": AGENT_PASSWORD}),
        "alice",
    )
    with override_script_prefix(PREFIX):
        queue = agent.get("/helpdesk/")
        page = agent.get(f"/helpdesk/tickets/{ticket.reference}/")
    assert_reversed(queue)
    assert_reversed(page)
    assert f"{PREFIX}helpdesk/tickets/{ticket.reference}/" in absolute_targets(queue)
    assert f"{PREFIX}helpdesk/tickets/{ticket.reference}/act/" in absolute_targets(page)
