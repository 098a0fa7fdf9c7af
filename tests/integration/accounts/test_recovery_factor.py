"""Forgot password with a second factor: after the right answers, the factor too.

Someone who knows (or guessed) the answers still needs the app, a recovery code or the
passkey; each wrong one counts toward the recovery lock like wrong answers.
"""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client

from staffgate.accounts.models import Account
from staffgate.audit.models import AuditEvent
from staffgate.factors.recovery_codes import replace_codes
from tests.authenticator import options_on
from tests.conftest import ANSWERS, PASSWORD, add_totp, login, outcome_code
from tests.integration.factors.conftest import ORIGIN, with_passkey

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Maple2026x"
RIGHT = {f"answer_{n}": answer for n, (_, answer) in enumerate(ANSWERS, start=1)}


def answered(client, account):
    client.post("/recover/", {"user_id": account.user_id})
    return client.post("/recover/questions/", RIGHT)


def choose(client):
    return client.post(
        "/recover/password/", {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )


def test_without_a_factor_the_answers_lead_to_the_new_password(make_account):
    account = make_account()
    assert answered(Client(), account)["Location"] == "/recover/password/"


def test_the_app_code_is_asked_after_the_answers(client, make_account):
    account = make_account()
    key = add_totp(account)
    assert answered(client, account)["Location"] == "/recover/factor/"
    # The new-password page stays closed until the factor passes.
    assert client.get("/recover/password/")["Location"] == "/recover/factor/"
    assert choose(client)["Location"] == "/recover/factor/"
    page = client.get("/recover/factor/").content.decode()
    assert "Step 2 of 4" in page and 'autocomplete="one-time-code"' in page
    response = client.post("/recover/factor/", {"code": pyotp.TOTP(key).now()})
    assert response["Location"] == "/recover/password/"
    assert "Step 3 of 4" in client.get("/recover/password/").content.decode()
    assert choose(client)["Location"] == "/recover/done/"
    assert login(Client(), account.user_id, NEW_PASSWORD)["Location"] == "/login/verify/"
    assert AuditEvent.objects.filter(tag="account:recover:factor_ok").count() == 1


def test_a_recovery_code_works_once_there(client, make_account):
    account = make_account()
    add_totp(account)
    code = replace_codes(account)[0]
    answered(client, account)
    assert client.post("/recover/factor/", {"code": code})["Location"] == "/recover/password/"
    other = Client()
    answered(other, account)
    response = other.post("/recover/factor/", {"code": code})
    assert outcome_code(response) == "code.invalid"


def test_wrong_factors_count_toward_the_recovery_lock(client, make_account):
    account = make_account()
    add_totp(account)
    answered(client, account)
    first = client.post("/recover/factor/", {"code": "000000"})
    assert outcome_code(first) == "code.invalid"
    assert "3 failed attempts" in first.content.decode()
    assert outcome_code(client.post("/recover/factor/", {"code": "111111"})) == "code.invalid"
    third = client.post("/recover/factor/", {"code": "222222"})
    assert outcome_code(third) == "account.locked"
    assert AuditEvent.objects.filter(tag="account:recover:locked").get().detail["stage"] == (
        "factor"
    )
    # Locked until the help desk: the right code, the answers and the password all fail.
    again = Client()
    again.post("/recover/", {"user_id": account.user_id})
    assert outcome_code(again.post("/recover/questions/", RIGHT)) == "account.locked"
    assert outcome_code(login(Client(), account.user_id, PASSWORD)) == "account.locked"


def test_a_passkey_passes_the_recovery_factor(settings, make_account):
    settings.STAFFGATE_PUBLIC_URL = ORIGIN
    _, account, passkey = with_passkey(make_account)
    client = Client()
    assert answered(client, account)["Location"] == "/recover/factor/"
    page = client.get("/recover/factor/").content.decode()
    assert "data-passkey-unavailable" in page
    credential = passkey.sign(options_on(page), ORIGIN)
    response = client.post("/recover/factor/", {"credential": credential})
    assert response["Location"] == "/recover/password/"
    assert choose(client)["Location"] == "/recover/done/"
    assert Account.objects.get(pk=account.pk).check_password(NEW_PASSWORD)


def test_with_second_factors_off_recovery_asks_none(settings, client, make_account):
    account = make_account()
    add_totp(account)
    settings.STAFFGATE_MFA = "off"
    assert answered(client, account)["Location"] == "/recover/password/"
