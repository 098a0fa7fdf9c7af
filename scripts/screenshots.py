"""Photograph the portal's main pages in English and French (``make screenshots``).

Starts the production server on a fresh SQLite file with a small roster (the same set-up
as the browser tests), walks the journeys in Debian's Chromium at 1024x768 (the profile
also at a 375x667 phone size), and writes ``LANG-PAGE.png`` files into the folder given
(default ``docs/screenshots``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from tests.e2e import steps  # noqa: E402
from tests.e2e.portal import (  # noqa: E402
    AGENT_PASSWORD,
    AGENT_USERNAME,
    CHROMIUM,
    CHROMIUM_ARGS,
    SUPERVISOR_USERNAME,
    Employee,
    start_portal,
)
from tests.e2e.steps import (  # noqa: E402
    PASSWORD,
    Visitor,
    add_authenticator_app,
    choose,
    expect_outcome,
    expect_path,
    fill,
    helpdesk_log_in,
    lock_by_recovery,
    log_in,
    register,
    submit,
)
from tests.e2e.week import seed_week  # noqa: E402

DESKTOP = {"viewport": {"width": 1024, "height": 768}}
PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}
# The name the person types into the help form: not the roster's, so the ticket flags it.
OTHER_NAME = "Test Person"


class Camera(Visitor):
    """Saves each page in ``wanted`` as ``LANG-NAME.png``, once."""

    def __init__(self, folder: Path, language: str, wanted: set[str]):
        super().__init__(language)
        self.folder = folder
        self.wanted = wanted
        self.written: list[Path] = []

    def __call__(self, page: Page, name: str) -> None:
        path = self.folder / f"{self.language}-{name}.png"
        if name not in self.wanted or path in self.written:
            return
        page.wait_for_load_state("load")
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        self.written.append(path)


PAGES = {
    "login",
    "login-wrong",
    "login-locked",
    "login-verify",
    "register-1-terms",
    "register-2-contact",
    "register-3-questions",
    "register-4-password",
    "home",
    "recover-1-user-id",
    "recover-2-questions",
    "recover-locked",
    "help",
    "help-submitted",
    "profile-phone",
    "profile-factors",
    "helpdesk-queue",
    "helpdesk-ticket",
    "helpdesk-ticket-phone",
    "helpdesk-dashboard",
}


def ask_for_help(page: Page, person: Employee, camera: Camera) -> str:
    """The help form, reached from the recovery lock page with the User ID filled in, sent
    with a name other than the roster's; returns the ticket's reference."""
    page.locator('[data-code="account.locked"]').get_by_role("link").click()
    expect_path(page, "/help/")
    camera(page, "help")
    fill(page, "full_name", OTHER_NAME)
    fill(page, "email", person.email)
    fill(page, "phone", "+1 514 555 0100")
    choose(page, "topic", "unlock")
    fill(page, "message", "I answered my questions wrongly and now my account is locked.")
    submit(page)
    expect_outcome(page, "help.submitted")
    camera(page, "help-submitted")
    reference = page.locator("[data-reference]").get_attribute("data-reference")
    assert reference
    return reference


def photograph(browser, portal, folder: Path, language: str) -> list[Path]:
    camera = Camera(folder, language, PAGES)
    query = f"?language={language}"

    def new_page(size: dict = DESKTOP) -> Page:
        context = browser.new_context(base_url=portal.base_url, locale="en-US", **size)
        context.set_default_timeout(15_000)
        return context.new_page()

    # Registration, from the login page (in the chosen language) to the home page.
    newcomer = portal.take_person()
    page = new_page()
    register(page, newcomer, camera, language=language, query=query)
    page.goto("/profile/factors/")
    camera(page, "profile-factors")

    # The profile on a phone: summary lists instead of tables.
    phone = new_page(PHONE)
    phone.goto("/login/" + query)
    log_in(phone, newcomer.employee_id, PASSWORD, Visitor(language))
    phone.goto("/profile/")
    expect_path(phone, "/profile/")
    camera(phone, "profile-phone")

    # The login lock: two wrong passwords warn, the third locks until a time of day.
    hasty = portal.take_person()
    register(new_page(), hasty, Visitor())
    page = new_page()
    page.goto("/login/" + query)
    for attempt in (1, 2):
        assert log_in(page, hasty.employee_id, f"Wrong{attempt}pass", Visitor()) == "login.invalid"
        camera(page, "login-wrong")
    assert log_in(page, hasty.employee_id, "Wrong3pass", Visitor()) == "login.locked"
    camera(page, "login-locked")

    # Forgot password: the questions, then the lock after three wrong answer sets, and
    # the Technical Help Form it leads to.
    forgetful = portal.take_person()
    register(new_page(), forgetful, Visitor())
    page = new_page()
    page.goto("/login/" + query)
    lock_by_recovery(page, forgetful.employee_id, camera)
    reference = ask_for_help(page, forgetful, camera)

    # The help desk: the queue of open tickets, then the ticket with its summary and its
    # one action panel, at a desktop size and on a phone.
    agent = new_page()
    agent.goto("/helpdesk/login/" + query)
    helpdesk_log_in(agent, AGENT_USERNAME, AGENT_PASSWORD, Visitor(language))
    camera(agent, "helpdesk-queue")
    agent.goto(f"/helpdesk/tickets/{reference}/")
    expect_path(agent, f"/helpdesk/tickets/{reference}/")
    expect(agent.locator('[data-check="name"]')).to_have_attribute("data-match", "no")
    camera(agent, "helpdesk-ticket")
    agent_phone = new_page(PHONE)
    agent_phone.context.add_cookies(agent.context.cookies())
    agent_phone.goto(f"/helpdesk/tickets/{reference}/")
    expect_path(agent_phone, f"/helpdesk/tickets/{reference}/")
    camera(agent_phone, "helpdesk-ticket-phone")

    # The second step of a login, once an account has an authenticator app.
    careful = portal.take_person()
    page = new_page()
    register(page, careful, Visitor())
    page.goto("/profile/factors/totp/")
    add_authenticator_app(page, careful.employee_id, PASSWORD, Visitor())
    page = new_page()
    page.goto("/login/" + query)
    log_in(page, careful.employee_id, PASSWORD, Visitor())
    expect_path(page, "/login/verify/")
    camera(page, "login-verify")

    # The supervisors' dashboard: a week of the audit log, charted.
    for password in ("Wrong-password-1", "Wrong-password-2", PASSWORD, PASSWORD):
        log_in(new_page(), newcomer.employee_id, password, Visitor())
    supervisor = new_page()
    supervisor.goto("/helpdesk/login/" + query)
    helpdesk_log_in(supervisor, SUPERVISOR_USERNAME, AGENT_PASSWORD, Visitor(language))
    supervisor.goto("/helpdesk/dashboard/")
    camera(supervisor, "helpdesk-dashboard")
    return camera.written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--languages", nargs="+", default=["en", "fr"])
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="staffgate-shots-") as tmp,
        start_portal(Path(tmp), people_count=10) as portal,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        steps.MAILBOX[:] = [portal.mails_to]  # registration reads the e-mail code
        seed_week(portal)  # a week of events for the dashboard to chart
        try:
            written = []
            for language in args.languages:
                written += photograph(browser, portal, folder, language)
        finally:
            browser.close()
    for path in written:
        print(f"{path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
