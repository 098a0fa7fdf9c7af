"""Session management, by ASVS 5.0 requirement (V7)."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings

from staffgate.accounts.services import reset_registration, unlock_account
from tests.conftest import ANSWERS, PASSWORD, login, outcome_code

pytestmark = pytest.mark.django_db

NEW = "Maple2026x"


def logged_in(account) -> Client:
    browser = Client()
    assert login(browser, account.user_id, PASSWORD)["Location"] == "/"
    return browser


def is_logged_in(browser: Client) -> bool:
    return browser.get("/").status_code == 200


def test_v7_2_4_a_new_session_key_is_issued_at_login(client, make_account):
    account = make_account()
    client.get("/login/?language=es")
    before = client.session.session_key
    assert before
    login(client, account.user_id, PASSWORD)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


@override_settings(STAFFGATE_SESSION_IDLE_SECONDS=600)
def test_v7_3_1_idle_sessions_end_on_the_server(make_account):
    browser = logged_in(make_account())
    session = browser.session
    session["staffgate.seen"] -= 601
    session.save()
    assert not is_logged_in(browser)


@override_settings(STAFFGATE_SESSION_MAX_SECONDS=7200)
def test_v7_3_2_sessions_end_at_the_absolute_limit(make_account):
    browser = logged_in(make_account())
    session = browser.session
    session["staffgate.started"] -= 7201
    session.save()
    assert not is_logged_in(browser)


def test_v7_4_1_logout_deletes_the_session_on_the_server(make_account):
    browser = logged_in(make_account())
    key = browser.session.session_key
    browser.post("/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert not is_logged_in(browser)


def test_v7_4_3_a_password_change_ends_the_other_sessions_only(make_account):
    account = make_account()
    here, elsewhere = logged_in(account), logged_in(account)
    response = here.post(
        "/profile/password/",
        {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW},
    )
    assert response.status_code == 302
    assert is_logged_in(here)
    assert not is_logged_in(elsewhere)


def test_v7_4_3_a_password_reset_through_recovery_ends_every_session(make_account):
    account = make_account()
    elsewhere = logged_in(account)
    recovering = Client()
    recovering.post("/recover/", {"user_id": account.user_id})
    answers = {f"answer_{n}": answer for n, (_, answer) in enumerate(ANSWERS, start=1)}
    assert recovering.post("/recover/questions/", answers).status_code == 302
    response = recovering.post("/recover/password/", {"new_password": NEW, "confirm_password": NEW})
    assert response.status_code == 302
    assert not is_logged_in(elsewhere)
    assert not is_logged_in(recovering)  # a reset never logs anyone in


def test_v7_4_3_a_help_desk_unlock_or_reset_ends_the_persons_sessions(make_account):
    account = make_account()
    browser = logged_in(account)
    unlock_account(account.user_id, actor="agent:alice", reason="verified by phone")
    assert not is_logged_in(browser)
    browser = logged_in(account)
    reset_registration(account.user_id, actor="agent:alice", reason="asked to start over")
    assert not is_logged_in(browser)


def test_v7_4_3_becoming_ineligible_ends_the_session(make_account):
    account = make_account()
    browser = logged_in(account)
    account.person.country = "FR"
    account.person.save()
    assert not is_logged_in(browser)
    assert outcome_code(login(browser, account.user_id, PASSWORD)) == "login.not_eligible"


def test_v7_5_2_the_profile_lists_active_sessions_and_can_end_the_others(make_account):
    account = make_account()
    here = logged_in(account)
    elsewhere = Client(headers={"user-agent": "OtherBrowser/9"})
    login(elsewhere, account.user_id, PASSWORD)
    page = here.get("/profile/").content.decode()
    assert "OtherBrowser/9" in page and "this device" in page
    assert here.post("/profile/sessions/end-others/").status_code == 302
    assert is_logged_in(here)
    assert not is_logged_in(elsewhere)
