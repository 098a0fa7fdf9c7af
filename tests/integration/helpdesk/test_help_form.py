"""The Technical Help Form: a reference for everyone, clear errors, a rate limit."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from staffgate.audit.models import AuditEvent
from staffgate.helpdesk.models import Ticket
from staffgate.helpdesk.references import is_reference
from tests.conftest import PASSWORD, field_codes, login, outcome_code
from tests.integration.helpdesk.conftest import HELP

pytestmark = pytest.mark.django_db


def submit(client, **changes):
    data = {key: value for key, value in (HELP | changes).items() if value is not None}
    return client.post("/help/", data)


def shown_reference(response) -> str:
    match = re.search(r'data-reference="([^"]+)"', response.content.decode())
    assert match, "no reference on the page"
    return match.group(1)


def test_a_ticket_gets_a_reference_and_the_page_says_so(client, mailoutbox):
    response = submit(client)
    assert response.status_code == 200
    assert outcome_code(response) == "help.submitted"
    reference = shown_reference(response)
    assert is_reference(reference)
    ticket = Ticket.objects.get(reference=reference)
    assert (ticket.user_id, ticket.full_name, ticket.email, ticket.topic, ticket.status) == (
        "1234567",
        "Pat Jones",
        "pat.jones@example.org",
        "unlock",
        "open",
    )
    assert ticket.ip == "127.0.0.1"
    assert 'href="/login/"' in response.content.decode()
    assert [m.to for m in mailoutbox] == [["pat.jones@example.org"]]
    assert reference in mailoutbox[0].subject


def test_every_ticket_gets_its_own_reference(client):
    references = [shown_reference(submit(Client(REMOTE_ADDR=f"10.0.0.{n}"))) for n in range(8)]
    assert len(set(references)) == 8
    assert all(is_reference(reference) for reference in references)


def test_the_ticket_is_audited_without_the_message(client):
    submit(client, user_id=" ab12345 ")
    event = AuditEvent.objects.get(tag="help:ticket:created")
    assert event.user_id == "AB12345"
    assert event.ip == "127.0.0.1"
    assert set(event.detail) == {"reference", "topic"}
    assert HELP["message"] not in str(event.detail)


def test_the_answer_is_the_same_whether_the_user_id_exists_or_not(client, make_account):
    account = make_account()
    known = submit(client, user_id=account.user_id)
    unknown = submit(client, user_id="9999999")
    blank = re.compile(r"HD-[A-Z0-9]{6}")
    assert known.status_code == unknown.status_code == 200
    assert blank.sub("", known.content.decode()) == blank.sub("", unknown.content.decode())


def test_a_locked_person_can_file_a_ticket(client, make_account):
    account = make_account()
    for _ in range(3):
        login(client, account.user_id, "Wrong1pass")
    assert outcome_code(login(client, account.user_id, PASSWORD)) == "login.locked"
    assert outcome_code(submit(client, user_id=account.user_id)) == "help.submitted"


def test_the_form_shows_every_field_and_a_way_back(client):
    page = client.get("/help/")
    assert page.status_code == 200
    body = page.content.decode()
    for name in ("user_id", "full_name", "email", "phone", "topic", "message"):
        assert f'name="{name}"' in body
    assert 'href="/login/"' in body
    assert outcome_code(page) is None


def test_the_topic_can_be_chosen_in_the_link(client):
    body = client.get("/help/?topic=unlock").content.decode()
    assert re.search(r'<option value="unlock" selected>', body)
    body = client.get("/help/?topic=nonsense").content.decode()
    assert not re.search(r'<option value="(unlock|password|other)" selected>', body)


def test_phone_is_optional(client):
    assert outcome_code(submit(client, phone=None)) == "help.submitted"
    assert Ticket.objects.get().phone == ""


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"full_name": None}, "full_name.required"),
        ({"full_name": "   "}, "full_name.required"),
        ({"email": "not-an-address"}, "email.invalid"),
        ({"topic": "refund"}, "topic.invalid_choice"),
        ({"topic": None}, "topic.required"),
        ({"message": "x" * 10_000}, "message.max_length"),
        ({"message": None}, "message.required"),
        ({"user_id": None}, "user_id.required"),
        ({"user_id": "12-34"}, "user_id.invalid"),
        ({"phone": "call me maybe"}, "phone.invalid"),
        ({"full_name": "n" * 151}, "full_name.max_length"),
    ],
)
def test_bad_input_is_a_form_error_and_files_nothing(client, changes, code):
    response = submit(client, **changes)
    assert response.status_code == 200
    assert outcome_code(response) == "form.invalid"
    assert field_codes(response) == [code]
    assert Ticket.objects.count() == 0
    assert not AuditEvent.objects.filter(tag="help:ticket:created").exists()


def test_what_was_typed_is_kept_after_an_error(client):
    body = submit(client, email="nope").content.decode()
    assert 'value="Pat Jones"' in body
    assert HELP["message"] in body


def test_the_sixth_ticket_from_one_address_in_an_hour_is_refused(client):
    codes = [outcome_code(submit(client)) for _ in range(5)]
    assert codes == ["help.submitted"] * 5
    refused = submit(client)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert 'href="/login/"' in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert Ticket.objects.count() == 5
    # Another address is not affected.
    assert outcome_code(submit(Client(REMOTE_ADDR="10.1.2.3"))) == "help.submitted"


def test_the_refusal_page_is_translated(client):
    for _ in range(5):
        submit(client)
    refused = client.post("/help/?language=fr", HELP)
    assert refused.status_code == 429
    assert refused["Content-Language"] == "fr"


def test_a_flood_is_audited_once_per_window(client):
    for _ in range(9):
        submit(client)
    assert AuditEvent.objects.filter(tag="help:ticket:rate_limited").count() == 1


def test_form_errors_do_not_use_up_the_limit(client):
    for _ in range(6):
        submit(client, email="nope")
    assert outcome_code(submit(client)) == "help.submitted"


def test_the_limit_comes_from_settings(client, settings):
    settings.STAFFGATE_HELP_MAX_TICKETS = 2
    assert [submit(client).status_code for _ in range(3)] == [200, 200, 429]
