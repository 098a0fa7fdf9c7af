"""Operators register apps from the command line: add-app, list-apps, remove-app."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from oauth2_provider.models import Application

from staffgate.audit.models import AuditEvent
from staffgate.oidc.models import AppProfile

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_add_app_prints_the_secret_once_and_stores_only_its_hash():
    out = run(
        "add_app",
        "Benefits",
        "--redirect-uri",
        "https://benefits.example.com/oidc/callback",
        "--redirect-uri",
        "https://benefits.example.com/oidc/callback2",
        "--backchannel-logout-uri",
        "https://benefits.example.com/oidc/backchannel",
        "--post-logout-redirect-uri",
        "https://benefits.example.com/",
        "--scopes",
        "openid profile email employee",
        "--first-party",
        "--launch-url",
        "https://benefits.example.com/",
    )
    client_id = out.split("client_id:", 1)[1].split()[0]
    secret = out.split("client_secret:", 1)[1].split()[0]
    app = Application.objects.get(client_id=client_id)
    assert app.client_secret != secret and secret not in app.client_secret
    assert app.client_type == "confidential" and app.skip_authorization
    assert app.algorithm == "RS256"
    assert app.redirect_uris.split() == [
        "https://benefits.example.com/oidc/callback",
        "https://benefits.example.com/oidc/callback2",
    ]
    assert app.post_logout_redirect_uris == "https://benefits.example.com/"
    profile = AppProfile.objects.get(application=app)
    assert profile.scopes == ["openid", "profile", "email", "employee"]
    assert profile.backchannel_logout_uri.endswith("/backchannel")
    event = AuditEvent.objects.get(tag="sso:app:added")
    assert secret not in json.dumps(event.detail)
    listing = run("list_apps")
    assert "Benefits" in listing and client_id in listing and secret not in listing


def test_add_app_json_for_scripts_and_public_apps_have_no_secret():
    data = json.loads(
        run(
            "add_app",
            "Phone",
            "--redirect-uri",
            "https://phone.example.com/cb",
            "--public",
            "--json",
        )
    )
    assert set(data) == {"name", "client_id"}
    data = json.loads(
        run("add_app", "Pay", "--redirect-uri", "https://pay.example.com/cb", "--json")
    )
    assert set(data) == {"name", "client_id", "client_secret"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--redirect-uri", "not a uri"], "redirect"),
        (["--redirect-uri", "ftp://x.example.com/cb"], "redirect"),
        (["--redirect-uri", "https://x.example.com/cb#frag"], "redirect"),
        (["--redirect-uri", "https://x.example.com/cb", "--scopes", "openid admin"], "admin"),
        (
            ["--redirect-uri", "https://x.example.com/cb", "--backchannel-logout-uri", "nope"],
            "backchannel",
        ),
    ],
)
def test_add_app_says_what_is_wrong(args, message):
    with pytest.raises(CommandError, match=f"(?i){message}"):
        run("add_app", "Broken", *args)
    assert not Application.objects.exists()


def test_names_are_unique_and_remove_app_takes_the_tokens_with_it():
    run("add_app", "Pay", "--redirect-uri", "https://pay.example.com/cb")
    with pytest.raises(CommandError, match="already registered"):
        run("add_app", "Pay", "--redirect-uri", "https://pay.example.com/cb")
    assert "removed" in run("remove_app", "Pay")
    assert not Application.objects.exists()
    with pytest.raises(CommandError, match="no app"):
        run("remove_app", "Pay")
