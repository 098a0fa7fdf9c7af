"""Who must have a second factor: agents and superusers always, employees when required."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from staffgate.factors.models import TotpFactor
from tests.conftest import (
    AGENT_PASSWORD,
    PASSWORD,
    field_codes,
    login,
    outcome_code,
    walk_wizard_after_pin,
)
from tests.integration.factors.conftest import code_at, key_on, recovery_codes_on

pytestmark = pytest.mark.django_db

PAGES_OF_A_PERSON = ["/", "/profile/", "/profile/password/", "/profile/factors/"]


def test_an_agent_without_a_factor_cannot_reach_the_queue(make_agent, clock):
    make_agent("carol", factor=False)
    client = Client()
    response = client.post("/helpdesk/login/", {"username": "carol", "password": AGENT_PASSWORD})
    assert response.status_code == 302
    for page in ["/helpdesk/", "/helpdesk/?status=open", "/admin/"]:
        response = client.get(page)
        assert response.status_code == 302 and response["Location"] == "/profile/factors/totp/"
    # Enrolling opens the queue; the next login asks for the code.
    page = client.get("/profile/factors/totp/").content.decode()
    key = key_on(page)
    response = client.post(
        "/profile/factors/totp/",
        {"code": code_at(key, clock.now), "current_password": AGENT_PASSWORD},
    )
    assert outcome_code(response) == "factor.added"
    assert client.get("/helpdesk/").status_code == 200
    client.post("/helpdesk/logout/")
    response = client.post("/helpdesk/login/", {"username": "carol", "password": AGENT_PASSWORD})
    assert response["Location"] == "/login/verify/"
    assert client.get("/helpdesk/").status_code == 302
    clock.step()
    response = client.post("/login/verify/", {"code": code_at(key, clock.now)})
    assert response["Location"] == "/helpdesk/"
    assert client.get("/helpdesk/").status_code == 200


def test_an_agent_with_a_factor_passes_the_code_step_before_the_queue(make_agent):
    import pyotp

    agent = make_agent("dave")
    client = Client()
    response = client.post("/helpdesk/login/", {"username": "dave", "password": AGENT_PASSWORD})
    assert response["Location"] == "/login/verify/"
    assert client.get("/helpdesk/")["Location"].startswith("/helpdesk/login/")
    assert outcome_code(client.post("/login/verify/", {"code": "000000"})) == "code.invalid"
    response = client.post("/login/verify/", {"code": pyotp.TOTP(agent.totp_key).now()})
    assert response["Location"] == "/helpdesk/"


def test_a_superuser_without_a_factor_reaches_no_admin_page(client, db):
    from staffgate.accounts.models import Account

    client.force_login(Account.objects.create_superuser("root", password="Root-pass-2026!"))
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/profile/factors/totp/"


def test_optional_by_default_employees_log_in_with_the_password(client, make_account):
    account = make_account()
    assert login(client, account.user_id, PASSWORD)["Location"] == "/"
    assert client.get("/").status_code == 200


@pytest.fixture
def required(settings):
    settings.STAFFGATE_MFA = "required"


def test_required_a_person_cannot_reach_the_home_page_without_enrolling(
    required, client, make_account, clock
):
    account = make_account()
    assert login(client, account.user_id, PASSWORD).status_code == 302
    for page in PAGES_OF_A_PERSON:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == "/profile/factors/totp/"
    page = client.get("/profile/factors/totp/").content.decode()
    response = client.post(
        "/profile/factors/totp/",
        {"code": code_at(key_on(page), clock.now), "current_password": PASSWORD},
    )
    assert outcome_code(response) == "factor.added"
    assert client.get("/").status_code == 200


def test_required_registration_ends_with_the_factor_step(
    required, client, make_person, pin_for, clock
):
    person = make_person()
    client.post("/login/", {"user_id": person.employee_id, "password": pin_for(person)})
    response = walk_wizard_after_pin(client, "new@example.com")
    assert response.status_code == 302 and response["Location"] == "/register/factor/"
    assert client.get("/")["Location"] == "/register/factor/"
    page = client.get("/register/factor/").content.decode()
    assert 'name="current_password"' not in page
    response = client.post("/register/factor/", {"code": "12345"})
    assert "code.invalid" in field_codes(response)
    key = key_on(response.content.decode())
    response = client.post("/register/factor/", {"code": code_at(key, clock.now)})
    assert outcome_code(response) == "factor.added"
    assert len(recovery_codes_on(response.content.decode())) == 10
    assert TotpFactor.objects.filter(user__user_id=person.employee_id, confirmed=True).exists()
    assert client.get("/").status_code == 200


def test_the_wizard_factor_step_is_only_for_a_registration_just_finished(
    required, client, make_account
):
    account = make_account()
    login(client, account.user_id, PASSWORD)
    response = client.get("/register/factor/")
    assert response["Location"] == "/profile/factors/totp/"


def test_off_employees_are_not_asked_even_when_enrolled(settings, client, make_account):
    from tests.conftest import add_totp

    account = make_account()
    add_totp(account)
    settings.STAFFGATE_MFA = "off"
    assert login(client, account.user_id, PASSWORD)["Location"] == "/"
    response = client.get("/profile/factors/")
    assert response["Location"] == "/profile/"
    assert "/profile/factors/" not in client.get("/profile/").content.decode()


def test_the_home_page_never_shows_a_secret_after_enrolment(client, make_account, clock):
    account = make_account()
    login(client, account.user_id, PASSWORD)
    page = client.get("/profile/factors/totp/").content.decode()
    key = key_on(page)
    client.post(
        "/profile/factors/totp/", {"code": code_at(key, clock.now), "current_password": PASSWORD}
    )
    for later in ["/", "/profile/", "/profile/factors/"]:
        body = client.get(later).content.decode()
        assert key not in body and not re.search(r"data-recovery-code", body)


def test_an_unfinished_code_step_does_not_carry_over_to_another_login(
    client, make_account, make_agent
):
    from tests.conftest import add_totp

    person = make_account()
    add_totp(person)
    assert login(client, person.user_id, PASSWORD)["Location"] == "/login/verify/"
    # Someone else signs in on this browser with a password alone.
    other = make_account()
    assert login(client, other.user_id, PASSWORD)["Location"] == "/"
    assert client.get("/login/verify/")["Location"] == "/login/"
    assert client.get("/").status_code == 200


def start_an_apps_sign_in(client) -> str:
    """An app sends the browser to the authorization endpoint: the login page's ``next``."""
    import base64
    import hashlib
    from urllib.parse import parse_qs, urlencode, urlsplit

    from staffgate.oidc.registry import add_app

    app = add_app("Benefits", redirect_uris=["https://benefits.example.com/cb"], first_party=True)
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": "https://benefits.example.com/cb",
        "scope": "openid",
        "state": "s-123",
        "nonce": "n-456",
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }
    login_page = client.get("/o/authorize/?" + urlencode(query))["Location"]
    assert urlsplit(login_page).path == "/login/"
    return parse_qs(urlsplit(login_page).query)["next"][0]


def finish_link(response) -> str:
    """Where the "factor added" page's button goes."""
    page = response.content.decode()
    return (
        re.search(r'<a class="button primary" href="([^"]+)">', page).group(1).replace("&amp;", "&")
    )


def assert_back_at_the_app_with_a_code(client, next_url: str) -> None:
    from urllib.parse import parse_qs, urlsplit

    back = client.get(next_url)
    assert back.status_code == 302
    callback = urlsplit(back["Location"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == (
        "https://benefits.example.com/cb"
    )
    assert parse_qs(callback.query)["state"] == ["s-123"] and "code" in parse_qs(callback.query)


def test_required_registration_from_an_app_goes_back_to_it_after_the_factor_step(
    required, client, make_person, pin_for, clock
):
    """Someone whose first visit comes from an app lands in its sign-in, factor added."""
    from urllib.parse import urlencode

    next_url = start_an_apps_sign_in(client)

    person = make_person()
    client.post(
        "/login/?" + urlencode({"next": next_url}),
        {"user_id": person.employee_id, "password": pin_for(person), "next": next_url},
    )
    response = walk_wizard_after_pin(client, "app@example.com")
    assert response["Location"] == "/register/factor/"
    # The app's sign-in waits behind the factor step, which cannot be skipped.
    assert client.get(next_url)["Location"] == "/register/factor/"
    key = key_on(client.get("/register/factor/").content.decode())
    response = client.post("/register/factor/", {"code": code_at(key, clock.now)})
    assert outcome_code(response) == "factor.added"
    assert finish_link(response) == next_url
    assert_back_at_the_app_with_a_code(client, next_url)


def test_required_a_login_from_an_app_goes_back_to_it_after_enrolling(
    required, client, make_account, clock
):
    """Someone with no factor yet, signing in to an app, enrols and is back in its sign-in."""
    from urllib.parse import urlencode

    next_url = start_an_apps_sign_in(client)
    account = make_account()
    response = client.post(
        "/login/?" + urlencode({"next": next_url}),
        {"user_id": account.user_id, "password": PASSWORD, "next": next_url},
    )
    assert response["Location"] == next_url
    assert client.get(next_url)["Location"] == "/profile/factors/totp/"
    page = client.get("/profile/factors/totp/").content.decode()
    response = client.post(
        "/profile/factors/totp/",
        {"code": code_at(key_on(page), clock.now), "current_password": PASSWORD},
    )
    assert outcome_code(response) == "factor.added"
    assert finish_link(response) == next_url
    assert_back_at_the_app_with_a_code(client, next_url)


def test_an_agent_sent_to_enrol_goes_on_to_the_page_asked_for(make_agent, clock):
    make_agent("erin", factor=False)
    client = Client()
    client.post("/helpdesk/login/", {"username": "erin", "password": AGENT_PASSWORD})
    assert client.get("/helpdesk/?status=open")["Location"] == "/profile/factors/totp/"
    # Opening the enrolment page itself does not replace the page kept.
    page = client.get("/profile/factors/totp/").content.decode()
    response = client.post(
        "/profile/factors/totp/",
        {"code": code_at(key_on(page), clock.now), "current_password": AGENT_PASSWORD},
    )
    assert finish_link(response) == "/helpdesk/?status=open"
    # Once used, the page is forgotten: a later enrolment goes to the home page.
    page = client.get("/profile/factors/totp/").content.decode()
    response = client.post(
        "/profile/factors/totp/",
        {"code": code_at(key_on(page), clock.now), "current_password": AGENT_PASSWORD},
    )
    assert finish_link(response) == "/"


def test_enrolling_after_a_refused_form_post_goes_to_the_home_page(
    required, client, make_account, clock
):
    account = make_account()
    login(client, account.user_id, PASSWORD)
    assert client.post("/profile/password/", {})["Location"] == "/profile/factors/totp/"
    page = client.get("/profile/factors/totp/").content.decode()
    response = client.post(
        "/profile/factors/totp/",
        {"code": code_at(key_on(page), clock.now), "current_password": PASSWORD},
    )
    assert finish_link(response) == "/"
