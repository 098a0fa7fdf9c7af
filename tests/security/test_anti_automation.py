"""Anti-automation on recovery and the help form (ASVS 5.0 V2.4.1, V6.3.1)."""

from __future__ import annotations

import time

import pytest

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


@pytest.mark.django_db(transaction=True)
def test_v6_3_1_database_counters_are_exact_under_concurrent_failures():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from staffgate.core.throttle import Throttle

    throttle = Throttle("login", limit=1000, window=3600)
    now = time.time()

    def hit(_):
        try:
            return throttle.hit("198.51.100.77", now=now)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = sorted(pool.map(hit, range(40)))
    assert counts == list(range(1, 41))


def test_v6_3_1_counters_live_in_redis_when_configured(settings):
    import redis

    from staffgate.core.throttle import Throttle

    url = "redis://127.0.0.1:6379/15"
    redis.Redis.from_url(url).flushdb()
    settings.STAFFGATE_CACHE_URL = url
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    throttle = Throttle("login", limit=3, window=300)
    now = time.time()
    for _ in range(3):
        throttle.hit("198.51.100.78", now=now)
    assert 0 < throttle.retry_after("198.51.100.78", now=now) <= 300
    keys = [k.decode() for k in redis.Redis.from_url(url).keys("*throttle*")]
    assert keys and all("198.51.100.78" in k for k in keys)
