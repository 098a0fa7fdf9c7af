"""What a person reads on the way: tries left, lock pages, GOV.UK-style errors, the wizard."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from staffgate.accounts.models import Account
from tests.conftest import ANOTHER_DAY, PASSWORD, confirm_email, login, mailed_code, outcome_code
from tests.integration.accounts.test_registration import NEW_PASSWORD, QUESTIONS, start

pytestmark = pytest.mark.django_db

WRONG = {"answer_1": "Felix", "answer_2": "Toronto", "answer_3": "Corolla"}


def main_of(response) -> str:
    """The page's <main> (the header holds a log-out form on signed-in pages)."""
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


# --- Tries left and lock pages -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["registered", "unknown"])
def test_each_wrong_password_says_how_many_tries_are_left(client, make_account, kind):
    user_id = make_account().user_id if kind == "registered" else "9990123"
    first = login(client, user_id, "Wrong1pass").content.decode()
    assert "You have 2 more tries before sign-in is locked for 15 minutes." in first
    second = login(client, user_id, "Wrong2pass").content.decode()
    assert "You have 1 more try before sign-in is locked for 15 minutes." in second


@pytest.mark.parametrize("kind", ["registered", "unknown"])
def test_the_login_lock_page_gives_the_end_time_and_offers_recovery_without_a_form(
    client, make_account, kind
):
    user_id = make_account().user_id if kind == "registered" else "9990124"
    for attempt in ("Wrong1pass", "Wrong2pass", "Wrong3pass"):
        locked = login(client, user_id, attempt)
    assert outcome_code(locked) == "login.locked"
    main = main_of(locked)
    assert "<form" not in main and 'name="password"' not in main
    assert re.search(
        rf"sign-in is locked until {ANOTHER_DAY['en']}\d{{1,2}}:\d\d\s?[ap]\.m\. "
        r"\(Eastern Time\)\.",
        main,
    ), main
    assert 'href="/recover/"' in main  # recovery works during this lock
    assert f'href="/help/?topic=unlock&amp;user_id={user_id}"' in main
    assert title_of(locked).startswith("Error: Sign-in is locked")
    # A later try meets the same page, with the same end time.
    again = main_of(login(client, user_id, PASSWORD))
    until = re.compile(r"locked until ([^(]+)\(")
    assert until.search(again).group(1) == until.search(main).group(1)


def test_the_end_time_is_in_the_portals_zone_named_in_words(client, make_account, settings):
    settings.TIME_ZONE = "Europe/Paris"
    account = make_account()
    for _ in range(3):
        locked = login(client, account.user_id, "Wrong1pass", language="fr")
    assert re.search(
        rf"jusqu’à {ANOTHER_DAY['fr']}\d\d:\d\d \(heure d’Europe centrale\)", main_of(locked)
    )


def test_recovery_answers_say_how_many_tries_are_left_and_the_lock_asks_nothing_more(
    client, make_account
):
    account = make_account()
    client.post("/recover/", {"user_id": account.user_id})
    first = client.post("/recover/questions/", WRONG).content.decode()
    assert "You have 2 more tries before your account is locked." in first
    second = client.post("/recover/questions/", WRONG).content.decode()
    assert "You have 1 more try before your account is locked." in second
    locked = client.post("/recover/questions/", WRONG)
    assert outcome_code(locked) == "account.locked"
    main = main_of(locked)
    assert "Step 2 of" not in main and "<form" not in main
    assert "Your account is locked" in title_of(locked)
    help_form = client.get(f"/help/?topic=unlock&user_id={account.user_id}").content.decode()
    assert f'name="user_id" value="{account.user_id}"' in help_form


def test_the_help_form_fills_in_only_a_well_formed_user_id(client):
    page = client.get("/help/?user_id=%3Cscript%3E").content.decode()
    assert 'name="user_id" value=' not in page
    assert client.get("/help/?user_id=%3Cscript%3E").status_code == 200


# --- Errors, the GOV.UK way ---------------------------------------------------------------


def test_an_empty_login_form_gets_an_error_summary_with_specific_messages(client):
    response = client.post("/login/", {"user_id": "", "password": ""})
    assert outcome_code(response) == "form.invalid"
    page = response.content.decode()
    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "There is a problem" in summary
    assert '<a href="#id_user_id">Enter your User ID</a>' in summary
    assert (
        '<a href="#id_password">Enter your password, or your PIN if you have not registered</a>'
        in summary
    )
    assert "This field is required" not in page and "Please correct the errors" not in page
    assert title_of(response).startswith("Error: Log in")


def test_every_message_of_a_field_has_its_own_id_and_the_field_names_them_all(client):
    page = client.post("/help/", {"user_id": "1234567", "email": "x" * 300}).content.decode()
    email = re.search(r'<input[^>]*name="email"[^>]*>', page).group(0)
    described = re.search(r'aria-describedby="([^"]+)"', email).group(1).split()
    error_ids = re.findall(r'class="field-error" id="(id_email_error[^"]*)"', page)
    assert len(error_ids) == 2, error_ids  # the format and the length
    assert described == ["id_email_helptext", *error_ids]
    all_ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(all_ids) == len(set(all_ids)), "an id is used twice"


def test_summary_lines_do_not_repeat_the_label(client):
    page = client.post("/help/", {"user_id": "1234567"}).content.decode()
    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Enter your full name" in summary and "Full name:" not in summary


# --- The registration wizard ---------------------------------------------------------------


def test_back_links_reopen_the_earlier_steps_and_keep_the_confirmed_address(
    client, make_person, pin_for
):
    person = make_person()
    start(client, person, pin_for(person))
    terms = client.get("/register/terms/").content.decode()
    assert "Step 1 of 4" in terms and 'class="back-link" href="/login/"' in terms
    client.post("/register/terms/", {"agree": "1"})
    address = "pat@example.com"
    client.post("/register/contact/", {"email": address, "email_confirm": address})
    confirm_email(client, address)
    questions = client.get("/register/questions/").content.decode()
    assert "Step 3 of 4" in questions
    assert 'class="back-link" href="/register/contact/"' in questions
    # Back to the contact step: it opens again, filled in, and the later steps wait for it.
    contact = client.get("/register/contact/").content.decode()
    assert "Step 2 of 4" in contact and f'value="{address}"' in contact
    assert client.get("/register/questions/")["Location"] == "/register/contact/"
    # The same confirmed address goes on without a second code.
    again = client.post("/register/contact/", {"email": address, "email_confirm": address})
    assert again["Location"] == "/register/questions/"
    assert client.post("/register/questions/", QUESTIONS)["Location"] == "/register/password/"
    done = client.post(
        "/register/password/", {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert done["Location"] == "/"
    assert Account.objects.get(person=person).email == address


def test_a_new_address_after_going_back_needs_its_own_code(client, make_person, pin_for):
    person = make_person()
    start(client, person, pin_for(person))
    client.post("/register/terms/", {"agree": "1"})
    client.post("/register/contact/", {"email": "a@example.com", "email_confirm": "a@example.com"})
    confirm_email(client, "a@example.com")
    client.get("/register/contact/")
    response = client.post(
        "/register/contact/", {"email": "b@example.com", "email_confirm": "b@example.com"}
    )
    assert response["Location"] == "/register/verify-email/"
    assert mailed_code("b@example.com")


def test_the_terms_are_page_text_not_a_scrolling_box(client, make_person, pin_for):
    person = make_person()
    start(client, person, pin_for(person))
    page = client.get("/register/terms/").content.decode()
    assert 'tabindex="0"' not in page  # the box that had to be scrolled to be read


# --- The login page and the new-password pages ----------------------------------------------


def test_the_login_page_has_one_language_switcher_the_pin_line_and_one_help_link(client):
    page = client.get("/login/").content.decode()
    assert page.count('aria-label="Language"') == 1
    assert "<select" not in page
    assert "New user? Register with your PIN" in page
    assert page.count('href="/login/pin/"') == 1
    assert page.count('href="/help/"') == 1
    assert title_of(client.get("/login/")).startswith("Log in")


def test_the_pin_page_explains_the_rule_and_operators_can_turn_it_off(client, settings):
    page = client.get("/login/pin/").content.decode()
    assert "jo5933" in page and "How do I find my PIN?" in page
    settings.STAFFGATE_PIN_HELP = False
    assert client.get("/login/pin/").status_code == 404
    assert 'href="/login/pin/"' not in client.get("/login/").content.decode()


def test_new_password_pages_name_the_user_id_for_password_managers(
    client, make_person, make_account, pin_for
):
    account = make_account()
    assert login(client, account.user_id, PASSWORD).status_code == 302
    page = client.get("/profile/password/").content.decode()
    form = page.split('action="/profile/password/"', 1)[1].split("</form>", 1)[0]
    username = re.search(r'<input[^>]*autocomplete="username"[^>]*>', form).group(0)
    assert f'value="{account.user_id}"' in username and "readonly" in username
    assert 'autocomplete="new-password"' in form
    assert "data-show-password=" in page and "show-password.js" in page

    other = Client()
    person = make_person()
    start(other, person, pin_for(person))
    other.post("/register/terms/", {"agree": "1"})
    other.post("/register/contact/", {"email": "q@example.com", "email_confirm": "q@example.com"})
    confirm_email(other, "q@example.com")
    other.post("/register/questions/", QUESTIONS)
    wizard = other.get("/register/password/").content.decode()
    assert re.search(
        rf'<input[^>]*value="{person.employee_id}"[^>]*autocomplete="username"', wizard
    )


def test_the_language_links_keep_where_the_login_leads(client):
    page = client.get("/login/?next=/profile/").content.decode()
    assert 'href="?next=%2Fprofile%2F&amp;language=fr"' in page
    french = client.get("/login/?next=/profile/&language=fr").content.decode()
    assert '<input type="hidden" name="next" value="/profile/">' in french


def test_a_person_who_chose_a_zone_reads_the_lock_end_in_it(client, make_account):
    account = make_account()
    assert login(client, account.user_id, PASSWORD).status_code == 302
    page = client.get("/profile/language/").content.decode()
    assert "Pacific Time (America/Los_Angeles)" in page
    assert "The portal’s time zone (Eastern Time)" in page or "(Eastern Time)" in page
    saved = client.post(
        "/profile/language/", {"language": "en", "time_zone": "America/Los_Angeles"}
    )
    assert saved["Location"] == "/profile/"
    # The profile's own language form sends no zone: the chosen one stays.
    client.post("/profile/language/", {"language": "en"})
    assert Account.objects.get(pk=account.pk).time_zone == "America/Los_Angeles"
    url = "/profile/password/"
    data = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    for _ in range(3):
        locked = client.post(url, {**data, "current_password": "Wrong1pass"})
    assert outcome_code(locked) == "login.locked"
    assert re.search(
        rf"until {ANOTHER_DAY['en']}\d{{1,2}}:\d\d\s?[ap]\.m\. \(Pacific Time\)", main_of(locked)
    )
    # Before sign-in nobody is known: the login page keeps the portal's zone for every ID.
    other = login(Client(), account.user_id, PASSWORD)
    assert "(Eastern Time)" in main_of(other)


def test_an_unknown_zone_is_refused_with_a_message(client, make_account):
    account = make_account()
    login(client, account.user_id, PASSWORD)
    response = client.post("/profile/language/", {"language": "en", "time_zone": "Mars/Olympus"})
    assert outcome_code(response) == "form.invalid"
    assert "Choose a time zone from the list." in response.content.decode()
    assert Account.objects.get(pk=account.pk).time_zone == ""
