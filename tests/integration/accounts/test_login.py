"""Login through the test client: outcomes, lock, PIN, eligibility, sessions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from staffgate.accounts.models import AccessLock, Account
from staffgate.audit.models import AuditEvent
from tests.conftest import PASSWORD, login, outcome_code

pytestmark = pytest.mark.django_db


def test_registered_person_logs_in_and_lands_on_home(client, make_account):
    account = make_account()
    response = login(client, account.user_id, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Welcome, Pat Jones" in home.content.decode()


def test_user_id_is_trimmed_and_case_insensitive(client, make_person, make_account):
    account = make_account(make_person(employee_id="OV000123456"))
    response = login(client, "  ov000123456 ", PASSWORD)
    assert response.status_code == 302
    assert Account.objects.get(pk=account.pk).last_login is not None


def test_leading_zeros_are_part_of_the_id(client, make_person, make_account):
    make_account(make_person(employee_id="0112233"))
    assert outcome_code(login(client, "112233", PASSWORD)) == "login.invalid"
    assert login(client, "0112233", PASSWORD).status_code == 302


def test_password_is_case_sensitive(client, make_account):
    account = make_account()
    assert outcome_code(login(client, account.user_id, PASSWORD.upper())) == "login.invalid"


@pytest.mark.parametrize("kind", ["unknown", "unregistered", "registered"])
def test_wrong_secret_gives_one_code_for_every_kind_of_id(client, make_person, make_account, kind):
    user_id = {
        "unknown": lambda: "9999999",
        "unregistered": lambda: make_person().employee_id,
        "registered": lambda: make_account().user_id,
    }[kind]()
    response = login(client, user_id, "Wrong1pass")
    assert response.status_code == 200
    assert outcome_code(response) == "login.invalid"


@pytest.mark.parametrize("kind", ["unknown", "unregistered", "registered"])
def test_third_failure_locks_for_every_kind_of_id(client, make_person, make_account, kind):
    user_id = {
        "unknown": lambda: "8888888",
        "unregistered": lambda: make_person().employee_id,
        "registered": lambda: make_account().user_id,
    }[kind]()
    codes = [outcome_code(login(client, user_id, "Wrong1pass")) for _ in range(4)]
    assert codes == ["login.invalid", "login.invalid", "login.locked", "login.locked"]


def test_lock_refuses_the_right_password_until_it_ends(client, make_account):
    account = make_account()
    for _ in range(3):
        login(client, account.user_id, "Wrong1pass")
    assert outcome_code(login(client, account.user_id, PASSWORD)) == "login.locked"
    locked_until = AccessLock.objects.get(user_id=account.user_id).locked_until
    assert dt.timedelta(minutes=14) < locked_until - timezone.now() <= dt.timedelta(minutes=15)


def test_attempts_during_the_lock_do_not_extend_it(client, make_account):
    account = make_account()
    for _ in range(3):
        login(client, account.user_id, "Wrong1pass")
    first = AccessLock.objects.get(user_id=account.user_id).locked_until
    for _ in range(3):
        login(client, account.user_id, "Wrong1pass")
    assert AccessLock.objects.get(user_id=account.user_id).locked_until == first


def test_lock_ends_after_fifteen_minutes(client, make_account):
    account = make_account()
    for _ in range(3):
        login(client, account.user_id, "Wrong1pass")
    AccessLock.objects.filter(user_id=account.user_id).update(
        locked_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert login(client, account.user_id, PASSWORD).status_code == 302


def test_lock_after_expiry_starts_a_new_series(client, make_account):
    account = make_account()
    for _ in range(3):
        login(client, account.user_id, "Wrong1pass")
    AccessLock.objects.filter(user_id=account.user_id).update(
        locked_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert outcome_code(login(client, account.user_id, "Wrong1pass")) == "login.invalid"


def test_success_resets_the_count(client, make_account):
    account = make_account()
    login(client, account.user_id, "Wrong1pass")
    login(client, account.user_id, "Wrong1pass")
    assert login(client, account.user_id, PASSWORD).status_code == 302
    client.post("/logout/")
    codes = [outcome_code(login(client, account.user_id, "Wrong1pass")) for _ in range(2)]
    assert codes == ["login.invalid", "login.invalid"]


@override_settings(STAFFGATE_LOGIN_MAX_FAILURES=5, STAFFGATE_LOGIN_LOCK_SECONDS=60)
def test_lock_numbers_come_from_settings(client, make_account):
    account = make_account()
    codes = [outcome_code(login(client, account.user_id, "Wrong1pass")) for _ in range(5)]
    assert codes == ["login.invalid"] * 4 + ["login.locked"]
    locked_until = AccessLock.objects.get(user_id=account.user_id).locked_until
    assert locked_until - timezone.now() <= dt.timedelta(seconds=60)


def test_pin_starts_registration_for_unregistered_person(client, make_person, pin_for):
    person = make_person(last_name="Jones", birth_year=1959, employee_id="0112233")
    assert pin_for(person) == "jo5933"
    response = login(client, "0112233", "jo5933")
    assert response.status_code == 302
    assert response["Location"] == "/register/terms/"


def test_pin_is_case_sensitive(client, make_person):
    make_person(last_name="Jones", birth_year=1959, employee_id="0112233")
    assert outcome_code(login(client, "0112233", "JO5933")) == "login.invalid"


def test_pin_never_works_once_registered(client, make_person, make_account, pin_for):
    person = make_person()
    make_account(person)
    assert outcome_code(login(client, person.employee_id, pin_for(person))) == "login.invalid"


def test_ineligible_person_with_right_password_is_told_so(client, make_person, make_account):
    account = make_account(make_person(status="active", country="FR"))
    response = login(client, account.user_id, PASSWORD)
    assert outcome_code(response) == "login.not_eligible"
    assert client.get("/").status_code == 302


def test_ineligible_person_with_right_pin_cannot_register(client, make_person, pin_for):
    person = make_person(status="retired", retirement_plan=False)
    assert outcome_code(login(client, person.employee_id, pin_for(person))) == (
        "login.not_eligible"
    )
    assert client.get("/register/terms/").status_code == 302


def test_separated_person_may_come_in_until_30_june_next_year(client, make_person, make_account):
    today = timezone.localdate()
    inside = make_account(
        make_person(status="separated", separation_date=dt.date(today.year - 1, 1, 15))
    )
    outside = make_account(
        make_person(status="separated", separation_date=dt.date(today.year - 2, 12, 31))
    )
    if today <= dt.date(today.year, 6, 30):
        assert login(client, inside.user_id, PASSWORD).status_code == 302
    else:
        assert outcome_code(login(client, inside.user_id, PASSWORD)) == "login.not_eligible"
    client.post("/logout/")
    assert outcome_code(login(client, outside.user_id, PASSWORD)) == "login.not_eligible"


def test_session_key_is_rotated_at_login(client, make_account):
    account = make_account()
    client.get("/login/?language=fr")
    before = client.session.session_key
    login(client, account.user_id, PASSWORD)
    assert client.session.session_key != before
    assert client.session.get("staffgate.language") == "en"


def test_logout_ends_the_session_on_the_server(client, make_account):
    from django.contrib.sessions.models import Session

    account = make_account()
    login(client, account.user_id, PASSWORD)
    key = client.session.session_key
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302


def test_becoming_ineligible_ends_the_session(client, make_account):
    account = make_account()
    login(client, account.user_id, PASSWORD)
    assert client.get("/").status_code == 200
    person = account.person
    person.status = "retired"
    person.retirement_plan = False
    person.save()
    response = client.get("/")
    assert response.status_code == 302
    assert outcome_code(client.get("/login/")) is None
    assert AuditEvent.objects.filter(tag="account:session:end", outcome="not_eligible").exists()


@override_settings(STAFFGATE_SESSION_IDLE_SECONDS=60)
def test_idle_session_ends(client, make_account):
    account = make_account()
    login(client, account.user_id, PASSWORD)
    session = client.session
    session["staffgate.seen"] -= 61
    session.save()
    assert client.get("/").status_code == 302


@override_settings(STAFFGATE_SESSION_MAX_SECONDS=3600)
def test_session_ends_at_absolute_limit_even_when_active(client, make_account):
    account = make_account()
    login(client, account.user_id, PASSWORD)
    session = client.session
    session["staffgate.started"] -= 3601
    session.save()
    assert client.get("/").status_code == 302


def test_next_url_is_followed_only_when_safe(client, make_account):
    account = make_account()
    response = login(client, account.user_id, PASSWORD, next="/profile/")
    assert response["Location"] == "/profile/"
    client.post("/logout/")
    response = login(client, account.user_id, PASSWORD, next="https://evil.example.com/")
    assert response["Location"] == "/"


def test_home_shows_name_last_login_and_app_links(client, make_account):
    from staffgate.oidc.registry import add_app

    add_app(
        "Pay stubs",
        redirect_uris=["https://pay.example.com/oidc/callback"],
        launch_url="https://pay.example.com/",
    )
    account = make_account()
    login(client, account.user_id, PASSWORD)
    first = client.get("/").content.decode()
    assert "This is your first login." in first
    client.post("/logout/")
    login(client, account.user_id, PASSWORD)
    page = client.get("/").content.decode()
    assert "Your last login was" in page
    assert "https://pay.example.com/" in page


def test_empty_form_gets_field_errors(client):
    response = client.post("/login/", {"user_id": "", "password": ""})
    assert outcome_code(response) == "form.invalid"
    assert 'data-code="user_id.required"' in response.content.decode()


def test_every_attempt_is_audited_without_the_secret(client, make_account):
    account = make_account()
    client.post(
        "/login/",
        {"user_id": account.user_id, "password": "Wrong1pass"},
        headers={"user-agent": "Browser/1.0"},
    )
    login(client, account.user_id, PASSWORD)
    tags = list(AuditEvent.objects.order_by("id").values_list("tag", flat=True))
    assert tags == ["account:login:failure", "account:login:success"]
    event = AuditEvent.objects.order_by("id").first()
    assert event.user_agent == "Browser/1.0" and event.ip == "127.0.0.1"
    dumped = str(list(AuditEvent.objects.values()))
    assert "Wrong1pass" not in dumped and PASSWORD not in dumped


def test_hashes_with_other_argon2_parameters_verify_and_are_upgraded(client, make_account):
    from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher

    class Stock(Argon2PasswordHasher):
        memory_cost = 2048
        parallelism = 2

    account = make_account()
    old = Stock().encode(PASSWORD, Stock().salt())
    Account.objects.filter(pk=account.pk).update(password=old)
    assert login(client, account.user_id, PASSWORD).status_code == 302
    upgraded = Account.objects.get(pk=account.pk).password
    assert upgraded != old
    hasher = identify_hasher(upgraded)
    assert not hasher.must_update(upgraded)
    assert "m=1024,t=1,p=1" in upgraded  # the parameters configured for this suite


@override_settings(
    STAFFGATE_ARGON2_MEMORY_KIB=19456, STAFFGATE_ARGON2_TIME_COST=2, STAFFGATE_ARGON2_PARALLELISM=1
)
def test_production_hasher_uses_owasp_argon2id_parameters():
    from django.contrib.auth.hashers import make_password

    encoded = make_password("Sunny2day")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_page_address_with_its_query_survives_the_detour_through_login(client, make_account):
    account = make_account()
    response = client.get("/profile/?a=1&b=2")
    assert response["Location"] == "/login/?next=/profile/%3Fa%3D1%26b%3D2"
    page = client.get(response["Location"])
    assert 'name="next" value="/profile/?a=1&amp;b=2"' in page.content.decode()
    response = login(client, account.user_id, PASSWORD, next="/profile/?a=1&b=2")
    assert response["Location"] == "/profile/?a=1&b=2"


def test_a_help_desk_address_with_its_query_survives_the_detour_through_login(client):
    response = client.get("/helpdesk/?status=open&page=2")
    assert response["Location"] == "/helpdesk/login/?next=/helpdesk/%3Fstatus%3Dopen%26page%3D2"
