"""Every journey in French and Spanish: the chosen language carries through and sticks.

The expected sentences are written out here, as a reader of that language sees them, so a
missing or wrong translation fails a test; outcome codes stay the same in every language.
"""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.utils import translation

from staffgate.accounts.models import Account
from staffgate.accounts.questions import QUESTIONS
from staffgate.accounts.recovery import service as recovery
from tests.conftest import (
    ANOTHER_DAY,
    ANSWERS,
    PASSWORD,
    confirm_email,
    field_codes,
    login,
    mailed_code,
    outcome_code,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Maple2026x"
CHOSEN = {
    "question_1": "first_pet",
    "answer_1": "Rex the dog",
    "question_2": "birth_city",
    "answer_2": "Montréal",
    "question_3": "first_school",
    "answer_3": "Saint-Jean",
}
RIGHT = {f"answer_{n}": answer for n, (_, answer) in enumerate(ANSWERS, start=1)}
WRONG = RIGHT | {"answer_1": "Rex the cat"}

# What a French- or Spanish-speaking person reads on each page.
WORDS = {
    "fr": {
        "login": "Se connecter",
        "user_id": "Identifiant",
        "password": "Mot de passe ou NIP",
        "language": "Langue",
        "terms": "Conditions d’utilisation",
        "contact": "Coordonnées",
        "verify_email": "Confirmez votre adresse courriel",
        "questions": "Questions de sécurité",
        "password_step": "Choisissez votre mot de passe",
        "step": "Étape {n} sur 4",
        "welcome": "Bienvenue, Pat Jones",
        "invalid": "L’identifiant ou le mot de passe est incorrect. Veuillez réessayer.",
        "first_pet": "Quel était le nom de votre premier animal de compagnie ?",
        "duplicate": "Choisissez trois questions différentes.",
    },
    "es": {
        "login": "Iniciar sesión",
        "user_id": "ID de usuario",
        "password": "Contraseña o PIN",
        "language": "Idioma",
        "terms": "Términos y condiciones",
        "contact": "Datos de contacto",
        "verify_email": "Confirme su correo electrónico",
        "questions": "Preguntas de seguridad",
        "password_step": "Elija su contraseña",
        "step": "Paso {n} de 4",
        "welcome": "Hola, Pat Jones",
        "invalid": "El ID de usuario o la contraseña no son correctos. Inténtelo de nuevo.",
        "first_pet": "¿Cuál era el nombre de su primera mascota?",
        "duplicate": "Elija tres preguntas distintas.",
    },
}


def text(response) -> str:
    """The page as a reader sees it: entities decoded."""
    return html.unescape(response.content.decode())


def page_lang(response) -> str | None:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    return match.group(1) if match else None


def heading(response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert match, "the page has no <h1>"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def alert_text(response) -> str:
    match = re.search(r'role="alert" data-code="[^"]+"[^>]*>\s*<p>(.*?)</p>', text(response), re.S)
    assert match, "the page has no outcome alert"
    return match.group(1).strip()


def option_texts(response, name: str) -> dict[str, str]:
    """The value → visible text of every option of the ``<select name=name>``."""
    select = re.search(
        rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', response.content.decode(), re.S
    )
    assert select, f"no <select name={name}>"
    pairs = re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select.group(1), re.S)
    return {value: html.unescape(label).strip() for value, label in pairs}


def english(message) -> str:
    with translation.override("en"):
        return str(message)


# --- The login page ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_login_page_in_the_chosen_language(client, lang):
    response = client.get(f"/login/?language={lang}")
    words = WORDS[lang]
    assert page_lang(response) == lang
    assert response["Content-Language"] == lang
    assert heading(response) == words["login"]
    page = text(response)
    for label in (words["user_id"], words["password"]):
        assert f">{label}</label>" in page
    assert "Password or PIN" not in page and "User ID" not in page
    # One language switcher (the page's links); the form carries the page's language on.
    assert page.count(f'aria-label="{words["language"]}"') == 1
    assert re.search(rf'<input type="hidden" name="language" value="{lang}"', page)


def test_the_language_stays_for_the_visit_without_asking_again(client):
    client.get("/login/?language=es")
    response = client.get("/login/")
    assert page_lang(response) == "es"
    assert heading(response) == "Iniciar sesión"
    assert page_lang(client.get("/login/?language=en")) == "en"


def test_an_unknown_language_is_ignored(client):
    response = client.get("/login/?language=xx")
    assert response.status_code == 200
    assert page_lang(response) == "en"
    assert heading(response) == "Log in"


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_wrong_password_message_is_translated_and_keeps_its_code(client, make_account, lang):
    account = make_account()
    response = login(client, account.user_id, "Wrong4you", language=lang)
    assert outcome_code(response) == "login.invalid"
    assert page_lang(response) == lang
    assert alert_text(response) == WORDS[lang]["invalid"]


def test_lock_message_is_translated_and_keeps_its_code(client, make_account):
    account = make_account()
    for _ in range(3):
        response = login(client, account.user_id, "Wrong4you", language="fr")
    assert outcome_code(response) == "login.locked"
    # The end of the lock, in French, in the portal's zone named in words.
    assert re.fullmatch(
        r"Trop de tentatives infructueuses\. Pour votre sécurité, la connexion est verrouillée "
        rf"jusqu’à {ANOTHER_DAY['fr']}\d\d:\d\d \(heure de l’Est nord-américain\)\.",
        alert_text(response),
    )
    assert "Formulaire d’aide technique" in text(response)
    assert "Réinitialisez votre mot de passe avec vos questions de sécurité" in text(response)


# --- The registration wizard -------------------------------------------------------------------


def walk_wizard(client, person, pin, lang):
    """Register through every step, checking each page is in ``lang``; return the last response."""
    words = WORDS[lang]
    response = login(client, person.employee_id, pin, language=lang)
    assert response["Location"] == "/register/terms/"
    steps = [
        ("/register/terms/", words["terms"], 1, {"agree": "1"}),
        (
            "/register/contact/",
            words["contact"],
            2,
            {"email": "pat@example.com", "email_confirm": "pat@example.com"},
        ),
        # Confirming the address belongs to the contact step: the same step number.
        ("/register/verify-email/", words["verify_email"], 2, lambda: {"code": mailed_code()}),
        ("/register/questions/", words["questions"], 3, CHOSEN),
        (
            "/register/password/",
            words["password_step"],
            4,
            {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        ),
    ]
    for url, title, number, data in steps:
        page = client.get(url)
        assert page.status_code == 200, url
        assert page_lang(page) == lang, url
        assert heading(page) == title, url
        assert words["step"].format(n=number) in text(page), url
        response = client.post(url, data() if callable(data) else data)
        if url == "/register/verify-email/":
            assert outcome_code(response) == "email.verified", url
            continue
        assert response.status_code == 302, (url, field_codes(response))
    return response


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_language_chosen_at_login_carries_through_the_wizard_and_is_stored(
    client, make_person, pin_for, lang
):
    person = make_person()
    response = walk_wizard(client, person, pin_for(person), lang)
    assert response["Location"] == "/"
    home = client.get("/")
    assert page_lang(home) == lang
    assert heading(home) == WORDS[lang]["welcome"]
    assert Account.objects.get(person=person).language == lang


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_stored_language_applies_at_a_later_login(client, make_person, pin_for, lang):
    person = make_person()
    walk_wizard(client, person, pin_for(person), lang)
    client.post("/logout/")
    # Another browser: nothing remembers the language but the account itself.
    other = Client()
    assert page_lang(other.get("/login/")) == "en"
    response = login(other, person.employee_id, NEW_PASSWORD)
    assert response["Location"] == "/"
    home = other.get("/")
    assert page_lang(home) == lang
    assert heading(home) == WORDS[lang]["welcome"]


def test_stored_language_wins_over_the_login_page_default(client, make_account):
    # A browser sends the language field as shown (English by default); the account's own
    # language still applies after login.
    account = make_account(language="es")
    assert login(client, account.user_id, PASSWORD, language="en")["Location"] == "/"
    assert page_lang(client.get("/")) == "es"


def test_language_can_change_on_a_wizard_step(client, make_person, pin_for):
    person = make_person()
    login(client, person.employee_id, pin_for(person), language="fr")
    response = client.get("/register/terms/?language=es")
    assert page_lang(response) == "es"
    assert heading(response) == WORDS["es"]["terms"]
    client.post("/register/terms/", {"agree": "1"})
    assert heading(client.get("/register/contact/")) == WORDS["es"]["contact"]


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_challenge_question_list_is_translated(client, make_person, pin_for, lang):
    person = make_person()
    login(client, person.employee_id, pin_for(person), language=lang)
    client.post("/register/terms/", {"agree": "1"})
    client.post(
        "/register/contact/", {"email": "pat@example.com", "email_confirm": "pat@example.com"}
    )
    confirm_email(client)
    page = client.get("/register/questions/")
    options = option_texts(page, "question_1")
    # The values stay the question keys; every text is in the page's language.
    assert set(options) == {""} | set(QUESTIONS)
    assert options["first_pet"] == WORDS[lang]["first_pet"]
    for key, question in QUESTIONS.items():
        assert options[key] != english(question), key
    assert len(set(options.values())) == len(options)


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_field_errors_are_translated_and_keep_their_codes(client, make_person, pin_for, lang):
    person = make_person()
    login(client, person.employee_id, pin_for(person), language=lang)
    client.post("/register/terms/", {"agree": "1"})
    client.post(
        "/register/contact/", {"email": "pat@example.com", "email_confirm": "pat@example.com"}
    )
    confirm_email(client)
    response = client.post("/register/questions/", CHOSEN | {"question_2": "first_pet"})
    assert outcome_code(response) == "form.invalid"
    assert "question.duplicate" in field_codes(response)
    assert WORDS[lang]["duplicate"] in text(response)
    assert "Choose three different questions." not in text(response)


def test_registration_mail_is_in_french_for_a_french_account(
    client, make_person, pin_for, mailoutbox
):
    person = make_person(first_name="Élise", last_name="Tremblay")
    walk_wizard(client, person, pin_for(person), "fr")
    # The code that confirms the address, in French too, then the registration mail.
    code_mail, mail = mailoutbox
    assert code_mail.subject == "Votre code de confirmation staffgate"
    assert code_mail.body.startswith("Bonjour Élise,") and "Hello" not in code_mail.body
    assert mail.to == ["pat@example.com"]
    assert mail.subject == "Votre inscription à staffgate est terminée"
    assert mail.body.startswith("Bonjour Élise,")
    assert f"L’inscription de l’identifiant {person.employee_id} est terminée." in mail.body
    assert "Formulaire d’aide technique" in mail.body
    # Plain text: no English left over and no HTML escapes.
    assert "Hello" not in mail.body and "help desk" not in mail.body
    assert "&" not in mail.body


# --- Forgot password and the Technical Help Form -----------------------------------------------


def test_recovery_pages_in_spanish(client, make_account, mailoutbox):
    account = make_account(language="es")
    page = client.get("/recover/?language=es")
    assert page_lang(page) == "es"
    assert heading(page) == "¿Olvidó su contraseña?"
    assert f"Paso 1 de {recovery.TOTAL_STEPS}" in text(page)

    assert client.post("/recover/", {"user_id": account.user_id})["Location"] == (
        "/recover/questions/"
    )
    questions = client.get("/recover/questions/")
    assert page_lang(questions) == "es"
    assert heading(questions) == "Sus preguntas de seguridad"
    assert "¿Cuál era el nombre de su primera mascota?" in text(questions)
    assert "¿En qué ciudad nació?" in text(questions)

    wrong = client.post("/recover/questions/", WRONG)
    assert outcome_code(wrong) == "recover.invalid"
    assert alert_text(wrong).startswith("Al menos una respuesta no es correcta.")

    assert client.post("/recover/questions/", RIGHT)["Location"] == "/recover/password/"
    choose = client.get("/recover/password/")
    assert heading(choose) == "Elija una nueva contraseña"
    done = client.post(
        "/recover/password/", {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    if done.status_code == 302:
        done = client.get(done["Location"])
    assert page_lang(done) == "es"
    assert heading(done) == "Se cambió su contraseña"
    assert [mail.subject for mail in mailoutbox] == [
        "Se cambió la contraseña de su cuenta de staffgate"
    ]
    assert mailoutbox[0].body.startswith("Hola, Pat:")


def test_help_form_in_spanish(client, mailoutbox):
    page = client.get("/help/?language=es")
    assert page_lang(page) == "es"
    assert heading(page) == "Formulario de ayuda técnica"
    labels = option_texts(page, "topic")
    assert labels["unlock"] == "Mi cuenta está bloqueada"
    assert "Nombre completo" in text(page)

    invalid = client.post("/help/", {"user_id": "1234567"})
    assert outcome_code(invalid) == "form.invalid"
    assert "Hay un problema" in text(invalid)
    assert "<title>Error: Formulario de ayuda técnica" in text(invalid)
    # Each empty field says what to do, never "This field is required".
    assert "Escriba su nombre completo" in text(invalid)
    assert "Elija en qué necesita ayuda" in text(invalid)
    assert "Este campo es obligatorio." not in text(invalid)

    sent = client.post(
        "/help/",
        {
            "user_id": "1234567",
            "full_name": "Pat Jones",
            "email": "pat.jones@example.org",
            "topic": "unlock",
            "message": "Mi cuenta está bloqueada.",
        },
    )
    assert outcome_code(sent) == "help.submitted"
    assert page_lang(sent) == "es"
    assert heading(sent) == "Solicitud de ayuda enviada"
    assert alert_text(sent).startswith("Su solicitud se envió a la mesa de ayuda.")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.startswith("Recibimos su solicitud de ayuda")
    assert mailoutbox[0].body.startswith("Hola, Pat Jones:")


def test_mail_is_plain_text_without_html_escapes(make_person, make_account, mailoutbox):
    from staffgate.core.mail import mail_account

    account = make_account(make_person(first_name='D\'Arcy & "Jo"'))
    mail_account(account, "registration_completed")
    assert 'D\'Arcy & "Jo"' in mailoutbox[0].body
    assert "&#x27;" not in mailoutbox[0].body and "&amp;" not in mailoutbox[0].body
