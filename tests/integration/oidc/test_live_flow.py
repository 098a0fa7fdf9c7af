"""A whole sign-in at an app, over real HTTP, with a standard OAuth 2.0 / OIDC client.

authlib's ``OAuth2Session`` plays the app; joserfc checks the ID token against the
provider's published keys. The person comes for the first time, with their PIN. The
provider is Django's live server in this process, and ``staffgate serve`` (gunicorn,
the production settings) in its own, on the same database.
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from staffgate.oidc.registry import add_app
from staffgate.roster.pin import pin_of
from tests.conftest import mailed_code
from tests.integration.oidc.browser import Browser
from tests.integration.oidc.processes import (
    environment,
    mailed_code_in,
    staffgate_serve,
    staffgate_worker,
)

REDIRECT_URI = "http://127.0.0.1:9/oidc/callback"
SCOPES = "openid profile email employee"


@pytest.fixture
def benefits_app(transactional_db):
    return add_app(
        "Benefits",
        redirect_uris=[REDIRECT_URI],
        first_party=True,
        scopes=SCOPES,
        launch_url="https://benefits.example.com/",
    )


@pytest.fixture(params=["live server", "staffgate serve"])
def portal(request, transactional_db, tmp_path):
    """The provider's base URL and how to read the e-mail codes it sends."""
    if request.param == "live server":
        yield request.getfixturevalue("live_server").url, mailed_code
    else:
        env = environment(tmp_path)
        # The worker sends the e-mails: none is sent inside a request.
        with staffgate_serve(env, tmp_path) as base, staffgate_worker(env, tmp_path):
            yield base, lambda address: mailed_code_in(tmp_path, address)


def discover(base_url: str) -> dict:
    response = requests.get(base_url + "/.well-known/openid-configuration", timeout=30)
    assert response.status_code == 200
    return response.json()


def test_first_visit_registers_with_pin_then_signs_in_and_refreshes(
    portal, benefits_app, make_person
):
    base_url, code_of = portal
    person = make_person(first_name="Ana", last_name="Lima", country="CA", language="fr")
    metadata = discover(base_url)
    issuer = metadata["issuer"]
    assert issuer == base_url
    client = OAuth2Session(
        benefits_app.client_id,
        benefits_app.client_secret,
        scope=SCOPES,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    url, state = client.create_authorization_url(
        metadata["authorization_endpoint"], nonce=nonce, code_verifier=verifier
    )

    # First visit: not signed in, so the portal's login page, then the PIN registration.
    browser = Browser(base_url)
    browser.get(url)
    assert urlsplit(browser.location()).path == "/login/"
    next_url = parse_qs(urlsplit(browser.location()).query)["next"][0]
    browser.register_with_pin(
        person.employee_id, pin_of(person), "ana@example.com", next_url, code_of=code_of
    )
    browser.follow(stop_at=REDIRECT_URI)
    callback = browser.location()
    assert callback.startswith(REDIRECT_URI)
    returned = parse_qs(urlsplit(callback).query)
    assert returned["state"] == [state]
    assert returned["iss"] == [issuer]  # RFC 9207
    assert "access_token" not in callback and "id_token" not in callback

    token = client.fetch_token(
        metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    assert token["token_type"].lower() == "bearer"

    # The ID token: RS256, signed by a published key, for this app, with the nonce.
    keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=30).json())
    id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": benefits_app.client_id},
        nonce={"essential": True, "value": nonce},
        sub={"essential": True},
        exp={"essential": True},
        auth_time={"essential": True},
        sid={"essential": True},
    ).validate(id_token.claims)
    assert id_token.header["alg"] == "RS256"
    subject = id_token.claims["sub"]
    assert person.employee_id not in subject
    assert id_token.claims["amr"] == ["pwd"]

    # Userinfo: the same subject, and the claims of each scope.
    info = client.get(metadata["userinfo_endpoint"]).json()
    assert info["sub"] == subject
    assert info["name"] == "Ana Lima"
    assert info["given_name"] == "Ana" and info["family_name"] == "Lima"
    # The address was proved by the code mailed during registration.
    assert info["email"] == "ana@example.com" and info["email_verified"] is True
    assert info["employee_id"] == person.employee_id
    assert info["status"] == "active" and info["country"] == "CA"
    assert info["eligible_until"] is None

    # Refresh: works, and rotates the refresh token.
    first_refresh = token["refresh_token"]
    renewed = client.refresh_token(metadata["token_endpoint"], refresh_token=first_refresh)
    assert renewed["refresh_token"] != first_refresh
    assert renewed["access_token"] != token["access_token"]
    assert client.get(metadata["userinfo_endpoint"]).json()["sub"] == subject

    # Reusing the old refresh token revokes the whole family, the newest token included.
    with pytest.raises(OAuthError) as replay:
        client.refresh_token(metadata["token_endpoint"], refresh_token=first_refresh)
    assert replay.value.error == "invalid_grant"
    with pytest.raises(OAuthError) as after:
        client.refresh_token(metadata["token_endpoint"], refresh_token=renewed["refresh_token"])
    assert after.value.error == "invalid_grant"
    assert client.get(metadata["userinfo_endpoint"]).status_code == 401
