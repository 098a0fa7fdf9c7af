"""The ticket shaped around the agent's task: the summary's checks, one action panel,
the confirmation of destructive actions, replies, the queue's defaults and search."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from staffgate.accounts.models import AccessLock, Account
from staffgate.audit.models import AuditEvent
from staffgate.audit.services import record_event
from staffgate.helpdesk.models import Ticket
from tests.conftest import PASSWORD, field_codes, login, outcome_code

pytestmark = pytest.mark.django_db


def page_of(client, ticket) -> str:
    return client.get(f"/helpdesk/tickets/{ticket.reference}/").content.decode()


def check(body: str, name: str) -> str:
    """The match state (yes, no, unknown) of one check of the summary."""
    return re.search(rf'data-check="{name}" data-match="([a-z]+)"', body).group(1)


def summary(body: str) -> str:
    section = body.split('data-section="summary"')[1].split("</section>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


def listed(response) -> list[str]:
    return re.findall(r'<tr data-reference="([^"]+)"', response.content.decode())


# --- The summary ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["Ana Peña", "ana pena", "ANA PEÑA", "Peña, Ana", "  ana   peña "]
)
def test_a_name_matching_the_roster_ignoring_case_accents_and_order_is_ticked(
    agent_client, make_person, make_ticket, typed
):
    person = make_person(first_name="Ana", last_name="Peña")
    body = page_of(agent_client, make_ticket(user_id=person.employee_id, full_name=typed))
    assert check(body, "name") == "yes"
    assert "✓ Matches the roster" in summary(body)


def test_a_name_that_differs_from_the_roster_is_flagged_in_words(
    agent_client, make_person, make_ticket
):
    person = make_person(first_name="Ana", last_name="Peña")
    body = page_of(agent_client, make_ticket(user_id=person.employee_id, full_name="Test Person"))
    assert check(body, "name") == "no"
    # Not colour alone: the flag says it, and names the roster's name.
    assert "✗ Does not match the roster: Ana Peña" in summary(body)


def test_the_summary_puts_the_lock_and_since_when_first(agent_client, make_account, make_ticket):
    account = make_account()
    since = timezone.now() - dt.timedelta(hours=5)
    AccessLock.objects.create(
        user_id=account.user_id, recovery_failures=3, recovery_locked_at=since
    )
    body = page_of(agent_client, make_ticket(user_id=account.user_id))
    text = summary(body)
    assert text.index("Lock") < text.index("Name given")
    assert f"since {timezone.localtime(since):%Y-%m-%d %H:%M}" in text
    # The summary and the action panel come before the long record.
    assert body.index('data-section="actions"') < body.index('data-section="roster"')


def test_a_temporary_lock_says_since_when(client, agent_client, make_account, make_ticket):
    account = make_account()
    for _ in range(3):
        login(client, account.user_id, "Wrong1pass")
    until = AccessLock.objects.get(user_id=account.user_id).locked_until
    body = page_of(agent_client, make_ticket(user_id=account.user_id))
    since = timezone.localtime(until - dt.timedelta(minutes=15))
    assert re.search(rf'data-field="lock-since">{since:%Y-%m-%d %H:%M}<', body)


def test_the_email_check_ignores_case_and_flags_a_difference(
    agent_client, make_account, make_ticket
):
    account = make_account(email="rita@example.com")
    same = page_of(agent_client, make_ticket(user_id=account.user_id, email="RITA@Example.com"))
    other = page_of(agent_client, make_ticket(user_id=account.user_id, email="x@evil.example"))
    assert check(same, "email") == "yes" and check(other, "email") == "no"
    assert "✗ differs from the address on file: rita@example.com" in summary(other)


def test_codes_and_event_tags_are_shown_in_words(agent_client, make_person, make_ticket):
    person = make_person(status="retired", retirement_plan=True, country="CA")
    ticket = make_ticket(user_id=person.employee_id, language="es")
    record_event("account:recover:failure", user_id=person.employee_id, outcome="invalid")
    body = page_of(agent_client, ticket)
    assert "Wrong answer in password recovery" in body
    assert ">account:recover:failure<" not in body
    roster = body.split('data-section="roster"')[1].split("</section>")[0]
    assert "Retired" in roster and ">retired<" not in roster
    assert "Canada" in roster
    assert "Spanish" in body and ">es<" not in body


def test_events_are_in_the_agents_language(agent_client, make_person, make_ticket):
    person = make_person()
    ticket = make_ticket(user_id=person.employee_id)
    record_event("account:recover:failure", user_id=person.employee_id, outcome="invalid")
    body = agent_client.get(f"/helpdesk/tickets/{ticket.reference}/?language=fr").content
    assert "Mauvaise réponse lors de la récupération du mot de passe" in body.decode()


# --- The action panel and the confirmation page --------------------------------------------


def test_the_ticket_has_one_action_panel_with_one_reason(agent_client, make_ticket):
    body = page_of(agent_client, make_ticket())
    assert body.count("<form") - body.count('class="inline"') == 1  # the panel, not 4 forms
    assert body.count('name="reason"') == 1
    assert 'name="close_ticket"' in body
    assert re.findall(r'name="action" value="(\w+)"', body) == [
        "unlock",
        "reply",
        "close",
        "reset",
        "factors",
    ]


def test_unlock_and_also_close_with_one_reason(agent_client, make_account, make_ticket):
    account = make_account()
    AccessLock.objects.create(
        user_id=account.user_id, recovery_failures=3, recovery_locked_at=timezone.now()
    )
    ticket = make_ticket(user_id=account.user_id)
    response = agent_client.post(
        f"/helpdesk/tickets/{ticket.reference}/act/",
        {"action": "unlock", "reason": "identity checked", "close_ticket": "on"},
    )
    assert response.status_code == 302
    assert AccessLock.objects.get(user_id=account.user_id).recovery_locked_at is None
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.close_reason == "identity checked"
    assert [n.action for n in ticket.notes.all()] == ["unlock", "close"]
    page = agent_client.get(response["Location"]).content.decode()
    assert "The account was unlocked" in page and "The ticket was closed." in page


def test_the_panel_needs_an_action(agent_client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(f"/helpdesk/tickets/{ticket.reference}/act/", {"reason": "x"})
    assert outcome_code(response) == "form.invalid"
    assert field_codes(response) == ["action.required"]
    assert not ticket.notes.exists()


@pytest.mark.parametrize("route", ["act", "reset"])
def test_resetting_the_registration_asks_to_confirm_first(
    agent_client, make_account, make_ticket, route
):
    account = make_account()
    ticket = make_ticket(user_id=account.user_id)
    data = {"reason": "lost e-mail access", "close_ticket": "on"}
    if route == "act":
        data["action"] = "reset"
    page = agent_client.post(f"/helpdesk/tickets/{ticket.reference}/{route}/", data)
    # A page of its own, a plain form (no script needed), and nothing changed yet.
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-confirm="reset"' in body
    assert f"Reset the registration of User ID {account.user_id}?" in body
    assert "This cannot be undone." in body
    assert f'action="/helpdesk/tickets/{ticket.reference}/reset/"' in body
    assert 'name="confirm" value="yes"' in body and "<script" not in body
    assert Account.objects.filter(user_id=account.user_id).exists()
    assert not ticket.notes.exists()
    assert not AuditEvent.objects.filter(tag="account:registration:reset").exists()

    # Confirming sends what the page holds: the reason and "also close".
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', body))
    assert hidden["reason"] == "lost e-mail access" and hidden["close_ticket"] == "on"
    done = agent_client.post(f"/helpdesk/tickets/{ticket.reference}/reset/", hidden)
    assert done.status_code == 302
    assert not Account.objects.filter(user_id=account.user_id).exists()
    ticket.refresh_from_db()
    assert ticket.status == "closed"


def test_resetting_second_factors_asks_to_confirm_first(agent_client, make_account, make_ticket):
    account = make_account()
    ticket = make_ticket(user_id=account.user_id)
    page = agent_client.post(
        f"/helpdesk/tickets/{ticket.reference}/act/", {"action": "factors", "reason": "lost"}
    )
    assert 'data-confirm="factors"' in page.content.decode()
    assert not ticket.notes.exists()


def test_a_closed_ticket_shows_no_confirmation_page(agent_client, make_account, make_ticket):
    account = make_account()
    ticket = make_ticket(user_id=account.user_id)
    agent_client.post(f"/helpdesk/tickets/{ticket.reference}/close/", {"reason": "done"})
    response = agent_client.post(f"/helpdesk/tickets/{ticket.reference}/reset/", {"reason": "x"})
    assert response.status_code == 302
    assert Account.objects.filter(user_id=account.user_id).exists()


# --- Replies -------------------------------------------------------------------------------


def test_a_reply_is_mailed_in_the_persons_language_and_kept_on_the_ticket(
    agent_client, make_ticket, mailoutbox
):
    ticket = make_ticket(language="fr", full_name="Élise Tremblay", email="elise@example.org")
    mailoutbox.clear()
    text = "Bonjour, votre compte est débloqué.\nAppelez-nous si besoin."
    response = agent_client.post(
        f"/helpdesk/tickets/{ticket.reference}/act/", {"action": "reply", "reply": text}
    )
    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.to == ["elise@example.org"]
    assert mail.extra_headers["Content-Language"] == "fr"
    assert mail.subject.startswith(f"Votre demande d’aide {ticket.reference}")
    assert mail.body.startswith("Bonjour Élise Tremblay,")
    assert text in mail.body
    assert "Hello" not in mail.body
    note = ticket.notes.get()
    assert (note.action, note.message, note.mailed_to, note.language, note.outcome) == (
        "reply",
        text,
        "elise@example.org",
        "fr",
        "sent",
    )
    history = page_of(agent_client, ticket).split('data-section="history"')[1]
    assert "Appelez-nous si besoin." in history and "Mailed to elise@example.org" in history
    event = AuditEvent.objects.get(tag="helpdesk:ticket:reply")
    # The audit log says a reply went, not what it said.
    assert event.actor == "agent:alice" and "débloqué" not in str(event.detail)
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_a_reply_needs_its_text_and_a_reason_only_to_close(agent_client, make_ticket, mailoutbox):
    ticket = make_ticket()
    mailoutbox.clear()
    url = f"/helpdesk/tickets/{ticket.reference}/act/"
    empty = agent_client.post(url, {"action": "reply", "reply": "  "})
    assert field_codes(empty) == ["reply.required"]
    closing = agent_client.post(url, {"action": "reply", "reply": "Done.", "close_ticket": "on"})
    assert field_codes(closing) == ["reason.required"]
    assert mailoutbox == [] and not ticket.notes.exists()
    agent_client.post(
        url, {"action": "reply", "reply": "Done.", "close_ticket": "on", "reason": "answered"}
    )
    ticket.refresh_from_db()
    assert ticket.status == "closed" and len(mailoutbox) == 1


def test_a_reply_on_its_own_route_works_without_the_panel(agent_client, make_ticket, mailoutbox):
    ticket = make_ticket(language="es")
    mailoutbox.clear()
    agent_client.post(f"/helpdesk/tickets/{ticket.reference}/reply/", {"reply": "Hola."})
    assert mailoutbox[0].extra_headers["Content-Language"] == "es"


# --- The queue -----------------------------------------------------------------------------


@pytest.fixture
def aged(make_ticket):
    def make(hours, **fields):
        ticket = make_ticket(**fields)
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=timezone.now() - dt.timedelta(hours=hours)
        )
        return ticket.reference

    return make


def test_the_queue_shows_open_tickets_oldest_first_by_default(agent_client, aged):
    middle, oldest, newest = aged(2), aged(3), aged(1)
    closed = aged(4)
    Ticket.objects.filter(reference=closed).update(status="closed")
    assert listed(agent_client.get("/helpdesk/")) == [oldest, middle, newest]


@pytest.mark.parametrize("how", ["reference", "lower reference", "user id", "name", "accent"])
def test_the_queue_searches_by_reference_user_id_or_name(agent_client, aged, how):
    wanted = aged(2, user_id="OV000123", full_name="María Peña")
    aged(1, user_id="5550001", full_name="Pat Jones")
    query = {
        "reference": wanted,
        "lower reference": wanted.lower(),
        "user id": " ov000123 ",
        "name": "maría",
        "accent": "MARIA pena",
    }[how]
    response = agent_client.get("/helpdesk/", {"q": query})
    assert listed(response) == [wanted]


def test_a_search_finds_closed_tickets_too(agent_client, aged):
    wanted = aged(2)
    Ticket.objects.filter(reference=wanted).update(status="closed")
    assert listed(agent_client.get("/helpdesk/", {"q": wanted})) == [wanted]
    assert listed(agent_client.get("/helpdesk/", {"q": wanted, "status": "open"})) == []


def test_the_queue_has_a_lock_column(agent_client, make_account, aged):
    locked = make_account()
    AccessLock.objects.create(
        user_id=locked.user_id, recovery_failures=3, recovery_locked_at=timezone.now()
    )
    free = make_account()
    aged(2, user_id=locked.user_id)
    aged(1, user_id=free.user_id)
    body = agent_client.get("/helpdesk/").content.decode()
    assert ">Lock</th>" in body
    cells = re.findall(r'<td data-lock="(\w+)">(.*?)</td>', body)
    assert [(kind, re.sub("<[^>]+>", "", text)) for kind, text in cells] == [
        ("recovery", "Locked after recovery"),
        ("none", "Not locked"),
    ]


def test_the_unlock_mail_after_failed_questions_does_not_send_back_to_them(
    agent_client, make_person, make_account, make_ticket, mailoutbox
):
    account = make_account(make_person(first_name="Rita"))
    client = Client()
    client.post("/recover/", {"user_id": account.user_id})
    wrong = {"answer_1": "no", "answer_2": "no", "answer_3": "no"}
    for _ in range(3):
        client.post("/recover/questions/", wrong)
    ticket = make_ticket(user_id=account.user_id)
    mailoutbox.clear()
    agent_client.post(f"/helpdesk/tickets/{ticket.reference}/unlock/", {"reason": "checked"})
    [mail] = mailoutbox
    assert mail.body.startswith("Hello Rita,")
    assert "Forgot your password?" not in mail.body
    assert "reset your registration" in mail.body
    assert login(Client(), account.user_id, PASSWORD)["Location"] == "/"


def test_the_unlock_mail_after_failed_logins_offers_password_recovery(
    agent_client, make_account, make_ticket, mailoutbox
):
    account = make_account()
    for _ in range(3):
        login(Client(), account.user_id, "Wrong1pass")
    ticket = make_ticket(user_id=account.user_id)
    mailoutbox.clear()
    agent_client.post(f"/helpdesk/tickets/{ticket.reference}/unlock/", {"reason": "checked"})
    assert "Forgot your password?" in mailoutbox[0].body


def test_the_history_says_each_outcome_in_words(agent_client, make_account, make_ticket):
    ticket = make_ticket(user_id=make_account().user_id)
    agent_client.post(f"/helpdesk/tickets/{ticket.reference}/unlock/", {"reason": "asked"})
    history = page_of(agent_client, ticket).split('data-section="history"')[1]
    history = history.split("</section>")[0]
    assert "(nothing was locked)" in history and "nothing_to_unlock" not in history
