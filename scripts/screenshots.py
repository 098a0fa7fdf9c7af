"""Photograph the portal's main pages in English and French (``make screenshots``).

Starts the production server on a fresh SQLite file with a small roster (the same set-up
as the browser tests), walks the journeys in Debian's Chromium at 1024x768, and writes
``LANG-PAGE.png`` files into the folder given (default ``docs/screenshots``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.e2e import steps  # noqa: E402
from tests.e2e.portal import (  # noqa: E402
    AGENT_PASSWORD,
    AGENT_USERNAME,
    CHROMIUM,
    CHROMIUM_ARGS,
    SUPERVISOR_USERNAME,
    start_portal,
)
from tests.e2e.steps import (  # noqa: E402
    PASSWORD,
    Visitor,
    expect_path,
    file_help_ticket,
    helpdesk_log_in,
    lock_by_recovery,
    log_in,
    register,
)
from tests.e2e.week import seed_week  # noqa: E402

VIEWPORT = {"width": 1024, "height": 768}


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
    "helpdesk-ticket",
    "helpdesk-dashboard",
}


def photograph(browser, portal, folder: Path, language: str) -> list[Path]:
    camera = Camera(folder, language, PAGES)
    query = f"?language={language}"

    def new_page() -> Page:
        context = browser.new_context(base_url=portal.base_url, viewport=VIEWPORT, locale="en-US")
        context.set_default_timeout(15_000)
        return context.new_page()

    # Registration, from the login page (in the chosen language) to the home page.
    newcomer = portal.take_person()
    register(new_page(), newcomer, camera, language=language, query=query)

    # Forgot password: the questions, then the lock after three wrong answer sets.
    forgetful = portal.take_person()
    register(new_page(), forgetful, Visitor())
    page = new_page()
    page.goto("/login/" + query)
    lock_by_recovery(page, forgetful.employee_id, camera)

    # The Technical Help Form, then the ticket as the help desk sees it.
    page.goto("/help/")
    camera(page, "help")
    reference = file_help_ticket(page, forgetful, camera)
    agent = new_page()
    agent.goto("/helpdesk/login/" + query)
    helpdesk_log_in(agent, AGENT_USERNAME, AGENT_PASSWORD, Visitor(language))
    agent.goto(f"/helpdesk/tickets/{reference}/")
    expect_path(agent, f"/helpdesk/tickets/{reference}/")
    camera(agent, "helpdesk-ticket")

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
