"""Back-channel logout: every event that ends a person's sessions tells the apps, reliably."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult
from joserfc import jwt
from joserfc.jwk import KeySet

from staffgate.accounts.services import reset_registration, unlock_account
from staffgate.audit.models import AuditEvent
from staffgate.core import timeutil
from staffgate.oidc.models import SignIn
from staffgate.oidc.tasks import deliver_logout_token
from tests.conftest import PASSWORD, login
from tests.integration.oidc.receiver import LogoutReceiver, free_port
from tests.oidc_client import AppClient, jwt_part

pytestmark = pytest.mark.django_db

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


@pytest.fixture
def browser(make_account):
    account = make_account()
    client = Client()
    assert login(client, account.user_id, PASSWORD)["Location"] == "/"
    client.account = account
    return client


def signed_in_app(browser, backchannel_uri: str):
    app = AppClient.register(browser, backchannel_logout_uri=backchannel_uri)
    tokens = app.token(Client(), app.code()).json()
    return app, tokens


def run_worker():
    """``staffgate worker --batch``: what is due now, in this test's transaction (so the
    worker's usual closing of stale connections between tasks is left out)."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("worker", "--batch", verbosity=0)


def pending():
    """Logout deliveries waiting in the queue."""
    return DBTaskResult.objects.filter(status="READY", task_path=deliver_logout_token.module_path)


def test_logout_at_the_portal_sends_a_signed_logout_token(browser):
    with LogoutReceiver() as app_server:
        app, tokens = signed_in_app(browser, app_server.url)
        id_claims = jwt_part(tokens["id_token"], 1)
        browser.post("/logout/")
        assert pending().count() == 1
        run_worker()
        assert app_server.arrived.wait(5)
    [token] = app_server.tokens
    keys = KeySet.import_key_set(Client().get("/o/jwks/").json())
    decoded = jwt.decode(token, keys, algorithms=["RS256"])
    assert decoded.header["typ"] == "logout+jwt"
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": id_claims["iss"]},
        aud={"essential": True, "value": app.app.client_id},
        sub={"essential": True, "value": id_claims["sub"]},
        sid={"essential": True, "value": id_claims["sid"]},
        iat={"essential": True},
        jti={"essential": True},
    ).validate(decoded.claims)
    assert decoded.claims["events"] == {LOGOUT_EVENT: {}}
    assert "nonce" not in decoded.claims
    # And the app's tokens no longer work.
    assert app.userinfo(Client(), tokens["access_token"]).status_code == 401
    assert app.refresh(Client(), tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert AuditEvent.objects.filter(tag="sso:backchannel:delivered").exists()


def test_a_logout_token_waits_while_the_app_is_down_and_arrives_when_it_is_back(browser):
    port = free_port()
    app, tokens = signed_in_app(browser, f"http://127.0.0.1:{port}/backchannel-logout")
    browser.post("/logout/")
    run_worker()  # the app is down: the delivery is booked again, later
    [retry] = pending()
    assert retry.run_after > timeutil.now()
    assert retry.args_kwargs["args"][-1] == 2  # the second attempt
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timeutil.now())
    with LogoutReceiver(port) as app_server:
        run_worker()
        assert app_server.arrived.wait(5)
        assert len(app_server.tokens) == 1
    assert not pending().exists()


def test_the_logout_token_is_queued_in_the_transaction_of_the_event(browser):
    app, tokens = signed_in_app(browser, "https://app.example.com/backchannel")
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            unlock_account(browser.account.user_id, actor="cli", reason="test")
            assert pending().count() == 1
            raise RuntimeError("the event does not happen")
    assert not pending().exists()
    assert app.userinfo(Client(), tokens["access_token"]).status_code == 200


@pytest.mark.parametrize(
    "event",
    [
        lambda browser: unlock_account(browser.account.user_id, actor="cli", reason="asked"),
        lambda browser: reset_registration(browser.account.user_id, actor="cli", reason="asked"),
        lambda browser: browser.post("/profile/sessions/end-others/"),
    ],
    ids=["help-desk unlock", "registration reset", "end my other sessions"],
)
def test_help_desk_actions_and_ending_sessions_sign_the_person_out_of_apps(browser, event):
    other = Client()
    assert login(other, browser.account.user_id, PASSWORD)["Location"] == "/"
    app = AppClient.register(other, backchannel_logout_uri="https://app.example.com/bc")
    tokens = app.token(Client(), app.code()).json()
    event(browser)
    assert pending().count() == 1
    assert app.userinfo(Client(), tokens["access_token"]).status_code == 401


def test_a_password_change_signs_the_other_sessions_out_of_apps(browser):
    other = Client()
    assert login(other, browser.account.user_id, PASSWORD)["Location"] == "/"
    app = AppClient.register(other, backchannel_logout_uri="https://app.example.com/bc")
    tokens = app.token(Client(), app.code()).json()
    new = "Maple2026x"
    browser.post(
        "/profile/password/",
        {"current_password": PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert pending().count() == 1
    assert app.userinfo(Client(), tokens["access_token"]).status_code == 401
    assert SignIn.objects.get().ended_at is not None


def test_retries_back_off_and_stop(monkeypatch):
    from staffgate.oidc import backchannel

    delays = [backchannel.retry_delay(attempt) for attempt in range(1, 12)]
    assert delays[:4] == [5, 10, 20, 40]
    assert max(delays) == backchannel.MAX_DELAY
    assert sum(backchannel.retry_delay(a) for a in range(1, backchannel.MAX_ATTEMPTS)) > (
        dt.timedelta(hours=6).total_seconds()
    )


def test_rp_initiated_logout_goes_back_only_to_a_registered_address(browser):
    app = AppClient.register(
        browser,
        backchannel_logout_uri="https://app.example.com/bc",
        post_logout_redirect_uris=["https://app.example.com/bye"],
    )
    tokens = app.token(Client(), app.code()).json()
    hint = tokens["id_token"]
    refused = browser.get(
        "/o/logout/",
        {"id_token_hint": hint, "post_logout_redirect_uri": "https://evil.example.com/"},
    )
    assert refused.status_code == 400 and "Location" not in refused
    assert browser.get("/").status_code == 200  # still signed in
    done = browser.get(
        "/o/logout/",
        {
            "id_token_hint": hint,
            "client_id": app.app.client_id,
            "post_logout_redirect_uri": "https://app.example.com/bye",
            "state": "s-1",
        },
    )
    assert done.status_code == 302
    assert done["Location"] == "https://app.example.com/bye?state=s-1"
    assert browser.get("/").status_code == 302  # signed out of the portal
    assert app.userinfo(Client(), tokens["access_token"]).status_code == 401
    assert pending().count() == 1  # and the app is told by back-channel too
