"""Rotating the signing key while apps hold tokens: the next key is published before it
signs, and the former one stays published until the tokens it signed expire."""

from __future__ import annotations

import io
import shutil
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from joserfc import jwt
from joserfc.jwk import KeySet

from staffgate.oidc.keys import published_key_pems, retired_key_paths, rotate_signing_key
from tests.conftest import PASSWORD, login
from tests.oidc_client import AppClient, jwt_part

pytestmark = pytest.mark.django_db

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


def test_rotation_needs_the_key_in_a_file():
    from django.core.management import CommandError

    with override_settings(STAFFGATE_OIDC_KEY_PATH=""):
        with pytest.raises(CommandError, match="STAFFGATE_OIDC_KEY_FILE"):
            call_command("rotate_signing_key")
