"""What an app's developer meets from outside: the discovery document, the errors of each
endpoint, and no server error whatever an app (or anyone) sends to ``/o/``."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client, override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import PASSWORD, login
from tests.oidc_client import CALLBACK, AppClient, query_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(make_account):
    account = make_account()
    client = Client()
    assert login(client, account.user_id, PASSWORD)["Location"] == "/"
    client.account = account
    return client


def discovery(client=None, **extra) -> dict:
    response = (client or Client()).get("/.well-known/openid-configuration", **extra)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_discovery_names_the_issuer_and_endpoints_that_answer():
    data = discovery()
    issuer = data["issuer"]
    assert issuer == "http://testserver"
    endpoints = {
        "authorization_endpoint": "/o/authorize/",
        "token_endpoint": "/o/token/",
        "userinfo_endpoint": "/o/userinfo/",
        "jwks_uri": "/o/jwks/",
        "end_session_endpoint": "/o/logout/",
        "revocation_endpoint": "/o/revoke/",
    }
    for name, path in endpoints.items():
        assert data[name] == issuer + path, name
        assert Client().get(path).status_code != 404, name
    keys = Client().get("/o/jwks/").json()["keys"]
    assert keys and all(key["kty"] == "RSA" and key["use"] == "sig" and key["kid"] for key in keys)


def test_discovery_says_exactly_what_is_supported():
    data = discovery()
    assert data["scopes_supported"] == ["openid", "profile", "email", "employee"]
    assert data["response_types_supported"] == ["code"]
    assert data["response_modes_supported"] == ["query"]
    assert data["code_challenge_methods_supported"] == ["S256"]
    assert data["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert data["id_token_signing_alg_values_supported"] == ["RS256"]
    assert data["subject_types_supported"] == ["pairwise"]
    assert set(data["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
        "none",
    }
    assert data["prompt_values_supported"] == ["none", "login"]
    assert data["acr_values_supported"] == [
        "urn:staffgate:acr:password",
        "urn:staffgate:acr:mfa",
    ]
    assert data["claims_supported"] == sorted(data["claims_supported"])
    assert {"sub", "auth_time", "amr", "acr", "sid", "employee_id"} <= set(data["claims_supported"])
    assert data["ui_locales_supported"] == ["en", "fr", "es"]


def test_with_a_public_url_the_issuer_is_that_address_whatever_the_request_says():
    provider = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": "https://portal.example.com"}
    with override_settings(OAUTH2_PROVIDER=provider):
        data = discovery(HTTP_HOST="localhost")
    assert data["issuer"] == "https://portal.example.com"
    assert data["jwks_uri"] == "https://portal.example.com/o/jwks/"
    assert data["end_session_endpoint"] == "https://portal.example.com/o/logout/"


def test_a_bad_redirect_uri_is_a_page_on_the_portal_for_a_visitor_too(browser):
    app = AppClient.register(browser)
    visitor = AppClient(Client(), app.app)
    response = visitor.authorize(redirect_uri="https://evil.example.com/cb")
    # Refused at once, before any login: a page, never a redirect to the offered address.
    assert response.status_code == 400 and "Location" not in response
    assert 'data-code="sso.invalid_request"' in response.content.decode()
    unknown = visitor.authorize(client_id="no-such-app")
    assert unknown.status_code == 400 and "Location" not in unknown
    # A good request from a visitor still goes to the login page first.
    assert visitor.authorize()["Location"].startswith("/login/?next=/o/authorize/")


def test_prompt_none_without_a_session_answers_login_required_to_the_app(browser):
    app = AppClient.register(browser)
    response = AppClient(Client(), app.app).authorize(prompt="none", state="s-9")
    assert response.status_code == 302
    assert response["Location"].startswith(CALLBACK + "?")
    assert query_of(response["Location"]) == {
        "error": "login_required",
        "state": "s-9",
        "iss": "http://testserver",
    }
    # Signed in, the same request gets its code without a page.
    assert "code" in query_of(app.authorize(prompt="none")["Location"])


def test_prompt_none_where_consent_would_be_asked_answers_consent_required(browser):
    app = AppClient.register(browser, first_party=False, name="Partner")
    response = app.authorize(prompt="none", state="s-8")
    assert response.status_code == 302
    assert response["Location"].startswith(CALLBACK + "?")
    returned = query_of(response["Location"])
    assert returned["error"] == "consent_required" and returned["state"] == "s-8"
    assert "code" not in returned


def test_prompt_none_while_a_factor_must_be_enrolled_answers_interaction_required(
    browser, settings
):
    app = AppClient.register(browser)
    settings.STAFFGATE_MFA = "required"
    response = app.authorize(prompt="none", state="s-6")
    assert response.status_code == 302
    assert response["Location"].startswith(CALLBACK + "?")
    assert query_of(response["Location"]) == {
        "error": "interaction_required",
        "state": "s-6",
        "iss": "http://testserver",
    }
    # Without prompt=none the person is sent to enrol, and no code reaches the app.
    assert app.authorize()["Location"] == "/profile/factors/totp/"
    bad = app.authorize(prompt="none", redirect_uri="https://evil.example.com/cb")
    assert bad.status_code == 400 and "Location" not in bad


def test_prompt_none_while_the_address_must_be_confirmed_answers_interaction_required(browser):
    app = AppClient.register(browser)
    browser.account.email_verified_at = None
    browser.account.save(update_fields=["email_verified_at"])
    response = app.authorize(prompt="none", state="s-5")
    returned = query_of(response["Location"])
    assert returned["error"] == "interaction_required" and returned["state"] == "s-5"
    assert "code" not in returned
    assert app.authorize()["Location"].startswith("/login/verify-email/")


def test_rfc9207_error_responses_carry_the_issuer_too(browser):
    app = AppClient.register(browser)
    partner = AppClient.register(browser, first_party=False, name="Partner")
    form = {
        "client_id": partner.app.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid",
        "state": "s-7",
        "code_challenge": query_of(partner.authorize_url())["code_challenge"],
        "code_challenge_method": "S256",
    }
    answers = {
        "invalid_scope": app.authorize(scope="openid admin"),
        "login_required": AppClient(Client(), app.app).authorize(prompt="none"),
        "consent_required": partner.authorize(prompt="none"),
        "access_denied": browser.post("/o/authorize/", {**form, "deny": "on"}),
    }
    for error, response in answers.items():
        returned = query_of(response["Location"])
        assert returned["error"] == error
        assert returned["iss"] == "http://testserver", error
    success = parse_qs(urlsplit(app.authorize()["Location"]).query)
    assert success["iss"] == ["http://testserver"]  # once


def test_an_unknown_client_or_a_wrong_secret_is_invalid_client():
    for auth in ("no-such-app:secret", ":", "only-an-id"):
        header = "Basic " + base64.b64encode(auth.encode()).decode()
        response = Client().post(
            "/o/token/",
            {"grant_type": "authorization_code", "code": "x", "redirect_uri": CALLBACK},
            HTTP_AUTHORIZATION=header,
        )
        assert response.status_code == 401, auth
        assert response.json()["error"] == "invalid_client"
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "verifier",
    [
        "x" * 50,  # another verifier
        "short",  # too short for RFC 7636
        None,  # none at all, for a code bound to a challenge
    ],
)
def test_a_bad_pkce_verifier_is_invalid_grant_and_spends_the_code(browser, verifier):
    app = AppClient.register(browser, public=True, name="Phone app")
    code = app.code()
    response = app.token(Client(), code, code_verifier=verifier)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] in ("invalid_grant", "invalid_request") and "access_token" not in body
    if verifier is not None:
        assert body["error"] == "invalid_grant"


def test_the_right_verifier_still_works_after_a_wrong_code(browser):
    app = AppClient.register(browser, public=True, name="Phone app")
    assert app.token(Client(), "not-a-code").json()["error"] == "invalid_grant"
    assert "access_token" in app.token(Client(), app.code()).json()


# --- Junk at every endpoint: an answer, never a server error ------------------------------

JUNK = st.one_of(
    st.sampled_from(
        [
            "",
            "\x00",
            "%00",
            "A" * 5000,
            "é",
            "https://evil.example.com/",
            "code id_token",
            "S256",
            "plain",
            "openid profile email employee",
            "none login",
            "-1",
            "1e309",
            "99999999999999999999999",
            "Bearer ",
            "Basic !!!",
            "Basic " + base64.b64encode(b"\xff\xfe:\x00").decode(),
            "eyJhbGciOiJub25lIn0.e30.",
            "a.b.c",
            '{"a": 1}',
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80),
)
PARAMETERS = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "max_age",
    "acr_values",
    "ui_locales",
    "id_token_hint",
    "post_logout_redirect_uri",
    "grant_type",
    "code",
    "code_verifier",
    "refresh_token",
    "client_secret",
    "token",
    "token_type_hint",
    "claims",
    "request",
    "resource",
]
ENDPOINTS = [
    "/o/authorize/",
    "/o/token/",
    "/o/userinfo/",
    "/o/revoke/",
    "/o/logout/",
    "/o/jwks/",
    "/.well-known/openid-configuration",
]


@pytest.fixture
def signed_in_app(browser):
    """A signed-in browser and a registered app, so that junk meets real rows too."""
    app = AppClient.register(browser)
    tokens = app.token(Client(), app.code()).json()
    return browser, app, tokens


@pytest.mark.parametrize("path", ENDPOINTS)
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fields=st.dictionaries(st.sampled_from(PARAMETERS), JUNK, max_size=6),
    authorization=st.one_of(st.none(), JUNK),
    method=st.sampled_from(["GET", "POST"]),
    signed_in=st.booleans(),
)
def test_junk_at_every_provider_endpoint_never_makes_a_server_error(
    signed_in_app, path, fields, authorization, method, signed_in
):
    browser, app, tokens = signed_in_app
    if fields.get("client_id") == "":
        fields["client_id"] = app.app.client_id  # junk around a real app, too
    if fields.get("refresh_token") == "":
        fields["refresh_token"] = tokens["refresh_token"]
    client = browser if signed_in else Client()
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    if method == "GET":
        response = client.get(path, fields, **extra)
    else:
        response = client.post(path, fields, **extra)
    assert response.status_code < 500, (path, method, fields, response.content[:300])
    if response.get("Content-Type", "").startswith("application/json"):
        json.loads(response.content)  # what says JSON is JSON


def test_a_consent_form_posted_for_no_registered_app_is_refused_on_a_page(signed_in_app):
    browser, app, _ = signed_in_app
    response = browser.post(
        "/o/authorize/",
        {
            "client_id": "no-such-app",
            "redirect_uri": app.redirect_uri,
            "response_type": "code",
            "scope": "openid",
            "allow": "Allow",
        },
    )
    assert response.status_code == 400
    assert "Location" not in response  # never sent anywhere


@pytest.mark.parametrize("path", ["/o/token/", "/o/revoke/", "/o/userinfo/"])
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded"),
        (b'{"grant_type": "authorization_code"}', "application/json"),
        (b"--x\r\nContent-Disposition: form-data\r\n\r\n", "multipart/form-data; boundary=x"),
        (b"a=" + b"%" * 1000, "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_bodies_at_the_back_channel_endpoints_are_client_errors(path, body, content_type):
    response = Client().generic("POST", path, body, content_type=content_type)
    assert 400 <= response.status_code < 500, response.content[:300]
