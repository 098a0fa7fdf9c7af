"""Browser tests: Debian's Chromium driven by Playwright against `staffgate serve`.

One portal (production server, fresh SQLite file, imported roster, one help-desk agent)
and one browser serve the whole run; every test gets fresh people and fresh browser
contexts, at a desktop size and at a 375x667 phone size.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

if os.environ.get("CI") != "true":  # in CI a missing package must fail, not skip
    pytest.importorskip("playwright.sync_api", reason="browser tests need `make e2e` (.[e2e])")
    pytest.importorskip("axe_playwright_python", reason="browser tests need `make e2e` (.[e2e])")

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from tests.e2e import steps  # noqa: E402
from tests.e2e.a11y import assert_accessible  # noqa: E402
from tests.e2e.portal import CHROMIUM, CHROMIUM_ARGS, Employee, Portal, start_portal  # noqa: E402
from tests.e2e.steps import PASSWORD, Visitor, register  # noqa: E402

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True},
}
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def portal(tmp_path_factory) -> Portal:
    # One roster person per journey that registers: enough for every file of the run.
    with start_portal(tmp_path_factory.mktemp("portal"), people_count=200) as running:
        steps.MAILBOX[:] = [running.mails_to]
        yield running


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make e2e` installs Debian's chromium package")
    with sync_playwright() as playwright:
        # Never a downloaded browser: Debian's Chromium, by path.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    return request.param


@pytest.fixture
def new_page(browser, portal, viewport):
    """Open a page in a browser of its own (own cookies): one per person or agent."""
    contexts, server_errors = [], []

    def open_page() -> Page:
        context = browser.new_context(
            base_url=portal.base_url, locale="en-US", **VIEWPORTS[viewport]
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "response",
            lambda response: (
                response.status >= 500
                and server_errors.append(
                    f"{response.status} {response.request.method} {response.url}"
                )
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not server_errors, (
        f"the server answered with errors: {server_errors}\n{portal.log_tail()}"
    )


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


class Audit(Visitor):
    """Checks every page a journey reaches: language, axe-core WCAG 2.2 A/AA, no sideways scroll."""

    def __init__(self, viewport: str):
        super().__init__("en")
        self.viewport = viewport
        self.seen: list[tuple[str, str]] = []

    def __call__(self, page: Page, name: str) -> None:
        page.wait_for_load_state("load")
        where = f"page {name!r} ({page.url}, {self.viewport}, language {self.language})"
        expect(page.locator("html"), f"<html lang> on {where}").to_have_attribute(
            "lang", self.language
        )
        assert_accessible(page, where)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{where} scrolls sideways by {overflow}px (WCAG 1.4.10 reflow)"
        self.seen.append((name, self.language))


@pytest.fixture
def audit(viewport) -> Audit:
    return Audit(viewport)


@pytest.fixture
def person(portal) -> Employee:
    """Someone in the roster who has never registered."""
    return portal.take_person()


@pytest.fixture
def registered(portal, new_page) -> Employee:
    """Someone who registered (password ``PASSWORD``), in a browser the test does not use."""
    employee = portal.take_person()
    setup = new_page()
    register(setup, employee, Visitor(), password=PASSWORD)
    return employee
