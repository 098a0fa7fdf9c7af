"""The help desk's ticket in a browser, at phone and desktop sizes, in English, French and
Spanish: the name that does not match the roster is flagged in words, a reset of the
registration asks to be confirmed on a page of its own, and a reply goes to the person in
their language. Every page is checked with axe-core, best-practice rules included."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.a11y import WCAG_TAGS, describe
from tests.e2e.portal import AGENT_PASSWORD, AGENT_USERNAME
from tests.e2e.steps import (
    Visitor,
    expect_path,
    fill,
    helpdesk_log_in,
    log_in,
    submit,
)

AXE = Axe()
STRICT = {
    "runOnly": {"type": "tag", "values": [*WCAG_TAGS, "best-practice"]},
    "resultTypes": ["violations"],
}

# What an agent must read, in each language: the flag of a name that differs from the roster.
MISMATCH = {
    "en": "Does not match the roster",
    "fr": "Ne correspond pas au registre du personnel",
    "es": "No coincide con el registro de personal",
}
CONFIRM = {
    "en": "Reset the registration of User ID",
    "fr": "Réinitialiser l’inscription de l’identifiant",
    "es": "¿Restablecer el registro del ID de usuario",
}


class StrictAudit(Visitor):
    """Every page: its language, zero axe violations (WCAG 2.2 A/AA and best practice),
    and nothing wider than the screen."""

    def __init__(self, viewport: str, language: str):
        super().__init__(language)
        self.viewport = viewport

    def __call__(self, page: Page, name: str) -> None:
        page.wait_for_load_state("load")
        where = f"page {name!r} ({page.url}, {self.viewport}, language {self.language})"
        expect(page.locator("html")).to_have_attribute("lang", self.language)
        found = AXE.run(page, options=STRICT).response["violations"]
        assert not found, describe(found, where)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{where} scrolls sideways by {overflow}px"


def choose_action(panel, action: str) -> None:
    """Pick an action of the panel by clicking its label, as a person does."""
    label = panel.locator(f'[data-action="{action}"] label')
    expect(label).to_have_text(re.compile(r"\S"))
    label.click()
    expect(panel.locator(f'[data-action="{action}"] input')).to_be_checked()


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_an_agent_spots_the_wrong_name_confirms_a_reset_and_replies(
    new_page, portal, viewport, language
):
    person = portal.take_person()
    visit = StrictAudit(viewport, language)

    # Three wrong logins lock the ID for a while; then the person asks for help,
    # giving a name that is not the one in the roster.
    person_page = new_page()
    person_page.goto(f"/login/?language={language}")
    for _ in range(3):
        log_in(person_page, person.employee_id, "Wrong1pass", Visitor(language))
    person_page.goto(f"/help/?language={language}")
    fill(person_page, "user_id", person.employee_id)
    fill(person_page, "full_name", "Test Person")
    fill(person_page, "email", person.email)
    fill(person_page, "phone", "+1 514 555 0100")
    person_page.locator('select[name="topic"]').select_option("unlock")
    fill(person_page, "message", "Locked out after three tries.")
    submit(person_page)
    reference = person_page.locator("[data-reference]").get_attribute("data-reference")
    assert reference

    agent = new_page()
    agent.goto(f"/helpdesk/login/?language={language}")
    helpdesk_log_in(agent, AGENT_USERNAME, AGENT_PASSWORD, visit)

    # The queue finds the ticket by its reference and shows the lock.
    fill(agent, "q", reference.lower())
    agent.locator("form[role=search] button").click()
    visit(agent, "helpdesk-queue-search")
    row = agent.locator(f'tr[data-reference="{reference}"]')
    expect(row).to_have_count(1)
    expect(row.locator("[data-lock]")).to_have_attribute("data-lock", "temporary")
    row.get_by_role("link", name=reference).click()
    expect_path(agent, f"/helpdesk/tickets/{reference}/")
    visit(agent, "helpdesk-ticket")

    # The summary, first on the page: the lock, and the name flagged in words, not colour.
    summary = agent.locator('[data-section="summary"]')
    expect(summary.locator('[data-field="lock"]')).to_have_attribute("data-lock", "temporary")
    name = summary.locator('[data-check="name"]')
    expect(name).to_have_attribute("data-match", "no")
    expect(name).to_contain_text("✗")
    expect(name).to_contain_text(MISMATCH[language])
    expect(name).to_contain_text(person.full_name)
    assert (
        summary.bounding_box()["y"] < agent.locator('[data-section="roster"]').bounding_box()["y"]
    )

    # Resetting the registration asks first, on a page of its own; nothing is done yet.
    panel = agent.locator('[data-section="actions"] form')
    choose_action(panel, "reset")
    fill(agent, "reason", "Asked to start again; identity checked by phone.", scope=panel)
    submit(agent, scope=panel)
    expect_path(agent, f"/helpdesk/tickets/{reference}/act/")
    expect(agent.locator('[data-confirm="reset"]')).to_be_visible()
    expect(agent.locator("h1")).to_contain_text(CONFIRM[language])
    visit(agent, "helpdesk-confirm-reset")
    agent.locator("[data-confirm-button=reset]").click()
    expect_path(agent, f"/helpdesk/tickets/{reference}/")
    expect(agent.get_by_role("status").first).to_be_visible()
    visit(agent, "helpdesk-ticket-reset")
    expect(
        agent.locator('[data-section="history"] [data-action="reset_registration"]')
    ).to_have_count(1)

    # A reply, and the ticket closed with it; the person gets it in their language.
    panel = agent.locator('[data-section="actions"] form')
    choose_action(panel, "reply")
    fill(agent, "reply", "Your registration was reset: log in with your PIN.", scope=panel)
    fill(agent, "reason", "Answered by e-mail.", scope=panel)
    panel.locator('label[for="id_close_ticket"]').click()
    submit(agent, scope=panel)
    expect_path(agent, f"/helpdesk/tickets/{reference}/")
    visit(agent, "helpdesk-ticket-replied")
    expect(agent.locator('[data-section="actions"] form')).to_have_count(0)
    expect(agent.locator("[data-reply]")).to_contain_text("log in with your PIN")
    replies = [m for m in portal.mails_to(person.email) if "helpdesk_reply" in m]
    assert len(replies) == 1
    assert f"Content-Language: {language}" in replies[0]
    assert "log in with your PIN" in replies[0]
