"""Forgot password with a code mailed to the account's verified address, where the operator
offers it (STAFFGATE_RECOVERY_METHODS): mail read back from the file mail folder.

Every ID gets the same pages and costs; only a verified address ever receives a code; each
wrong code is a strike of the recovery lock, as a wrong set of answers is.
"""

# The mail folder fixture is imported, and so named again by each test that takes it.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pyotp
import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from staffgate.accounts.models import AccessLock, Account
from staffgate.audit.models import AuditEvent
from staffgate.core import throttle, timeutil
from staffgate.factors.models import EmailCode
from tests.conftest import ANSWERS, PASSWORD, add_totp, field_codes, login, outcome_code
from tests.http import CountingVerify
from tests.integration.factors.test_secrets_at_rest import raw_dump
from tests.integration.test_mail_files import mail_folder, read_mail, subject_in  # noqa: F401
from tests.integration.test_mail_queue import run_worker

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Maple2026x"
RIGHT = {f"answer_{n}": answer for n, (_, answer) in enumerate(ANSWERS, start=1)}
WRONG = {"answer_1": "Rex the cat", "answer_2": "Montréal", "answer_3": "Civic 1998"}
SENT_TEXT = "If this User ID has a verified e-mail address, we have sent a 6-digit code to it."


@pytest.fixture
def both(settings):
    settings.STAFFGATE_RECOVERY_METHODS = ("questions", "email")


@pytest.fixture
def email_only(settings):
    settings.STAFFGATE_RECOVERY_METHODS = ("email",)


class Later:
    """The portal's clock, moved forward by hand."""

    def __init__(self, monkeypatch):
        self.offset = dt.timedelta()
        real = timeutil.now
        monkeypatch.setattr(timeutil, "now", lambda: real() + self.offset)

    def wait(self, **delta) -> None:
        self.offset += dt.timedelta(**delta)


@pytest.fixture
def later(monkeypatch):
    return Later(monkeypatch)


def kinds_to(folder, address: str) -> list[str]:
    return [str(m["X-Staffgate-Mail"]) for m in read_mail(folder) if str(m["To"]) == address]


def codes_to(folder, address: str) -> list[str]:
    """The recovery codes mailed to ``address``, oldest first."""
    return [
        re.search(r"\b\d{6}\b", m.get_content()).group()
        for m in read_mail(folder)
        if str(m["To"]) == address and str(m["X-Staffgate-Mail"]) == "recovery_code"
    ]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def ask_code(client, user_id: str):
    """The User ID, then "E-mail me a code instead" on the questions page."""
    assert client.post("/recover/", {"user_id": user_id})["Location"] == "/recover/questions/"
    response = client.post("/recover/email/", {"send": "1"})
    assert response["Location"] == "/recover/email/"
    return response


def type_code(client, code: str):
    return client.post("/recover/email/", {"code": code})


def choose(client, password=NEW_PASSWORD):
    return client.post(
        "/recover/password/", {"new_password": password, "confirm_password": password}
    )


def main_of(response) -> str:
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def tags() -> list[str]:
    return list(
        AuditEvent.objects.filter(tag__startswith="account:recover:")
        .order_by("id")
        .values_list("tag", flat=True)
    )


# --- The way through ------------------------------------------------------------------------


def test_a_verified_account_resets_its_password_with_a_mailed_code(
    both, client, make_account, mail_folder
):
    account = make_account(email="pat.jones@example.com")
    client.post("/recover/", {"user_id": account.user_id})
    questions = client.get("/recover/questions/").content.decode()
    assert 'action="/recover/email/"' in questions and "E-mail me a code instead" in questions
    ask_code(client, account.user_id)

    page = client.get("/recover/email/")
    text = main_of(page)
    assert SENT_TEXT in text and "Step 2 of 4" in text
    assert 'name="code"' in text
    assert 'autocomplete="one-time-code"' in text and 'inputmode="numeric"' in text
    assert "pat.jones" not in text and "example.com" not in text  # the address is never shown
    assert kinds_to(mail_folder, account.email) == ["recovery_code"]
    [message] = read_mail(mail_folder)
    assert account.user_id in message.get_content()
    [code] = codes_to(mail_folder, account.email)

    response = type_code(client, code)
    assert response["Location"] == "/recover/password/"
    password_page = client.get("/recover/password/").content.decode()
    assert "Your code is correct." in password_page and "Step 3 of 4" in password_page
    assert choose(client)["Location"] == "/recover/done/"
    assert client.get("/recover/done/").status_code == 200

    assert login(Client(), account.user_id, NEW_PASSWORD)["Location"] == "/"
    assert outcome_code(login(Client(), account.user_id, PASSWORD)) == "login.invalid"
    reset = [m for m in read_mail(mail_folder) if str(m["X-Staffgate-Mail"]) == "password_reset"]
    assert [str(m["To"]) for m in reset] == [account.email]
    assert "after a code mailed to this address" in reset[0].get_content()
    assert tags() == [
        "account:recover:code_asked",
        "account:recover:code_ok",
        "account:recover:reset",
    ]
    assert AuditEvent.objects.get(tag="account:recover:reset").detail["proof"] == "email_code"


def test_with_email_only_the_code_is_sent_straight_after_the_user_id(
    email_only, client, make_account, mail_folder
):
    account = make_account()
    start = client.get("/recover/").content.decode()
    assert "we will send a code to it" in start
    assert client.post("/recover/", {"user_id": account.user_id})["Location"] == "/recover/email/"
    assert SENT_TEXT in client.get("/recover/email/").content.decode()
    # No questions to fall back on: every other step leads to the code page.
    assert client.get("/recover/questions/")["Location"] == "/recover/email/"
    assert client.post("/recover/questions/", RIGHT)["Location"] == "/recover/email/"
    assert choose(client)["Location"] == "/recover/email/"
    page = client.get("/recover/email/").content.decode()
    assert "Answer your challenge questions instead" not in page
    [code] = codes_to(mail_folder, account.email)
    assert type_code(client, code)["Location"] == "/recover/password/"
    assert choose(client)["Location"] == "/recover/done/"
    assert login(Client(), account.user_id, NEW_PASSWORD)["Location"] == "/"


def test_the_mail_is_in_the_accounts_language(both, client, make_account, mail_folder):
    account = make_account(language="fr")
    client.get("/recover/?language=es")
    ask_code(client, account.user_id)
    [message] = read_mail(mail_folder)
    assert str(message["Content-Language"]) == "fr"
    assert str(message["Subject"]).strip() == subject_in("fr", "recovery_code")
    assert subject_in("fr", "recovery_code") != subject_in("en", "recovery_code")


def test_an_account_with_a_second_factor_passes_it_after_the_code(
    both, client, make_account, mail_folder
):
    account = make_account()
    key = add_totp(account)
    ask_code(client, account.user_id)
    [code] = codes_to(mail_folder, account.email)
    assert type_code(client, code)["Location"] == "/recover/factor/"
    # The mailed code is not the second factor: the new-password page stays closed.
    assert client.get("/recover/password/")["Location"] == "/recover/factor/"
    factor_page = client.get("/recover/factor/").content.decode()
    assert "Your code is correct." in factor_page and "Step 2 of 4" in factor_page
    assert outcome_code(client.post("/recover/factor/", {"code": code})) == "code.invalid"
    response = client.post("/recover/factor/", {"code": pyotp.TOTP(key).now()})
    assert response["Location"] == "/recover/password/"
    assert choose(client)["Location"] == "/recover/done/"
    lock = AccessLock.objects.get(user_id=account.user_id)
    assert lock.recovery_failures == 0 and lock.recovery_locked_at is None


def test_a_right_code_starts_the_series_again_and_wrong_factors_after_it_lock(
    both, client, make_account, mail_folder
):
    account = make_account()
    add_totp(account)
    ask_code(client, account.user_id)
    [code] = codes_to(mail_folder, account.email)
    assert outcome_code(type_code(client, wrong(code))) == "code.invalid"
    assert type_code(client, code)["Location"] == "/recover/factor/"
    assert outcome_code(client.post("/recover/factor/", {"code": "000000"})) == "code.invalid"
    # The right code cleared the series: two more wrong factors are needed for the lock.
    assert outcome_code(client.post("/recover/factor/", {"code": "111111"})) == "code.invalid"
    assert outcome_code(client.post("/recover/factor/", {"code": "222222"})) == "account.locked"
    assert outcome_code(login(Client(), account.user_id, PASSWORD)) == "account.locked"


def test_right_code_of_an_ineligible_person_is_told_no_access(
    both, client, make_person, make_account, mail_folder
):
    account = make_account(make_person(status="retired", retirement_plan=False))
    ask_code(client, account.user_id)
    [code] = codes_to(mail_folder, account.email)
    assert outcome_code(type_code(client, code)) == "login.not_eligible"
    assert client.get("/recover/password/")["Location"] == "/recover/"


# --- The lock -------------------------------------------------------------------------------


def test_three_wrong_codes_lock_the_account_and_login_too(both, client, make_account, mail_folder):
    account = make_account()
    ask_code(client, account.user_id)
    [code] = codes_to(mail_folder, account.email)
    first = type_code(client, wrong(code))
    assert outcome_code(first) == "code.invalid"
    assert "You have 2 more tries before your account is locked" in first.content.decode()
    assert 'name="code"' in main_of(first) and wrong(code) not in main_of(first)
    assert outcome_code(type_code(client, wrong(wrong(code)))) == "code.invalid"
    locked = type_code(client, wrong(code))
    assert outcome_code(locked) == "account.locked"
    assert "<form" not in main_of(locked)
    assert "too many failed attempts to recover the password" in main_of(locked)
    # Locked until the help desk: the right code, the answers and the password all fail.
    assert outcome_code(type_code(client, code)) == "account.locked"
    assert outcome_code(login(Client(), account.user_id, PASSWORD)) == "account.locked"
    again = Client()
    again.post("/recover/", {"user_id": account.user_id})
    assert outcome_code(again.post("/recover/questions/", RIGHT)) == "account.locked"
    # No code is mailed to a locked account; the lock mail says what happened.
    assert outcome_code(again.post("/recover/email/", {"send": "1"})) == "account.locked"
    assert kinds_to(mail_folder, account.email) == ["recovery_code", "account_locked"]
    lock_mail = read_mail(mail_folder)[-1].get_content()
    assert "The code mailed to reset the password" in lock_mail and code not in lock_mail

    lock = AccessLock.objects.get(user_id=account.user_id)
    assert lock.recovery_failures == 3 and lock.recovery_locked_at is not None
    assert AuditEvent.objects.filter(tag="account:recover:code_failure").count() == 2
    locked_event = AuditEvent.objects.get(tag="account:recover:locked")
    assert locked_event.detail["stage"] == "email_code"


def test_wrong_answers_and_wrong_codes_count_toward_one_lock(
    both, client, make_account, mail_folder
):
    account = make_account()
    client.post("/recover/", {"user_id": account.user_id})
    assert outcome_code(client.post("/recover/questions/", WRONG)) == "recover.invalid"
    client.post("/recover/email/", {"send": "1"})
    [code] = codes_to(mail_folder, account.email)
    assert outcome_code(type_code(client, wrong(code))) == "code.invalid"
    assert outcome_code(type_code(client, wrong(code))) == "account.locked"


# --- No enumeration -------------------------------------------------------------------------


def _id_of_kind(kind, make_person, make_account) -> str:
    return {
        "verified": lambda: make_account().user_id,
        "unverified": lambda: make_account(email_verified_at=None).user_id,
        "no_address": lambda: make_account(email="").user_id,
        "unregistered": lambda: make_person(email="roster@example.com").employee_id,
        "unknown": lambda: "9990001",
    }[kind]()


KINDS = ["verified", "unverified", "no_address", "unregistered", "unknown"]


def _page(response, user_id: str) -> str:
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", response.content.decode())
    return text.replace(user_id, "ID")


def _walk(client, user_id: str) -> list:
    """What a visitor sees asking for a code and typing wrong ones, to the lock."""
    seen = []
    started = client.post("/recover/", {"user_id": user_id})
    seen.append((started.status_code, started["Location"]))
    sent = client.post("/recover/email/", {"send": "1"})
    seen.append((sent.status_code, sent["Location"]))
    seen.append(_page(client.get("/recover/email/"), user_id))
    for typed in ("000000", "111111", "222222", "333333"):
        response = type_code(client, typed)
        seen.append((response.status_code, outcome_code(response), _page(response, user_id)))
    return seen


def test_every_kind_of_id_sees_the_same_pages_and_only_a_verified_address_gets_mail(
    both, make_person, make_account, mail_folder, monkeypatch
):
    # No code can be right by chance: every mailed code is 999999, never typed.
    monkeypatch.setattr("staffgate.factors.email_codes._new_code", lambda: "999999")
    ids = {kind: _id_of_kind(kind, make_person, make_account) for kind in KINDS}
    walks = {kind: _walk(Client(), user_id) for kind, user_id in ids.items()}
    expected = walks["verified"]
    assert [step[1] for step in expected[3:]] == [
        "code.invalid",
        "code.invalid",
        "account.locked",
        "account.locked",
    ]
    assert SENT_TEXT in expected[2]
    for kind, walk in walks.items():
        assert walk == expected, kind

    verified = Account.objects.get(user_id=ids["verified"])
    sent = {str(m["To"]): str(m["X-Staffgate-Mail"]) for m in read_mail(mail_folder)}
    codes = [m for m in read_mail(mail_folder) if str(m["X-Staffgate-Mail"]) == "recovery_code"]
    assert [str(m["To"]) for m in codes] == [verified.email]
    assert "roster@example.com" not in sent
    # Every ID locks the same way.
    for user_id in ids.values():
        assert AccessLock.objects.get(user_id=user_id).recovery_locked_at is not None


def _statements(client, method: str, path: str, data=None) -> list[str]:
    """The SQL of one request, its values left out."""
    with CaptureQueriesContext(connection) as captured:
        getattr(client, method)(path, data or {})
    shapes = []
    for query in captured:
        sql = query["sql"]
        if "SAVEPOINT" in sql:
            continue  # the test's own transaction wrapping
        sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
        shapes.append(re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql))
    return shapes


@pytest.mark.parametrize("kind", ["unverified", "no_address", "unregistered", "unknown"])
def test_asking_typing_and_locking_cost_the_same_statements_and_no_hash_for_every_id(
    both, settings, make_person, make_account, monkeypatch, kind
):
    # The production queue: the mail is a row written in the request, sent by the worker.
    settings.STAFFGATE_MAIL_TASK_BACKEND = "default"
    monkeypatch.setattr("staffgate.factors.email_codes._new_code", lambda: "999999")
    # The throttle prunes its table now and then, whatever the ID: not at these requests.
    monkeypatch.setattr(throttle, "random", SimpleNamespace(randrange=lambda n: 1))
    counter = CountingVerify(monkeypatch)
    costs = {}
    for name in ("verified", kind):
        client = Client()
        client.post("/recover/", {"user_id": _id_of_kind(name, make_person, make_account)})
        costs[name] = [
            _statements(client, "post", "/recover/email/", {"send": "1"}),
            _statements(client, "get", "/recover/email/"),
            # Wrong codes, the third setting the lock (and queueing its mail, or a decoy).
            *(
                _statements(client, "post", "/recover/email/", {"code": code})
                for code in ("000000", "111111", "222222")
            ),
        ]
    assert costs[kind] == costs["verified"]
    assert counter.count == 0


# --- The code itself ------------------------------------------------------------------------


def test_an_expired_code_is_refused_costs_no_try_and_a_new_one_works(
    both, client, make_account, mail_folder, later
):
    account = make_account()
    ask_code(client, account.user_id)
    [code] = codes_to(mail_folder, account.email)
    later.wait(minutes=10, seconds=1)
    response = type_code(client, code)
    assert outcome_code(response) == "code.expired"
    assert "Ask for a new code" in response.content.decode()
    assert not AccessLock.objects.filter(user_id=account.user_id, recovery_failures__gt=0)
    assert client.post("/recover/email/", {"send": "1"})["Location"] == "/recover/email/"
    old, new = codes_to(mail_folder, account.email)
    assert old == code
    assert type_code(client, new)["Location"] == "/recover/password/"


def test_a_code_works_once(both, client, make_account, mail_folder):
    account = make_account()
    ask_code(client, account.user_id)
    [code] = codes_to(mail_folder, account.email)
    assert type_code(client, code)["Location"] == "/recover/password/"
    # The flow has moved on: the code page sends back to where it is.
    assert type_code(client, code)["Location"] == "/recover/password/"
    assert choose(client)["Location"] == "/recover/done/"
    # A new flow: the old code is no longer any good, and typing it is a strike.
    again = Client()
    ask_code(again, account.user_id)
    assert outcome_code(type_code(again, code)) == "code.invalid"
    first = EmailCode.objects.filter(subject=account.user_id).order_by("pk").first()
    assert first.used_at is not None
    assert AccessLock.objects.get(user_id=account.user_id).recovery_failures == 1


def test_a_code_asked_in_one_browser_does_not_work_in_another(both, make_account, mail_folder):
    account = make_account()
    first, second = Client(), Client()
    ask_code(first, account.user_id)
    [code] = codes_to(mail_folder, account.email)
    second.post("/recover/", {"user_id": account.user_id})
    # No code was asked for in this flow: there is nothing to type it into.
    page = second.get("/recover/email/").content.decode()
    assert 'name="code"' not in page and 'name="send"' in page
    assert second.post("/recover/email/", {"code": code})["Location"] == "/recover/email/"
    assert second.get("/recover/password/")["Location"] == "/recover/questions/"


def test_sending_again_is_limited_and_replaces_the_code(
    both, client, make_account, mail_folder, later
):
    account = make_account()
    ask_code(client, account.user_id)
    client.post("/recover/email/", {"send": "1"})
    page = client.get("/recover/email/").content.decode()
    assert "No new code can be sent right now" in page
    assert len(codes_to(mail_folder, account.email)) == 1  # not twice within a minute
    later.wait(seconds=61)
    client.post("/recover/email/", {"send": "1"})
    assert "a new code is on its way" in client.get("/recover/email/").content.decode()
    first, second = codes_to(mail_folder, account.email)
    later.wait(seconds=61)
    client.post("/recover/email/", {"send": "1"})
    later.wait(seconds=61)
    client.post("/recover/email/", {"send": "1"})  # a fourth: refused
    assert len(codes_to(mail_folder, account.email)) == 3
    assert "No new code can be sent right now" in client.get("/recover/email/").content.decode()
    *_, last = codes_to(mail_folder, account.email)
    assert outcome_code(type_code(client, first)) == "code.invalid"  # replaced by the later
    assert type_code(client, last)["Location"] == "/recover/password/"


def test_starting_over_sends_at_most_three_codes_an_hour(both, make_account, mail_folder, later):
    account = make_account()
    for _ in range(4):
        ask_code(Client(), account.user_id)
        later.wait(minutes=1)
    assert len(codes_to(mail_folder, account.email)) == 3
    later.wait(hours=1)
    ask_code(Client(), account.user_id)
    assert len(codes_to(mail_folder, account.email)) == 4


@pytest.mark.parametrize(
    "typed, code",
    [("", "code.required"), ("12345", "code.format"), ("12ab56", "code.format"), ("9" * 200, None)],
)
def test_a_code_that_is_not_six_digits_is_a_form_error_and_costs_no_try(
    both, client, make_account, typed, code
):
    account = make_account()
    ask_code(client, account.user_id)
    response = type_code(client, typed)
    assert response.status_code == 200
    assert outcome_code(response) == "form.invalid"
    assert 'class="error-summary"' in response.content.decode()
    assert field_codes(response) and all(c.startswith("code.") for c in field_codes(response))
    if code:
        assert code in field_codes(response)
    assert not AccessLock.objects.filter(user_id=account.user_id).exists()


def test_the_code_is_kept_only_as_an_hmac_and_sealed_in_the_queue(
    both, settings, client, make_account, mail_folder
):
    settings.STAFFGATE_MAIL_TASK_BACKEND = "default"
    account = make_account()
    ask_code(client, account.user_id)
    assert codes_to(mail_folder, account.email) == []  # waiting for the worker
    run_worker()
    [code] = codes_to(mail_folder, account.email)
    stored = EmailCode.objects.values("subject", "purpose", "address", "digest")
    texts = [str(row) for row in stored] + [str(s.get_decoded()) for s in Session.objects.all()]
    texts += [str(row) for row in AuditEvent.objects.values("detail", "outcome")]
    assert texts and not any(code in text for text in texts)
    assert not re.search(rf"'{code}'", raw_dump())
    assert type_code(client, code)["Location"] == "/recover/password/"


# --- Only where the operator offers it ------------------------------------------------------


def test_with_only_the_questions_there_is_no_email_way(client, make_account, mail_folder):
    account = make_account()
    assert "e-mail" not in main_of(client.get("/recover/")).lower()
    client.post("/recover/", {"user_id": account.user_id})
    questions = client.get("/recover/questions/").content.decode()
    assert "/recover/email/" not in questions and "E-mail me a code" not in questions
    assert client.get("/recover/email/").status_code == 404
    assert client.post("/recover/email/", {"send": "1"}).status_code == 404
    assert client.post("/recover/email/", {"code": "123456"}).status_code == 404
    assert read_mail(mail_folder) == []
    assert not EmailCode.objects.exists()
    for _ in range(3):
        client.post("/recover/questions/", WRONG)
    locked = client.get("/recover/questions/").content.decode()
    assert "too many wrong answers to the challenge questions" in locked


# --- Concurrency over real HTTP -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_wrong_codes_give_two_invalid_and_the_rest_locked(
    both, live_server, make_account, monkeypatch
):
    from concurrent.futures import ThreadPoolExecutor

    from tests.http import outcome_of, post_form, session_cookie

    monkeypatch.setattr("staffgate.factors.email_codes._new_code", lambda: "999999")
    account = make_account()
    status, _, headers = post_form(live_server.url, "/recover/", {"user_id": account.user_id})
    assert status == 302
    session = session_cookie(headers)
    status, _, _ = post_form(live_server.url, "/recover/email/", {"send": "1"}, session)
    assert status == 302

    def wrong_code(n):
        status, page, _ = post_form(
            live_server.url, "/recover/email/", {"code": f"{n:06d}"}, session
        )
        assert status == 200
        return outcome_of(page)

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(wrong_code, range(20)))
    assert codes.count("code.invalid") == 2
    assert codes.count("account.locked") == 18
    # Only the three charged attempts compared a code.
    assert EmailCode.objects.get(subject=account.user_id).tries == 3
    lock = AccessLock.objects.get(user_id=account.user_id)
    assert lock.recovery_failures == 3 and lock.recovery_locked_at is not None
