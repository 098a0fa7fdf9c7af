"""A person's journeys through locks, errors and the wizard, as they read them.

Each journey runs at the desktop and the phone size in English, French and Spanish, on the
one portal of the run. Every page goes through the ``audit`` visitor (axe-core, WCAG 2.2
A/AA and best practices, no sideways scroll); the lock pages and the profile also through
the layout check at 320 CSS px (no word broken mid-word, focus rings of 3:1 or more).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ANOTHER_DAY
from tests.e2e.layout import assert_layout, broken_words, faint_focus_rings
from tests.e2e.steps import (
    PASSWORD,
    WRONG_ANSWERS,
    Visitor,
    answer_questions,
    choose_language,
    expect_outcome,
    expect_path,
    fill,
    open_login,
    register,
    submit,
)

LANGUAGES = ["en", "fr", "es"]
PORTAL_ZONE = ZoneInfo("America/New_York")  # STAFFGATE_TIME_ZONE of the e2e portal

WORDS = {
    "en": {
        "login_tries": "You have {n} more {tries} before sign-in is locked for 15 minutes.",
        "try": ("try", "tries"),
        "recovery_tries": "You have {n} more {tries} before your account is locked.",
        "until": (
            rf"locked until {ANOTHER_DAY['en']}(\d{{1,2}}):(\d\d)\s?([ap])\.m\. \(Eastern Time\)"
        ),
        "step": "Step {n} of {total}",
        "problem": "There is a problem",
        "error_title": "Error: ",
        "still_in": "You are still logged in here.",
        "show": "Show password",
        "hide": "Hide password",
        "enter_email": "Enter your e-mail address",
    },
    "fr": {
        "login_tries": (
            "Il vous reste {n} {tries} avant que la connexion soit verrouillée pendant 15 minutes."
        ),
        "try": ("essai", "essais"),
        "recovery_tries": "Il vous reste {n} {tries} avant que votre compte soit verrouillé.",
        "until": rf"jusqu’à {ANOTHER_DAY['fr']}(\d\d):(\d\d)() \(heure de l’Est nord-américain\)",
        "step": "Étape {n} sur {total}",
        "problem": "Il y a un problème",
        "error_title": "Erreur : ",
        "still_in": "Vous êtes toujours connecté ici.",
        "show": "Afficher le mot de passe",
        "hide": "Masquer le mot de passe",
        "enter_email": "Saisissez votre adresse électronique",
    },
    "es": {
        "login_tries": (
            "Le {queda} {n} {tries} antes de que el inicio de sesión se bloquee durante 15 minutos."
        ),
        "try": ("intento", "intentos"),
        "recovery_tries": "Le {queda} {n} {tries} antes de que su cuenta se bloquee.",
        "until": rf"hasta las {ANOTHER_DAY['es']}(\d\d):(\d\d)() \(hora oriental\)",
        "step": "Paso {n} de {total}",
        "problem": "Hay un problema",
        "error_title": "Error: ",
        "still_in": "Sigue con la sesión iniciada aquí.",
        "show": "Mostrar la contraseña",
        "hide": "Ocultar la contraseña",
        "enter_email": "Escriba su dirección de correo electrónico",
    },
}


def tries_text(language: str, key: str, n: int) -> str:
    words = WORDS[language]
    tries = words["try"][0 if n == 1 else 1]
    return words[key].format(n=n, tries=tries, queda="queda" if n == 1 else "quedan")


@pytest.fixture(params=LANGUAGES)
def language(request) -> str:
    return request.param


def expect_end_time(page: Page, language: str, started: dt.datetime) -> None:
    """The lock's end is written in the portal's zone, 15 minutes after the locking try."""
    text = page.locator("main").inner_text()
    found = re.search(WORDS[language]["until"], text)
    assert found, f"no end time in the portal's zone on the lock page: {text!r}"
    hour, minute = int(found.group(1)), int(found.group(2))
    if found.group(3):  # 12-hour clock
        hour = hour % 12 + (12 if found.group(3) == "p" else 0)
    expected = (started + dt.timedelta(minutes=15)).astimezone(PORTAL_ZONE)
    candidates = {
        (t.hour, t.minute) for t in (expected + dt.timedelta(minutes=d) for d in (-1, 0, 1))
    }
    assert (hour, minute) in candidates, (hour, minute, expected)


def expect_no_live_form(page: Page) -> None:
    """A lock page asks for nothing: no form, no field, no step number."""
    main = page.locator("main")
    expect(main.locator("form")).to_have_count(0)
    expect(main.locator("input, select, textarea")).to_have_count(0)
    expect(main.locator(".steps")).to_have_count(0)


def test_login_lock_warns_before_and_offers_recovery(page, person, audit, language):
    open_login(page, audit)
    choose_language(page, language)
    audit.language = language
    audit(page, "login")
    for attempt, left in ((1, 2), (2, 1)):
        fill(page, "user_id", person.employee_id)
        fill(page, "password", f"Wrong{attempt}pass")
        submit(page)
        expect_outcome(page, "login.invalid")
        expect(page.locator("[data-tries-left]")).to_have_text(
            tries_text(language, "login_tries", left)
        )
        assert page.title().startswith(WORDS[language]["error_title"])
        audit(page, "login-wrong")
    started = dt.datetime.now(dt.UTC)
    fill(page, "user_id", person.employee_id)
    fill(page, "password", "Wrong3pass")
    submit(page)
    expect_outcome(page, "login.locked")
    audit(page, "login-locked")
    expect_no_live_form(page)
    expect_end_time(page, language, started)
    assert_layout(page, "the login lock page")
    # Password recovery works during this lock: the page leads there.
    page.locator("[data-lock-options]").locator('a[href="/recover/"]').click()
    expect_path(page, "/recover/")
    expect(page.locator("main form")).to_have_count(1)
    audit(page, "recover-1-user-id")


def test_recovery_lock_ends_the_questions_and_fills_in_the_help_form(page, person, audit, language):
    page.goto(f"/recover/?language={language}")
    audit.language = language
    audit(page, "recover-1-user-id")
    expect(page.locator("main .steps")).to_have_text(WORDS[language]["step"].format(n=1, total=4))
    fill(page, "user_id", person.employee_id)
    submit(page)
    expect_path(page, "/recover/questions/")
    audit(page, "recover-2-questions")
    for left in (2, 1):
        answer_questions(page, WRONG_ANSWERS)
        expect_outcome(page, "recover.invalid")
        expect(page.locator("[data-tries-left]")).to_contain_text(
            tries_text(language, "recovery_tries", left)
        )
        audit(page, "recover-wrong-answers")
    answer_questions(page, WRONG_ANSWERS)
    expect_outcome(page, "account.locked")
    audit(page, "recover-locked")
    expect_no_live_form(page)
    assert "2" not in page.locator("main h1").inner_text()  # no "Step 2 of 4" left over
    assert_layout(page, "the recovery lock page")
    page.locator('[data-code="account.locked"]').get_by_role("link").click()
    expect_path(page, "/help/")
    audit(page, "help")
    expect(page.locator('main [name="user_id"]')).to_have_value(person.employee_id)
    expect(page.locator('main [name="topic"]')).to_have_value("unlock")
    # A reload of the questions page asks nothing either.
    page.goto("/recover/questions/")
    expect_outcome(page, "account.locked")
    expect_no_live_form(page)


def test_registration_wizard_then_a_mistyped_current_password(
    page, person, audit, language, portal
):
    total = 4
    register(page, person, audit, language=language)
    steps = [name for name, _ in audit.seen if name.startswith("register-")]
    assert steps[0] == "register-1-terms"

    # The wizard's numbering, Back links and errors, seen on a second person's way in.
    other = portal.take_person()
    page.context.clear_cookies()
    open_login(page, Visitor())  # the login page was checked above
    choose_language(page, language)
    fill(page, "user_id", other.employee_id)
    fill(page, "password", other.pin)
    submit(page)
    expect_path(page, "/register/terms/")
    words = WORDS[language]
    expect(page.locator("main .steps")).to_have_text(words["step"].format(n=1, total=total))
    expect(page.locator("main .terms")).to_have_css("overflow-y", "visible")
    submit(page, "agree")
    expect_path(page, "/register/contact/")
    expect(page.locator("main .steps")).to_have_text(words["step"].format(n=2, total=total))
    submit(page)  # nothing typed
    expect_outcome(page, "form.invalid")
    summary = page.locator(".error-summary")
    expect(summary.get_by_role("heading", level=2)).to_have_text(words["problem"])
    expect(summary.get_by_role("link").first).to_have_text(words["enter_email"])
    assert page.title().startswith(words["error_title"])
    audit(page, "register-2-contact-errors")
    # Each line of the summary leads to its field.
    expect(summary.get_by_role("link").first).to_have_attribute("href", "#id_email")
    page.locator("main a.back-link").click()
    expect_path(page, "/register/terms/")
    audit(page, "register-1-terms-again")
    expect(page.locator("main a.back-link")).to_have_attribute("href", "/login/")

    # Back to the first person: Edit My Profile, three mistyped current passwords.
    page.context.clear_cookies()
    audit.language = "en"  # a new visit, in the browser's language ...
    open_login(page, audit)
    fill(page, "user_id", person.employee_id)
    fill(page, "password", PASSWORD)
    submit(page)
    audit.language = language  # ... and the account's own once signed in
    expect_path(page, "/")
    page.goto("/profile/password/")
    audit(page, "profile-password")
    username = page.locator('main input[autocomplete="username"]')
    expect(username).to_have_value(person.employee_id)
    expect(username).to_have_attribute("readonly", "")
    # The show-password button: progressive enhancement from the page's script.
    box = page.locator('main [name="new_password"]')
    toggle = page.locator(f'main button.show-password[aria-controls="{box.get_attribute("id")}"]')
    expect(toggle).to_have_text(words["show"])
    toggle.click()
    expect(box).to_have_attribute("type", "text")
    expect(toggle).to_have_text(words["hide"])
    toggle.click()
    expect(box).to_have_attribute("type", "password")
    for attempt, left in ((1, 2), (2, 1)):
        fill(page, "current_password", f"Wrong{attempt}pass")
        fill(page, "new_password", "Rainy7night")
        fill(page, "confirm_password", "Rainy7night")
        submit(page)
        expect_outcome(page, "form.invalid")
        expect(page.locator('[data-code="current_password.invalid"]')).to_contain_text(
            tries_text(language, "login_tries", left)
        )
        audit(page, "profile-password-wrong")
    started = dt.datetime.now(dt.UTC)
    fill(page, "current_password", "Wrong3pass")
    fill(page, "new_password", "Rainy7night")
    fill(page, "confirm_password", "Rainy7night")
    submit(page)
    expect_outcome(page, "login.locked")
    audit(page, "profile-locked")
    expect_no_live_form(page)
    expect_end_time(page, language, started)
    expect(page.locator("main")).to_contain_text(words["still_in"])
    assert_layout(page, "the profile lock page")
    # Still signed in: the profile opens, with its tables laid out whole at 320 px.
    page.goto("/profile/")
    expect_path(page, "/profile/")
    audit(page, "profile")
    assert_layout(page, "the profile")
    # The lock blocks the check itself: the change page shows the lock, not a form.
    page.goto("/profile/password/")
    expect_outcome(page, "login.locked")
    expect_no_live_form(page)


# --- The layout check itself --------------------------------------------------------------


def test_the_layout_check_catches_a_broken_word_and_a_faint_focus_ring(page):
    page.set_viewport_size({"width": 320, "height": 640})
    page.set_content(
        "<table style='width: 60px'><tr><td style='overflow-wrap: anywhere'>Identifiant</td>"
        "<td>ok</td></tr></table>"
        "<dl style='width: 60px; word-break: break-all'><dt>mary.jones@example.com</dt></dl>"
    )
    assert broken_words(page) == ["Identifiant", "mary.jones@example.com"]
    page.set_content("<table><tr><td>Identifiant</td><td>mary.jones@example.com</td></tr></table>")
    assert broken_words(page) == []

    page.set_content(
        "<style>a:focus-visible { outline: 3px solid #f5a623 }"
        " button:focus-visible { outline: 3px solid #1b1f24 }"
        " input:focus { outline: none }</style>"
        "<a href='#x'>faint</a> <button>dark</button> <input aria-label='none'>"
    )
    faint = faint_focus_rings(page)
    assert len(faint) == 2, faint
    assert "2.0:1" in faint[0] and "faint" in faint[0]
    assert faint[1].startswith("no focus ring")
