"""Per-address throttling counts clients, not addresses, and is exact (ASVS 5.0 V6.3.1, V2.4.1).

One IPv6 client holds a whole /64, an IPv4 client can also appear as ``::ffff:a.b.c.d``
and a link-local address can carry a zone: each of those is one counter. Every
attempt is charged before its password hash, so a burst cannot overshoot the limit.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from staffgate.audit.models import AuditEvent
from staffgate.core.throttle import client_network
from tests.conftest import outcome_code

pytestmark = pytest.mark.django_db

WRONG = {"answer_1": "nope", "answer_2": "nada", "answer_3": "rien"}


def fail_login(client, n: int, address: str):
    return client.post(
        "/login/", {"user_id": f"{7000000 + n}", "password": "Wrong1pass"}, REMOTE_ADDR=address
    )


@pytest.mark.parametrize(
    "address, network",
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("::ffff:cb00:7109", "203.0.113.9"),
        ("fe80::1%eth0", "fe80::/64"),
        ("[2001:db8::1]", "2001:db8::/64"),
        ("unknown", "unknown"),
    ],
)
def test_v6_3_1_a_throttle_counter_names_one_client_network(address, network):
    assert client_network(address) == network


def test_v6_3_1_the_ipv6_prefix_is_a_setting(settings):
    settings.STAFFGATE_THROTTLE_IPV6_PREFIX = 48
    assert client_network("2001:db8:1:2::1") == "2001:db8:1::/48"
    assert client_network("203.0.113.9") == "203.0.113.9"


def test_v6_3_1_failed_logins_from_one_ipv6_64_share_one_limit(client, settings):
    settings.STAFFGATE_IP_MAX_FAILURES = 5
    for n in range(5):
        response = fail_login(client, n, f"2001:db8:7:7::{n + 1:x}")
        assert outcome_code(response) == "login.invalid"
    response = fail_login(client, 99, "2001:db8:7:7:ffff:ffff:ffff:fffe")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    # The next /64 is someone else.
    assert outcome_code(fail_login(client, 100, "2001:db8:7:8::1")) == "login.invalid"


def test_v6_3_1_recovery_from_one_ipv6_64_shares_one_limit(client, settings):
    settings.STAFFGATE_IP_MAX_FAILURES = 3
    for n in range(3):
        address = f"2001:db8:9:9::{n + 1:x}"
        client.post("/recover/", {"user_id": f"66600{n}"}, REMOTE_ADDR=address)
        response = client.post("/recover/questions/", WRONG, REMOTE_ADDR=address)
        assert outcome_code(response) == "recover.invalid"
    client.post("/recover/", {"user_id": "6669999"}, REMOTE_ADDR="2001:db8:9:9::abcd")
    response = client.post("/recover/questions/", WRONG, REMOTE_ADDR="2001:db8:9:9::abcd")
    assert response.status_code == 429


def test_v6_3_1_ipv4_mapped_and_zoned_forms_count_with_the_plain_address(client, settings):
    settings.STAFFGATE_IP_MAX_FAILURES = 4
    for n, address in enumerate(["198.51.100.40", "::ffff:198.51.100.40", "::ffff:c633:6428"]):
        assert outcome_code(fail_login(client, n, address)) == "login.invalid"
    assert outcome_code(fail_login(client, 3, "198.51.100.40")) == "login.invalid"
    assert fail_login(client, 4, "::ffff:198.51.100.40").status_code == 429

    for n, address in enumerate(["fe80::9%eth0", "fe80::9%2", "fe80::9", "fe80::a%eth1"]):
        assert outcome_code(fail_login(client, 10 + n, address)) == "login.invalid"
    assert fail_login(client, 20, "fe80::9%eth7").status_code == 429


@pytest.mark.django_db(transaction=True)
def test_v6_3_1_sixty_parallel_failures_against_a_limit_of_twenty_process_exactly_twenty(
    settings,
):
    settings.STAFFGATE_IP_MAX_FAILURES = 20
    settings.STAFFGATE_IP_WINDOW_SECONDS = 3600

    def attempt(n: int):
        try:
            response = fail_login(Client(), n, "203.0.113.60")
            return response.status_code, outcome_code(response)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(attempt, range(60)))
    processed = [a for a in answers if a == (200, "login.invalid")]
    refused = [a for a in answers if a[0] == 429]
    assert len(processed) == 20, answers
    assert len(refused) == 40, answers
    assert AuditEvent.objects.filter(tag="account:login:failure").count() == 20


@pytest.mark.django_db(transaction=True)
def test_v2_4_1_parallel_wrong_recoveries_process_exactly_the_limit(settings):
    settings.STAFFGATE_IP_MAX_FAILURES = 10
    settings.STAFFGATE_IP_WINDOW_SECONDS = 3600

    def attempt(n: int):
        try:
            visitor = Client()
            visitor.post("/recover/", {"user_id": f"{8000000 + n}"}, REMOTE_ADDR="203.0.113.61")
            response = visitor.post("/recover/questions/", WRONG, REMOTE_ADDR="203.0.113.61")
            return response.status_code, outcome_code(response)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(attempt, range(30)))
    assert answers.count((200, "recover.invalid")) == 10, answers
    assert sum(1 for a in answers if a[0] == 429) == 20, answers


def test_v6_3_1_successes_give_their_charge_back(client, make_account, settings):
    from tests.conftest import PASSWORD, login

    settings.STAFFGATE_IP_MAX_FAILURES = 2
    account = make_account()
    for _ in range(5):
        assert (
            login(client, account.user_id, PASSWORD, REMOTE_ADDR="2001:db8:5::1").status_code == 302
        )
        client.post("/logout/")
    assert outcome_code(fail_login(client, 1, "2001:db8:5::2")) == "login.invalid"
    assert outcome_code(fail_login(client, 2, "2001:db8:5::3")) == "login.invalid"
    assert fail_login(client, 3, "2001:db8:5::4").status_code == 429
