"""Tickets in the Django admin: shown to administrators, changed only through the help desk."""

from __future__ import annotations

import pytest

from staffgate.accounts.models import Account as User
from tests.conftest import add_totp

pytestmark = pytest.mark.django_db


def test_tickets_are_listed_and_shown_read_only(client, make_ticket, agent_client):
    ticket = make_ticket()
    agent_client.post(f"/helpdesk/tickets/{ticket.reference}/close/", {"reason": "answered"})
    root = User.objects.create_superuser("root", password="Root-pass-2026!")
    add_totp(root)  # superusers must have a second factor
    client.force_login(root)
    listing = client.get("/admin/helpdesk/ticket/")
    assert listing.status_code == 200
    assert ticket.reference in listing.content.decode()
    page = client.get(f"/admin/helpdesk/ticket/{ticket.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "answered" in body
    assert 'name="status"' not in body
    assert client.get("/admin/helpdesk/ticket/add/").status_code == 403
    assert (
        client.post(f"/admin/helpdesk/ticket/{ticket.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    ticket.refresh_from_db()
    assert ticket.status == "closed"
