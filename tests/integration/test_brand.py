"""The employer's brand, the portal's public address and the help desk's contact, from
settings: in page titles, in the header (name or logo), and in every e-mail."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.test import Client, override_settings

from staffgate.core.mail import mail_account
from staffgate.core.staticfiles import source_static_files
from tests.conftest import login

pytestmark = pytest.mark.django_db

BRAND = {
    "STAFFGATE_BRAND_NAME": "Acme Retirees",
    "STAFFGATE_PUBLIC_URL": "https://portal.acme.example",
    "STAFFGATE_HELPDESK_PHONE": "+1 800 555 0100",
    "STAFFGATE_HELPDESK_EMAIL": "helpdesk@acme.example",
    "DEFAULT_FROM_EMAIL": "Acme Retirees <no-reply@acme.example>",
}
MAIL_KINDS = [
    "account_locked",
    "account_unlocked",
    "email_changed",
    "factor_added",
    "factors_reset",
    "password_changed",
    "password_reset",
    "questions_changed",
    "recovery_code_used",
    "recovery_codes_replaced",
    "registration_completed",
]


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


@override_settings(**BRAND)
@pytest.mark.parametrize("path", ["/login/", "/help/", "/recover/", "/helpdesk/login/"])
def test_every_page_title_and_header_carry_the_brand(client, path):
    response = client.get(path)
    assert title(response).endswith(" · Acme Retirees")
    assert "staffgate" not in title(response)
    assert re.search(r'<a class="brand" href="/">Acme Retirees</a>', response.content.decode())


@override_settings(**BRAND)
def test_every_page_gives_the_help_desks_telephone_and_address(client):
    body = client.get("/help/").content.decode()
    footer = body.split('class="site-footer"')[1]
    assert '<a href="tel:+18005550100">+1 800 555 0100</a>' in footer
    assert '<a href="mailto:helpdesk@acme.example">helpdesk@acme.example</a>' in footer


@override_settings(**BRAND)
def test_a_server_error_page_carries_the_brand_too(client):
    from django.template import loader

    assert "· Acme Retirees</title>" in loader.get_template("500.html").render({})


def test_the_logo_replaces_the_name_with_the_brand_as_its_alt_text(client, tmp_path):
    logo = tmp_path / "acme-logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    (tmp_path / "secrets.env").write_text("not for the web")
    with override_settings(STAFFGATE_BRAND_LOGO=str(logo), STAFFGATE_BRAND_NAME="Acme"):
        body = client.get("/login/").content.decode()
        assert re.search(
            r'<img src="/static/brand/acme-logo.svg" alt="Acme" class="brand-logo">', body
        )
        # Served and collected as a static file, and nothing else from its folder.
        assert finders.find("brand/acme-logo.svg") == str(logo)
        collected = dict(source_static_files())
        assert collected["brand/acme-logo.svg"] == logo
        assert not any("secrets" in path for path in collected)
        assert finders.find("brand/secrets.env") is None


@override_settings(**BRAND, ALLOWED_HOSTS=["testserver", "evil.example"])
def test_mails_give_the_public_address_even_under_a_forged_host(make_account, mailoutbox):
    account = make_account()
    browser = Client(HTTP_HOST="evil.example")
    for _ in range(3):
        browser.post("/recover/", {"user_id": account.user_id})
        browser.post("/recover/questions/", {"answer_1": "x", "answer_2": "y", "answer_3": "z"})
    [locked] = [m for m in mailoutbox if m.extra_headers["X-Staffgate-Mail"] == "account_locked"]
    assert "https://portal.acme.example" in locked.body
    assert "https://portal.acme.example/help/" in locked.body
    assert "evil.example" not in locked.body


@override_settings(**BRAND)
@pytest.mark.parametrize("kind", MAIL_KINDS)
def test_every_mail_names_the_brand_greets_by_name_and_says_how_to_get_help(
    make_person, make_account, kind
):
    account = make_account(make_person(first_name="Rita"))
    mail.outbox.clear()
    mail_account(account, kind, changed_at=account.registered_at, factor_name="Phone", remaining=2)
    [message] = mail.outbox
    assert message.from_email == "Acme Retirees <no-reply@acme.example>"
    assert message.body.startswith("Hello Rita,")
    for text in ("Acme Retirees", "https://portal.acme.example", "+1 800 555 0100"):
        assert text in message.body, text
    assert "helpdesk@acme.example" in message.body
    assert "staffgate" not in message.body + message.subject


@override_settings(**BRAND)
def test_subjects_carry_the_brand_in_each_language(make_person, make_account):
    for language, words in (("en", "Your Acme Retirees"), ("fr", "Acme Retirees"), ("es", "Acme")):
        account = make_account(make_person(), language=language)
        mail.outbox.clear()
        mail_account(account, "registration_completed")
        assert words in mail.outbox[0].subject


@override_settings(**BRAND)
def test_the_help_ticket_mail_greets_by_a_name_only_when_it_reads_as_one(client, mailoutbox):
    form = {
        "user_id": "1234567",
        "email": "pat@example.org",
        "topic": "unlock",
        "message": "locked",
    }
    client.post("/help/", form | {"full_name": "Ana Peña"})
    client.post("/help/", form | {"full_name": "Visit https://spam.example now"})
    assert mailoutbox[0].body.startswith("Hello Ana Peña,")
    assert mailoutbox[1].body.startswith("Hello,")
    assert "spam.example" not in mailoutbox[1].body


def test_without_a_public_address_mails_give_none_rather_than_the_host(make_account, mailoutbox):
    account = make_account()
    with override_settings(STAFFGATE_PUBLIC_URL="", ALLOWED_HOSTS=["testserver", "evil.example"]):
        browser = Client(HTTP_HOST="evil.example")
        login(browser, account.user_id, "Wrong1pass")
        mail_account(account, "registration_completed")
    assert "evil.example" not in mailoutbox[-1].body
    assert "Technical Help Form" in mailoutbox[-1].body
