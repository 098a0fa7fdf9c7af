"""The ID token says how the person signed in: ``amr``, ``acr`` and ``auth_time`` come
from the portal session, over real HTTP with authlib's ``OAuth2Session`` and joserfc."""

from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from staffgate.oidc.registry import add_app
from tests.conftest import PASSWORD, add_totp
from tests.integration.oidc.browser import Browser

REDIRECT_URI = "http://127.0.0.1:9/oidc/callback"


@pytest.fixture
def app(transactional_db):
    return add_app("Pay", redirect_uris=[REDIRECT_URI], first_party=True, scopes="openid profile")


def sign_in_at_app(base_url: str, app, browser: Browser, *, again=None, **params) -> dict:
    """The app's whole sign-in from a browser already signed in at the portal: the
    verified claims of its ID token. ``again(next_url)`` logs in when the portal asks."""
    metadata = requests.get(base_url + "/.well-known/openid-configuration", timeout=30).json()
    client = OAuth2Session(
        app.client_id,
        app.client_secret,
        scope="openid profile",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, _state = client.create_authorization_url(
        metadata["authorization_endpoint"], nonce=nonce, code_verifier=verifier, **params
    )
    browser.get(url)
    if again is not None:
        login_page = urlsplit(browser.location())
        assert login_page.path == "/login/", browser.location()
        next_url = parse_qs(login_page.query)["next"][0]
        assert "max_age" not in next_url and "prompt=login" not in next_url
        again(next_url)
        browser.follow(stop_at=REDIRECT_URI)
    callback = browser.location()
    assert callback.startswith(REDIRECT_URI), callback
    token = client.fetch_token(
        metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=30).json())
    id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": app.client_id},
        nonce={"essential": True, "value": nonce},
        auth_time={"essential": True},
    ).validate(id_token.claims)
    refreshed = client.refresh_token(metadata["token_endpoint"])
    later = jwt.decode(refreshed["id_token"], keys, algorithms=["RS256"]).claims
    # A refreshed ID token tells of the same sign-in: same methods, same login time.
    for claim in ("amr", "acr", "auth_time", "sid"):
        assert later[claim] == id_token.claims[claim]
    return id_token.claims


def type_code(browser: Browser, key: str):
    verified = browser.post("/login/verify/", {"code": pyotp.TOTP(key).now()})
    assert verified.status_code == 302, verified.text[:300]
    return verified


def test_a_password_sign_in_says_pwd(live_server, app, make_account):
    account = make_account()
    browser = Browser(live_server.url)
    before = int(time.time())
    assert browser.log_in(account.user_id, PASSWORD).headers["Location"] == "/"
    claims = sign_in_at_app(live_server.url, app, browser)
    assert claims["amr"] == ["pwd"]
    assert claims["acr"] == "urn:staffgate:acr:password"
    assert before - 1 <= claims["auth_time"] <= int(time.time())


def test_a_sign_in_with_an_authenticator_app_says_otp_and_mfa(live_server, app, make_account):
    account = make_account()
    key = add_totp(account)
    browser = Browser(live_server.url)
    assert browser.log_in(account.user_id, PASSWORD).headers["Location"] == "/login/verify/"
    assert type_code(browser, key).headers["Location"] == "/"
    claims = sign_in_at_app(live_server.url, app, browser)
    assert {"pwd", "otp", "mfa"} <= set(claims["amr"])
    assert claims["acr"] == "urn:staffgate:acr:mfa"


def test_max_age_shorter_than_the_login_asks_for_the_password_again(live_server, app, make_account):
    account = make_account()
    browser = Browser(live_server.url)
    browser.log_in(account.user_id, PASSWORD)
    first = sign_in_at_app(live_server.url, app, browser)
    time.sleep(1.1)
    # A login recent enough for the app is not asked again.
    recent = sign_in_at_app(live_server.url, app, browser, max_age="3600")
    assert recent["auth_time"] == first["auth_time"] and recent["sid"] == first["sid"]
    # An older one is: the person types the password, and the app learns the new time.
    fresh = sign_in_at_app(
        live_server.url,
        app,
        browser,
        max_age="1",
        again=lambda next_url: browser.log_in(account.user_id, PASSWORD, next_url),
    )
    assert fresh["auth_time"] > first["auth_time"]
    assert fresh["sid"] != first["sid"]  # the former portal session ended


def test_prompt_login_asks_a_signed_in_person_for_the_password_again(
    live_server, app, make_account
):
    account = make_account()
    browser = Browser(live_server.url)
    browser.log_in(account.user_id, PASSWORD)
    first = sign_in_at_app(live_server.url, app, browser)
    time.sleep(1.1)
    fresh = sign_in_at_app(
        live_server.url,
        app,
        browser,
        prompt="login",
        again=lambda next_url: browser.log_in(account.user_id, PASSWORD, next_url),
    )
    assert fresh["auth_time"] > first["auth_time"]


def test_an_app_asking_for_mfa_gets_the_code_step_when_the_person_has_a_factor(
    live_server, app, make_account
):
    account = make_account()
    browser = Browser(live_server.url)
    browser.log_in(account.user_id, PASSWORD)
    key = add_totp(account)  # added from another device: this session had no code step
    plain = sign_in_at_app(live_server.url, app, browser)
    assert plain["acr"] == "urn:staffgate:acr:password"

    def log_in_with_code(next_url):
        assert browser.log_in(account.user_id, PASSWORD, next_url).status_code == 302
        assert browser.location().endswith("/login/verify/")
        type_code(browser, key)

    stepped_up = sign_in_at_app(
        live_server.url, app, browser, acr_values="urn:staffgate:acr:mfa", again=log_in_with_code
    )
    assert stepped_up["acr"] == "urn:staffgate:acr:mfa"
    assert "otp" in stepped_up["amr"]


def test_a_visitor_asked_for_a_fresh_login_logs_in_once(live_server, app, make_account):
    account = make_account()
    browser = Browser(live_server.url)
    claims = sign_in_at_app(
        live_server.url,
        app,
        browser,
        prompt="login",
        max_age="0",
        again=lambda next_url: browser.log_in(account.user_id, PASSWORD, next_url),
    )
    assert claims["amr"] == ["pwd"]
