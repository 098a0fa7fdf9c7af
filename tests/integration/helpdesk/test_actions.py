"""Agent actions: unlock, reset registration, close, each with a reason, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from staffgate.accounts.models import AccessLock, Account, AccountSession, ChallengeAnswer
from staffgate.audit.models import AuditEvent
from tests.conftest import PASSWORD, field_codes, login, outcome_code

pytestmark = pytest.mark.django_db

ACTIONS = ["unlock", "reset", "close"]


def act(client, ticket, action, reason="Caller verified by phone"):
    data = {} if reason is None else {"reason": reason}
    if action in ("reset", "factors"):
        data["confirm"] = "yes"  # past the confirmation page
    return client.post(f"/helpdesk/tickets/{ticket.reference}/{action}/", data)


def recovery_lock(user_id):
    AccessLock.objects.update_or_create(
        user_id=user_id,
        defaults={"recovery_failures": 3, "recovery_locked_at": timezone.now()},
    )


def snapshot(ticket, user_id):
    ticket.refresh_from_db()
    lock = AccessLock.objects.filter(user_id=user_id).values().first()
    return (
        ticket.status,
        ticket.notes.count(),
        lock,
        Account.objects.filter(user_id=user_id).exists(),
        AuditEvent.objects.exclude(tag__startswith="helpdesk:login").count(),
    )


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_every_action_needs_a_reason(agent_client, make_account, make_ticket, action, reason):
    account = make_account()
    recovery_lock(account.user_id)
    ticket = make_ticket(user_id=account.user_id)
    before = snapshot(ticket, account.user_id)
    response = act(agent_client, ticket, action, reason)
    assert response.status_code == 200
    assert outcome_code(response) == "form.invalid"
    assert field_codes(response) == ["reason.required"]
    assert snapshot(ticket, account.user_id) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_a_too_long_reason_is_refused(agent_client, make_ticket, action):
    ticket = make_ticket()
    response = act(agent_client, ticket, action, "r" * 501)
    assert field_codes(response) == ["reason.max_length"]
    ticket.refresh_from_db()
    assert ticket.status == "open" and not ticket.notes.exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_get_never_changes_anything(agent_client, make_account, make_ticket, action):
    account = make_account()
    recovery_lock(account.user_id)
    ticket = make_ticket(user_id=account.user_id)
    before = snapshot(ticket, account.user_id)
    response = agent_client.get(f"/helpdesk/tickets/{ticket.reference}/{action}/?reason=because")
    assert response.status_code == 405
    assert snapshot(ticket, account.user_id) == before


def test_unlock_clears_both_locks_and_counts_and_tells_the_person(
    agent_client, make_account, make_ticket, mailoutbox
):
    account = make_account(email="rita@example.com")
    AccessLock.objects.create(
        user_id=account.user_id,
        login_failures=3,
        locked_until=timezone.now() + dt.timedelta(minutes=10),
        recovery_failures=3,
        recovery_locked_at=timezone.now(),
    )
    ticket = make_ticket(user_id=account.user_id, email="attacker@example.net")
    mailoutbox.clear()
    response = act(agent_client, ticket, "unlock")
    assert response["Location"] == f"/helpdesk/tickets/{ticket.reference}/"
    page = agent_client.get(response["Location"]).content.decode()
    assert "The account was unlocked" in page
    lock = AccessLock.objects.get(user_id=account.user_id)
    assert (lock.login_failures, lock.locked_until, lock.recovery_failures) == (0, None, 0)
    assert lock.recovery_locked_at is None
    # The mail goes to the address on file, not to whoever filed the ticket.
    assert [m.to for m in mailoutbox] == [["rita@example.com"]]
    note = ticket.notes.get()
    assert (note.author_name, note.action, note.reason) == (
        "alice",
        "unlock",
        "Caller verified by phone",
    )
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_unlock_ends_the_persons_sessions(agent_client, make_account, make_ticket):
    account = make_account()
    person_browser = Client()
    login(person_browser, account.user_id, PASSWORD)
    act(agent_client, make_ticket(user_id=account.user_id), "unlock")
    assert not AccountSession.objects.filter(account=account).exists()
    assert person_browser.get("/").status_code == 302


def test_unlock_of_an_unregistered_id_mails_nobody(
    agent_client, make_person, make_ticket, mailoutbox
):
    person = make_person()
    recovery_lock(person.employee_id)
    ticket = make_ticket(user_id=person.employee_id)
    mailoutbox.clear()
    act(agent_client, ticket, "unlock")
    assert AccessLock.objects.get(user_id=person.employee_id).recovery_locked_at is None
    assert mailoutbox == []


def test_unlock_when_nothing_is_locked_says_so(agent_client, make_account, make_ticket):
    account = make_account()
    response = act(agent_client, make_ticket(user_id=account.user_id), "unlock")
    assert "Nothing was locked" in agent_client.get(response["Location"]).content.decode()


def test_reset_lets_the_person_register_again_with_the_pin(
    client, agent_client, make_person, make_account, make_ticket, pin_for, mailoutbox
):
    person = make_person()
    account = make_account(person, email="pat@example.com", language="fr")
    recovery_lock(account.user_id)
    person_browser = Client()
    login(person_browser, account.user_id, PASSWORD)
    ticket = make_ticket(user_id=account.user_id)
    mailoutbox.clear()

    response = act(agent_client, ticket, "reset", "Lost access to e-mail; identity checked")
    assert "The registration was reset" in agent_client.get(response["Location"]).content.decode()

    assert not Account.objects.filter(user_id=account.user_id).exists()
    assert not ChallengeAnswer.objects.filter(account_id=account.pk).exists()
    assert not AccountSession.objects.filter(account_id=account.pk).exists()
    assert person_browser.get("/").status_code == 302
    assert outcome_code(login(client, account.user_id, PASSWORD)) == "login.invalid"
    started = login(Client(), account.user_id, pin_for(person))
    assert started["Location"] == "/register/terms/"

    assert [m.to for m in mailoutbox] == [["pat@example.com"]]
    assert PASSWORD not in mailoutbox[0].body and pin_for(person) not in mailoutbox[0].body
    event = AuditEvent.objects.get(tag="account:registration:reset")
    assert (event.actor, event.user_id, event.outcome) == ("agent:alice", account.user_id, "reset")
    assert event.detail == {"reason": "Lost access to e-mail; identity checked"}
    assert ticket.notes.get().action == "reset_registration"


def test_reset_clears_every_count(agent_client, make_account, make_ticket):
    account = make_account()
    recovery_lock(account.user_id)
    act(agent_client, make_ticket(user_id=account.user_id), "reset")
    lock = AccessLock.objects.get(user_id=account.user_id)
    assert (lock.login_failures, lock.recovery_failures, lock.recovery_locked_at) == (0, 0, None)


def test_reset_of_an_unregistered_id_says_there_is_nothing(
    agent_client, make_person, make_ticket, mailoutbox
):
    person = make_person()
    ticket = make_ticket(user_id=person.employee_id)
    mailoutbox.clear()
    response = act(agent_client, ticket, "reset")
    assert "no registration to reset" in agent_client.get(response["Location"]).content.decode()
    assert mailoutbox == []
    assert AuditEvent.objects.get(tag="account:registration:reset").outcome == "not_registered"


def test_close_records_who_when_and_why(agent_client, make_ticket):
    ticket = make_ticket()
    response = act(agent_client, ticket, "close", "Solved on the phone")
    assert "The ticket was closed." in agent_client.get(response["Location"]).content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert ticket.closed_by.get_username() == "alice"
    assert ticket.close_reason == "Solved on the phone"
    assert timezone.now() - ticket.closed_at < dt.timedelta(minutes=1)
    event = AuditEvent.objects.get(tag="helpdesk:ticket:closed")
    assert event.actor == "agent:alice"
    assert event.detail == {"reference": ticket.reference, "reason": "Solved on the phone"}
    assert ticket.user_id == event.user_id


@pytest.mark.parametrize("action", ACTIONS)
def test_a_closed_ticket_takes_no_more_actions(agent_client, make_account, make_ticket, action):
    account = make_account()
    ticket = make_ticket(user_id=account.user_id)
    act(agent_client, ticket, "close")
    recovery_lock(account.user_id)
    before = snapshot(ticket, account.user_id)
    response = act(agent_client, ticket, action)
    page = agent_client.get(response["Location"]).content.decode()
    assert "This ticket is closed; nothing was changed." in page
    assert snapshot(ticket, account.user_id) == before


def test_a_closed_ticket_shows_no_action_buttons(agent_client, make_ticket):
    ticket = make_ticket()
    act(agent_client, ticket, "close")
    body = agent_client.get(f"/helpdesk/tickets/{ticket.reference}/").content.decode()
    assert 'data-action="unlock"' not in body.split("Ticket history")[0]
    assert "This ticket is closed." in body


def test_the_history_lists_each_action_with_agent_and_reason(
    agent_client, make_account, make_ticket
):
    account = make_account()
    ticket = make_ticket(user_id=account.user_id)
    act(agent_client, ticket, "unlock", "first call")
    act(agent_client, ticket, "close", "done")
    body = agent_client.get(f"/helpdesk/tickets/{ticket.reference}/").content.decode()
    history = body.split("Ticket history")[1]
    assert history.index("first call") < history.index("done")
    assert history.count('data-author="alice"') == 2


def test_the_failed_form_keeps_the_other_buttons_usable(agent_client, make_ticket):
    ticket = make_ticket()
    body = act(agent_client, ticket, "reset", "").content.decode()
    assert body.count('name="reason"') == 1  # one reason for every action of the panel
    for action in ("unlock", "reset", "factors", "reply", "close"):
        assert f'name="action" value="{action}"' in body
    assert 'value="reset" id="id_action_reset" aria-describedby="hint-reset" checked' in body
    assert 'id="id_reason_error"' in body
    assert 'href="#id_reason"' in body.split('role="alert"')[1].split("</div>")[0]
