"""Forgot password end to end: answers, the recovery lock, no enumeration."""

from __future__ import annotations

import datetime as dt
import html
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client
from django.utils import timezone, translation

from staffgate.accounts.models import AccessLock, Account, AccountSession
from staffgate.accounts.questions import QUESTIONS
from staffgate.accounts.services import unlock_account
from staffgate.audit.models import AuditEvent
from staffgate.core import mail as core_mail
from staffgate.core import timeutil
from tests.conftest import ANSWERS, PASSWORD, field_codes, login, outcome_code
from tests.http import CountingVerify, outcome_of, post_form, session_cookie

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Maple2026x"
RIGHT = {f"answer_{n}": answer for n, (_, answer) in enumerate(ANSWERS, start=1)}
WRONG = {"answer_1": "Rex the cat", "answer_2": "Montréal", "answer_3": "Civic 1998"}
QUESTION_TEXT = {str(text): key for key, text in QUESTIONS.items()}


def start(client, user_id):
    response = client.post("/recover/", {"user_id": user_id})
    assert response.status_code == 302
    assert response["Location"] == "/recover/questions/"
    return response


def answer(client, answers):
    return client.post("/recover/questions/", answers)


def choose(client, password=NEW_PASSWORD, confirm=None):
    return client.post(
        "/recover/password/",
        {"new_password": password, "confirm_password": password if confirm is None else confirm},
    )


def recover(client, user_id, password=NEW_PASSWORD):
    start(client, user_id)
    assert answer(client, RIGHT)["Location"] == "/recover/password/"
    return choose(client, password)


def shown_questions(response) -> list[str]:
    """The question keys the page asks, in order (read from the field labels)."""
    labels = re.findall(r'<label for="id_answer_\d">([^<]+)</label>', response.content.decode())
    return [QUESTION_TEXT[html.unescape(label)] for label in labels]


def form_fields(response) -> list[str]:
    names = re.findall(r'<input[^>]* name="([^"]+)"', response.content.decode())
    return [name for name in names if name != "csrfmiddlewaretoken"]


# --- The happy path --------------------------------------------------------------------------


def test_full_recovery_sets_the_password_ends_sessions_and_mails_once(
    client, make_account, mailoutbox
):
    account = make_account(email="pat.jones@example.com")
    elsewhere = Client()
    assert login(elsewhere, account.user_id, PASSWORD).status_code == 302
    other = Client()
    login(other, account.user_id, "Wrong1pass")
    login(other, account.user_id, "Wrong1pass")
    before = account.password_changed_at

    start(client, account.user_id)
    assert outcome_code(answer(client, WRONG)) == "recover.invalid"
    assert answer(client, RIGHT)["Location"] == "/recover/password/"
    page = client.get("/recover/password/")
    assert page.status_code == 200
    assert form_fields(page) == ["new_password", "confirm_password"]
    response = choose(client)
    assert response["Location"] == "/recover/done/"

    done = client.get("/recover/done/")
    assert done.status_code == 200
    assert 'href="/login/"' in done.content.decode()
    assert client.get("/")["Location"].startswith("/login/")  # not logged in by the reset

    assert elsewhere.get("/").status_code == 302  # the other session has ended
    assert not AccountSession.objects.filter(account=account).exists()
    lock = AccessLock.objects.get(user_id=account.user_id)
    assert (lock.login_failures, lock.recovery_failures) == (0, 0)
    assert lock.locked_until is None and lock.recovery_locked_at is None
    assert Account.objects.get(pk=account.pk).password_changed_at > before

    fresh = Client()
    assert outcome_code(login(fresh, account.user_id, PASSWORD)) == "login.invalid"
    assert login(fresh, account.user_id, NEW_PASSWORD)["Location"] == "/"

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["pat.jones@example.com"]
    assert message.subject == "Your staffgate password was changed"
    assert account.user_id in message.body
    for secret in [NEW_PASSWORD, PASSWORD, *RIGHT.values()]:
        assert secret not in message.body and secret not in message.subject
    tags = list(
        AuditEvent.objects.filter(tag__startswith="account:recover:")
        .order_by("id")
        .values_list("tag", flat=True)
    )
    assert tags == [
        "account:recover:failure",
        "account:recover:answers_ok",
        "account:recover:reset",
    ]


def test_the_reset_mail_is_written_in_the_account_language(client, make_account, monkeypatch):
    account = make_account(language="fr")
    rendered_in = []
    original = core_mail.render_mail

    def spy(template, context):
        rendered_in.append((template, translation.get_language()))
        return original(template, context)

    monkeypatch.setattr(core_mail, "render_mail", spy)
    client.get("/recover/?language=es")
    recover(client, account.user_id)
    assert rendered_in == [
        ("mail/password_reset_subject.txt", "fr"),
        ("mail/password_reset.txt", "fr"),
    ]


def test_the_done_page_is_shown_once_and_the_flow_cannot_be_replayed(client, make_account):
    account = make_account()
    recover(client, account.user_id)
    assert client.get("/recover/done/").status_code == 200
    assert client.get("/recover/done/")["Location"] == "/recover/"
    assert choose(client, "Other2026x")["Location"] == "/recover/"
    assert login(Client(), account.user_id, NEW_PASSWORD).status_code == 302


def test_a_logged_in_person_can_recover_from_the_same_browser(client, make_account):
    account = make_account()
    login(client, account.user_id, PASSWORD)
    assert recover(client, account.user_id)["Location"] == "/recover/done/"
    assert client.get("/recover/done/").status_code == 200
    assert client.get("/").status_code == 302


# --- Answers ---------------------------------------------------------------------------------


def test_the_page_asks_the_persons_own_questions_in_order(client, make_account):
    account = make_account()
    start(client, account.user_id)
    page = client.get("/recover/questions/")
    assert shown_questions(page) == [key for key, _ in ANSWERS]


def test_answers_are_trimmed_but_case_sensitive(client, make_account):
    account = make_account()
    start(client, account.user_id)
    shouted = {name: value.upper() for name, value in RIGHT.items()}
    assert outcome_code(answer(client, shouted)) == "recover.invalid"
    padded = {name: f"  {value}\t " for name, value in RIGHT.items()}
    assert answer(client, padded)["Location"] == "/recover/password/"


def test_one_wrong_answer_out_of_three_fails(client, make_account):
    account = make_account()
    start(client, account.user_id)
    response = answer(client, {**RIGHT, "answer_3": "Civic 1999"})
    assert response.status_code == 200
    assert outcome_code(response) == "recover.invalid"
    assert "Civic 1999" not in response.content.decode()  # answers are never echoed back


def test_user_id_is_normalised(client, make_person, make_account):
    account = make_account(make_person(employee_id="OV000123456"))
    start(client, "  ov000123456 ")
    assert answer(client, RIGHT)["Location"] == "/recover/password/"
    assert choose(client)["Location"] == "/recover/done/"
    assert login(Client(), account.user_id, NEW_PASSWORD).status_code == 302


# --- The recovery lock -----------------------------------------------------------------------


def test_third_wrong_set_of_answers_locks_login_too(client, make_account, mailoutbox):
    account = make_account()
    start(client, account.user_id)
    codes = [outcome_code(answer(client, WRONG)) for _ in range(4)]
    assert codes == ["recover.invalid", "recover.invalid", "account.locked", "account.locked"]
    locked = answer(client, WRONG).content.decode()
    # The lock page leads to the help form with the User ID filled in, and asks nothing more.
    help_link = f'href="/help/?topic=unlock&amp;user_id={account.user_id}"'
    assert help_link in locked.split('role="alert"')[1].split("</div>")[0]
    main = locked.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<form" not in main and "Step 2 of" not in main and 'name="answer_1"' not in main
    again = client.get("/recover/questions/").content.decode()
    assert 'name="answer_1"' not in again and "Step 2 of" not in again
    prefilled = client.get(f"/help/?topic=unlock&user_id={account.user_id}").content.decode()
    assert f'name="user_id" value="{account.user_id}"' in prefilled
    assert outcome_code(answer(client, RIGHT)) == "account.locked"
    assert outcome_code(login(Client(), account.user_id, PASSWORD)) == "account.locked"

    assert [m.subject for m in mailoutbox] == ["Your staffgate account is locked"]
    assert mailoutbox[0].to == [account.email]
    assert "WRONG" not in mailoutbox[0].body and WRONG["answer_1"] not in mailoutbox[0].body
    assert AuditEvent.objects.filter(tag="account:recover:locked").count() == 1
    assert AuditEvent.objects.filter(tag="account:recover:failure").count() == 2
    assert AuditEvent.objects.filter(tag="account:recover:refused").count() == 3


def test_the_recovery_lock_never_ends_by_itself(client, make_account, monkeypatch):
    account = make_account()
    start(client, account.user_id)
    for _ in range(3):
        answer(client, WRONG)
    later = timezone.now() + dt.timedelta(days=45)
    monkeypatch.setattr(timeutil, "now", lambda: later)
    assert outcome_code(login(Client(), account.user_id, PASSWORD)) == "account.locked"
    again = Client()
    start(again, account.user_id)
    assert outcome_code(answer(again, RIGHT)) == "account.locked"


def test_the_help_desk_unlock_lifts_the_recovery_lock(client, make_account):
    account = make_account()
    start(client, account.user_id)
    for _ in range(3):
        answer(client, WRONG)
    assert unlock_account(account.user_id, actor="helpdesk:test", reason="caller verified")
    assert outcome_code(answer(client, WRONG)) == "recover.invalid"
    assert answer(client, RIGHT)["Location"] == "/recover/password/"
    assert login(Client(), account.user_id, PASSWORD).status_code == 302


def test_right_answers_on_the_last_allowed_attempt_still_work(client, make_account):
    account = make_account()
    start(client, account.user_id)
    answer(client, WRONG)
    answer(client, WRONG)
    assert answer(client, RIGHT)["Location"] == "/recover/password/"
    assert login(Client(), account.user_id, PASSWORD).status_code == 302
    again = Client()
    start(again, account.user_id)
    codes = [outcome_code(answer(again, WRONG)) for _ in range(2)]
    assert codes == ["recover.invalid", "recover.invalid"]  # the series started again


def test_a_successful_login_resets_the_recovery_count(client, make_account):
    account = make_account()
    start(client, account.user_id)
    answer(client, WRONG)
    answer(client, WRONG)
    assert login(Client(), account.user_id, PASSWORD).status_code == 302
    assert outcome_code(answer(client, WRONG)) == "recover.invalid"


@pytest.mark.parametrize("limit", [1, 5])
def test_the_number_of_failures_comes_from_settings(client, make_account, settings, limit):
    settings.STAFFGATE_RECOVERY_MAX_FAILURES = limit
    account = make_account()
    start(client, account.user_id)
    codes = [outcome_code(answer(client, WRONG)) for _ in range(limit + 1)]
    assert codes == ["recover.invalid"] * (limit - 1) + ["account.locked"] * 2


def test_a_lock_set_after_the_answers_stops_the_reset(client, make_account):
    account = make_account()
    start(client, account.user_id)
    assert answer(client, RIGHT)["Location"] == "/recover/password/"
    attacker = Client()
    start(attacker, account.user_id)
    for _ in range(3):
        answer(attacker, WRONG)
    response = choose(client)
    assert outcome_code(response) == "account.locked"
    assert login(Client(), account.user_id, NEW_PASSWORD).status_code == 200
    assert AccessLock.objects.get(user_id=account.user_id).recovery_locked_at is not None


def test_locking_an_account_without_email_sends_nothing(client, make_account, mailoutbox):
    account = make_account(email="")
    start(client, account.user_id)
    for _ in range(3):
        answer(client, WRONG)
    assert mailoutbox == []


# --- No enumeration --------------------------------------------------------------------------


def _id_of_kind(kind, make_person, make_account) -> str:
    return {
        "unknown": lambda: "9990001",
        "unregistered": lambda: make_person().employee_id,
        "registered": lambda: make_account().user_id,
        "registered_not_eligible": lambda: make_account(make_person(country="FR")).user_id,
    }[kind]()


KINDS = ["unknown", "unregistered", "registered", "registered_not_eligible"]


def _walk(client, user_id) -> list:
    """What a visitor sees: status codes, form fields and outcome codes of the whole flow."""
    seen = []
    first = client.get("/recover/")
    seen.append((first.status_code, form_fields(first)))
    started = client.post("/recover/", {"user_id": user_id})
    seen.append((started.status_code, started["Location"]))
    page = client.get("/recover/questions/")
    seen.append((page.status_code, form_fields(page), len(set(shown_questions(page)))))
    assert "If you never registered, you don't need this" in page.content.decode()
    for _ in range(4):
        response = answer(client, WRONG)
        seen.append((response.status_code, form_fields(response), outcome_code(response)))
    skipped = client.get("/recover/password/")
    seen.append((skipped.status_code, skipped["Location"]))
    return seen


def test_every_kind_of_id_sees_the_same_pages_and_locks_the_same_way(make_person, make_account):
    walks = {kind: _walk(Client(), _id_of_kind(kind, make_person, make_account)) for kind in KINDS}
    expected = walks["registered"]
    assert [code for *_, code in expected[3:7]] == [
        "recover.invalid",
        "recover.invalid",
        "account.locked",
        "account.locked",
    ]
    assert expected[2][1] == ["answer_1", "answer_2", "answer_3"]
    for kind, walk in walks.items():
        assert walk == expected, kind


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_id_costs_three_hashes_and_a_locked_one_none(
    client, make_person, make_account, monkeypatch, kind
):
    user_id = _id_of_kind(kind, make_person, make_account)
    start(client, user_id)
    counter = CountingVerify(monkeypatch)
    answer(client, WRONG)
    assert counter.count == 3
    answer(client, WRONG)
    answer(client, WRONG)
    assert counter.count == 9
    answer(client, WRONG)
    assert counter.count == 9


@pytest.mark.parametrize("kind", ["unknown", "unregistered"])
def test_decoy_questions_are_stable_for_an_id(make_person, make_account, kind):
    user_id = _id_of_kind(kind, make_person, make_account)
    visits = []
    for _ in range(2):
        client = Client()
        start(client, user_id)
        visits.append(shown_questions(client.get("/recover/questions/")))
    start(client, user_id.lower())
    visits.append(shown_questions(client.get("/recover/questions/")))
    assert visits[0] == visits[1] == visits[2]
    assert len(set(visits[0])) == 3


def test_decoy_questions_differ_between_ids(client):
    seen = set()
    for n in range(8):
        start(client, f"55500{n:02d}")
        seen.add(tuple(shown_questions(client.get("/recover/questions/"))))
    assert len(seen) >= 4


def test_right_answers_of_an_ineligible_person_are_told_no_access(
    client, make_person, make_account
):
    account = make_account(make_person(status="retired", retirement_plan=False))
    start(client, account.user_id)
    response = answer(client, RIGHT)
    assert outcome_code(response) == "login.not_eligible"
    assert client.get("/recover/password/")["Location"] == "/recover/"
    assert outcome_code(login(Client(), account.user_id, PASSWORD)) == "login.not_eligible"


def test_answers_of_another_persons_questions_never_pass_for_a_decoy(client, make_person):
    person = make_person()
    start(client, person.employee_id)
    assert outcome_code(answer(client, RIGHT)) == "recover.invalid"


# --- Steps and bad input ---------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/recover/questions/", "/recover/password/", "/recover/done/"])
def test_later_steps_need_the_first_one(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "/recover/"


@pytest.mark.parametrize("url", ["/recover/password/", "/recover/done/"])
def test_steps_cannot_be_skipped(client, make_account, url):
    account = make_account()
    start(client, account.user_id)
    assert client.get(url)["Location"] == "/recover/questions/"
    answer(client, WRONG)
    assert client.get(url)["Location"] == "/recover/questions/"
    response = choose(client)
    assert response["Location"] == "/recover/questions/"
    assert login(Client(), account.user_id, PASSWORD).status_code == 302


def test_the_password_page_closes_after_ten_minutes(client, make_account):
    account = make_account()
    start(client, account.user_id)
    answer(client, RIGHT)
    session = client.session
    session["staffgate.recovery"]["answered_at"] -= 601
    session.save()
    response = choose(client)
    assert response["Location"] == "/recover/"
    assert client.get("/recover/password/")["Location"] == "/recover/"
    assert login(Client(), account.user_id, PASSWORD).status_code == 302


def test_the_questions_page_expires_with_the_idle_time(client, make_account, settings):
    settings.STAFFGATE_SESSION_IDLE_SECONDS = 60
    account = make_account()
    start(client, account.user_id)
    session = client.session
    session["staffgate.recovery"]["started_at"] -= 61
    session.save()
    assert answer(client, RIGHT)["Location"] == "/recover/"
    assert "This page has expired" in client.get("/recover/").content.decode()


def test_the_session_key_changes_when_the_flow_starts_and_after_right_answers(client, make_account):
    account = make_account()
    client.get("/recover/")
    first = client.session.session_key
    start(client, account.user_id)
    second = client.session.session_key
    answer(client, RIGHT)
    assert len({first, second, client.session.session_key}) == 3


@pytest.mark.parametrize(
    "user_id, code",
    [("", "user_id.required"), ("A" * 10_000, "user_id.max_length"), ("12\x0034", None)],
)
def test_bad_user_id_is_a_form_error(client, user_id, code):
    response = client.post("/recover/", {"user_id": user_id})
    assert response.status_code == 200
    assert outcome_code(response) == "form.invalid"
    if code:
        assert code in field_codes(response)
    assert client.get("/recover/questions/")["Location"] == "/recover/"


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "x" * 10_000, "Rex\x00the dog"],
    ids=["empty", "blank", "huge", "nul"],
)
@pytest.mark.parametrize("kind", ["unknown", "registered"])
def test_bad_answers_are_form_errors_and_cost_no_attempt(
    client, make_person, make_account, bad, kind
):
    user_id = _id_of_kind(kind, make_person, make_account)
    start(client, user_id)
    response = answer(client, {**RIGHT, "answer_2": bad})
    assert response.status_code == 200
    assert outcome_code(response) == "form.invalid"
    assert field_codes(response) and all(c.startswith("answer_2.") for c in field_codes(response))
    assert not AccessLock.objects.filter(user_id=user_id).exists()


def test_missing_fields_are_form_errors(client, make_account):
    account = make_account()
    start(client, account.user_id)
    response = client.post("/recover/questions/", {})
    assert outcome_code(response) == "form.invalid"
    assert sorted(field_codes(response)) == [
        "answer_1.required",
        "answer_2.required",
        "answer_3.required",
    ]


@pytest.mark.parametrize(
    "password, confirm, code",
    [
        ("short1", None, "password.too_short"),
        (PASSWORD, None, "password.same_as_current"),
        ("Maple2026x", "Maple2026y", "password.mismatch"),
        ("", None, "new_password.required"),
        ("Maple\x002026", None, "new_password.null_characters_not_allowed"),
        ("x1" * 5000, None, "new_password.max_length"),
    ],
)
def test_the_new_password_follows_the_policy(client, make_account, password, confirm, code):
    account = make_account()
    start(client, account.user_id)
    answer(client, RIGHT)
    response = choose(client, password, confirm)
    assert response.status_code == 200
    assert outcome_code(response) == "form.invalid"
    assert code in field_codes(response)
    assert login(Client(), account.user_id, PASSWORD).status_code == 302


def test_the_new_password_cannot_be_the_pin(client, make_person, make_account, pin_for):
    person = make_person(last_name="Jones", birth_year=1959, employee_id="0112233")
    make_account(person)
    start(client, person.employee_id)
    answer(client, RIGHT)
    response = choose(client, pin_for(person))
    assert "password.equals_pin" in field_codes(response)
    assert login(Client(), person.employee_id, PASSWORD).status_code == 302


def test_no_answer_or_password_reaches_the_audit_log(client, make_account):
    account = make_account()
    start(client, account.user_id)
    answer(client, WRONG)
    answer(client, RIGHT)
    choose(client)
    dumped = str(list(AuditEvent.objects.values()))
    for secret in [*RIGHT.values(), WRONG["answer_1"], NEW_PASSWORD]:
        assert secret not in dumped
    assert AuditEvent.objects.filter(tag__startswith="account:recover:").count() == 3


def test_wrong_answers_are_throttled_per_address_across_ids(client, make_person, settings):
    settings.STAFFGATE_IP_MAX_FAILURES = 3
    address = {"REMOTE_ADDR": "203.0.113.9"}
    for n in range(3):
        client.post("/recover/", {"user_id": f"44400{n}"}, **address)
        assert outcome_code(client.post("/recover/questions/", WRONG, **address)) == (
            "recover.invalid"
        )
    client.post("/recover/", {"user_id": "4449999"}, **address)
    response = client.post("/recover/questions/", WRONG, **address)
    assert response.status_code == 429
    assert not AccessLock.objects.filter(user_id="4449999").exists()
    other = Client(REMOTE_ADDR="198.51.100.1")
    start(other, "4449999")
    assert outcome_code(answer(other, WRONG)) == "recover.invalid"


def test_pages_are_not_cached(client, make_account):
    account = make_account()
    assert "no-store" in client.get("/recover/")["Cache-Control"]
    start(client, account.user_id)
    assert "no-store" in client.get("/recover/questions/")["Cache-Control"]
    answer(client, RIGHT)
    assert "no-store" in client.get("/recover/password/")["Cache-Control"]


def test_the_start_page_links_back_to_login(client):
    page = client.get("/recover/").content.decode()
    assert "Forgot your password?" in page
    assert 'href="/login/"' in page and 'name="user_id"' in page


# --- Concurrency over real HTTP --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_wrong_answers_give_two_invalid_and_the_rest_locked(
    live_server, make_account, monkeypatch, mailoutbox
):
    account = make_account()
    status, _, headers = post_form(live_server.url, "/recover/", {"user_id": account.user_id})
    assert status == 302
    session = session_cookie(headers)
    counter = CountingVerify(monkeypatch)

    def wrong(_):
        status, page, _ = post_form(live_server.url, "/recover/questions/", WRONG, session)
        assert status == 200
        return outcome_of(page)

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(wrong, range(20)))
    assert codes.count("recover.invalid") == 2
    assert codes.count("account.locked") == 18
    assert counter.count == 9  # three charged attempts of three answers; the rest cost nothing
    assert len(mailoutbox) == 1
    lock = AccessLock.objects.get(user_id=account.user_id)
    assert lock.recovery_failures == 3 and lock.recovery_locked_at is not None


def test_the_reset_window_comes_from_settings(client, make_account, settings):
    settings.STAFFGATE_RECOVERY_RESET_SECONDS = 120
    account = make_account()
    start(client, account.user_id)
    answer(client, RIGHT)
    session = client.session
    session["staffgate.recovery"]["answered_at"] -= 121
    session.save()
    assert client.get("/recover/password/")["Location"] == "/recover/"
