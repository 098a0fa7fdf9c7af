"""The registration wizard end to end through the test client."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import override_settings

from staffgate.accounts.models import Account, ChallengeAnswer
from staffgate.audit.models import AuditEvent
from tests.conftest import confirm_email, field_codes, login, outcome_code

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Maple2026x"
QUESTIONS = {
    "question_1": "first_pet",
    "answer_1": "Rex the dog",
    "question_2": "birth_city",
    "answer_2": "Montréal",
    "question_3": "first_school",
    "answer_3": "Saint-Jean",
}


def start(client, person, pin):
    response = login(client, person.employee_id, pin)
    assert response["Location"] == "/register/terms/"


def register(client, person, pin, email="pat@example.com", password=NEW_PASSWORD):
    start(client, person, pin)
    assert client.post("/register/terms/", {"agree": "1"})["Location"] == "/register/contact/"
    response = client.post(
        "/register/contact/", {"email": email, "email_confirm": email, "app_id": "pjones"}
    )
    assert response["Location"] == "/register/verify-email/"
    assert "Continue" in confirm_email(client, email).content.decode()
    assert client.post("/register/questions/", QUESTIONS)["Location"] == "/register/password/"
    return client.post(
        "/register/password/", {"new_password": password, "confirm_password": password}
    )


def test_full_registration_lands_on_home_logged_in(client, make_person, pin_for):
    person = make_person()
    response = register(client, person, pin_for(person))
    assert response["Location"] == "/"
    assert "Welcome, Pat Jones" in client.get("/").content.decode()
    account = Account.objects.get(person=person)
    assert account.email == "pat@example.com"
    assert account.app_id == "pjones"
    assert account.terms_version == "2026-01"
    assert [a.question_key for a in account.answers.all()] == [
        "first_pet",
        "birth_city",
        "first_school",
    ]
    assert AuditEvent.objects.filter(tag="account:register:complete").count() == 1


def test_new_password_works_and_pin_no_longer_does(client, make_person, pin_for):
    person = make_person()
    register(client, person, pin_for(person))
    client.post("/logout/")
    assert outcome_code(login(client, person.employee_id, pin_for(person))) == "login.invalid"
    assert login(client, person.employee_id, NEW_PASSWORD)["Location"] == "/"


def test_each_step_shows_its_number(client, make_person, pin_for):
    person = make_person()
    start(client, person, pin_for(person))
    # The first page anyone sees of the wizard is its step 1; the login page is not numbered.
    assert "Step 1 of 4" in client.get("/register/terms/").content.decode()


@pytest.mark.parametrize(
    "url", ["/register/contact/", "/register/questions/", "/register/password/"]
)
def test_steps_cannot_be_skipped(client, make_person, pin_for, url):
    person = make_person()
    start(client, person, pin_for(person))
    response = client.get(url)
    assert response["Location"] == "/register/terms/"
    response = client.post(url, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response["Location"] == "/register/terms/"
    assert not Account.objects.exists()


def test_wizard_needs_a_pin_login_first(client):
    assert client.get("/register/terms/")["Location"] == "/login/"


def test_declining_terms_ends_the_session_and_keeps_pin_working(client, make_person, pin_for):
    person = make_person()
    start(client, person, pin_for(person))
    response = client.post("/register/terms/", {"decline": "1"})
    assert response["Location"] == "/login/"
    assert client.get("/register/contact/")["Location"] == "/login/"
    assert not Account.objects.exists()
    start(client, person, pin_for(person))


def test_abandoning_writes_nothing_and_pin_still_works(client, make_person, pin_for):
    person = make_person()
    start(client, person, pin_for(person))
    client.post("/register/terms/", {"agree": "1"})
    client.post("/register/contact/", {"email": "a@example.com", "email_confirm": "a@example.com"})
    confirm_email(client)
    client.post("/register/questions/", QUESTIONS)
    assert not Account.objects.exists() and not ChallengeAnswer.objects.exists()
    client.cookies.clear()
    start(client, person, pin_for(person))


def test_email_must_match_and_a_taken_one_goes_to_its_owner(
    client, make_person, make_account, pin_for, mailoutbox
):
    owner = make_account(email="taken@example.com")
    person = make_person()
    start(client, person, pin_for(person))
    client.post("/register/terms/", {"agree": "1"})
    response = client.post(
        "/register/contact/", {"email": "a@example.com", "email_confirm": "b@example.com"}
    )
    assert outcome_code(response) == "form.invalid"
    assert field_codes(response) == ["email.mismatch"]
    response = client.post("/register/contact/", {"email": "nope", "email_confirm": "nope"})
    assert "email.invalid" in field_codes(response)
    # Another account's address: the same next page, no code; its owner is told instead.
    response = client.post(
        "/register/contact/", {"email": "TAKEN@example.com", "email_confirm": "taken@example.com"}
    )
    assert response["Location"] == "/register/verify-email/"
    [notice] = mailoutbox
    assert notice.to == ["taken@example.com"]  # the owner's own address, as they keep it
    assert notice.extra_headers["X-Staffgate-Mail"] == "email_claimed"
    assert owner.user_id in notice.body and not re.search(r"\b\d{6}\b", notice.body)
    assert Account.objects.get(pk=owner.pk).email == "taken@example.com"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"question_2": "first_pet"}, "question.duplicate"),
        ({"answer_2": "Rex the dog"}, "answer.duplicate"),
        ({"answer_3": " ab "}, "answer.too_short"),
        ({"question_1": "mothers_maiden_name"}, "question_1.invalid_choice"),
        ({"answer_1": ""}, "answer_1.required"),
    ],
)
def test_question_rules(client, make_person, pin_for, change, code):
    person = make_person()
    start(client, person, pin_for(person))
    client.post("/register/terms/", {"agree": "1"})
    client.post("/register/contact/", {"email": "a@example.com", "email_confirm": "a@example.com"})
    confirm_email(client)
    response = client.post("/register/questions/", {**QUESTIONS, **change})
    assert outcome_code(response) == "form.invalid"
    assert code in field_codes(response)


def test_questions_page_offers_at_least_ten_questions(client, make_person, pin_for):
    person = make_person()
    start(client, person, pin_for(person))
    client.post("/register/terms/", {"agree": "1"})
    client.post("/register/contact/", {"email": "a@example.com", "email_confirm": "a@example.com"})
    confirm_email(client)
    page = client.get("/register/questions/").content.decode()
    select = page.split('name="question_1"')[1].split("</select>")[0]
    assert select.count("<option") >= 11  # ten questions and the prompt


def _to_password_step(client, person, pin):
    start(client, person, pin)
    client.post("/register/terms/", {"agree": "1"})
    client.post("/register/contact/", {"email": "a@example.com", "email_confirm": "a@example.com"})
    confirm_email(client)
    client.post("/register/questions/", QUESTIONS)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("ab1", "password.too_short"),
        ("abcdefgh1234567", "password.too_long"),
        ("abcdefgh", "password.needs_digit"),
        ("12345678", "password.needs_letter"),
        ("password1", "password.too_common"),
    ],
)
def test_classic_password_rules(client, make_person, pin_for, password, code):
    person = make_person()
    _to_password_step(client, person, pin_for(person))
    response = client.post(
        "/register/password/", {"new_password": password, "confirm_password": password}
    )
    assert code in field_codes(response)
    assert not Account.objects.exists()


def test_password_cannot_be_pin_or_user_id(client, make_person, pin_for):
    person = make_person(employee_id="AB12345")
    _to_password_step(client, person, pin_for(person))
    pin = pin_for(person)
    response = client.post(
        "/register/password/", {"new_password": pin.upper(), "confirm_password": pin.upper()}
    )
    assert "password.equals_pin" in field_codes(response)
    response = client.post(
        "/register/password/", {"new_password": "ab12345", "confirm_password": "ab12345"}
    )
    assert "password.equals_user_id" in field_codes(response)


def test_password_confirmation_must_match(client, make_person, pin_for):
    person = make_person()
    _to_password_step(client, person, pin_for(person))
    response = client.post(
        "/register/password/", {"new_password": NEW_PASSWORD, "confirm_password": "Other2026x"}
    )
    assert field_codes(response) == ["password.mismatch"]


@override_settings(STAFFGATE_PASSWORD_POLICY="strict")
def test_strict_policy(client, make_person, pin_for):
    person = make_person()
    _to_password_step(client, person, pin_for(person))
    response = client.post(
        "/register/password/", {"new_password": "Maple2026x", "confirm_password": "Maple2026x"}
    )
    assert {"password.too_short", "password.needs_symbol"} <= set(field_codes(response))
    strong = "Maple#2026xyz"
    response = client.post(
        "/register/password/", {"new_password": strong, "confirm_password": strong}
    )
    assert response["Location"] == "/"


def test_language_chosen_at_login_is_stored_on_the_account(client, make_person, pin_for):
    person = make_person()
    response = login(client, person.employee_id, pin_for(person), language="fr")
    assert response["Location"] == "/register/terms/"
    client.post("/register/terms/", {"agree": "1"})
    client.post("/register/contact/", {"email": "a@example.com", "email_confirm": "a@example.com"})
    confirm_email(client)
    client.post("/register/questions/", QUESTIONS)
    client.post(
        "/register/password/", {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert Account.objects.get(person=person).language == "fr"


def test_no_secret_is_stored_in_clear(client, make_person, pin_for):
    """Dump every table after a registration and a login; no secret may appear."""
    person = make_person()
    pin = pin_for(person)
    register(client, person, pin)
    client.post("/logout/")
    login(client, person.employee_id, "Wrong1pass")
    login(client, person.employee_id, NEW_PASSWORD)
    secrets = [NEW_PASSWORD, pin, "Rex the dog", "Montréal", "Saint-Jean", "Wrong1pass"]
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dump.extend(repr(row) for row in cursor.fetchall())
    text = "\n".join(dump)
    assert "argon2id" in text  # the hashes are there...
    for secret in secrets:
        assert secret not in text, f"{secret!r} found in the database"
    from django.contrib.sessions.models import Session

    for session in Session.objects.all():
        decoded = repr(session.get_decoded())
        for secret in secrets:
            assert secret not in decoded


def test_registration_mails_the_person_once_without_secrets(
    client, make_person, pin_for, mailoutbox
):
    person = make_person(first_name="Élise")
    pin = pin_for(person)
    register(client, person, pin, email="elise@example.com")
    # The code that proves the address, then the one registration mail.
    kinds = [m.extra_headers["X-Staffgate-Mail"] for m in mailoutbox]
    assert kinds == ["email_code", "registration_completed"]
    mail = mailoutbox[1]
    assert mail.to == ["elise@example.com"]
    assert "Hello Élise" in mail.body
    for message in mailoutbox:
        for secret in (NEW_PASSWORD, pin, "Rex the dog"):
            assert secret not in message.body and secret not in message.subject


def test_an_empty_post_shows_errors_not_a_blank_form(client, make_person, pin_for):
    person = make_person()
    _to_password_step(client, person, pin_for(person))
    response = client.post("/register/password/", {})
    assert outcome_code(response) == "form.invalid"
    assert "new_password.required" in field_codes(response)
