"""The mailed code as a fallback second factor, where the operator allows it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from staffgate.audit.models import AuditEvent
from tests.conftest import PASSWORD, login, mailed_code, outcome_code

pytestmark = pytest.mark.django_db


def test_a_mailed_code_is_a_fallback_factor_when_the_operator_allows_it(settings, make_account):
    from staffgate.factors import methods
    from tests.conftest import add_totp

    settings.STAFFGATE_MFA_EMAIL = True
    account = make_account()
    add_totp(account)
    client = Client()
    assert login(client, account.user_id, PASSWORD)["Location"] == "/login/verify/"
    page = client.get("/login/verify/").content.decode()
    assert 'name="send_email_code"' in page
    assert client.post("/login/verify/", {"send_email_code": "1"})["Location"] == ("/login/verify/")
    code = mailed_code(account.email)
    # Asking again at once sends nothing more.
    client.post("/login/verify/", {"send_email_code": "1"})
    assert mailed_code(account.email) == code
    assert len([m for m in mail.outbox if m.to == [account.email]]) == 1
    response = client.post("/login/verify/", {"code": code})
    assert response["Location"] == "/"
    assert methods.amr_for(client.session) == ["pwd", "otp", "mfa"]
    event = AuditEvent.objects.get(tag="account:login:code_success")
    assert event.detail["factor"] == "email_code"
    assert AuditEvent.objects.filter(tag="account:login:email_code_sent").count() == 1
    # Used once: the same code at a later login is a strike.
    client.post("/logout/")
    login(client, account.user_id, PASSWORD)
    response = client.post("/login/verify/", {"code": code})
    assert outcome_code(response) == "code.invalid" and "2 tries left" in response.content.decode()


def test_without_the_setting_no_code_is_mailed_at_the_factor_step(make_account):
    from tests.conftest import add_totp

    account = make_account()
    add_totp(account)
    client = Client()
    login(client, account.user_id, PASSWORD)
    assert 'name="send_email_code"' not in client.get("/login/verify/").content.decode()
    client.post("/login/verify/", {"send_email_code": "1"})
    assert not [m for m in mail.outbox if m.to == [account.email]]
