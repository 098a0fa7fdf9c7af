"""Edit My Profile through the test client: each change, its guard and its traces."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client

from staffgate.accounts.models import AccessLock, Account, AccountSession
from staffgate.audit.models import AuditEvent
from tests.conftest import (
    ANOTHER_DAY,
    ANSWERS,
    PASSWORD,
    field_codes,
    login,
    mailed_code,
    outcome_code,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Maple2026x"
NEW_ANSWERS = {
    "question_1": "first_school",
    "answer_1": "Saint-Jean",
    "question_2": "first_job",
    "answer_2": "Paper route",
    "question_3": "first_street",
    "answer_3": "Elm Street",
}
CHANGE_URLS = ["/profile/email/", "/profile/password/", "/profile/questions/"]


def valid_change(url: str, current: str | None = PASSWORD) -> dict:
    """A submission that succeeds on ``url`` when ``current`` is the right password."""
    data = {
        "/profile/email/": {
            "email": "new.address@example.com",
            "email_confirm": "new.address@example.com",
            "app_id": "pjones",
        },
        "/profile/password/": {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        "/profile/questions/": dict(NEW_ANSWERS),
    }[url]
    if current is not None:
        data["current_password"] = current
    return data


def snapshot(account: Account) -> tuple:
    """What a change would alter: password, contact, language and the answer rows."""
    account = Account.objects.get(pk=account.pk)
    answers = tuple(account.answers.values_list("position", "question_key", "answer_hash"))
    return (account.password, account.email, account.app_id, account.language, answers)


@pytest.fixture
def signed_in(client, make_account):
    """An account and a client logged in as it."""
    account = make_account()
    assert login(client, account.user_id, PASSWORD).status_code == 302
    return account


def second_client(account, **extra) -> Client:
    other = Client(**extra)
    assert login(other, account.user_id, PASSWORD).status_code == 302
    assert other.get("/profile/").status_code == 200
    return other


def login_failures(user_id: str) -> int:
    state = AccessLock.objects.filter(user_id=user_id).first()
    return state.login_failures if state else 0


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/profile/", *CHANGE_URLS, "/profile/language/"])
def test_pages_need_a_login_and_remember_where_the_person_was(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


def test_posting_without_a_login_changes_nothing(client, make_account):
    account = make_account()
    before = snapshot(account)
    response = client.post("/profile/password/", valid_change("/profile/password/"))
    assert response["Location"].startswith("/login/")
    assert snapshot(account) == before


@pytest.mark.parametrize("url", ["/profile/", *CHANGE_URLS, "/profile/language/"])
def test_pages_are_never_cached(client, signed_in, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("url", CHANGE_URLS + ["/profile/language/"])
def test_a_get_with_form_data_changes_nothing(client, signed_in, url):
    before = snapshot(signed_in)
    query = valid_change(url) if url != "/profile/language/" else {"language": "es"}
    response = client.get(url, query)
    assert response.status_code == 200
    assert outcome_code(response) is None
    # ``?language=`` only switches this visit's pages; the account keeps its own.
    assert snapshot(signed_in) == before
    assert not AuditEvent.objects.filter(tag__startswith="account:profile:").exists()


def test_ending_other_sessions_needs_a_post(client, signed_in):
    other = second_client(signed_in)
    assert client.get("/profile/sessions/end-others/").status_code == 405
    assert other.get("/profile/").status_code == 200


# --- Overview ---------------------------------------------------------------------------------


def test_overview_shows_the_details_of_the_person(client, signed_in):
    page = client.get("/profile/").content.decode()
    assert "Pat Jones" in page
    assert signed_in.user_id in page
    assert signed_in.email in page
    assert "English" in page
    assert "Last changed" in page
    for url in CHANGE_URLS:
        assert f'href="{url}"' in page
    assert 'action="/profile/language/"' in page


def test_overview_lists_recent_sign_ins_with_ip_and_outcome(make_account):
    account = make_account()
    browser = Client(REMOTE_ADDR="203.0.113.7")
    login(browser, account.user_id, "Wrong1pass")
    login(browser, account.user_id, PASSWORD)
    page = browser.get("/profile/").content.decode()
    assert "Recent sign-in activity" in page
    activity = page.split('class="timeline activity"')[1].split("</ol>")[0]
    assert "Wrong password" in activity
    assert "Signed in" in activity
    assert activity.count("203.0.113.7") == 2
    # Newest first.
    assert activity.index("Signed in") < activity.index("Wrong password")


def test_overview_shows_only_the_persons_own_activity(client, signed_in, make_account):
    stranger = make_account()
    Client(REMOTE_ADDR="198.51.100.9").post(
        "/login/", {"user_id": stranger.user_id, "password": "Wrong1pass"}
    )
    page = client.get("/profile/").content.decode()
    assert "198.51.100.9" not in page


def test_overview_lists_active_sessions_and_marks_this_one(client, make_account):
    account = make_account()
    client.post(
        "/login/",
        {"user_id": account.user_id, "password": PASSWORD},
        headers={"user-agent": "HereBrowser/1.0"},
    )
    second_client(account, REMOTE_ADDR="192.0.2.44", HTTP_USER_AGENT="ThereBrowser/2.0")
    page = client.get("/profile/").content.decode()
    sessions = page.split('class="sessions timeline"')[1].split("</ul>")[0]
    rows = sessions.split("<li data-session")[1:]
    assert len(rows) == 2
    this = [row for row in rows if "this device" in row]
    assert len(this) == 1 and "HereBrowser/1.0" in this[0]
    assert any("192.0.2.44" in row and "ThereBrowser/2.0" in row for row in rows)
    assert "End my other sessions" in page


def test_end_my_other_sessions_ends_them_and_keeps_this_one(client, signed_in):
    other = second_client(signed_in)
    response = client.post("/profile/sessions/end-others/")
    assert response["Location"] == "/profile/"
    page = client.get("/profile/").content.decode()
    assert "1 other session was ended." in page
    assert "End my other sessions" not in page
    assert other.get("/profile/")["Location"] == "/login/?next=/profile/"
    assert AccountSession.objects.filter(account=signed_in).count() == 1
    event = AuditEvent.objects.get(tag="account:profile:sessions_ended")
    assert event.user_id == signed_in.user_id and event.detail == {"count": 1}


# --- The current password -----------------------------------------------------------------


@pytest.mark.parametrize("url", CHANGE_URLS)
def test_each_change_needs_the_current_password(client, signed_in, mailoutbox, url):
    before = snapshot(signed_in)
    response = client.post(url, valid_change(url, current=None))
    assert response.status_code == 200
    assert outcome_code(response) == "form.invalid"
    assert "current_password.required" in field_codes(response)
    assert snapshot(signed_in) == before
    assert mailoutbox == []


@pytest.mark.parametrize("url", CHANGE_URLS)
def test_a_wrong_current_password_is_refused_and_counted(client, signed_in, mailoutbox, url):
    before = snapshot(signed_in)
    response = client.post(url, valid_change(url, current="Wrong1pass"))
    assert response.status_code == 200
    assert outcome_code(response) == "form.invalid"
    assert field_codes(response) == ["current_password.invalid"]
    assert snapshot(signed_in) == before
    assert mailoutbox == []
    assert login_failures(signed_in.user_id) == 1
    event = AuditEvent.objects.get(tag="account:profile:password_failure")
    assert event.user_id == signed_in.user_id and event.ip == "127.0.0.1"
    assert "Wrong1pass" not in str(list(AuditEvent.objects.values()))


@pytest.mark.parametrize("url", CHANGE_URLS)
def test_three_wrong_current_passwords_lock_like_the_login_page(client, signed_in, url):
    before = snapshot(signed_in)
    codes = [
        outcome_code(client.post(url, valid_change(url, current="Wrong1pass"))) for _ in range(3)
    ]
    assert codes == ["form.invalid", "form.invalid", "login.locked"]
    assert snapshot(signed_in) == before
    # The person stays signed in: a mistyped current password never ends the session ...
    assert client.get("/profile/").status_code == 200
    # ... but the lock refuses the check, even with the right password, and says so
    # without offering the form.
    refused = client.post(url, valid_change(url))
    assert outcome_code(refused) == "login.locked"
    assert "<form" not in main_of(refused)
    assert snapshot(signed_in) == before
    page = client.get(url)
    assert outcome_code(page) == "login.locked" and "<form" not in main_of(page)
    # Signing in anywhere else is locked too.
    assert outcome_code(login(Client(), signed_in.user_id, PASSWORD)) == "login.locked"


def main_of(response) -> str:
    """The page's <main>, without the header's log-out form."""
    body = response.content.decode()
    return body.split("<main", 1)[1].split("</main>", 1)[0]


def test_wrong_current_passwords_say_how_many_tries_are_left(client, signed_in):
    url = "/profile/password/"
    first = client.post(url, valid_change(url, current="Wrong1pass")).content.decode()
    assert "You have 2 more tries before sign-in is locked for 15 minutes." in first
    second = client.post(url, valid_change(url, current="Wrong1pass")).content.decode()
    assert "You have 1 more try before sign-in is locked for 15 minutes." in second
    locked = client.post(url, valid_change(url, current="Wrong1pass")).content.decode()
    assert re.search(
        rf"locked until {ANOTHER_DAY['en']}\d{{1,2}}:\d{{2}}\s?[ap]\.m\. \(Eastern Time\)", locked
    )


def test_failures_at_login_and_on_the_profile_add_up(client, signed_in):
    login(Client(), signed_in.user_id, "Wrong1pass")
    login(Client(), signed_in.user_id, "Wrong1pass")
    response = client.post("/profile/email/", valid_change("/profile/email/", "Wrong1pass"))
    assert outcome_code(response) == "login.locked"
    assert outcome_code(login(Client(), signed_in.user_id, PASSWORD)) == "login.locked"


def test_a_lock_set_elsewhere_refuses_even_the_right_current_password(client, signed_in):
    for _ in range(3):
        login(Client(), signed_in.user_id, "Wrong1pass")
    before = snapshot(signed_in)
    response = client.post("/profile/password/", valid_change("/profile/password/"))
    assert outcome_code(response) == "login.locked"
    assert snapshot(signed_in) == before
    # Still signed in, and the lock page offers no form to try again.
    assert client.get("/profile/").status_code == 200
    assert "<form" not in main_of(response)


def test_the_right_current_password_clears_the_count(client, signed_in):
    url = "/profile/email/"
    client.post(url, valid_change(url, current="Wrong1pass"))
    client.post(url, valid_change(url, current="Wrong1pass"))
    # A new address goes on to its confirmation code.
    assert client.post(url, valid_change(url))["Location"] == "/profile/email/verify/"
    assert login_failures(signed_in.user_id) == 0
    assert outcome_code(client.post(url, valid_change(url, "Wrong1pass"))) == "form.invalid"


def test_same_as_current_is_not_told_to_a_wrong_current_password(client, signed_in):
    """Otherwise the session could test guesses of the password without being counted."""
    response = client.post(
        "/profile/password/",
        {"current_password": "Wrong1pass", "new_password": PASSWORD, "confirm_password": PASSWORD},
    )
    assert "password.same_as_current" not in field_codes(response)
    assert "current_password.invalid" in field_codes(response)


# --- Password -------------------------------------------------------------------------------


def test_password_change_ends_other_sessions_and_keeps_this_one(client, signed_in):
    """Done-when 4."""
    other = second_client(signed_in)
    response = client.post("/profile/password/", valid_change("/profile/password/"))
    assert response["Location"] == "/profile/"
    page = client.get("/profile/")
    assert page.status_code == 200
    assert "Your password was changed." in page.content.decode()
    assert client.get("/").status_code == 200
    assert other.get("/profile/")["Location"] == "/login/?next=/profile/"
    assert other.get("/")["Location"].startswith("/login/")
    assert list(
        AccountSession.objects.filter(account=signed_in).values_list("session_key", flat=True)
    ) == [client.session.session_key]


def test_new_password_works_at_login_and_old_does_not(client, signed_in):
    client.post("/profile/password/", valid_change("/profile/password/"))
    account = Account.objects.get(pk=signed_in.pk)
    assert account.password_changed_at > signed_in.password_changed_at
    client.post("/logout/")
    assert outcome_code(login(client, signed_in.user_id, PASSWORD)) == "login.invalid"
    assert login(client, signed_in.user_id, NEW_PASSWORD)["Location"] == "/"


def test_password_change_is_mailed_once_to_the_person(client, signed_in, mailoutbox):
    client.post("/profile/password/", valid_change("/profile/password/"))
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [signed_in.email]
    assert "password was changed" in mail.subject
    assert signed_in.user_id in mail.body
    for secret in (PASSWORD, NEW_PASSWORD):
        assert secret not in mail.body and secret not in mail.subject
    event = AuditEvent.objects.get(tag="account:profile:password_changed")
    assert event.user_id == signed_in.user_id
    dumped = str(list(AuditEvent.objects.values()))
    assert PASSWORD not in dumped and NEW_PASSWORD not in dumped


def test_new_password_cannot_be_the_current_one(client, signed_in):
    before = snapshot(signed_in)
    response = client.post(
        "/profile/password/",
        {"current_password": PASSWORD, "new_password": PASSWORD, "confirm_password": PASSWORD},
    )
    assert outcome_code(response) == "form.invalid"
    assert field_codes(response) == ["password.same_as_current"]
    assert snapshot(signed_in) == before


@pytest.mark.parametrize(
    ("new", "confirm", "code"),
    [
        ("abc12", "abc12", "password.too_short"),
        ("Maplesyrup", "Maplesyrup", "password.needs_digit"),
        (NEW_PASSWORD, "Maple2026y", "password.mismatch"),
    ],
)
def test_new_password_follows_the_policy(client, signed_in, new, confirm, code):
    before = snapshot(signed_in)
    response = client.post(
        "/profile/password/",
        {"current_password": PASSWORD, "new_password": new, "confirm_password": confirm},
    )
    assert code in field_codes(response)
    assert snapshot(signed_in) == before


def test_new_password_cannot_be_the_user_id_or_pin(client, make_person, make_account, pin_for):
    person = make_person(employee_id="AB12345")
    account = make_account(person)
    login(client, account.user_id, PASSWORD)
    for value, code in (
        ("ab12345", "password.equals_user_id"),
        (pin_for(person), "password.equals_pin"),
    ):
        response = client.post(
            "/profile/password/",
            {"current_password": PASSWORD, "new_password": value, "confirm_password": value},
        )
        assert code in field_codes(response)


# --- E-mail and application ID --------------------------------------------------------------


def test_email_change_is_stored_and_mailed_to_old_and_new_address(client, signed_in, mailoutbox):
    old = signed_in.email
    response = client.post("/profile/email/", valid_change("/profile/email/"))
    assert response["Location"] == "/profile/email/verify/"
    # Until the code mailed to it comes back, the new address is not the account's.
    assert Account.objects.get(pk=signed_in.pk).email == old
    assert [(m.extra_headers["X-Staffgate-Mail"], m.to) for m in mailoutbox] == [
        ("email_code", ["new.address@example.com"])
    ]
    response = client.post("/profile/email/verify/", {"code": mailed_code()})
    assert outcome_code(response) == "email.verified"
    account = Account.objects.get(pk=signed_in.pk)
    assert account.email == "new.address@example.com"
    assert account.app_id == "pjones"
    changed = [m for m in mailoutbox if m.extra_headers["X-Staffgate-Mail"] == "email_changed"]
    assert sorted(address for mail in changed for address in mail.to) == sorted(
        [old, "new.address@example.com"]
    )
    for mail in changed:
        assert signed_in.user_id in mail.body
    for mail in mailoutbox:
        assert PASSWORD not in mail.body and PASSWORD not in mail.subject
    assert (
        AuditEvent.objects.filter(
            tag="account:profile:email_changed", user_id=signed_in.user_id
        ).count()
        == 1
    )
    assert "new.address@example.com" in client.get("/profile/").content.decode()


def test_email_must_be_confirmed(client, signed_in, mailoutbox):
    data = valid_change("/profile/email/") | {"email_confirm": "other@example.com"}
    response = client.post("/profile/email/", data)
    assert outcome_code(response) == "form.invalid"
    assert field_codes(response) == ["email.mismatch"]
    assert Account.objects.get(pk=signed_in.pk).email == signed_in.email
    assert mailoutbox == []


def test_email_used_by_another_account_goes_to_its_owner_whatever_the_case(
    client, signed_in, make_account, mailoutbox
):
    owner = make_account(email="Taken@Example.com")
    data = valid_change("/profile/email/") | {
        "email": "taken@example.COM",
        "email_confirm": "taken@example.COM",
    }
    response = client.post("/profile/email/", data)
    # The same next page as for a free address; no code, the owner is told instead.
    assert response["Location"] == "/profile/email/verify/"
    assert [m.extra_headers["X-Staffgate-Mail"] for m in mailoutbox] == ["email_claimed"]
    assert mailoutbox[0].to == ["Taken@Example.com"]  # the owner's own address
    assert Account.objects.get(pk=signed_in.pk).email == signed_in.email
    assert Account.objects.get(pk=owner.pk).email == "Taken@Example.com"


def test_keeping_ones_own_email_and_changing_the_app_id(client, signed_in, mailoutbox):
    data = {
        "email": signed_in.email.upper(),
        "email_confirm": signed_in.email.upper(),
        "app_id": "pat.j",
        "current_password": PASSWORD,
    }
    assert client.post("/profile/email/", data)["Location"] == "/profile/"
    assert Account.objects.get(pk=signed_in.pk).app_id == "pat.j"
    # Same mailbox, other letter case: one mail, not two.
    assert [mail.to for mail in mailoutbox] == [[signed_in.email.upper()]]


def test_app_id_alone_changes_without_mail(client, signed_in, mailoutbox):
    data = {
        "email": signed_in.email,
        "email_confirm": signed_in.email,
        "app_id": "pat.j",
        "current_password": PASSWORD,
    }
    assert client.post("/profile/email/", data)["Location"] == "/profile/"
    assert Account.objects.get(pk=signed_in.pk).app_id == "pat.j"
    assert mailoutbox == []
    assert AuditEvent.objects.filter(tag="account:profile:app_id_changed").count() == 1


def test_email_page_is_prefilled_with_the_current_details(client, make_account):
    account = make_account(app_id="pjones")
    login(client, account.user_id, PASSWORD)
    page = client.get("/profile/email/").content.decode()
    assert f'value="{account.email}"' in page
    assert 'value="pjones"' in page


# --- Challenge questions --------------------------------------------------------------------


def test_questions_are_replaced_and_mailed_without_answers(client, signed_in, mailoutbox):
    response = client.post("/profile/questions/", valid_change("/profile/questions/"))
    assert response["Location"] == "/profile/"
    rows = list(Account.objects.get(pk=signed_in.pk).answers.all())
    assert [(r.position, r.question_key) for r in rows] == [
        (1, "first_school"),
        (2, "first_job"),
        (3, "first_street"),
    ]
    assert check_password("Saint-Jean", rows[0].answer_hash)
    assert check_password("Paper route", rows[1].answer_hash)
    assert check_password("Elm Street", rows[2].answer_hash)
    assert not check_password(ANSWERS[0][1], rows[0].answer_hash)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [signed_in.email]
    for answer in ("Saint-Jean", "Paper route", "Elm Street", PASSWORD):
        assert answer not in mailoutbox[0].body and answer not in mailoutbox[0].subject
    assert AuditEvent.objects.filter(tag="account:profile:questions_changed").count() == 1
    dumped = str(list(AuditEvent.objects.values()))
    assert "Saint-Jean" not in dumped and "Paper route" not in dumped


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"question_2": "first_school"}, "question.duplicate"),
        ({"answer_3": "ab"}, "answer.too_short"),
        ({"answer_2": "saint-jean"}, "answer.duplicate"),
        ({"question_1": "favourite_colour"}, "question_1.invalid_choice"),
    ],
)
def test_question_rules_apply(client, signed_in, mailoutbox, change, code):
    before = snapshot(signed_in)
    response = client.post("/profile/questions/", valid_change("/profile/questions/") | change)
    assert outcome_code(response) == "form.invalid"
    assert field_codes(response) == [code]
    assert snapshot(signed_in) == before
    assert mailoutbox == []


def test_questions_page_shows_the_current_choices(client, signed_in):
    page = client.get("/profile/questions/").content.decode()
    assert '<option value="first_pet" selected>' in page
    assert '<option value="birth_city" selected>' in page


# --- Language -------------------------------------------------------------------------------


def test_language_change_switches_the_page_and_is_stored(client, signed_in):
    response = client.post("/profile/language/", {"language": "fr"})
    assert response["Location"] == "/profile/"
    assert '<html lang="fr"' in client.get("/profile/").content.decode()
    assert Account.objects.get(pk=signed_in.pk).language == "fr"
    assert AuditEvent.objects.filter(tag="account:profile:language_changed").count() == 1
    client.post("/logout/")
    other = Client()
    login(other, signed_in.user_id, PASSWORD)
    assert '<html lang="fr"' in other.get("/").content.decode()


def test_language_needs_no_password_but_a_known_language(client, signed_in):
    response = client.post("/profile/language/", {"language": "de"})
    assert outcome_code(response) == "form.invalid"
    assert field_codes(response) == ["language.invalid_choice"]
    assert Account.objects.get(pk=signed_in.pk).language == "en"


def test_mails_follow_the_language_of_the_account(client, signed_in, mailoutbox):
    client.post("/profile/language/", {"language": "fr"})
    client.post("/profile/password/", valid_change("/profile/password/"))
    assert len(mailoutbox) == 1
    assert NEW_PASSWORD not in mailoutbox[0].body


# --- Hostile input --------------------------------------------------------------------------


@pytest.mark.parametrize("url", CHANGE_URLS + ["/profile/language/"])
@pytest.mark.parametrize("bad", ["x" * 100_000, "Sunny\x002day"])
def test_huge_or_nul_input_gets_clear_errors_and_changes_nothing(client, signed_in, url, bad):
    before = snapshot(signed_in)
    base = valid_change(url) if url != "/profile/language/" else {"language": "fr"}
    data = {name: bad for name in base}
    response = client.post(url, data)
    assert response.status_code == 200
    assert outcome_code(response) == "form.invalid"
    codes = field_codes(response)
    if "current_password" in base:
        reason = "max_length" if len(bad) > 1000 else "null_characters_not_allowed"
        assert f"current_password.{reason}" in codes
    else:
        assert codes == ["language.invalid_choice"]
    assert snapshot(signed_in) == before
    # A current password that could not even be read is not counted as a guess.
    assert login_failures(signed_in.user_id) == 0
