"""Passkeys in a real browser: Chromium's virtual authenticator (the DevTools WebAuthn domain).

A person registers, adds a passkey from their second factors and logs in with it after
the password, in English and in French; without JavaScript the factor step says passkeys
are not available and a recovery code still signs in. Every page is checked with axe-core.

WebAuthn needs a secure context and a domain name for the relying party ID: this portal
is reached at http://localhost (a secure context) and has that as its public address.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e import steps
from tests.e2e.conftest import TIMEOUT_MS, VIEWPORTS
from tests.e2e.portal import free_port, start_portal
from tests.e2e.steps import PASSWORD, expect_outcome, expect_path, fill, register, submit


@pytest.fixture(scope="module")
def passkey_portal(tmp_path_factory):
    port = free_port()
    public = f"http://localhost:{port}"
    overrides = {"STAFFGATE_ALLOWED_HOSTS": "localhost,127.0.0.1", "STAFFGATE_PUBLIC_URL": public}
    with start_portal(
        tmp_path_factory.mktemp("passkeys"), people_count=12, env_overrides=overrides, port=port
    ) as running:
        running.base_url = public
        yield running


@pytest.fixture
def open_context(browser, passkey_portal, viewport):
    """Browser contexts on the localhost portal; its mail folder is the one steps read."""
    contexts, server_errors = [], []
    saved = steps.MAILBOX[:]
    steps.MAILBOX[:] = [passkey_portal.mails_to]

    def open_page(**options):
        context = browser.new_context(
            base_url=passkey_portal.base_url, locale="en-US", **VIEWPORTS[viewport], **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "response",
            lambda r: r.status >= 500 and server_errors.append(f"{r.status} {r.url}"),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
    steps.MAILBOX[:] = saved
    assert not server_errors, f"{server_errors}\n{passkey_portal.log_tail()}"


def virtual_authenticator(page) -> tuple:
    """A platform authenticator with user verification, answering by itself (CDP)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def credentials(cdp, authenticator_id) -> list[dict]:
    return cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]


def log_out(page) -> None:
    page.locator('form[action="/logout/"] button').click()
    expect_path(page, "/login/")


def password_step(page, user_id: str, language: str = "en") -> None:
    page.goto(f"/login/?language={language}")
    fill(page, "user_id", user_id)
    fill(page, "password", PASSWORD)
    submit(page)
    expect_path(page, "/login/verify/")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_add_a_passkey_and_log_in_with_it(language, open_context, passkey_portal, audit):
    person = passkey_portal.take_person()
    page = open_context()
    cdp, authenticator = virtual_authenticator(page)
    register(page, person, audit, language=None if language == "en" else language)

    page.goto("/profile/factors/")
    audit(page, "factors")
    page.locator('main a[href="/profile/factors/passkey/"]').click()
    expect_path(page, "/profile/factors/passkey/")
    # With JavaScript and WebAuthn, the form shows and the "not available" notice does not.
    expect(page.locator('form[data-passkey="create"]')).to_be_visible()
    expect(page.locator("[data-passkey-unavailable]")).to_be_hidden()
    audit(page, "add-passkey")
    fill(page, "name", "Laptop")
    fill(page, "current_password", PASSWORD)
    submit(page)
    expect_outcome(page, "factor.added")
    audit(page, "add-passkey-added")
    codes = [c.inner_text() for c in page.locator("[data-recovery-code]").all()]
    assert len(codes) == 10
    stored = credentials(cdp, authenticator)
    assert len(stored) == 1 and stored[0]["rpId"] == "localhost"
    page.goto("/profile/factors/")
    expect(page.locator("[data-passkey-factor]")).to_have_count(1)
    expect(page.locator("[data-passkey-factor]")).to_contain_text("Laptop")
    audit(page, "factors-with-passkey")
    log_out(page)

    password_step(page, person.employee_id, language)
    expect(page.locator('form[data-passkey="get"]')).to_be_visible()
    audit(page, "login-verify-passkey")
    submit(page, scope=page.locator('form[data-passkey="get"]'))
    expect_path(page, "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.full_name)
    audit(page, "home")
    assert credentials(cdp, authenticator)[0]["signCount"] >= 1
    log_out(page)

    # Without JavaScript: the factor step says passkeys are not available here.
    plain = open_context(java_script_enabled=False)
    password_step(plain, person.employee_id, language)
    expect(plain.locator("[data-passkey-unavailable]")).to_be_visible()
    expect(plain.locator('form[data-passkey="get"]')).to_be_hidden()
    code_form = plain.locator("main form:not([data-passkey])")
    fill(plain, "code", codes[0], scope=code_form)
    submit(plain, scope=code_form)
    expect_path(plain, "/")

    # A browser without WebAuthn (axe-core needs script, so this one has it): the same
    # notice, checked with axe, and a recovery code signs in.
    old = open_context()
    old.add_init_script("delete window.PublicKeyCredential;")
    password_step(old, person.employee_id, language)
    expect(old.locator("[data-passkey-unavailable]")).to_be_visible()
    expect(old.locator('form[data-passkey="get"]')).to_be_hidden()
    audit(old, "login-verify-no-webauthn")
    code_form = old.locator("main form:not([data-passkey])")
    fill(old, "code", codes[1], scope=code_form)
    submit(old, scope=code_form)
    expect_path(old, "/")
    audit(old, "home")
