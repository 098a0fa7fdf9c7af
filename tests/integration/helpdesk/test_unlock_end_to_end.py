"""Done-when: a person locked by recovery is unlocked by an agent through the web and logs in."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from staffgate.audit.models import AuditEvent
from tests.conftest import ANSWERS, PASSWORD, login, outcome_code
from tests.integration.helpdesk.conftest import HELP, agent_login

pytestmark = pytest.mark.django_db

WRONG = {"answer_1": "Rex the cat", "answer_2": "Montréal", "answer_3": "Civic 1998"}
REASON = "Caller confirmed name, birth year and e-mail on file"


def test_a_recovery_locked_person_is_unlocked_by_an_agent_and_logs_in_again(
    make_person, make_account, make_agent, mailoutbox
):
    person_browser, agent_browser = Client(), Client()
    account = make_account(make_person(first_name="Rita"), email="rita.ortiz@example.com")

    # 1. Three wrong sets of answers on /recover/ lock the account, login included.
    assert person_browser.post("/recover/", {"user_id": account.user_id}).status_code == 302
    codes = [outcome_code(person_browser.post("/recover/questions/", WRONG)) for _ in range(3)]
    assert codes == ["recover.invalid", "recover.invalid", "account.locked"]
    assert outcome_code(login(person_browser, account.user_id, PASSWORD)) == "account.locked"

    # 2. The person files a help ticket, without logging in.
    filed = person_browser.post("/help/", HELP | {"user_id": account.user_id.lower()})
    assert outcome_code(filed) == "help.submitted"
    reference = re.search(r'data-reference="([^"]+)"', filed.content.decode()).group(1)

    # 3. An agent logs in through the help-desk login and finds the ticket in the queue.
    make_agent("alice")
    assert agent_login(agent_browser, "alice")["Location"] == "/helpdesk/"
    assert reference in agent_browser.get("/helpdesk/?status=open").content.decode()
    page = agent_browser.get(f"/helpdesk/tickets/{reference}/").content.decode()
    assert 'data-lock="recovery"' in page

    # 4. …and unlocks with a reason.
    unlocked = agent_browser.post(f"/helpdesk/tickets/{reference}/unlock/", {"reason": REASON})
    assert unlocked.status_code == 302
    assert 'data-lock="none"' in agent_browser.get(unlocked["Location"]).content.decode()

    # 5. The person logs in again.
    assert login(person_browser, account.user_id, PASSWORD)["Location"] == "/"
    assert person_browser.get("/").status_code == 200

    # The audit log holds every step, the agent's steps with their name and reason.
    tags = list(
        AuditEvent.objects.filter(user_id=account.user_id)
        .order_by("created_at", "id")
        .values_list("tag", flat=True)
    )
    expected = [
        "account:recover:locked",
        "account:login:refused",
        "help:ticket:created",
        "account:unlock",
        "helpdesk:ticket:unlock",
        "account:login:success",
    ]
    positions = [tags.index(tag) for tag in expected]
    assert positions == sorted(positions)
    assert AuditEvent.objects.filter(tag="helpdesk:login:success", actor="agent:alice").exists()
    unlock = AuditEvent.objects.get(tag="account:unlock")
    assert (unlock.actor, unlock.outcome, unlock.detail) == (
        "agent:alice",
        "unlocked",
        {"reason": REASON},
    )
    step = AuditEvent.objects.get(tag="helpdesk:ticket:unlock")
    assert step.actor == "agent:alice"
    assert step.detail == {"reference": reference, "reason": REASON}

    # One unlock mail, at the address on file, without any secret.
    unlock_mails = [m for m in mailoutbox if "unlocked" in m.subject]
    assert len(unlock_mails) == 1
    mail = unlock_mails[0]
    assert mail.to == ["rita.ortiz@example.com"]
    assert mail.subject == "Your staffgate account has been unlocked"
    assert "Rita" in mail.body and reference in mail.body
    for secret in [PASSWORD, *(answer for _, answer in ANSWERS), *WRONG.values()]:
        assert secret not in mail.body
