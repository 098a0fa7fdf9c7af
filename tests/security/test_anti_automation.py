"""Anti-automation on recovery and the help form (ASVS 5.0 V2.4.1, V6.3.1)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.conftest import outcome_code

pytestmark = pytest.mark.django_db

WRONG = {"answer_1": "nope", "answer_2": "nada", "answer_3": "rien"}
HELP = {
    "user_id": "1234567",
    "full_name": "Pat Jones",
    "email": "pat@example.com",
    "topic": "unlock",
    "message": "Locked out, please help.",
}


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_v6_3_1_wrong_recovery_answers_across_ids_are_throttled_per_address(client, settings):
    settings.STAFFGATE_IP_MAX_FAILURES = 4
    address = {"REMOTE_ADDR": "203.0.113.20"}
    for n in range(4):
        client.post("/recover/", {"user_id": f"55500{n}"}, **address)
        response = client.post("/recover/questions/", WRONG, **address)
        assert outcome_code(response) == "recover.invalid"
    client.post("/recover/", {"user_id": "5559999"}, **address)
    response = client.post("/recover/questions/", WRONG, **address)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_v2_4_1_the_help_form_is_rate_limited_per_address(client):
    address = {"REMOTE_ADDR": "203.0.113.21"}
    for _ in range(5):
        assert outcome_code(client.post("/help/", HELP, **address)) == "help.submitted"
    response = client.post("/help/", HELP, **address)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert outcome_code(client.post("/help/", HELP, REMOTE_ADDR="203.0.113.22")) == (
        "help.submitted"
    )
