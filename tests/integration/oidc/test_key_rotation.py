"""Rotating the signing key while apps hold tokens: the next key is published before it
signs, and the former one stays published until the tokens it signed expire."""

from __future__ import annotations

import io
import secrets
import shutil
import time
from pathlib import Path

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from joserfc import jwt
from joserfc.jwk import KeySet

from staffgate.oidc.keys import published_key_pems, retired_key_paths, rotate_signing_key
from staffgate.oidc.registry import add_app
from tests.conftest import PASSWORD, login
from tests.integration.oidc.browser import Browser
from tests.integration.oidc.processes import environment, staffgate, staffgate_serve
from tests.oidc_client import AppClient, jwt_part

KEEP = settings.STAFFGATE_OIDC_ACCESS_TOKEN_SECONDS + 3600


def provider_settings(path: Path, now: float | None = None) -> dict:
    """What the settings read from the key files at start-up (a server restart)."""
    return {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": path.read_text(),
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": published_key_pems(
            path, now=now or time.time(), keep_seconds=KEEP
        ),
    }


def published() -> KeySet:
    return KeySet.import_key_set(Client().get("/o/jwks/").json())


def kids() -> set[str]:
    return {key["kid"] for key in Client().get("/o/jwks/").json()["keys"]}


@pytest.mark.django_db
def test_rotation_while_an_app_holds_tokens(tmp_path, make_account):
    path = tmp_path / "oidc_key.pem"
    shutil.copy(settings.STAFFGATE_OIDC_KEY_PATH, path)
    browser = Client()
    assert login(browser, make_account().user_id, PASSWORD)["Location"] == "/"
    app = AppClient.register(browser)

    with override_settings(OAUTH2_PROVIDER=provider_settings(path)):
        old = app.token(Client(), app.code()).json()
        old_kid = jwt_part(old["id_token"], 0)["kid"]
        assert kids() == {old_kid}

    # First run: the next key is published, and does not sign yet.
    out = io.StringIO()
    with override_settings(STAFFGATE_OIDC_KEY_PATH=str(path)):
        call_command("rotate_signing_key", stdout=out)
    assert "next key is published" in out.getvalue()
    with override_settings(OAUTH2_PROVIDER=provider_settings(path)):
        assert len(kids()) == 2 and old_kid in kids()
        still_old = app.token(Client(), app.code()).json()
        assert jwt_part(still_old["id_token"], 0)["kid"] == old_kid

    # Second run: the new key signs; the old one is still published, so the tokens it
    # signed still verify, and the app's tokens still work.
    with override_settings(STAFFGATE_OIDC_KEY_PATH=str(path)):
        call_command("rotate_signing_key", stdout=io.StringIO())
    with override_settings(OAUTH2_PROVIDER=provider_settings(path)):
        new = app.token(Client(), app.code()).json()
        new_kid = jwt_part(new["id_token"], 0)["kid"]
        assert new_kid != old_kid
        assert kids() == {old_kid, new_kid}
        keys = published()
        for token in (old["id_token"], new["id_token"]):
            assert jwt.decode(token, keys, algorithms=["RS256"]).claims["aud"]
        assert app.userinfo(Client(), old["access_token"]).status_code == 200
        renewed = app.refresh(Client(), old["refresh_token"]).json()
        assert jwt_part(renewed["id_token"], 0)["kid"] == new_kid

    # Once the old key's tokens have expired it is no longer published, and is deleted.
    later = time.time() + KEEP + 1
    with override_settings(OAUTH2_PROVIDER=provider_settings(path, now=later)):
        assert kids() == {new_kid}
    rotate_signing_key(path, now=later, keep_seconds=KEEP)
    assert retired_key_paths(path) == []


@pytest.mark.django_db
def test_rotation_needs_the_key_in_a_file():
    from django.core.management import CommandError

    with override_settings(STAFFGATE_OIDC_KEY_PATH=""):
        with pytest.raises(CommandError, match="STAFFGATE_OIDC_KEY_FILE"):
            call_command("rotate_signing_key")


def test_rotation_with_the_servers_restarted_as_an_operator_does_it(
    transactional_db, tmp_path, make_account
):
    """The same rotation through ``staffgate rotate-signing-key`` and ``staffgate serve``
    restarted after each run, checked by an app with authlib and joserfc."""
    key = tmp_path / "keys" / "oidc_key.pem"
    key.parent.mkdir()
    shutil.copy(settings.STAFFGATE_OIDC_KEY_PATH, key)
    env = environment(tmp_path, STAFFGATE_OIDC_KEY_FILE=str(key))
    account = make_account()
    app = add_app("Pay", redirect_uris=[SERVED_REDIRECT_URI], first_party=True, scopes="openid")

    def published_keys(base: str) -> KeySet:
        return KeySet.import_key_set(requests.get(base + "/o/jwks/", timeout=30).json())

    def published_kids(base: str) -> set[str]:
        return {key["kid"] for key in requests.get(base + "/o/jwks/", timeout=30).json()["keys"]}

    with staffgate_serve(env, tmp_path) as base:
        old = sign_in_served(base, app, account.user_id)
        old_kid = jwt_part(old["id_token"], 0)["kid"]

    assert "published" in staffgate(env, "rotate-signing-key")
    with staffgate_serve(env, tmp_path) as base:
        assert old_kid in published_kids(base) and len(published_kids(base)) == 2
        assert jwt_part(sign_in_served(base, app, account.user_id)["id_token"], 0)["kid"] == old_kid

    staffgate(env, "rotate-signing-key")
    with staffgate_serve(env, tmp_path) as base:
        new = sign_in_served(base, app, account.user_id)
        new_kid = jwt_part(new["id_token"], 0)["kid"]
        assert new_kid != old_kid
        keys = published_keys(base)
        # The app's tokens from before the rotation still verify and still work.
        for token in (old["id_token"], new["id_token"]):
            assert jwt.decode(token, keys, algorithms=["RS256"]).claims["aud"] == app.client_id
        bearer = {"Authorization": f"Bearer {old['access_token']}"}
        assert requests.get(base + "/o/userinfo/", headers=bearer, timeout=30).status_code == 200
        renewed = requests.post(
            base + "/o/token/",
            {"grant_type": "refresh_token", "refresh_token": old["refresh_token"]},
            auth=(app.client_id, app.client_secret),
            timeout=30,
        ).json()
        assert jwt_part(renewed["id_token"], 0)["kid"] == new_kid


SERVED_REDIRECT_URI = "http://127.0.0.1:9/oidc/callback"


def sign_in_served(base: str, app, user_id: str) -> dict:
    """A person logs in at the served portal and opens the app: the app's tokens."""
    browser = Browser(base)
    assert browser.log_in(user_id, PASSWORD).status_code == 302
    client = OAuth2Session(
        app.client_id,
        app.client_secret,
        scope="openid",
        redirect_uri=SERVED_REDIRECT_URI,
        code_challenge_method="S256",
    )
    verifier = secrets.token_urlsafe(48)
    url, _state = client.create_authorization_url(base + "/o/authorize/", code_verifier=verifier)
    browser.get(url)
    return client.fetch_token(
        base + "/o/token/", authorization_response=browser.location(), code_verifier=verifier
    )
