"""The help desk removes the second factors of someone who lost phone and codes."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from staffgate.audit.models import AuditEvent
from staffgate.factors.models import PasskeyFactor, RecoveryCode, TotpFactor
from staffgate.factors.recovery_codes import replace_codes
from tests.conftest import PASSWORD, add_totp, login
from tests.integration.factors.conftest import ORIGIN, with_passkey

pytestmark = pytest.mark.django_db


def test_reset_second_factors_with_a_reason_audited_and_mailed(
    agent_client, make_account, make_ticket
):
    account = make_account()
    key = add_totp(account)
    replace_codes(account)
    person = Client()
    assert login(person, account.user_id, PASSWORD)["Location"] == "/login/verify/"
    ticket = make_ticket(user_id=account.user_id)

    page = agent_client.get(f"/helpdesk/tickets/{ticket.reference}/").content.decode()
    assert 'data-action="factors"' in page and key not in page
    url = f"/helpdesk/tickets/{ticket.reference}/factors/"
    response = agent_client.post(url, {"reason": ""})
    assert response.status_code == 200 and TotpFactor.objects.filter(user=account).exists()

    response = agent_client.post(
        url, {"reason": "lost phone, identity checked by call", "confirm": "yes"}
    )
    assert response.status_code == 302
    assert not TotpFactor.objects.filter(user=account).exists()
    assert not RecoveryCode.objects.filter(account=account).exists()
    assert mail.outbox[-1].to == [account.email]
    assert mail.outbox[-1].extra_headers["X-Staffgate-Mail"] == "factors_reset"
    event = AuditEvent.objects.get(tag="account:factor:reset")
    assert event.actor == "agent:alice" and event.detail["reason"].startswith("lost phone")
    assert AuditEvent.objects.filter(tag="helpdesk:ticket:factors").exists()
    assert ticket.notes.get().action == "reset_factors"
    # The person logs in with the password alone again.
    assert login(Client(), account.user_id, PASSWORD)["Location"] == "/"


def test_nothing_to_reset_says_so(agent_client, make_account, make_ticket):
    account = make_account()
    ticket = make_ticket(user_id=account.user_id)
    response = agent_client.post(
        f"/helpdesk/tickets/{ticket.reference}/factors/",
        {"reason": "asked", "confirm": "yes"},
        follow=True,
    )
    assert "no second factor to remove" in response.content.decode()
    assert "factors_reset" not in [m.extra_headers["X-Staffgate-Mail"] for m in mail.outbox]


def test_the_help_desk_reset_removes_passkeys(settings, agent_client, make_account, make_ticket):
    settings.STAFFGATE_PUBLIC_URL = ORIGIN
    client, account, passkey = with_passkey(make_account)
    ticket = make_ticket(user_id=account.user_id)
    response = agent_client.post(
        f"/helpdesk/tickets/{ticket.reference}/factors/",
        {"reason": "lost the laptop", "confirm": "yes"},
    )
    assert response.status_code == 302
    assert not PasskeyFactor.objects.filter(user=account).exists()
    event = AuditEvent.objects.get(tag="account:factor:reset")
    assert event.detail["passkeys"] == 1 and event.outcome == "reset"
    assert login(Client(), account.user_id, PASSWORD)["Location"] == "/"
