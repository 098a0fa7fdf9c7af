"""What a person does in the browser, step by step, in any of the portal's languages.

Controls are found as a screen reader user finds them: form fields by the text of their
``<label>`` (``get_by_label``), buttons and links by role and accessible name. Field
*names* are the portal's public interface, so the steps work whatever language the page is
in; every step proves that the control it uses has a label.

Each page reached is handed to ``visit(page, name)``: the tests check it with axe-core,
the screenshot script photographs it.
"""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Locator, Page, expect

from tests.e2e.portal import Employee

PASSWORD = "Sunny2day"
NEW_PASSWORD = "Rainy7night"
ANSWERS = [("first_pet", "Rex the dog"), ("birth_city", "Montréal"), ("first_car", "Civic 1998")]
WRONG_ANSWERS = ["Felix", "Toronto", "Corolla"]


class Visitor:
    """Called with every page a journey reaches; ``language`` is what the page should be in."""

    def __init__(self, language: str = "en"):
        self.language = language

    def __call__(self, page: Page, name: str) -> None:
        """Look at the page (the base class does nothing: set-up steps are not under test)."""


# --- Finding controls ------------------------------------------------------------------------


def field(page: Page, name: str, scope: Locator | None = None) -> Locator:
    """The form control named ``name``, reached through its label (fails if it has none)."""
    scope = scope or page.locator("main")
    control = scope.locator(f'[name="{name}"]:not([type="hidden"])')
    expect(control).to_have_count(1)
    control_id = control.get_attribute("id")
    assert control_id, f"the {name!r} field has no id, so no <label for> can name it"
    label = page.locator(f'label[for="{control_id}"]')
    expect(label, f"the {name!r} field has no <label>").to_have_count(1)
    text = label.inner_text().strip()
    assert text, f"the <label> of the {name!r} field is empty"
    by_label = page.get_by_label(text, exact=True).and_(control)
    expect(by_label, f"the label {text!r} does not name the {name!r} field").to_have_count(1)
    return by_label


def fill(page: Page, name: str, value: str, scope: Locator | None = None) -> None:
    field(page, name, scope).fill(value)


def choose(page: Page, name: str, value: str) -> None:
    field(page, name).select_option(value)


def submit(page: Page, name: str | None = None, scope: Locator | None = None) -> None:
    """Press the form's only submit button (or the one whose ``name`` attribute is given).

    The show-password buttons the page's script adds are not submit buttons.
    """
    buttons = (scope or page.locator("main form")).get_by_role("button")
    buttons = buttons.and_(page.locator(":not(.show-password)"))
    if name is not None:
        buttons = buttons.and_(page.locator(f'[name="{name}"]'))
    expect(buttons).to_have_count(1)
    expect(buttons).to_have_accessible_name(re.compile(r"\S"))
    buttons.click()


def outcome(page: Page) -> str | None:
    """The page's machine-readable outcome (``data-code`` of the alert), or None."""
    alert = page.locator('[role="alert"][data-code]')
    return alert.first.get_attribute("data-code") if alert.count() else None


def expect_path(page: Page, path: str) -> None:
    expect(page).to_have_url(re.compile(r"^https?://[^/]+" + re.escape(path) + r"(\?.*)?$"))


def expect_outcome(page: Page, code: str) -> None:
    expect(page.locator('[role="alert"][data-code]')).to_have_attribute("data-code", code)


# --- Journeys --------------------------------------------------------------------------------


def open_login(page: Page, visit: Visitor, query: str = "") -> None:
    page.goto("/login/" + query)
    visit(page, "login")


LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}


def choose_language(page: Page, language: str) -> None:
    """The page's one language switcher: its links in the header."""
    switcher = page.get_by_role("navigation", name=re.compile("Language|Langue|Idioma"))
    links = switcher.get_by_role("link", name=LANGUAGE_NAMES[language], exact=True)
    if links.count():
        links.click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def log_in(
    page: Page, user_id: str, password: str, visit: Visitor, *, language_after: str | None = None
) -> str | None:
    """Log in from the login page; the outcome code shown, or None when it lets the person in.

    ``language_after``: the language the next page should be in (the account's own).
    """
    open_login(page, visit)
    fill(page, "user_id", user_id)
    fill(page, "password", password)
    submit(page)
    page.wait_for_load_state()
    if language_after:
        visit.language = language_after
    code = outcome(page)
    visit(page, "login-" + code if code else "home")
    return code


def register(
    page: Page,
    person: Employee,
    visit: Visitor,
    *,
    language: str | None = None,
    password: str = PASSWORD,
    query: str = "",
) -> None:
    """From the login page to the home page: PIN, terms, contact, questions, password."""
    open_login(page, visit, query)
    if language:
        choose_language(page, language)
        visit.language = language
        visit(page, "login")
    fill(page, "user_id", person.employee_id.lower())  # IDs are not case-sensitive
    fill(page, "password", person.pin)
    submit(page)

    expect_path(page, "/register/terms/")
    visit(page, "register-1-terms")
    submit(page, "agree")

    expect_path(page, "/register/contact/")
    visit(page, "register-2-contact")
    fill(page, "email", person.email)
    fill(page, "email_confirm", person.email)
    submit(page)

    expect_path(page, "/register/verify-email/")
    visit(page, "register-2-verify-email")
    fill(page, "code", mailed_code(person.email))
    submit(page, scope=page.locator("main form").first)
    expect_outcome(page, "email.verified")
    visit(page, "register-2-email-verified")
    page.locator("main a.button").click()

    expect_path(page, "/register/questions/")
    visit(page, "register-3-questions")
    for n, (question, answer) in enumerate(ANSWERS, start=1):
        choose(page, f"question_{n}", question)
        fill(page, f"answer_{n}", answer)
    submit(page)

    expect_path(page, "/register/password/")
    visit(page, "register-4-password")
    fill(page, "new_password", password)
    fill(page, "confirm_password", password)
    submit(page)

    expect_path(page, "/")
    visit(page, "home")


def start_recovery(page: Page, user_id: str, visit: Visitor) -> None:
    """From the login page's link to the page with the person's three questions."""
    open_login(page, visit)
    forgot = page.locator("main").get_by_role("link").and_(page.locator('[href="/recover/"]'))
    expect(forgot).to_have_accessible_name(re.compile(r"\S"))
    forgot.click()
    expect_path(page, "/recover/")
    visit(page, "recover-1-user-id")
    fill(page, "user_id", user_id)
    submit(page)
    expect_path(page, "/recover/questions/")
    visit(page, "recover-2-questions")


def answer_questions(page: Page, answers: list[str]) -> None:
    for n, answer in enumerate(answers, start=1):
        fill(page, f"answer_{n}", answer)
    submit(page)


def choose_new_password(page: Page, visit: Visitor, password: str = NEW_PASSWORD) -> None:
    """Recovery's last steps: the new password page, then the page that says it is done."""
    expect_path(page, "/recover/password/")
    visit(page, "recover-3-password")
    fill(page, "new_password", password)
    fill(page, "confirm_password", password)
    submit(page)
    expect_path(page, "/recover/done/")
    visit(page, "recover-4-done")


def lock_by_recovery(page: Page, user_id: str, visit: Visitor, failures: int = 3) -> None:
    """Answer the questions wrongly ``failures`` times; the last answer says account.locked."""
    start_recovery(page, user_id, visit)
    for attempt in range(1, failures + 1):
        answer_questions(page, WRONG_ANSWERS)
        expect_outcome(page, "account.locked" if attempt == failures else "recover.invalid")
        visit(page, "recover-wrong-answers" if attempt < failures else "recover-locked")


def file_help_ticket(page: Page, person: Employee, visit: Visitor, *, topic="unlock") -> str:
    """Fill and send the Technical Help Form (page already open); returns the reference."""
    fill(page, "user_id", person.employee_id)
    fill(page, "full_name", person.full_name)
    fill(page, "email", person.email)
    fill(page, "phone", "+1 514 555 0100")
    choose(page, "topic", topic)
    fill(page, "message", "I answered my questions wrongly and now my account is locked.")
    submit(page)
    expect_outcome(page, "help.submitted")
    visit(page, "help-submitted")
    reference = page.locator("[data-reference]").get_attribute("data-reference")
    assert reference
    return reference


# --- Codes that come by e-mail --------------------------------------------------------------

# Reads the messages the portal wrote for an address; set by the ``portal`` fixture.
MAILBOX: list = []


def mailed_code(address: str, seconds: float = 20) -> str:
    """The 6-digit code of the last e-mail code sent to ``address`` (the worker sends it
    a moment after the page)."""
    deadline = time.monotonic() + seconds
    while True:
        for text in reversed(MAILBOX[0](address)):
            found = re.search(r":\s*(\d{6})\s*$", text, re.MULTILINE)
            if "X-Staffgate-Mail: email_code" in text and found:
                return found.group(1)
        if time.monotonic() > deadline:
            raise AssertionError(f"no e-mail code was sent to {address}")
        time.sleep(0.1)


# --- Authenticator apps: the phone of each account that added one -------------------------------


class Phone:
    """An authenticator app: the keys it holds, and never the same time step twice."""

    def __init__(self):
        self.keys: dict[str, str] = {}
        self.last_step: dict[str, int] = {}

    def code(self, user_id: str) -> str:
        """The next code the portal has not seen yet (waiting for a new step if need be)."""
        now = time.time()
        step = max(int(now) // 30, self.last_step.get(user_id, -1) + 1)
        while step > int(time.time()) // 30 + 1:  # only one step ahead is accepted
            time.sleep(1)
        self.last_step[user_id] = step
        return pyotp.TOTP(self.keys[user_id]).at(step * 30)


PHONE = Phone()


def add_authenticator_app(
    page: Page, user_id: str, password: str, visit: Visitor, *, name: str = "add-totp"
) -> list[str]:
    """On the page that adds an app: scan the key, type its code; returns the recovery codes."""
    visit(page, name)
    key = page.locator("[data-totp-key]").get_attribute("data-totp-key")
    assert key and re.fullmatch(r"[A-Z2-7]{32}", key)
    PHONE.keys[user_id] = key
    PHONE.last_step.pop(user_id, None)
    fill(page, "code", PHONE.code(user_id))
    if page.locator("[name=current_password]").count():
        fill(page, "current_password", password)
    submit(page)
    expect_outcome(page, "factor.added")
    visit(page, name + "-added")
    return [c.inner_text() for c in page.locator("[data-recovery-code]").all()]


def pass_factor_step(page: Page, user_id: str, visit: Visitor) -> None:
    """The second step of a login: the app's current code."""
    expect_path(page, "/login/verify/")
    visit(page, "login-verify")
    fill(page, "code", PHONE.code(user_id))
    submit(page)


def helpdesk_log_in(page: Page, username: str, password: str, visit: Visitor) -> None:
    """Log in as an agent: the first time, the agent adds an authenticator app first."""
    page.goto("/helpdesk/login/")
    visit(page, "helpdesk-login")
    fill(page, "username", username)
    fill(page, "password", password)
    submit(page)
    page.wait_for_load_state()
    if username not in PHONE.keys:
        page.goto("/helpdesk/")
        expect_path(page, "/profile/factors/totp/")
        add_authenticator_app(page, username, password, visit, name="helpdesk-add-totp")
        page.goto("/helpdesk/")
    else:
        pass_factor_step(page, username, visit)
    expect_path(page, "/helpdesk/")
    visit(page, "helpdesk-queue")
