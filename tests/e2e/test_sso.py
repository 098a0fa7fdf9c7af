"""Single sign-on in a real browser: the consent page of an app that is not first-party,
in the three languages, checked with axe-core like every other page; the example app
signing a person in (the first time through the registration wizard) and signed out by
back-channel logout; a separated person past their window refused, and the app holding
their refresh token with it."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.portal import _run, free_port
from tests.e2e.steps import (
    ANSWERS,
    PASSWORD,
    choose,
    expect_outcome,
    expect_path,
    fill,
    log_in,
    mailed_code,
    submit,
)

APP_FILE = Path(__file__).resolve().parents[2] / "examples" / "benefits-app" / "app.py"

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


@pytest.fixture(scope="module")
def benefits(portal):
    """The example Benefits app, registered with the portal (whose worker tells it of
    logouts)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    out = _run(
        [
            "add-app",
            "Benefits",
            "--redirect-uri",
            f"{base}/oidc/callback",
            "--backchannel-logout-uri",
            f"{base}/oidc/backchannel-logout",
            "--post-logout-redirect-uri",
            f"{base}/",
            "--scopes",
            "openid profile email employee",
            "--first-party",
            "--json",
        ],
        portal.env,
    )
    app = json.loads(out)
    server = subprocess.Popen(
        [sys.executable, str(APP_FILE)],
        env={
            **portal.env,
            "BENEFITS_ISSUER": portal.base_url,
            "BENEFITS_CLIENT_ID": app["client_id"],
            "BENEFITS_CLIENT_SECRET": app["client_secret"],
            "BENEFITS_PORT": str(port),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/", timeout=5):
                break
        except OSError:
            time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(timeout=30)


def test_a_person_opens_the_app_registers_and_is_signed_out_by_back_channel(
    page, person, audit, benefits
):
    page.goto(benefits + "/")
    page.get_by_role("link", name="Sign in with staffgate").click()
    page.wait_for_url("**/login/**")
    # First time: the registration wizard, then straight back to the app.
    fill(page, "user_id", person.employee_id)
    fill(page, "password", person.pin)
    submit(page)
    expect_path(page, "/register/terms/")
    submit(page, "agree")
    fill(page, "email", person.email)
    fill(page, "email_confirm", person.email)
    submit(page)
    # The address counts once the code mailed to it is typed back.
    expect_path(page, "/register/verify-email/")
    fill(page, "code", mailed_code(person.email))
    submit(page, scope=page.locator("main form").first)
    expect_outcome(page, "email.verified")
    page.locator("main a.button").click()
    expect_path(page, "/register/questions/")
    for n, (question, answer) in enumerate(ANSWERS, start=1):
        choose(page, f"question_{n}", question)
        fill(page, f"answer_{n}", answer)
    submit(page)
    fill(page, "new_password", PASSWORD)
    fill(page, "confirm_password", PASSWORD)
    submit(page)
    page.wait_for_url(benefits + "/")
    expect(page.locator("#hello")).to_contain_text(f"Hello {person.full_name}")

    # Logging out at staffgate ends the app's session through back-channel logout.
    page.goto("/")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page.goto(benefits + "/")
        if page.get_by_role("link", name="Sign in with staffgate").count():
            break
        time.sleep(0.5)
    expect(page.get_by_role("link", name="Sign in with staffgate")).to_be_visible()


# RFC 7636's example: the verifier of the challenge these requests send.
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"


def token_request(portal, fields: dict) -> tuple[int, dict]:
    """The app's back end at the token endpoint: (status, JSON answer)."""
    request = urllib.request.Request(
        portal.base_url + "/o/token/", data=urllib.parse.urlencode(fields).encode()
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_separated_person_past_their_window_gets_the_clear_page(
    page, registered, audit, portal, partner_app
):
    # Before: the person signed in to the partner app, which holds their refresh token.
    codes = []
    page.route(
        CALLBACK + "*",
        lambda route: (codes.append(route.request.url), route.fulfill(body="back in the app")),
    )
    assert log_in(page, registered.employee_id, PASSWORD, audit) is None
    consent = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": partner_app,
            "redirect_uri": CALLBACK,
            "scope": "openid profile",
            "state": "before",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }
    )
    page.goto(f"/o/authorize/?{consent}")
    submit(page, "allow")
    page.wait_for_url(lambda url: url.startswith(CALLBACK))
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(codes[0]).query)["code"][0]
    status, tokens = token_request(
        portal,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": partner_app,
            "code_verifier": VERIFIER,
        },
    )
    assert status == 200 and tokens["refresh_token"]

    # HR separates the person three years ago: their access window has closed.
    csv_path = portal.folder / f"separated-{registered.employee_id}.csv"
    csv_path.write_text(
        "employee_id,first_name,last_name,birth_year,country,status,retirement_plan,"
        "separation_date\n"
        f"{registered.employee_id},{registered.first_name},{registered.last_name},"
        f"{registered.birth_year},{registered.country},separated,false,2020-03-01\n"
    )
    _run(["import-roster", str(csv_path)], portal.env)
    # The app holding their refresh token is refused.
    status, refused = token_request(
        portal,
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": partner_app,
        },
    )
    assert status == 400 and refused["error"] == "invalid_grant"
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": partner_app,
            "redirect_uri": CALLBACK,
            "scope": "openid",
            "state": "s",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }
    )
    page.goto(f"/o/authorize/?{query}")
    page.wait_for_url("**/login/**")
    fill(page, "user_id", registered.employee_id)
    fill(page, "password", PASSWORD)
    submit(page)
    page.wait_for_load_state()
    audit(page, "sso-not-eligible")
    expect(page.locator("[data-code]")).to_have_attribute("data-code", "sso.not_eligible")
