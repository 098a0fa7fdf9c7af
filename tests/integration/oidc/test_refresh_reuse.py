"""A refresh token presented many times at once (the app and a thief racing): one rotation
at most, and the reuse revokes the whole family, the winner's new token included.

Run on SQLite and on PostgreSQL, like every integration test, through the live server's
threads, each with its own database connection.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.test import Client
from oauth2_provider.models import RefreshToken

from staffgate.audit.models import AuditEvent
from tests.conftest import PASSWORD, login
from tests.oidc_client import AppClient

RACERS = 8


@pytest.fixture
def app_with_tokens(transactional_db, make_account):
    browser = Client()
    assert login(browser, make_account().user_id, PASSWORD)["Location"] == "/"
    app = AppClient.register(browser)
    tokens = app.token(Client(), app.code()).json()
    return app, tokens


def test_a_refresh_token_raced_many_times_rotates_once_and_revokes_the_family(
    live_server, app_with_tokens
):
    app, tokens = app_with_tokens
    auth = (app.app.client_id, app.app.client_secret)

    def refresh(token: str) -> requests.Response:
        return requests.post(
            live_server.url + "/o/token/",
            {"grant_type": "refresh_token", "refresh_token": token},
            auth=auth,
            timeout=60,
        )

    with ThreadPoolExecutor(RACERS) as pool:
        answers = list(pool.map(refresh, [tokens["refresh_token"]] * RACERS))
    assert all(answer.status_code in (200, 400) for answer in answers)
    winners = [answer.json() for answer in answers if answer.status_code == 200]
    assert len(winners) <= 1, "one refresh token was rotated more than once"
    losers = [answer.json() for answer in answers if answer.status_code == 400]
    assert losers and all(body["error"] == "invalid_grant" for body in losers)
    # The others were reuse: the family is revoked, the newest token with it.
    for winner in winners:
        assert refresh(winner["refresh_token"]).json()["error"] == "invalid_grant"
        assert app.userinfo(Client(), winner["access_token"]).status_code == 401
    assert not RefreshToken.objects.filter(revoked__isnull=True).exists()
    assert AuditEvent.objects.filter(tag="sso:refresh:reused").exists()
