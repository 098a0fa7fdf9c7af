"""The agent's view: the queue, and a ticket with the person's roster record and account state."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from staffgate.accounts.models import AccessLock
from staffgate.audit.models import AuditEvent
from staffgate.audit.services import record_event
from staffgate.helpdesk.models import Ticket
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    return re.findall(r'<tr data-reference="([^"]+)"', response.content.decode())


def field(response, name) -> str:
    match = re.search(rf'data-field="{name}"[^>]*>(.*?)</dd>', response.content.decode(), re.S)
    assert match, f"no {name} on the page"
    return " ".join(match.group(1).split())


@pytest.fixture
def three_tickets(make_ticket):
    """Filed an hour apart, oldest first; the middle one is closed."""
    now = timezone.now()
    tickets = [make_ticket(full_name=f"Person {n}") for n in range(3)]
    for age, ticket in zip((3, 2, 1), tickets, strict=True):
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - dt.timedelta(hours=age))
    Ticket.objects.filter(pk=tickets[1].pk).update(status="closed")
    return [t.reference for t in tickets]


def test_the_queue_lists_newest_first(agent_client, three_tickets):
    assert listed(agent_client.get("/helpdesk/?status=all&sort=newest")) == three_tickets[::-1]


def test_the_queue_filters_by_status(agent_client, three_tickets):
    oldest, middle, newest = three_tickets
    assert listed(agent_client.get("/helpdesk/?status=open&sort=newest")) == [newest, oldest]
    assert listed(agent_client.get("/helpdesk/?status=closed")) == [middle]
    # An unknown status is the default one: the open tickets.
    assert listed(agent_client.get("/helpdesk/?status=bogus&sort=newest")) == [newest, oldest]


def test_the_queue_is_paginated(agent_client, make_ticket):
    for _ in range(27):
        make_ticket()
    first = agent_client.get("/helpdesk/")
    assert len(listed(first)) == 25
    assert 'href="?page=2"' in first.content.decode()
    second = agent_client.get("/helpdesk/?page=2")
    assert len(listed(second)) == 2
    assert set(listed(first)).isdisjoint(listed(second))
    assert agent_client.get("/helpdesk/?page=nonsense").status_code == 200
    assert len(listed(agent_client.get("/helpdesk/?page=999"))) == 2


def test_the_ticket_shows_the_request(agent_client, make_ticket):
    ticket = make_ticket(message="Line one\n<b>not bold</b>")
    body = agent_client.get(f"/helpdesk/tickets/{ticket.reference}/").content.decode()
    for text in (ticket.reference, "Pat Jones", "pat.jones@example.org", "+1 (555) 010-2030"):
        assert text in body
    assert "&lt;b&gt;not bold&lt;/b&gt;" in body


def test_the_reference_in_the_address_is_case_insensitive(agent_client, make_ticket):
    ticket = make_ticket()
    assert agent_client.get(f"/helpdesk/tickets/{ticket.reference.lower()}/").status_code == 200


def test_an_unknown_ticket_is_404(agent_client):
    assert agent_client.get("/helpdesk/tickets/HD-ZZZZZZ/").status_code == 404


def test_the_ticket_shows_roster_record_and_account_state(
    agent_client, make_person, make_account, make_ticket
):
    account = make_account(make_person(first_name="Rita", last_name="Ortiz", country="CA"))
    ticket = make_ticket(user_id=account.user_id)
    response = agent_client.get(f"/helpdesk/tickets/{ticket.reference}/")
    body = response.content.decode()
    assert "Rita Ortiz" in body
    assert field(response, "eligibility") == "Eligible"
    assert field(response, "registered").startswith("Yes, since")
    assert account.email in body
    assert field(response, "lock") == "Not locked"
    assert "argon2" not in body.lower()
    assert account.password not in body


def test_the_ticket_says_why_a_person_has_no_access(agent_client, make_person, make_ticket):
    person = make_person(country="FR")
    response = agent_client.get(
        f"/helpdesk/tickets/{make_ticket(user_id=person.employee_id).reference}/"
    )
    assert field(response, "eligibility") == "Not eligible: country not covered"
    assert field(response, "registered") == "No"


def test_the_ticket_says_when_the_id_is_not_in_the_roster(agent_client, make_ticket):
    response = agent_client.get(f"/helpdesk/tickets/{make_ticket(user_id='7777777').reference}/")
    assert 'data-field="roster-missing"' in response.content.decode()
    assert field(response, "registered") == "No"


def test_the_ticket_shows_a_temporary_lock_and_the_counts(
    client, agent_client, make_account, make_ticket
):
    account = make_account()
    for _ in range(3):
        login(client, account.user_id, "Wrong1pass")
    response = agent_client.get(
        f"/helpdesk/tickets/{make_ticket(user_id=account.user_id).reference}/"
    )
    until = timezone.localtime(AccessLock.objects.get(user_id=account.user_id).locked_until)
    assert field(response, "lock") == (
        f"Temporarily locked after failed logins until {until:%Y-%m-%d %H:%M}."
    )
    assert field(response, "login-failures") == "3"
    assert field(response, "recovery-failures") == "0"


def test_the_ticket_shows_the_recovery_lock(agent_client, make_account, make_ticket):
    account = make_account()
    since = timezone.now() - dt.timedelta(days=2)
    AccessLock.objects.create(
        user_id=account.user_id, recovery_failures=3, recovery_locked_at=since
    )
    response = agent_client.get(
        f"/helpdesk/tickets/{make_ticket(user_id=account.user_id).reference}/"
    )
    assert field(response, "lock").startswith(
        f"Locked after failed password recovery since {timezone.localtime(since):%Y-%m-%d %H:%M}"
    )
    assert field(response, "recovery-failures") == "3"


def test_an_ended_temporary_lock_shows_as_not_locked(agent_client, make_account, make_ticket):
    account = make_account()
    AccessLock.objects.create(
        user_id=account.user_id,
        login_failures=3,
        locked_until=timezone.now() - dt.timedelta(minutes=1),
    )
    response = agent_client.get(
        f"/helpdesk/tickets/{make_ticket(user_id=account.user_id).reference}/"
    )
    assert field(response, "lock") == "Not locked"


def test_the_ticket_shows_the_last_twenty_events_of_that_user_id(agent_client, make_ticket):
    ticket = make_ticket(user_id="5550001")
    for n in range(25):
        record_event("account:login:failure", user_id="5550001", outcome=f"try-{n:02d}")
    record_event("account:login:failure", user_id="5550002", outcome="someone-else")
    body = agent_client.get(f"/helpdesk/tickets/{ticket.reference}/").content.decode()
    events = body.split('data-section="events"')[1]
    shown = re.findall(r'data-outcome="(try-\d\d|someone-else|submitted)"', events)
    # Newest first: the events after the ticket's own creation event.
    assert shown == [f"try-{n:02d}" for n in range(24, 4, -1)]
    assert AuditEvent.objects.filter(user_id="5550001").count() == 26


def test_the_ticket_page_never_shows_a_hash(agent_client, make_account, make_ticket):
    account = make_account()
    ticket = make_ticket(user_id=account.user_id)
    body = agent_client.get(f"/helpdesk/tickets/{ticket.reference}/").content.decode()
    assert "argon2" not in body.lower()
    for answer in account.answers.all():
        assert answer.answer_hash not in body
    assert "pbkdf2" not in body.lower()


def test_the_ticket_warns_when_the_given_email_differs_from_the_one_on_file(
    agent_client, make_account, make_ticket
):
    account = make_account()
    same = make_ticket(user_id=account.user_id, email=account.email.upper())
    other = make_ticket(user_id=account.user_id, email="someone@else.example")
    assert (
        "same as the address on file"
        in agent_client.get(f"/helpdesk/tickets/{same.reference}/").content.decode()
    )
    assert (
        "differs from the address on file"
        in agent_client.get(f"/helpdesk/tickets/{other.reference}/").content.decode()
    )


def test_the_person_can_still_log_in_while_agents_look(
    client, agent_client, make_account, make_ticket
):
    account = make_account()
    agent_client.get(f"/helpdesk/tickets/{make_ticket(user_id=account.user_id).reference}/")
    assert login(client, account.user_id, PASSWORD).status_code == 302
