"""What an app's request for a fresh login leaves of itself, and the level of assurance."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from staffgate.oidc import claims
from staffgate.oidc.views import fresh_login_next


def test_a_fresh_login_goes_on_to_the_same_request_without_what_asked_for_it():
    path = (
        "/o/authorize/?client_id=a&redirect_uri=https%3A%2F%2Fapp%2Fcb&state=s+1"
        "&prompt=login+consent&max_age=0&nonce=n"
    )
    query = parse_qs(urlsplit(fresh_login_next(path)).query)
    assert query == {
        "client_id": ["a"],
        "redirect_uri": ["https://app/cb"],
        "state": ["s 1"],
        "prompt": ["consent"],
        "nonce": ["n"],
    }
    assert "prompt" not in parse_qs(urlsplit(fresh_login_next("/o/authorize/?prompt=login")).query)


def test_the_level_of_assurance_follows_the_methods():
    assert claims.acr_of(["pwd"]) == claims.ACR_PASSWORD
    assert claims.acr_of(["pwd", "otp", "mfa"]) == claims.ACR_MULTI_FACTOR
