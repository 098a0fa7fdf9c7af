"""Confirming an e-mail address with a mailed 6-digit code, read back from the file mail folder."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from staffgate.accounts.models import Account
from staffgate.factors.models import EmailCode
from tests.conftest import PASSWORD, login, outcome_code
from tests.integration.factors.test_secrets_at_rest import raw_dump
from tests.integration.test_mail_files import mail_folder, read_mail  # noqa: F401

pytestmark = pytest.mark.django_db

ADDRESS = "pat.new@example.com"


def kinds_to(folder, address: str) -> list[str]:
    return [str(m["X-Staffgate-Mail"]) for m in read_mail(folder) if str(m["To"]) == address]


def last_code(folder, address: str) -> str:
    for message in reversed(read_mail(folder)):
        if str(message["To"]) == address and str(message["X-Staffgate-Mail"]) == "email_code":
            return re.search(r"\b\d{6}\b", message.get_content()).group()
    raise AssertionError(f"no code sent to {address}")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def at_verify_step(client, make_person, pin_for, mail_folder):  # noqa: F811
    person = make_person()
    login(client, person.employee_id, pin_for(person))
    client.post("/register/terms/", {"agree": "1"})
    response = client.post("/register/contact/", {"email": ADDRESS, "email_confirm": ADDRESS})
    assert response["Location"] == "/register/verify-email/"
    return client


def test_registration_mails_a_code_that_confirms_the_address(at_verify_step, mail_folder):  # noqa: F811
    client = at_verify_step
    page = client.get("/register/verify-email/").content.decode()
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert ADDRESS in page
    # The wizard waits for the code: the next step is not open yet.
    assert client.get("/register/questions/")["Location"] == "/register/verify-email/"
    assert kinds_to(mail_folder, ADDRESS) == ["email_code"]
    response = client.post("/register/verify-email/", {"code": last_code(mail_folder, ADDRESS)})
    assert outcome_code(response) == "email.verified"
    assert client.get("/register/questions/").status_code == 200


def test_five_wrong_codes_end_the_attempt(at_verify_step, mail_folder):  # noqa: F811
    client = at_verify_step
    code = last_code(mail_folder, ADDRESS)
    for left in (4, 3, 2, 1):
        response = client.post("/register/verify-email/", {"code": wrong(code)})
        assert outcome_code(response) == "code.invalid"
        assert f"{left} tr" in response.content.decode()
    response = client.post("/register/verify-email/", {"code": wrong(code)})
    assert outcome_code(response) == "code.expired"
    # Even the right code no longer works: back to the contact step for a new one.
    assert client.get("/register/verify-email/")["Location"] == "/register/contact/"
    assert EmailCode.objects.get().used_at is not None


def test_a_code_expires_after_ten_minutes(at_verify_step, mail_folder):  # noqa: F811
    client = at_verify_step
    EmailCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post("/register/verify-email/", {"code": last_code(mail_folder, ADDRESS)})
    assert outcome_code(response) == "code.expired"


def test_resending_is_limited_and_replaces_the_code(at_verify_step, mail_folder):  # noqa: F811
    client = at_verify_step
    first = last_code(mail_folder, ADDRESS)
    client.post("/register/verify-email/", {"resend": "1"})  # too soon: nothing sent
    assert kinds_to(mail_folder, ADDRESS) == ["email_code"]
    for sends in (2, 3):
        EmailCode.objects.update(last_sent_at=timezone.now() - dt.timedelta(seconds=61))
        client.post("/register/verify-email/", {"resend": "1"})
        assert kinds_to(mail_folder, ADDRESS) == ["email_code"] * sends
    EmailCode.objects.update(last_sent_at=timezone.now() - dt.timedelta(seconds=61))
    client.post("/register/verify-email/", {"resend": "1"})
    assert kinds_to(mail_folder, ADDRESS) == ["email_code"] * 3  # three in all
    newest = last_code(mail_folder, ADDRESS)
    if newest != first:
        response = client.post("/register/verify-email/", {"code": first})
        assert outcome_code(response) == "code.invalid"
    response = client.post("/register/verify-email/", {"code": newest})
    assert outcome_code(response) == "email.verified"


def test_a_changed_address_gets_only_the_code_until_confirmed(
    client,
    make_account,
    mail_folder,  # noqa: F811
):
    account = make_account()
    old = account.email
    login(client, account.user_id, PASSWORD)
    response = client.post(
        "/profile/email/",
        {"email": ADDRESS, "email_confirm": ADDRESS, "current_password": PASSWORD},
    )
    assert response["Location"] == "/profile/email/verify/"
    page = client.get("/profile/email/verify/").content.decode()
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    # Meanwhile a password change is mailed to the address that was confirmed, not the new one.
    client.post(
        "/profile/password/",
        {
            "current_password": PASSWORD,
            "new_password": "Maple2026x",
            "confirm_password": "Maple2026x",
        },
    )
    assert kinds_to(mail_folder, ADDRESS) == ["email_code"]
    assert kinds_to(mail_folder, old) == ["password_changed"]
    assert Account.objects.get(pk=account.pk).email == old

    response = client.post("/profile/email/verify/", {"code": last_code(mail_folder, ADDRESS)})
    assert outcome_code(response) == "email.verified"
    assert Account.objects.get(pk=account.pk).email == ADDRESS
    # The old address is told; from now on the new one gets the security mail.
    assert kinds_to(mail_folder, old) == ["password_changed", "email_changed"]
    assert kinds_to(mail_folder, ADDRESS) == ["email_code", "email_changed"]
    # Single use: the same code again changes nothing and is refused.
    response = client.post("/profile/email/verify/", {"code": last_code(mail_folder, ADDRESS)})
    assert outcome_code(response) == "code.expired"


def test_five_wrong_codes_keep_the_old_address(client, make_account, mail_folder):  # noqa: F811
    account = make_account()
    login(client, account.user_id, PASSWORD)
    client.post(
        "/profile/email/",
        {"email": ADDRESS, "email_confirm": ADDRESS, "current_password": PASSWORD},
    )
    code = last_code(mail_folder, ADDRESS)
    outcomes = [
        outcome_code(client.post("/profile/email/verify/", {"code": wrong(code)})) for _ in range(5)
    ]
    assert outcomes == ["code.invalid"] * 4 + ["code.expired"]
    response = client.post("/profile/email/verify/", {"code": code})
    assert outcome_code(response) == "code.expired"
    assert Account.objects.get(pk=account.pk).email == account.email
    assert kinds_to(mail_folder, ADDRESS) == ["email_code"]


def test_no_email_code_in_a_dump(at_verify_step, mail_folder):  # noqa: F811
    from django.contrib.sessions.models import Session

    code = last_code(mail_folder, ADDRESS)
    # Every text column of the stored code and every session, decoded (timestamps, whose
    # microseconds are six digits too, are left out).
    stored = EmailCode.objects.values("subject", "purpose", "address", "digest")
    texts = [str(row) for row in stored] + [str(s.get_decoded()) for s in Session.objects.all()]
    assert texts and not any(code in text for text in texts)
    assert not re.search(rf"'{code}'", raw_dump())
