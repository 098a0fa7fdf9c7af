"""Floods of bad input: every form and query parameter, thousands of generated inputs.

ASVS 5.0 V1.2 / V2.2: no input causes a server error, no payload comes back
unescaped, and a refused form writes nothing.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from staffgate.accounts.models import Account as User
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db

MARKER = "<svg/onload=alert(1)>"
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n\t\x0b\x0c\x1b[31m",
    "A" * 100_000,
    "é" * 5_000,
    "' OR '1'='1",
    "1; DROP TABLE roster_person; --",
    '"><script>alert(1)</script>',
    MARKER,
    "{{ 7*7 }}{% debug %}",
    "../../etc/passwd",
    "%00%ff%fe",
    "\ud7ff\ue000\uffff",
    "0112233",
    "jo5933",
    "fr",
    "agree",
    "first_pet",
    "unlock",
    "pat@example.com",
    "https://evil.example.com/",
    "//evil.example.com",
]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
VALUE = st.one_of(st.sampled_from(NASTY), TEXT, st.builds(lambda s: MARKER + s, TEXT))

# Tables that a refused form must leave alone (audit, locks, sessions and cache may grow).
GUARDED = [
    "roster.Person",
    "accounts.Account",
    "accounts.ChallengeAnswer",
    "helpdesk.Ticket",
]

ENDPOINTS = {
    "/login/": ["language", "user_id", "password", "next"],
    "/register/terms/": ["agree", "decline"],
    "/register/contact/": ["email", "email_confirm", "app_id"],
    "/register/questions/": [f"{k}_{n}" for n in (1, 2, 3) for k in ("question", "answer")],
    "/register/password/": ["new_password", "confirm_password"],
    "/recover/": ["user_id"],
    "/recover/questions/": ["answer_1", "answer_2", "answer_3"],
    "/recover/password/": ["new_password", "confirm_password"],
    "/help/": ["user_id", "full_name", "email", "phone", "topic", "message"],
    "/profile/email/": ["email", "email_confirm", "app_id", "current_password"],
    "/profile/password/": ["current_password", "new_password", "confirm_password"],
    "/profile/questions/": ["current_password"]
    + [f"{k}_{n}" for n in (1, 2, 3) for k in ("question", "answer")],
    "/profile/language/": ["language"],
    "/helpdesk/login/": ["username", "password"],
}
QUERY_PAGES = ["/login/", "/recover/", "/help/", "/helpdesk/", "/profile/", "/"]


def counts() -> dict[str, int]:
    return {name: apps.get_model(name).objects.count() for name in GUARDED}


def check(response, sent: dict | str) -> None:
    assert response.status_code < 500, f"{response.status_code} for {sent!r}"[:500]
    body = response.content.decode("utf-8", "replace")
    assert MARKER not in body, "a payload came back unescaped"
    assert "<script>alert(1)</script>" not in body


@pytest.fixture
def visitor(make_person, make_account, pin_for):
    """A browser in each state a form can be reached in."""
    registered = make_account()
    newcomer = make_person()
    clients = {"anonymous": Client(), "employee": Client(), "wizard": Client()}
    login(clients["employee"], registered.user_id, PASSWORD)
    login(clients["wizard"], newcomer.employee_id, pin_for(newcomer))
    recovering = Client()
    recovering.post("/recover/", {"user_id": registered.user_id})
    clients["recovering"] = recovering
    return clients


def client_for(clients, path: str) -> Client:
    if path.startswith("/register/"):
        return clients["wizard"]
    if path.startswith("/profile/"):
        return clients["employee"]
    if path.startswith("/recover/") and path != "/recover/":
        return clients["recovering"]
    return clients["anonymous"]


# 14 forms x 120 + 14 bodies x 40 + 6 pages x 100 + 150 actions: about 3,000 inputs in all.
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("path", list(ENDPOINTS))
def test_v1_2_every_form_survives_generated_input(visitor, path):
    fields = ENDPOINTS[path]

    @FUZZ
    @given(data=st.dictionaries(st.sampled_from(fields), VALUE, max_size=len(fields)))
    def run(data):
        before = counts()
        response = client_for(visitor, path).post(path, data, REMOTE_ADDR="192.0.2.10")
        check(response, data)
        if response.status_code != 302:
            assert counts() == before, f"a refused form wrote rows: {data!r}"[:500]

    run()


@pytest.mark.parametrize("path", list(ENDPOINTS))
def test_v1_2_invalid_utf8_and_garbage_bodies_are_refused_cleanly(visitor, path):
    @settings(FUZZ, max_examples=40)
    @given(body=st.binary(max_size=2_000))
    def run(body):
        before = counts()
        raw = b"user_id=%FF%FE&password=\xff\xfe&" + body
        response = client_for(visitor, path).generic(
            "POST", path, raw, content_type="application/x-www-form-urlencoded"
        )
        check(response, repr(body))
        if response.status_code != 302:
            assert counts() == before

    run()


@pytest.mark.parametrize("path", QUERY_PAGES)
def test_v1_2_query_parameters_survive_generated_input(visitor, path):
    @settings(FUZZ, max_examples=100)
    @given(
        params=st.dictionaries(
            st.sampled_from(["language", "next", "status", "page", "topic", "q"]),
            VALUE.map(lambda v: v[:2000]),
            max_size=3,
        )
    )
    def run(params):
        before = counts()
        response = visitor["employee"].get(path, params)
        check(response, params)
        assert counts() == before

    run()


def test_v1_2_help_desk_actions_survive_generated_input(db, make_account):
    from staffgate.helpdesk.models import Ticket

    agent = User.objects.create_user("agent", password="Agent-pass-2026!")
    agent.user_permissions.add(Permission.objects.get(codename="act_on_tickets"))
    staff = Client()
    staff.force_login(agent)
    account = make_account()
    Client().post(
        "/help/",
        {
            "user_id": account.user_id,
            "full_name": "Pat Jones",
            "email": "pat@example.com",
            "topic": "unlock",
            "message": "Locked out",
        },
    )
    reference = Ticket.objects.get().reference

    @settings(FUZZ, max_examples=150)
    @given(
        action=st.sampled_from(["unlock", "reset", "close", "nonsense"]),
        reason=VALUE,
        ref=st.one_of(st.just(reference), VALUE.map(lambda v: v.replace("/", "")[:50])),
    )
    def run(action, reason, ref):
        response = staff.post(f"/helpdesk/tickets/{ref}/{action}/", {"reason": reason})
        check(response, {"action": action, "reason": reason})

    run()


@pytest.mark.parametrize("path", ["/helpdesk/tickets/%00x/", "/login/?language=%00", "/%00"])
def test_v1_2_nul_in_an_address_is_a_plain_bad_request(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()
