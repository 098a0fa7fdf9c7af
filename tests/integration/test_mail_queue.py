"""Security e-mails go through the background queue: sealed, retried, never lost.

These tests use the database queue of production (the rest of the suite runs mails at
once) and run `staffgate worker --batch` as the worker would.
"""

from __future__ import annotations

import logging
import re
import time
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from staffgate.core import queue, timeutil
from staffgate.core.mail import deliver_mail, send_security_mail
from tests.conftest import ANSWERS, outcome_code
from tests.integration.factors.test_secrets_at_rest import raw_dump
from tests.smtp import SmtpRelay, free_port

pytestmark = pytest.mark.django_db

WRONG = {f"answer_{n}": answer + "!" for n, (_, answer) in enumerate(ANSWERS, start=1)}


@pytest.fixture
def database_queue(settings):
    settings.STAFFGATE_MAIL_TASK_BACKEND = "default"


def run_worker():
    """``staffgate worker --batch``: what is due now, in this test's transaction."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("worker", "--batch", verbosity=0)


def waiting_mails():
    return DBTaskResult.objects.filter(status="READY", task_path=deliver_mail.module_path)


def queue_table() -> str:
    """Every row of the queue's table, as the database returns it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(DBTaskResult._meta.db_table)}")  # noqa: S608
        return "\n".join(repr(row) for row in cursor.fetchall())


def lock_by_recovery(user_id: str) -> None:
    browser = Client()
    browser.post("/recover/", {"user_id": user_id})
    for _ in range(3):
        browser.post("/recover/questions/", WRONG)


def test_the_lock_mail_waits_in_the_queue_sealed_and_the_worker_sends_it(
    database_queue, make_account
):
    account = make_account(email="pat.sealed@example.com")
    lock_by_recovery(account.user_id)
    assert mail.outbox == []  # nothing was sent inside the request
    [row] = waiting_mails()
    stored = queue_table()
    assert "pat.sealed" not in stored and "account_locked" not in stored

    run_worker()
    [message] = mail.outbox
    assert message.to == ["pat.sealed@example.com"]
    assert message.extra_headers["X-Staffgate-Mail"] == "account_locked"
    assert not waiting_mails().exists()


def test_a_decoy_is_queued_sealed_like_a_mail_and_the_worker_sends_nothing(database_queue):
    context = {"code": "123456", "minutes": 10, "user_id": "0112233"}
    assert send_security_mail(
        "recovery_code", "pat.nobody@example.com", language="en", context=context, decoy=True
    )
    [row] = waiting_mails()
    stored = queue_table()
    assert "pat.nobody" not in stored and "123456" not in stored

    run_worker()
    assert mail.outbox == []
    assert not waiting_mails().exists()


def test_the_email_code_is_in_no_table_while_queued_nor_after(database_queue, make_person, pin_for):
    person = make_person()
    browser = Client()
    browser.post("/login/", {"user_id": person.employee_id, "password": pin_for(person)})
    browser.post("/register/terms/", {"agree": "1"})
    address = "pat.code@example.com"
    browser.post("/register/contact/", {"email": address, "email_confirm": address})
    assert waiting_mails().count() == 1
    queued, dump_while_queued = queue_table(), raw_dump()
    assert address not in queued
    run_worker()
    [message] = mail.outbox
    code = re.search(r"\b\d{6}\b", message.body).group()
    for dump in (dump_while_queued, raw_dump()):
        # Quoted, or in the text of the mail (timestamps' microseconds are six digits too).
        assert not re.search(rf"['\"]{code}['\"]|code\W+{code}|:\s{code}|{code}\s", dump)
    # The code works: what was queued is what arrived.
    response = browser.post("/register/verify-email/", {"code": code})
    assert outcome_code(response) == "email.verified"


def test_a_mail_waits_while_the_mail_server_is_down_and_arrives_when_it_is_back(
    database_queue, settings, make_account, caplog
):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    account = make_account(email="pat.down@example.com")
    lock_by_recovery(account.user_id)

    with caplog.at_level(logging.WARNING, logger="staffgate.core.mail"):
        run_worker()  # nobody listens on the port: booked again, later
    [retry] = waiting_mails()
    assert retry.run_after > timeutil.now()
    assert retry.args_kwargs["args"][-1] == 2  # the second attempt
    assert "tried again later" in caplog.text and "pat.down" not in caplog.text

    run_worker()  # not due yet: nothing happens
    assert waiting_mails().count() == 1
    # Time passes; the mail server is back.
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timeutil.now())
    with SmtpRelay(port) as relay:
        run_worker()
        assert relay.arrived.wait(5)
        assert relay.kinds_to("pat.down@example.com") == ["account_locked"]
    assert not waiting_mails().exists()


def test_after_the_last_attempt_the_queue_gives_up_and_says_so_without_the_address(
    settings, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.STAFFGATE_MAIL_TASK_BACKEND = "default"
    send_security_mail(
        "email_code", "pat.gone@example.com", language="en", context={"code": "123456"}
    )
    [row] = waiting_mails()
    payload = row.args_kwargs["args"][0]
    with caplog.at_level(logging.WARNING, logger="staffgate.core.mail"):
        result = deliver_mail.call(payload, queue.MAX_ATTEMPTS)
    assert result == "gave_up"
    assert waiting_mails().count() == 1  # only the first, never run: nothing booked again
    assert "gave up on a email_code mail after 20 attempts" in caplog.text
    assert "pat.gone" not in caplog.text and "123456" not in caplog.text


def test_the_mail_is_queued_in_the_transaction_of_the_event(database_queue, make_account):
    from django.db import transaction

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            send_security_mail("account_locked", "x@example.com", language="en", context={})
            assert waiting_mails().count() == 1
            raise RuntimeError("the event does not happen")
    assert not waiting_mails().exists()


ONE_ACCOUNT = """
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from staffgate.accounts.models import Account, ChallengeAnswer
from staffgate.roster.models import Person

now = timezone.now()
person = Person.objects.create(
    employee_id="2400001", first_name="Pat", last_name="Jones", birth_year=1970,
    country="US", status="active", retirement_plan=False,
)
account = Account.objects.create(
    person=person, user_id="2400001", password=make_password("Sunny2day"),
    email="pat.back@example.com", email_verified_at=now, language="en",
    terms_version="2026-01", terms_accepted_at=now, registered_at=now, password_changed_at=now,
)
for position, key in enumerate(("first_pet", "birth_city", "first_car"), start=1):
    ChallengeAnswer.objects.create(
        account=account, position=position, question_key=key,
        answer_hash=make_password(f"right answer {position}"),
    )
"""


@pytest.mark.sqlite_portal
def test_a_live_worker_sends_the_lock_mail_once_the_mail_server_is_back(tmp_path):
    import requests

    from tests.served import served

    port = free_port()
    with served(tmp_path, worker=True, EMAIL_URL=f"smtp://127.0.0.1:{port}") as portal:
        portal.manage("shell", "-c", ONE_ACCOUNT)
        base = f"http://127.0.0.1:{portal.port}"
        with requests.Session() as browser:  # the mail server is down
            page = browser.get(f"{base}/recover/", timeout=30)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
            browser.post(
                f"{base}/recover/",
                data={"csrfmiddlewaretoken": token, "user_id": "2400001"},
                timeout=30,
            )
            for _ in range(3):
                locked = browser.post(
                    f"{base}/recover/questions/",
                    data={"csrfmiddlewaretoken": token, **WRONG},
                    timeout=30,
                )
        assert 'data-code="account.locked"' in locked.text
        # The worker tries, fails and books the next attempt; the server comes back.
        deadline = time.monotonic() + 30
        while "tried again later" not in portal.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "tried again later" in portal.log.read_text()
        with SmtpRelay(port) as relay:
            assert relay.arrived.wait(60), portal.log.read_text()[-2000:]
            assert relay.kinds_to("pat.back@example.com") == ["account_locked"]
        assert "pat.back" not in portal.log.read_text()


def test_rotating_the_field_keys_keeps_queued_mails_readable(database_queue, settings):
    import io

    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.STAFFGATE_FIELD_KEYS = [old]
    send_security_mail("account_locked", "pat.rot@example.com", language="en", context={})
    settings.STAFFGATE_FIELD_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "1 queued e-mail(s) re-encrypted" in out.getvalue()
    settings.STAFFGATE_FIELD_KEYS = [new]  # the old key is gone
    run_worker()
    assert [m.to for m in mail.outbox] == [["pat.rot@example.com"]]
