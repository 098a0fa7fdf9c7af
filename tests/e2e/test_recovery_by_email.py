"""Forgot password with a mailed code, where the operator offers it beside the questions.

A portal of its own runs with ``STAFFGATE_RECOVERY_METHODS=questions,email``. Each journey
runs at the desktop and the phone size in English, French and Spanish; every page goes
through the ``audit`` visitor (axe-core, WCAG 2.2 A/AA, no sideways scroll).
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e import steps
from tests.e2e.portal import start_portal
from tests.e2e.steps import (
    NEW_PASSWORD,
    PASSWORD,
    Visitor,
    choose_language,
    choose_new_password,
    expect_outcome,
    expect_path,
    fill,
    log_in,
    open_login,
    register,
    submit,
)


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    folder = tmp_path_factory.mktemp("portal-recovery-email")
    overrides = {"STAFFGATE_RECOVERY_METHODS": "questions,email"}
    with start_portal(folder, people_count=20, env_overrides=overrides) as running:
        kept = list(steps.MAILBOX)
        steps.MAILBOX[:] = [running.mails_to]
        yield running
        steps.MAILBOX[:] = kept


@pytest.fixture(params=["en", "fr", "es"])
def language(request) -> str:
    return request.param


def recovery_code(portal, address: str, seconds: float = 20) -> str:
    """The code of the last password-reset mail to ``address``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for text in reversed(portal.mails_to(address)):
            found = re.search(r"\b(\d{6})\b", text.split("\n\n", 1)[-1])
            if "X-Staffgate-Mail: recovery_code" in text and found:
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no password-reset code was sent to {address}")


def test_a_forgotten_password_is_reset_with_a_mailed_code(new_page, portal, audit, language):
    person = portal.take_person()
    register(new_page(), person, Visitor(), password=PASSWORD)
    page = new_page()
    open_login(page, audit)
    choose_language(page, language)
    audit.language = language
    page.goto("/recover/")
    audit(page, "recover-1-user-id")
    fill(page, "user_id", person.employee_id)
    submit(page)
    expect_path(page, "/recover/questions/")
    audit(page, "recover-2-questions-with-email")

    page.locator('main form[action="/recover/email/"] button[name="send"]').click()
    expect_path(page, "/recover/email/")
    audit(page, "recover-2-email-code")
    code = page.locator('main [name="code"]')
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    expect(code).to_have_attribute("inputmode", "numeric")
    expect(page.locator("main")).not_to_contain_text(person.email)  # never shown

    right = recovery_code(portal, person.email)
    fill(page, "code", "000000" if right != "000000" else "111111")
    submit(page, scope=page.locator("main form").first)
    expect_outcome(page, "code.invalid")
    expect(page.locator("[data-tries-left]")).to_be_visible()
    audit(page, "recover-2-email-code-wrong")

    fill(page, "code", right)
    submit(page, scope=page.locator("main form").first)
    choose_new_password(page, audit)

    # The new password opens the portal (the home page speaks the account's own language).
    assert log_in(page, person.employee_id, NEW_PASSWORD, Visitor()) is None
    expect_path(page, "/")


def test_an_unknown_id_sees_the_same_code_page_and_no_mail_goes_out(page, portal, audit):
    page.goto("/recover/")
    audit(page, "recover-1-user-id")
    fill(page, "user_id", "ZZ99999999")
    submit(page)
    expect_path(page, "/recover/questions/")
    page.locator('main form[action="/recover/email/"] button[name="send"]').click()
    expect_path(page, "/recover/email/")
    audit(page, "recover-2-email-code-unknown-id")
    expect(page.locator('main [name="code"]')).to_be_visible()
    fill(page, "code", "123456")
    submit(page, scope=page.locator("main form").first)
    expect_outcome(page, "code.invalid")
