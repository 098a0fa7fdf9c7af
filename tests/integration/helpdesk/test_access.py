"""Who may open the help desk: agents only, through their own login."""

from __future__ import annotations

import pytest
from django.test import Client

from staffgate.accounts import sessions
from staffgate.audit.models import AuditEvent
from tests.conftest import PASSWORD, add_totp, login, outcome_code
from tests.integration.helpdesk.conftest import AGENT_PASSWORD, agent_login

pytestmark = pytest.mark.django_db

PAGES = ["/helpdesk/", "/helpdesk/?status=open", "/helpdesk/tickets/{ref}/"]
ACTIONS = ["unlock", "reset", "close"]


def _pages(ticket):
    return [page.format(ref=ticket.reference) for page in PAGES]


def test_anonymous_visitors_are_sent_to_the_help_desk_login(client, make_ticket):
    for page in _pages(make_ticket()):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith("/helpdesk/login/?next=/helpdesk/")


def test_anonymous_posts_change_nothing(client, make_ticket, make_account):
    account = make_account()
    ticket = make_ticket(user_id=account.user_id)
    for action in ACTIONS:
        response = client.post(f"/helpdesk/tickets/{ticket.reference}/{action}/", {"reason": "x"})
        assert response.status_code == 302
        assert response["Location"] == "/helpdesk/login/"
    ticket.refresh_from_db()
    assert ticket.status == "open" and not ticket.notes.exists()
    assert login(client, account.user_id, PASSWORD).status_code == 302


def test_a_logged_in_employee_is_sent_to_the_help_desk_login(client, make_account, make_ticket):
    account = make_account()
    assert login(client, account.user_id, PASSWORD).status_code == 302
    for page in _pages(make_ticket()):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith("/helpdesk/login/")
    # The employee's own session is untouched.
    assert client.get("/").status_code == 200


def test_staff_without_the_agent_right_get_403(client, make_agent, make_ticket):
    client.force_login(make_agent("bob", agent=False, is_staff=True))
    for page in _pages(make_ticket()):
        response = client.get(page)
        assert response.status_code == 403
        assert "may not use the help desk" in response.content.decode()


def test_staff_without_the_agent_right_cannot_log_in_here(client, make_agent):
    make_agent("bob", agent=False, is_staff=True)
    response = agent_login(client, "bob")
    assert response.status_code == 200
    assert outcome_code(response) == "login.not_eligible"
    assert client.get("/helpdesk/").status_code == 302
    assert AuditEvent.objects.filter(tag="helpdesk:login:denied", actor="agent:bob").exists()


def test_a_superuser_is_an_agent(client, make_ticket):
    from staffgate.accounts.models import Account as User

    add_totp(User.objects.create_superuser("root", password=AGENT_PASSWORD))
    assert agent_login(client, "root")["Location"] == "/helpdesk/"
    assert client.get(f"/helpdesk/tickets/{make_ticket().reference}/").status_code == 200


def test_an_agent_logs_in_with_a_new_session_key_and_back_to_the_page_asked(client, make_agent):
    make_agent("alice")
    client.get("/helpdesk/login/")
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    response = agent_login(client, "alice", next="/helpdesk/?status=closed")
    assert response["Location"] == "/helpdesk/?status=closed"
    assert client.cookies["sessionid"].value != before
    assert client.get("/helpdesk/").status_code == 200
    event = AuditEvent.objects.get(tag="helpdesk:login:success")
    assert event.actor == "agent:alice"


def test_next_cannot_leave_the_help_desk(client, make_agent):
    make_agent("alice")
    for target in ("https://evil.example/", "//evil.example/", "/profile/"):
        assert agent_login(client, "alice", next=target)["Location"] == "/helpdesk/"
        client.post("/helpdesk/logout/")


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_a_wrong_password_or_unknown_name_gets_one_generic_answer(client, make_agent, username):
    make_agent("alice")
    response = agent_login(client, username, "not-the-password")
    assert response.status_code == 200
    assert outcome_code(response) == "login.invalid"
    assert "The username or password is not correct." in response.content.decode()
    assert client.get("/helpdesk/").status_code == 302
    event = AuditEvent.objects.get(tag="helpdesk:login:failure")
    assert event.detail["username"] == username
    assert "not-the-password" not in str(event.detail)


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_three_failures_lock_the_help_desk_login(client, make_agent, username):
    make_agent("alice")
    codes = [outcome_code(agent_login(client, username, "wrong")) for _ in range(3)]
    assert codes == ["login.invalid", "login.invalid", "login.locked"]
    # Even the right password is refused while locked.
    assert outcome_code(agent_login(client, "alice")) == (
        "login.locked" if username == "alice" else None
    )


def test_an_inactive_agent_cannot_log_in(client, make_agent):
    make_agent("alice", is_active=False)
    assert outcome_code(agent_login(client, "alice")) == "login.invalid"


def test_empty_login_fields_are_form_errors(client):
    response = client.post("/helpdesk/login/", {"username": "", "password": ""})
    assert outcome_code(response) == "form.invalid"


def test_logout_ends_the_agent_session(agent_client):
    response = agent_client.post("/helpdesk/logout/")
    assert response["Location"] == "/helpdesk/login/"
    assert agent_client.get("/helpdesk/").status_code == 302
    assert AuditEvent.objects.filter(tag="helpdesk:logout", actor="agent:alice").exists()


def test_logout_needs_a_post(agent_client):
    assert agent_client.get("/helpdesk/logout/").status_code == 405
    assert agent_client.get("/helpdesk/").status_code == 200


def test_the_help_desk_logout_leaves_an_employee_logged_in(client, make_account):
    account = make_account()
    login(client, account.user_id, PASSWORD)
    client.post("/helpdesk/logout/")
    assert client.get("/").status_code == 200


def test_an_employee_who_logs_in_as_agent_stops_being_the_employee(
    client, make_account, make_agent
):
    account = make_account()
    make_agent("alice")
    login(client, account.user_id, PASSWORD)
    assert agent_login(client, "alice")["Location"] == "/helpdesk/"
    assert client.get("/helpdesk/").status_code == 200
    assert client.get("/")["Location"].startswith("/login/")


def test_an_idle_agent_session_ends(agent_client, settings):
    import time

    session = agent_client.session
    session[sessions.SEEN_KEY] = time.time() - settings.STAFFGATE_SESSION_IDLE_SECONDS - 5
    session.save()
    assert agent_client.get("/helpdesk/")["Location"].startswith("/helpdesk/login/")
    assert agent_client.get("/helpdesk/").status_code == 302
    assert AuditEvent.objects.filter(tag="helpdesk:session:end", outcome="expired").exists()


def test_an_agent_session_ends_after_the_absolute_limit(agent_client, settings):
    import time

    session = agent_client.session
    session[sessions.STARTED_KEY] = time.time() - settings.STAFFGATE_SESSION_MAX_SECONDS - 5
    session.save()
    assert agent_client.get("/helpdesk/")["Location"].startswith("/helpdesk/login/")


def test_a_logged_in_agent_going_to_the_login_page_lands_on_the_queue(agent_client):
    assert agent_client.get("/helpdesk/login/")["Location"] == "/helpdesk/"


def test_pages_are_not_cached(agent_client, make_ticket):
    ticket = make_ticket()
    for page in ["/helpdesk/", f"/helpdesk/tickets/{ticket.reference}/", "/help/"]:
        assert "no-store" in agent_client.get(page)["Cache-Control"]
    assert "no-store" in Client().get("/helpdesk/login/")["Cache-Control"]
