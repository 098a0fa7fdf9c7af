"""The token and userinfo endpoints, by ASVS 5.0 chapter V10 and RFC 9700."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone
from oauth2_provider.models import AccessToken, Grant, RefreshToken

from staffgate.audit.models import AuditEvent
from tests.conftest import PASSWORD, login
from tests.oidc_client import AppClient, jwt_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(make_account):
    account = make_account()
    client = Client()
    assert login(client, account.user_id, PASSWORD)["Location"] == "/"
    client.account = account
    return client


@pytest.fixture
def app(browser):
    return AppClient.register(browser, scopes="openid profile email")


def test_v10_4_x_token_responses_are_never_stored(app):
    response = app.token(Client(), app.code())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Pragma"] == "no-cache"
    error = app.token(Client(), "not-a-code")
    assert "no-store" in error["Cache-Control"]


def test_v10_4_x_nonce_comes_back_in_the_id_token(app):
    code = app.code(nonce="n-0S6_WzA2Mj")
    id_token = app.token(Client(), code).json()["id_token"]
    assert jwt_part(id_token, 1)["nonce"] == "n-0S6_WzA2Mj"


def test_v10_4_x_a_code_used_twice_revokes_what_it_issued(app):
    code = app.code()
    first = app.token(Client(), code).json()
    assert app.userinfo(Client(), first["access_token"]).status_code == 200
    again = app.token(Client(), code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    # The first exchange's tokens are taken back too: the code had leaked.
    assert app.userinfo(Client(), first["access_token"]).status_code == 401
    assert app.refresh(Client(), first["refresh_token"]).json()["error"] == "invalid_grant"
    assert AuditEvent.objects.filter(tag="sso:code:replayed").exists()


def test_v10_4_x_codes_live_at_most_sixty_seconds(app):
    code = app.code()
    grant = Grant.objects.get(code=code)
    assert grant.expires - timezone.now() <= dt.timedelta(seconds=60)
    later = timezone.now() + dt.timedelta(seconds=61)
    with mock.patch("oauth2_provider.models.timezone.now", return_value=later):
        response = app.token(Client(), code)
    assert response.json()["error"] == "invalid_grant"


def test_rfc9700_pkce_downgrade_is_refused(app):
    # The code was bound to a challenge: exchanging it without the verifier fails.
    response = app.token(Client(), app.code(), code_verifier=None)
    assert response.status_code == 400
    assert "access_token" not in response.json()
    # And with a wrong verifier.
    response = app.token(Client(), app.code(), code_verifier="x" * 50)
    assert response.json()["error"] == "invalid_grant"


def test_rfc9700_pkce_downgrade_is_refused_for_public_apps(browser):
    app = AppClient.register(browser, public=True, name="Phone app")
    response = app.token(Client(), app.code(), code_verifier=None)
    assert response.status_code == 400
    assert "access_token" not in response.json()


def test_v10_4_x_redirect_uri_must_be_the_one_of_the_code(app):
    response = app.token(Client(), app.code(), redirect_uri="https://app.example.com/other")
    assert response.status_code == 400
    assert "access_token" not in response.json()


def test_v10_4_x_password_and_client_credentials_grants_are_refused(app, browser):
    for grant in (
        {"grant_type": "password", "username": browser.account.user_id, "password": PASSWORD},
        {"grant_type": "client_credentials"},
        {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": "x"},
    ):
        response = Client().post("/o/token/", grant, **app.auth_headers())
        assert response.status_code >= 400
        assert "access_token" not in response.json()


def test_v10_4_x_failed_client_authentication_is_refused_and_audited(app):
    code = app.code()
    wrong = base64.b64encode(f"{app.app.client_id}:wrong-secret".encode()).decode()
    response = Client().post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": app.redirect_uri,
            "code_verifier": app.verifier,
        },
        HTTP_AUTHORIZATION=f"Basic {wrong}",
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    event = AuditEvent.objects.get(tag="sso:client:auth_failure")
    assert "wrong-secret" not in json.dumps(event.detail)


@override_settings(STAFFGATE_IP_MAX_FAILURES=3)
def test_v10_4_x_failed_client_authentication_is_throttled_per_address(app):
    wrong = base64.b64encode(f"{app.app.client_id}:guess".encode()).decode()
    data = {"grant_type": "authorization_code", "code": "x", "redirect_uri": app.redirect_uri}
    for _ in range(3):
        response = Client().post("/o/token/", data, HTTP_AUTHORIZATION=f"Basic {wrong}")
        assert response.status_code == 401
    blocked = Client().post("/o/token/", data, HTTP_AUTHORIZATION=f"Basic {wrong}")
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    # Even the right secret waits: guessing from this address is slowed down for everyone.
    assert app.token(Client(), app.code()).status_code == 429


def test_v10_4_x_client_secrets_and_tokens_are_not_stored_in_clear(app):
    from oauth2_provider.models import Application

    tokens = app.token(Client(), app.code()).json()
    stored = Application.objects.get(client_id=app.app.client_id)
    assert stored.client_secret != app.app.client_secret
    assert stored.client_secret.startswith(("argon2$", "pbkdf2_sha256$"))
    assert not AccessToken.objects.filter(token=tokens["access_token"]).exists()
    assert not RefreshToken.objects.filter(token=tokens["refresh_token"]).exists()
    assert AccessToken.objects.filter(
        token_checksum=hashlib.sha256(tokens["access_token"].encode()).hexdigest()
    ).exists()


def test_v10_4_x_access_tokens_are_never_accepted_in_the_url(app):
    access_token = app.token(Client(), app.code()).json()["access_token"]
    response = Client().get(f"/o/userinfo/?access_token={access_token}")
    assert response.status_code in (400, 401, 403)
    assert app.userinfo(Client(), access_token).status_code == 200


def _unsigned(claims: dict, header: dict) -> str:
    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


def test_v10_x_alg_none_and_key_confusion_are_refused_by_construction(app, browser):
    discovery = Client().get("/.well-known/openid-configuration").json()
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]
    real = app.token(Client(), app.code()).json()["id_token"]
    claims = jwt_part(real, 1)
    assert jwt_part(real, 0)["alg"] == "RS256"
    # An unsigned token, and one "signed" with HS256 using the public key as the secret,
    # are not accepted as an ID token hint: the person stays signed in.
    public_key = Client().get("/o/jwks/").content
    forged_none = _unsigned(claims, {"alg": "none", "typ": "JWT"})
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
    body = real.split(".")[1]
    signature = hmac.new(public_key, f"{header}.{body}".encode(), hashlib.sha256).digest()
    forged_hs = f"{header}.{body}." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    for forged in (forged_none, forged_hs):
        response = Client().get(f"/o/logout/?id_token_hint={forged}")
        assert response.status_code == 400
    assert browser.get("/").status_code == 200


def test_discovery_and_keys_are_cacheable_and_say_what_is_supported():
    response = Client().get("/.well-known/openid-configuration")
    assert response["Cache-Control"] == "public, max-age=3600"
    data = response.json()
    assert data["response_types_supported"] == ["code"]
    assert data["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert data["code_challenge_methods_supported"] == ["S256"]
    assert data["subject_types_supported"] == ["pairwise"]
    assert data["authorization_response_iss_parameter_supported"] is True
    assert data["backchannel_logout_supported"] is True
    assert data["end_session_endpoint"].endswith("/o/logout/")
    keys = Client().get(data["jwks_uri"].replace("http://testserver", ""))
    assert keys["Cache-Control"].startswith("public, max-age=")
    assert [key["alg"] for key in keys.json()["keys"]] == ["RS256"]
    assert all("d" not in key for key in keys.json()["keys"])  # public parts only
    assert settings.OAUTH2_PROVIDER["AUTHORIZATION_CODE_EXPIRE_SECONDS"] <= 60


def test_userinfo_answers_a_post_with_the_header_too(app):
    access_token = app.token(Client(), app.code()).json()["access_token"]
    client = Client(enforce_csrf_checks=True)
    response = client.post("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {access_token}")
    assert response.status_code == 200
    assert "sub" in response.json()


def test_discovery_lists_only_the_claims_the_portal_releases():
    claims = set(Client().get("/.well-known/openid-configuration").json()["claims_supported"])
    assert {"sub", "name", "email", "employee_id", "eligible_until", "sid", "acr"} <= claims
    assert not claims & {"gender", "birthdate", "picture", "phone_number", "address"}
