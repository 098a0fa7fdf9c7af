"""Single sign-on in a real browser: the consent page of an app that is not first-party,
in the three languages, checked with axe-core like every other page."""

from __future__ import annotations

import json
import secrets
import urllib.parse

import pytest
from playwright.sync_api import expect

from tests.e2e.portal import _run
from tests.e2e.steps import PASSWORD, log_in, submit

CALLBACK = "https://partner.example.com/oidc/callback"


@pytest.fixture(scope="module")
def partner_app(portal) -> str:
    """A partner app (consent asked), registered by the operator's command."""
    out = _run(
        [
            "add-app",
            "Partner benefits",
            "--redirect-uri",
            CALLBACK,
            "--public",
            "--scopes",
            "openid profile email",
            "--json",
        ],
        portal.env,
    )
    return json.loads(out)["client_id"]


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_the_consent_page_asks_in_the_persons_language_and_allow_returns_a_code(
    page, registered, audit, partner_app, language
):
    codes = []
    page.route(
        CALLBACK + "*",
        lambda route: (codes.append(route.request.url), route.fulfill(body="back in the app")),
    )
    assert log_in(page, registered.employee_id, PASSWORD, audit) is None
    page.goto(f"/?language={language}")
    audit.language = language
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": partner_app,
            "redirect_uri": CALLBACK,
            "scope": "openid profile email",
            "state": secrets.token_urlsafe(8),
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }
    )
    page.goto(f"/o/authorize/?{query}")
    audit(page, "sso-consent")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Partner benefits")
    submit(page, "allow")
    page.wait_for_url(lambda url: url.startswith(CALLBACK))
    assert codes and "code=" in codes[0]
