"""Every security e-mail, read back from the file mail folder (EMAIL_URL=filemail:///…).

Each is sent once, to the right address, in the person's language, with no secret.
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from tests.conftest import AGENT_PASSWORD, ANSWERS, PASSWORD, login, pass_factor_step

pytestmark = pytest.mark.django_db

NEW = "Maple2026x"
NEWER = "Cedar2027y"
RIGHT = {f"answer_{n}": answer for n, (_, answer) in enumerate(ANSWERS, start=1)}
WRONG = {f"answer_{n}": answer + "!" for n, (_, answer) in enumerate(ANSWERS, start=1)}
QUESTIONS = {
    "question_1": "first_pet",
    "answer_1": "Rex the dog",
    "question_2": "birth_city",
    "answer_2": "Montréal",
    "question_3": "first_school",
    "answer_3": "Saint-Jean",
}


@pytest.fixture
def mail_folder(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return Path(settings.EMAIL_FILE_PATH)


def read_mail(folder: Path) -> list[email.message.EmailMessage]:
    """Every message in the folder, oldest first (the backend separates them with dashes)."""
    messages = []
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return messages


def code_in(message) -> str:
    """The 6-digit code of an e-mail code message."""
    assert str(message["X-Staffgate-Mail"]) == "email_code"
    return re.search(r"\b\d{6}\b", message.get_content()).group()


def subject_in(language: str, template: str) -> str:
    from staffgate.core.mail import render_mail

    with translation.override(language):
        return " ".join(render_mail(f"mail/{template}_subject.txt", {}).split())


def test_every_security_mail_is_sent_once_in_the_persons_language(
    mail_folder, make_person, pin_for, make_agent
):
    person = make_person(first_name="Élise", employee_id="OV000123456")
    pin = pin_for(person)
    browser = Client()

    # Registration, in French.
    login(browser, person.employee_id, pin, language="fr")
    browser.post("/register/terms/", {"agree": "1"})
    browser.post(
        "/register/contact/", {"email": "elise@example.com", "email_confirm": "elise@example.com"}
    )
    browser.post("/register/verify-email/", {"code": code_in(read_mail(mail_folder)[-1])})
    browser.post("/register/questions/", QUESTIONS)
    browser.post("/register/password/", {"new_password": NEW, "confirm_password": NEW})

    # Password changed, then e-mail changed, from the profile.
    browser.post(
        "/profile/password/",
        {"current_password": NEW, "new_password": NEWER, "confirm_password": NEWER},
    )
    browser.post(
        "/profile/email/",
        {
            "email": "elise.t@example.com",
            "email_confirm": "elise.t@example.com",
            "current_password": NEWER,
        },
    )
    browser.post("/profile/email/verify/", {"code": code_in(read_mail(mail_folder)[-1])})
    browser.post("/logout/")

    # Password reset through recovery.
    recovering = Client()
    recovering.post("/recover/", {"user_id": person.employee_id})
    answers = {f"answer_{n}": QUESTIONS[f"answer_{n}"] for n in (1, 2, 3)}
    recovering.post("/recover/questions/", answers)
    recovering.post("/recover/password/", {"new_password": NEW, "confirm_password": NEW})

    # Locked by three failed recoveries, then unlocked by the help desk.
    locker = Client()
    locker.post("/recover/", {"user_id": person.employee_id})
    for _ in range(3):
        locker.post("/recover/questions/", WRONG)
    filed = Client().post(
        "/help/",
        {
            "user_id": person.employee_id,
            "full_name": "Élise Tremblay",
            "email": "elise.t@example.com",
            "topic": "unlock",
            "message": "Je suis bloquée.",
        },
    )
    reference = re.search(r'data-reference="([^"]+)"', filed.content.decode()).group(1)
    make_agent("alice")
    agent = Client()
    pass_factor_step(
        agent,
        agent.post("/helpdesk/login/", {"username": "alice", "password": AGENT_PASSWORD}),
        "alice",
    )
    agent.post(f"/helpdesk/tickets/{reference}/unlock/", {"reason": "called back"})

    sent = read_mail(mail_folder)
    by_kind = {}
    for message in sent:
        by_kind.setdefault(str(message["X-Staffgate-Mail"]), []).append(message)

    expected = [
        ("registration_completed", ["elise@example.com"]),
        ("password_changed", ["elise@example.com"]),
        ("email_changed", ["elise@example.com", "elise.t@example.com"]),
        ("password_reset", ["elise.t@example.com"]),
        ("account_locked", ["elise.t@example.com"]),
        ("account_unlocked", ["elise.t@example.com"]),
    ]
    for kind, recipients in expected:
        messages = by_kind.get(kind, [])
        assert sorted(str(m["To"]) for m in messages) == sorted(recipients), kind
        french = subject_in("fr", kind)
        assert french != subject_in("en", kind), f"{kind} has no French subject"
        for message in messages:
            assert str(message["Subject"]).strip() == french
            assert str(message["Content-Language"]) == "fr"
    secrets = [pin, NEW, NEWER, PASSWORD, "Rex the dog", "Montréal", "Saint-Jean", "Je suis"]
    for message in sent:
        text = str(message["Subject"]) + message.get_content()
        for secret in secrets:
            assert secret not in text, f"{secret!r} in {message['Subject']}"
