"""Fixtures shared by the integration tests: roster people and registered accounts."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.servers.basehttp import ThreadedWSGIServer
from django.utils import timezone

from staffgate.accounts.models import Account, ChallengeAnswer
from staffgate.roster.models import Person
from staffgate.roster.pin import pin_of

# The live server's listen queue must hold a burst of parallel requests, as gunicorn's does;
# socketserver's default of 5 resets connections under load.
ThreadedWSGIServer.request_queue_size = 256

PASSWORD = "Sunny2day"
# The date before a lock's end time, as pages show it when the lock ends on another day
# than today (near midnight in the zone shown): "Dec. 2, 2026", "2 décembre 2026"…
ANOTHER_DAY = {
    "en": r"(?:\w+\.? \d{1,2}, \d{4} )?",
    "fr": r"(?:\d{1,2} \w+ \d{4} )?",
    "es": r"(?:\d{1,2} de \w+ de \d{4} )?",
}
ANSWERS = [("first_pet", "Rex the dog"), ("birth_city", "Montréal"), ("first_car", "Civic 1998")]
_ids = itertools.count(1)


@pytest.fixture
def make_person(db):
    """Create a roster person; eligible (active, US) unless told otherwise."""

    def make(**fields) -> Person:
        number = next(_ids)
        defaults = {
            "employee_id": f"{1000000 + number:07d}",
            "first_name": "Pat",
            "last_name": "Jones",
            "birth_year": 1959,
            "country": "US",
            "status": "active",
            "retirement_plan": False,
        }
        defaults.update(fields)
        return Person.objects.create(**defaults)

    return make


@pytest.fixture
def make_account(make_person):
    """Create a registered account with ``PASSWORD`` and the three ``ANSWERS``."""

    def make(person: Person | None = None, password: str = PASSWORD, **fields) -> Account:
        person = person or make_person()
        now = timezone.now()
        account = Account.objects.create(
            person=person,
            user_id=person.employee_id,
            password=make_password(password),
            email=fields.pop("email", f"{person.employee_id.lower()}@example.com"),
            # Registered through the wizard, whose code proved the address.
            email_verified_at=fields.pop("email_verified_at", now),
            language=fields.pop("language", "en"),
            terms_version="2026-01",
            terms_accepted_at=now,
            registered_at=now,
            password_changed_at=now,
            **fields,
        )
        for position, (key, answer) in enumerate(ANSWERS, start=1):
            ChallengeAnswer.objects.create(
                account=account,
                position=position,
                question_key=key,
                answer_hash=make_password(answer),
            )
        return account

    return make


AGENT_PASSWORD = "Desk-agent-2026!"


# The authenticator-app keys of this test run's accounts, by User ID (a phone, in effect).
TOTP_KEYS: dict[str, str] = {}


def add_totp(account: Account) -> str:
    """Give ``account`` a confirmed authenticator app; return its base32 key."""
    from staffgate.factors import crypto, totp
    from staffgate.factors.models import TotpFactor

    key = totp.new_key()
    TotpFactor.objects.create(
        user=account, name="Phone", confirmed=True, encrypted_key=crypto.encrypt(key)
    )
    TOTP_KEYS[account.user_id] = totp.base32_key(key)
    return TOTP_KEYS[account.user_id]


def pass_factor_step(client, response, user_id: str):
    """After a right password, type the app's current code when the portal asks for it."""
    import pyotp

    from staffgate.factors.models import TotpFactor

    if response.status_code != 302 or response["Location"] != "/login/verify/":
        return response
    # Each login of a test uses a fresh code: the step of the last one is forgotten.
    TotpFactor.objects.filter(user__user_id=user_id).update(last_t=-1)
    return client.post("/login/verify/", {"code": pyotp.TOTP(TOTP_KEYS[user_id]).now()})


@pytest.fixture
def make_agent(db):
    """A help-desk agent (with an authenticator app, which agents must have)."""

    def make(username="alice", *, agent=True, factor=True, **fields) -> Account:
        user = Account.objects.create_user(username, password=AGENT_PASSWORD, **fields)
        if agent:
            user.user_permissions.add(Permission.objects.get(codename="act_on_tickets"))
        user.totp_key = add_totp(user) if factor else None
        return user

    return make


@pytest.fixture
def pin_for():
    return pin_of


def outcome_code(response) -> str | None:
    """The ``data-code`` of the page's outcome alert, if any."""
    match = re.search(r'role="alert" data-code="([^"]+)"', response.content.decode())
    return match.group(1) if match else None


def field_codes(response) -> list[str]:
    """The ``data-code`` values of every field error on the page."""
    return re.findall(r'class="field-error"[^>]*data-code="([^"]+)"', response.content.decode())


def mailed_code(to: str | None = None) -> str:
    """The last e-mail code sent (to ``to``, when given), read from the test outbox."""
    from django.core import mail

    for message in reversed(mail.outbox):
        if message.extra_headers.get("X-Staffgate-Mail") == "email_code" and (
            to is None or to in message.to
        ):
            return re.search(r"\b\d{6}\b", message.body).group()
    raise AssertionError("no e-mail code was sent")


def confirm_email(client, to: str | None = None):
    """Type back, on the registration wizard's page, the code just mailed."""
    response = client.post("/register/verify-email/", {"code": mailed_code(to)})
    assert outcome_code(response) == "email.verified"
    return response


def walk_wizard_after_pin(client, email: str, password: str = "Maple2026x"):
    """Terms, contact (the address confirmed by its code), questions and password, after a
    PIN login; the response to the password step."""
    client.post("/register/terms/", {"agree": "1"})
    client.post("/register/contact/", {"email": email, "email_confirm": email, "app_id": ""})
    confirm_email(client)
    client.post(
        "/register/questions/",
        {
            "question_1": "first_pet",
            "answer_1": "Rex the dog",
            "question_2": "birth_city",
            "answer_2": "Montreal",
            "question_3": "first_car",
            "answer_3": "Civic 1998",
        },
    )
    return client.post(
        "/register/password/", {"new_password": password, "confirm_password": password}
    )


def login(client, user_id, password, **extra):
    return client.post("/login/", {"user_id": user_id, "password": password, **extra})


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)
