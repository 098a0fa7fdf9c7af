"""Accounts kept from before e-mail codes confirm their address at their next login."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core import mail

from staffgate.accounts.models import Account
from staffgate.audit.models import AuditEvent
from staffgate.factors.models import EmailCode
from tests.conftest import PASSWORD, add_totp, login, mailed_code, outcome_code, pass_factor_step

pytestmark = pytest.mark.django_db

STEP = "/login/verify-email/"


def kinds(to: str) -> list[str]:
    return [m.extra_headers.get("X-Staffgate-Mail") for m in mail.outbox if to in m.to]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def legacy(make_account):
    """An employee whose address was kept from before addresses were proved."""
    return make_account(email="legacy@example.com", email_verified_at=None)


def step_for(next_path: str) -> str:
    return f"{STEP}?{urlencode({'next': next_path})}"


def test_signed_in_pages_lead_to_the_step_until_the_address_is_confirmed(client, legacy):
    assert login(client, legacy.user_id, PASSWORD)["Location"] == "/"
    for page in ["/", "/profile/", "/profile/password/", "/profile/factors/"]:
        assert client.get(page)["Location"] == step_for(page)
    # The step, another address instead, health and the way out stay open.
    assert client.get(STEP).status_code == 200
    assert client.get("/profile/email/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.get("/")["Location"].startswith("/login/")


def test_the_code_confirms_the_address_and_the_person_goes_on(client, legacy):
    login(client, legacy.user_id, PASSWORD)
    page = client.get(step_for("/profile/"))
    assert "legacy@example.com" in page.content.decode()
    assert kinds("legacy@example.com") == []  # nothing is mailed before they ask
    response = client.post(step_for("/profile/"), {"send": "1"})
    assert response["Location"] == step_for("/profile/")
    page = client.get(response["Location"]).content.decode()
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert kinds("legacy@example.com") == ["email_code"]
    response = client.post(step_for("/profile/"), {"code": mailed_code("legacy@example.com")})
    assert response["Location"] == "/profile/"
    assert Account.objects.get(pk=legacy.pk).email_verified_at is not None
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(tag="account:email:confirmed", user_id=legacy.user_id).exists()
    # Single use, and the step is now done: it just sends them on.
    assert client.get(step_for("/profile/"))["Location"] == "/profile/"


def test_five_wrong_codes_end_the_attempt(client, legacy):
    login(client, legacy.user_id, PASSWORD)
    client.post(STEP, {"send": "1"})
    code = mailed_code("legacy@example.com")
    outcomes = [outcome_code(client.post(STEP, {"code": wrong(code)})) for _ in range(5)]
    assert outcomes == ["code.invalid"] * 4 + ["code.expired"]
    # The right code no longer works: the page offers a new one instead.
    response = client.post(STEP, {"code": code})
    assert Account.objects.get(pk=legacy.pk).email_verified_at is None
    assert 'name="send"' in response.content.decode()
    assert client.get("/")["Location"] == step_for("/")
    assert EmailCode.objects.get().used_at is not None


def test_a_wrong_code_says_how_many_tries_are_left(client, legacy):
    login(client, legacy.user_id, PASSWORD)
    client.post(STEP, {"send": "1"})
    response = client.post(STEP, {"code": wrong(mailed_code("legacy@example.com"))})
    assert outcome_code(response) == "code.invalid"
    assert "4 tries left" in response.content.decode()


def test_until_confirmed_the_address_gets_no_security_mail_but_the_code(client, legacy):
    login(client, legacy.user_id, PASSWORD)
    response = client.post(
        "/profile/password/",
        {
            "current_password": PASSWORD,
            "new_password": "Maple2026x",
            "confirm_password": "Maple2026x",
        },
    )
    # The password page waits for the step: nothing changed, nothing mailed.
    assert response["Location"].startswith(STEP)
    client.post(STEP, {"send": "1"})
    assert kinds("legacy@example.com") == ["email_code"]
    client.post(STEP, {"code": mailed_code("legacy@example.com")})
    client.post(
        "/profile/password/",
        {
            "current_password": PASSWORD,
            "new_password": "Maple2026x",
            "confirm_password": "Maple2026x",
        },
    )
    assert kinds("legacy@example.com") == ["email_code", "password_changed"]


def test_an_unconfirmed_address_is_not_mailed_by_the_portal(legacy):
    from staffgate.core.mail import mail_account

    assert mail_account(legacy, "password_changed") is False
    assert mail.outbox == []


def test_after_the_factor_the_step_keeps_the_way_to_an_app(client, legacy):
    from staffgate.oidc.registry import add_app

    add_totp(legacy)
    app = add_app("Benefits", redirect_uris=["https://benefits.example.com/cb"], first_party=True)
    authorize = "/o/authorize/?" + urlencode(
        {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": "https://benefits.example.com/cb",
            "scope": "openid",
            "state": "s-123",
        }
    )
    login_page = client.get(authorize)["Location"]
    next_url = parse_qs(urlsplit(login_page).query)["next"][0]
    response = login(client, legacy.user_id, PASSWORD, next=next_url)
    assert response["Location"] == "/login/verify/"
    response = pass_factor_step(client, response, legacy.user_id)
    assert response["Location"] == next_url
    step = client.get(next_url)["Location"]
    assert urlsplit(step).path == STEP
    assert parse_qs(urlsplit(step).query)["next"][0] == next_url
    client.post(step, {"send": "1"})
    response = client.post(step, {"code": mailed_code("legacy@example.com")})
    assert response["Location"] == next_url
    landing = client.get(next_url)
    assert landing["Location"].startswith("https://benefits.example.com/cb?code=")


def test_another_address_instead_goes_through_the_profile_change(client, legacy):
    login(client, legacy.user_id, PASSWORD)
    response = client.post(
        "/profile/email/",
        {
            "email": "new@example.com",
            "email_confirm": "new@example.com",
            "current_password": PASSWORD,
        },
    )
    assert response["Location"] == "/profile/email/verify/"
    response = client.post("/profile/email/verify/", {"code": mailed_code("new@example.com")})
    assert outcome_code(response) == "email.verified"
    account = Account.objects.get(pk=legacy.pk)
    assert account.email == "new@example.com" and account.email_verified_at is not None
    assert client.get("/").status_code == 200


def test_accounts_already_confirmed_are_not_asked(client, make_account):
    account = make_account()
    assert login(client, account.user_id, PASSWORD)["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get(STEP)["Location"] == "/"
    assert mail.outbox == []


def test_an_account_without_an_address_is_not_asked(client, make_account):
    account = make_account(email="", email_verified_at=None)
    login(client, account.user_id, PASSWORD)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["Confirmez votre adresse courriel", "Envoyer le code", "autre adresse courriel"]),
        ("es", ["Confirme su correo electrónico", "Enviar el código", "otra dirección"]),
    ],
)
def test_the_step_speaks_french_and_spanish(client, make_account, language, words):
    account = make_account(email="legacy@example.com", email_verified_at=None, language=language)
    login(client, account.user_id, PASSWORD)
    page = client.get(STEP).content.decode()
    assert all(word in page for word in words)
