"""Recovery's new-password page tells nothing about the current password (ASVS 5.0 V6.3.1).

"Same as the current password" is said only for a choice that passes every other
rule with a matching confirmation, and each time it is said is a failed recovery
try: audited, and charged to the recovery lock like a wrong answer.
"""

from __future__ import annotations

import pytest
from django.test import Client

from staffgate.accounts.models import AccessLock
from staffgate.audit.models import AuditEvent
from tests.conftest import ANSWERS, PASSWORD, field_codes, login, outcome_code

pytestmark = pytest.mark.django_db

RIGHT = {f"answer_{n}": answer for n, (_, answer) in enumerate(ANSWERS, start=1)}


def on_the_password_page(client, account):
    client.post("/recover/", {"user_id": account.user_id})
    assert client.post("/recover/questions/", RIGHT)["Location"] == "/recover/password/"


def choose(client, password, confirm):
    return client.post(
        "/recover/password/", {"new_password": password, "confirm_password": confirm}
    )


def test_v6_3_1_a_wrong_confirmation_gives_the_same_answer_for_the_real_password(
    client, make_account
):
    account = make_account()
    on_the_password_page(client, account)
    real = choose(client, PASSWORD, PASSWORD + "x")
    guess = choose(client, "Maple2026x", "Maple2026x" + "x")
    assert field_codes(real) == field_codes(guess) == ["password.mismatch"]
    # Nothing was compared with the current password, so nothing was charged.
    assert AccessLock.objects.get(user_id=account.user_id).recovery_failures == 0


@pytest.mark.parametrize("rule_breaker", ["short1", "password1", "nodigitshere"])
def test_v6_3_1_a_choice_breaking_another_rule_is_never_compared(
    client, make_account, rule_breaker
):
    account = make_account(password=rule_breaker if len(rule_breaker) > 6 else PASSWORD)
    on_the_password_page(client, account)
    response = choose(client, rule_breaker, rule_breaker)
    assert "password.same_as_current" not in field_codes(response)
    assert AccessLock.objects.get(user_id=account.user_id).recovery_failures == 0


def test_v6_3_1_each_same_as_current_is_a_failed_try_audited_and_charged(client, make_account):
    account = make_account()
    on_the_password_page(client, account)
    first = choose(client, PASSWORD, PASSWORD)
    assert field_codes(first) == ["password.same_as_current"]
    assert AccessLock.objects.get(user_id=account.user_id).recovery_failures == 1
    event = AuditEvent.objects.filter(tag="account:recover:failure").get()
    assert event.user_id == account.user_id
    assert event.detail == {"attempt": 1, "stage": "password", "reason": "same_as_current"}
    assert PASSWORD not in str(event.detail)

    assert field_codes(choose(client, PASSWORD, PASSWORD)) == ["password.same_as_current"]
    third = choose(client, PASSWORD, PASSWORD)
    assert outcome_code(third) == "account.locked"
    assert AuditEvent.objects.filter(tag="account:recover:locked").count() == 1
    # The lock is the recovery lock: login is refused too, until the help desk unlocks.
    assert outcome_code(login(Client(), account.user_id, PASSWORD)) == "account.locked"
    assert client.get("/recover/password/")["Location"] == "/recover/"


def test_v6_3_1_a_different_password_is_set_and_the_count_starts_again(client, make_account):
    account = make_account()
    on_the_password_page(client, account)
    choose(client, PASSWORD, PASSWORD)
    assert choose(client, "Maple2026x", "Maple2026x")["Location"] == "/recover/done/"
    lock = AccessLock.objects.get(user_id=account.user_id)
    assert (lock.recovery_failures, lock.recovery_locked_at) == (0, None)
    assert login(Client(), account.user_id, "Maple2026x").status_code == 302
