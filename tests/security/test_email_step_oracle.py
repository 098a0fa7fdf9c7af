"""Nobody learns from the e-mail steps whether an address is another account's
(ASVS 5.0 V6.3.8: registration must not tell registered users apart either), and those
steps cannot be used to flood or probe addresses (ASVS 5.0 V2.4.1, anti-automation).

The code goes to the address typed; when another account has proved that address, its
owner is told instead and no code is sent, behind the same pages. An address counts as
an account's own only once a code proved it, so one typed in and never proved blocks
nobody: the real owner who proves it later gets it, and the other account gives it up.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from staffgate.accounts.models import Account
from staffgate.audit.models import AuditEvent
from tests.conftest import field_codes, login, mailed_code, outcome_code
from tests.integration.accounts.test_registration import NEW_PASSWORD, QUESTIONS

pytestmark = pytest.mark.django_db


def at_contact_step(make_person, pin_for) -> Client:
    person = make_person()
    browser = Client()
    assert login(browser, person.employee_id, pin_for(person))["Location"] == "/register/terms/"
    browser.post("/register/terms/", {"agree": "1"})
    browser.person = person
    return browser


def give_address(browser, address: str):
    return browser.post("/register/contact/", {"email": address, "email_confirm": address})


def page_text(response, address: str) -> str:
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    return text.replace(address, "ADDRESS")


def kinds_sent(mailbox, address: str) -> list[str]:
    return [
        m.extra_headers["X-Staffgate-Mail"]
        for m in mailbox
        if [a.casefold() for a in m.to] == [address.casefold()]
    ]


def test_v6_3_8_registration_gives_the_same_pages_for_a_free_and_a_taken_address(
    make_person, make_account, pin_for, mailoutbox
):
    owner = make_account(email="owner@example.com")
    pages = {}
    for kind, address in (("free", "free@example.com"), ("taken", "owner@example.com")):
        browser = at_contact_step(make_person, pin_for)
        given = give_address(browser, address)
        shown = browser.get("/register/verify-email/")
        wrong = browser.post("/register/verify-email/", {"code": "000000"})
        pages[kind] = [
            (given.status_code, given["Location"]),
            (shown.status_code, page_text(shown, address)),
            (wrong.status_code, outcome_code(wrong), field_codes(wrong)),
        ]
    assert pages["free"] == pages["taken"]
    assert kinds_sent(mailoutbox, "free@example.com") == ["email_code"]
    # The owner hears of it; no code went to the address that is theirs.
    assert kinds_sent(mailoutbox, "owner@example.com") == ["email_claimed"]
    assert Account.objects.get(pk=owner.pk).email == "owner@example.com"


def test_v6_3_8_the_profile_gives_the_same_pages_for_a_free_and_a_taken_address(
    make_account, mailoutbox
):
    from tests.conftest import PASSWORD

    owner = make_account(email="owner@example.com")
    pages = {}
    for kind, address in (("free", "free@example.com"), ("taken", "Owner@Example.com")):
        account = make_account()
        browser = Client()
        assert login(browser, account.user_id, PASSWORD)["Location"] == "/"
        given = browser.post(
            "/profile/email/",
            {"email": address, "email_confirm": address, "current_password": PASSWORD},
        )
        shown = browser.get("/profile/email/verify/")
        wrong = browser.post("/profile/email/verify/", {"code": "000000"})
        pages[kind] = [
            (given.status_code, given.get("Location")),
            (shown.status_code, page_text(shown, address)),
            (wrong.status_code, outcome_code(wrong), field_codes(wrong)),
        ]
        assert Account.objects.get(pk=account.pk).email == account.email
    assert pages["free"] == pages["taken"]
    assert kinds_sent(mailoutbox, "free@example.com") == ["email_code"]
    assert kinds_sent(mailoutbox, "owner@example.com") == ["email_claimed"]
    assert Account.objects.get(pk=owner.pk).email == "owner@example.com"


def test_v6_3_8_an_address_never_proved_blocks_nobody_and_goes_to_whoever_proves_it(
    make_person, make_account, pin_for, mailoutbox
):
    # An account from before addresses were proved holds a colleague's address.
    squatter = make_account(email="colleague@example.com", email_verified_at=None)
    browser = at_contact_step(make_person, pin_for)
    assert give_address(browser, "colleague@example.com")["Location"] == "/register/verify-email/"
    # The code goes to the address (the colleague's mailbox), who proves it.
    assert outcome_code(
        browser.post("/register/verify-email/", {"code": mailed_code("colleague@example.com")})
    ) == ("email.verified")
    browser.post("/register/questions/", QUESTIONS)
    browser.post(
        "/register/password/", {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    colleague = Account.objects.get(user_id=browser.person.employee_id)
    assert colleague.email == "colleague@example.com" and colleague.email_verified_at
    squatter.refresh_from_db()
    assert squatter.email == ""
    assert AuditEvent.objects.filter(
        tag="account:email:released", user_id=squatter.user_id
    ).exists()
    # And now it is the colleague's: the next one to type it only gets the owner told.
    mailoutbox.clear()
    other = at_contact_step(make_person, pin_for)
    give_address(other, "colleague@example.com")
    assert kinds_sent(mailoutbox, "colleague@example.com") == ["email_claimed"]


def test_v6_3_8_someone_who_cannot_prove_an_address_never_gets_it(
    make_person, make_account, pin_for, mailoutbox
):
    owner = make_account(email="owner@example.com")
    browser = at_contact_step(make_person, pin_for)
    give_address(browser, "owner@example.com")
    for _ in range(5):  # no code was sent: every guess is wrong, and the fifth ends it
        response = browser.post("/register/verify-email/", {"code": "123456"})
    assert outcome_code(response) == "code.expired"
    assert not Account.objects.filter(user_id=browser.person.employee_id).exists()
    assert Account.objects.get(pk=owner.pk).email == "owner@example.com"


def test_v2_4_1_addresses_mailed_from_one_network_are_limited(
    settings, make_person, pin_for, mailoutbox
):
    settings.STAFFGATE_IP_MAX_FAILURES = 3
    for n in range(3):
        browser = at_contact_step(make_person, pin_for)
        assert give_address(browser, f"probe{n}@example.com").status_code == 302
    browser = at_contact_step(make_person, pin_for)
    refused = give_address(browser, "probe3@example.com")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert len(mailoutbox) == 3
    assert kinds_sent(mailoutbox, "probe3@example.com") == []


def test_v2_4_1_one_registration_gives_one_address_until_its_code_is_used_up(
    make_person, pin_for, mailoutbox
):
    browser = at_contact_step(make_person, pin_for)
    give_address(browser, "first@example.com")
    # Back to the contact step to try another address: the wizard keeps the code step.
    again = give_address(browser, "second@example.com")
    assert again["Location"] == "/register/verify-email/"
    assert kinds_sent(mailoutbox, "second@example.com") == []
