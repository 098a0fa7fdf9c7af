"""Every journey of the portal in a real browser, at desktop and phone sizes.

Each page a journey reaches is checked by the ``audit`` visitor: ``<html lang>``, zero
axe-core WCAG 2.2 A/AA violations, and no sideways scrolling.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.portal import AGENT_PASSWORD, AGENT_USERNAME
from tests.e2e.steps import (
    ANSWERS,
    NEW_PASSWORD,
    PASSWORD,
    PHONE,
    add_authenticator_app,
    answer_questions,
    choose_new_password,
    expect_outcome,
    expect_path,
    field,
    file_help_ticket,
    fill,
    helpdesk_log_in,
    lock_by_recovery,
    log_in,
    open_login,
    pass_factor_step,
    register,
    start_recovery,
    submit,
)


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect_path(page, "/login/")


def test_register_with_the_pin_and_land_on_home(page, person, audit, portal):
    register(page, person, audit)

    expect(page.get_by_role("heading", level=1)).to_contain_text(person.full_name)
    assert [name for name, _ in audit.seen] == [
        "login",
        "register-1-terms",
        "register-2-contact",
        "register-2-verify-email",
        "register-2-email-verified",
        "register-3-questions",
        "register-4-password",
        "home",
    ]
    assert portal.wait_mails_to(person.email), "no registration e-mail was sent"
    # The PIN was for registering once: it no longer opens anything.
    log_out(page)
    assert log_in(page, person.employee_id, person.pin, audit) == "login.invalid"
    assert log_in(page, person.employee_id, PASSWORD, audit) is None
    expect_path(page, "/")


def test_login_form_works_with_the_keyboard_alone(page, person, audit):
    open_login(page, audit)
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_attribute("href", "#main")  # the first stop skips the header
    focused = []
    for _ in range(15):
        page.keyboard.press("Tab")
        name = page.evaluate("document.activeElement.name || ''")
        focused.append(name)
        if name == "user_id":
            break
    assert "user_id" in focused, f"Tab never reached the User ID field: {focused}"
    page.keyboard.type(person.employee_id)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type(person.pin)
    page.keyboard.press("Enter")
    expect_path(page, "/register/terms/")
    audit(page, "register-1-terms")
    for _ in range(25):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "agree":
            break
    page.keyboard.press("Enter")
    expect_path(page, "/register/contact/")


def test_three_wrong_passwords_then_the_lock_message(page, registered, audit):
    user_id = registered.employee_id
    assert log_in(page, user_id, "Wrong1pass", audit) == "login.invalid"
    assert log_in(page, user_id, "Wrong2pass", audit) == "login.invalid"
    assert log_in(page, user_id, "Wrong3pass", audit) == "login.locked"
    # During the lock even the right password is refused.
    assert log_in(page, user_id, PASSWORD, audit) == "login.locked"
    # The lock page asks for nothing, and leads to recovery or to the Technical Help Form.
    expect(page.locator("main form")).to_have_count(0)
    options = page.locator("[data-lock-options]")
    expect(options.locator('a[href="/recover/"]')).to_have_count(1)
    options.locator('a[href^="/help/"]').click()
    expect_path(page, "/help/")
    audit(page, "help")
    expect(page.locator('main [name="user_id"]')).to_have_value(user_id)


def test_recover_with_the_challenge_questions(page, registered, audit, portal):
    start_recovery(page, registered.employee_id, audit)
    # Each answer field is labelled with the person's own question.
    expect(field(page, "answer_1")).to_have_accessible_name("What was the name of your first pet?")
    answer_questions(page, [answer for _, answer in ANSWERS])

    choose_new_password(page, audit)

    assert log_in(page, registered.employee_id, PASSWORD, audit) == "login.invalid"
    assert log_in(page, registered.employee_id, NEW_PASSWORD, audit) is None
    expect_path(page, "/")
    assert len(portal.wait_mails_to(registered.email, 2)) >= 2, "no e-mail about the reset"


def test_locked_by_recovery_asks_for_help_and_the_help_desk_unlocks(
    new_page, registered, audit, portal
):
    person_page = new_page()
    lock_by_recovery(person_page, registered.employee_id, audit)
    person_page.locator('[data-code="account.locked"]').get_by_role("link").click()
    expect_path(person_page, "/help/")
    audit(person_page, "help")
    reference = file_help_ticket(person_page, registered, audit)
    # The recovery lock closes the login too.
    assert log_in(person_page, registered.employee_id, PASSWORD, audit) == "account.locked"

    agent = new_page()
    helpdesk_log_in(agent, AGENT_USERNAME, AGENT_PASSWORD, audit)
    agent.get_by_role("link", name=reference).click()
    expect_path(agent, f"/helpdesk/tickets/{reference}/")
    audit(agent, "helpdesk-ticket")
    expect(agent.locator('[data-field="lock"]')).to_have_attribute("data-lock", "recovery")

    panel = agent.locator('[data-section="actions"] form')
    panel.locator('[data-action="unlock"] label').click()
    fill(agent, "reason", "Called back on the number on file; identity checked.", scope=panel)
    submit(agent, scope=panel)
    expect_path(agent, f"/helpdesk/tickets/{reference}/")
    expect(agent.get_by_role("status")).to_be_visible()
    audit(agent, "helpdesk-ticket-unlocked")
    expect(agent.locator('[data-field="lock"]')).not_to_have_attribute("data-lock", "recovery")

    assert log_in(person_page, registered.employee_id, PASSWORD, audit) is None
    expect_path(person_page, "/")


def test_change_password_in_the_profile_ends_other_sessions(new_page, registered, audit):
    other_device = new_page()
    assert log_in(other_device, registered.employee_id, PASSWORD, audit) is None

    page = new_page()
    assert log_in(page, registered.employee_id, PASSWORD, audit) is None
    page.get_by_role("link", name="Edit my profile").click()
    expect_path(page, "/profile/")
    audit(page, "profile")
    page.get_by_role("link", name="Change password").click()
    expect_path(page, "/profile/password/")
    audit(page, "profile-password")

    fill(page, "current_password", PASSWORD)
    fill(page, "new_password", "short1")
    fill(page, "confirm_password", "short1")
    submit(page)
    expect_outcome(page, "form.invalid")
    expect(page.locator('[data-code="password.too_short"]')).to_be_visible()
    audit(page, "profile-password-errors")

    fill(page, "current_password", PASSWORD)
    fill(page, "new_password", NEW_PASSWORD)
    fill(page, "confirm_password", NEW_PASSWORD)
    submit(page)
    expect_path(page, "/profile/")
    expect(page.get_by_role("status")).to_be_visible()
    audit(page, "profile-password-changed")

    other_device.reload()
    expect_path(other_device, "/login/")
    log_out(page)
    assert log_in(page, registered.employee_id, PASSWORD, audit) == "login.invalid"
    assert log_in(page, registered.employee_id, NEW_PASSWORD, audit) is None


@pytest.mark.parametrize("language", ["fr", "es"])
def test_the_whole_registration_in_another_language(
    language, page, person, audit, new_page, portal
):
    register(page, person, audit, language=language)

    assert audit.seen == [
        ("login", "en"),
        ("login", language),  # after a click on the page's language link
        ("register-1-terms", language),
        ("register-2-contact", language),
        ("register-2-verify-email", language),
        ("register-2-email-verified", language),
        ("register-3-questions", language),
        ("register-4-password", language),
        ("home", language),
    ]
    assert portal.wait_mails_to(person.email)
    # The account keeps the language: a later login from another browser comes back in it.
    audit.language = "en"
    later = new_page()
    assert log_in(later, person.employee_id, PASSWORD, audit, language_after=language) is None
    expect(later.locator("html")).to_have_attribute("lang", language)


def test_language_link_switches_the_login_page(page, audit):
    open_login(page, audit)
    page.get_by_role("navigation", name="Language").get_by_role(
        "link", name=re.compile("Fran")
    ).click()
    audit.language = "fr"
    audit(page, "login")


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_other_page_in_another_language(language, new_page, person, audit):
    """Profile, lock, recovery, help form and help desk pages, checked in French and Spanish."""
    page = new_page()
    register(page, person, audit, language=language)
    for path, name in [
        ("/profile/", "profile"),
        ("/profile/password/", "profile-password"),
        ("/profile/email/", "profile-email"),
        ("/profile/questions/", "profile-questions"),
    ]:
        page.goto(path)
        expect_path(page, path)
        audit(page, name)
    page.locator('form[action="/logout/"] button').click()
    expect_path(page, "/login/")

    codes = [log_in(page, person.employee_id, "Wrong1pass", audit) for _ in range(3)]
    assert codes == ["login.invalid", "login.invalid", "login.locked"]
    lock_by_recovery(page, person.employee_id, audit)
    page.goto("/help/")
    audit(page, "help")
    reference = file_help_ticket(page, person, audit)

    agent = new_page()
    agent.goto(f"/helpdesk/login/?language={language}")
    helpdesk_log_in(agent, AGENT_USERNAME, AGENT_PASSWORD, audit)
    agent.goto(f"/helpdesk/tickets/{reference}/")
    audit(agent, "helpdesk-ticket")


def test_add_an_authenticator_app_and_log_in_with_it_and_a_recovery_code(page, registered, audit):
    user_id = registered.employee_id
    assert log_in(page, user_id, PASSWORD, audit) is None
    page.goto("/profile/")
    page.get_by_role("link", name="Manage second factors").click()
    expect_path(page, "/profile/factors/")
    audit(page, "factors")
    page.get_by_role("link", name="Add an authenticator app").click()
    codes = add_authenticator_app(page, user_id, PASSWORD, audit)
    assert len(codes) == 10
    page.goto("/profile/factors/")
    audit(page, "factors-with-app")
    log_out(page)

    open_login(page, audit)
    fill(page, "user_id", user_id)
    fill(page, "password", PASSWORD)
    submit(page)
    pass_factor_step(page, user_id, audit)
    expect_path(page, "/")
    log_out(page)

    open_login(page, audit)
    fill(page, "user_id", user_id)
    fill(page, "password", PASSWORD)
    submit(page)
    expect_path(page, "/login/verify/")
    fill(page, "code", "000000")
    submit(page)
    expect_outcome(page, "code.invalid")
    audit(page, "login-verify-wrong")
    fill(page, "code", codes[0])
    submit(page)
    expect_path(page, "/")
    assert user_id in PHONE.keys
