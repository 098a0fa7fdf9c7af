"""The load generator's choice of accounts when each login types an authenticator-app code.

A code is good once per account and 30-second step, so with ``--totp-key`` the accounts
are taken in turn, and a range too small for the rate stops the run instead of filling
the figures with refused codes.
"""

from __future__ import annotations

import argparse

import pytest

from bench.common import TOTP_KEY, TOTP_REUSE_SECONDS, account_id
from bench.loadgen import Journeys, RangeUsedUp


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def journeys(first: int, last: int, clock, *, totp_key: str | None = TOTP_KEY) -> Journeys:
    args = argparse.Namespace(
        seed=1,
        right_first=first,
        right_last=last,
        wrong_first=0,
        wrong_last=0,
        run="T",
        mix="100,0,0",
        totp_key=totp_key,
    )
    return Journeys(args, clock=clock)


def test_with_a_code_step_the_accounts_are_taken_in_turn():
    clock = Clock()
    chosen = journeys(5, 8, clock)
    people = []
    for _ in range(4):
        people.append(chosen.next())
        clock.now += 1
    assert people == [("right", account_id(n), "Bench-login-2026") for n in (5, 6, 7, 8)]


def test_coming_round_to_an_account_within_the_reuse_time_stops_the_run():
    clock = Clock()
    chosen = journeys(1, 2, clock)
    chosen.next()
    chosen.next()
    clock.now += TOTP_REUSE_SECONDS - 1
    with pytest.raises(RangeUsedUp, match=account_id(1)):
        chosen.next()


def test_an_account_comes_back_once_its_last_code_is_old_enough():
    clock = Clock()
    chosen = journeys(1, 2, clock)
    chosen.next()
    chosen.next()
    clock.now += TOTP_REUSE_SECONDS
    assert chosen.next()[1] == account_id(1)


def test_without_a_code_step_accounts_may_come_back_at_once():
    clock = Clock()
    chosen = journeys(1, 2, clock, totp_key=None)
    picked = {chosen.next()[1] for _ in range(50)}
    assert picked == {account_id(1), account_id(2)}
