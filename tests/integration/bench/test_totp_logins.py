"""The bench's logins with an authenticator-app code are the ones the portal serves.

``make bench`` measures them with apps seeded by ``bench.seed totp`` and journeys run by
``bench.loadgen --totp-key``: the seeded apps must be ones the portal's own login step
accepts, a journey must count only when the code leads to the home page, and the floor
the row is set against (``/bench/totp/login``) must take the same journey.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import time
from urllib.parse import urlsplit

import pyotp
import pytest
from django.test import Client

from bench import seed
from bench.common import FLOOR_TOTP_LOGIN_PATH, PASSWORD, TOTP_KEY, account_id
from bench.loadgen import Journeys, Tally, login_journey
from staffgate.factors import crypto, totp
from staffgate.factors.models import TotpFactor

# One moment for the portal's clock and the phone's: every code of a test is of one step.
MOMENT = 1_800_000_000.0  # a multiple of the 30-second step


class AppAt(pyotp.TOTP):
    """The bench's authenticator app, showing the code of ``MOMENT``."""

    def now(self) -> str:
        return self.at(MOMENT)


@pytest.fixture
def portal_clock(monkeypatch):
    monkeypatch.setattr(totp, "clock", lambda: MOMENT + 5)


def test_seeded_apps_are_stored_encrypted_and_the_portal_login_asks_for_their_code(db):
    seed.add_accounts(0, 3)
    assert seed.add_totp_factors(2, 3) == 2

    factors = TotpFactor.objects.order_by("user__user_id")
    assert [f.user.user_id for f in factors] == [account_id(2), account_id(3)]
    for factor in factors:
        assert factor.confirmed
        assert TOTP_KEY not in factor.encrypted_key
        assert crypto.decrypt(factor.encrypted_key) == base64.b32decode(TOTP_KEY)

    with_app = Client()
    answer = with_app.post("/login/", {"user_id": account_id(2), "password": PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == "/login/verify/"
    answer = with_app.post("/login/verify/", {"code": pyotp.TOTP(TOTP_KEY).now()})
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert with_app.get("/").status_code == 200

    # The password-only accounts of the other rows are not asked for a code.
    without = Client()
    answer = without.post("/login/", {"user_id": account_id(1), "password": PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == "/"


def test_seeding_again_leaves_one_app_per_account_and_missing_accounts_change_nothing(db):
    seed.add_accounts(0, 2)
    seed.add_totp_factors(1, 2)
    seed.add_totp_factors(1, 2)
    assert TotpFactor.objects.filter(user__user_id=account_id(1)).count() == 1
    before = sorted(TotpFactor.objects.values_list("encrypted_key", flat=True))

    with pytest.raises(SystemExit, match="seed them first"):
        seed.add_totp_factors(2, 4)
    assert sorted(TotpFactor.objects.values_list("encrypted_key", flat=True)) == before


def run_journeys(
    base_url: str, first: int, last: int, form_path: str = "/login/", app: pyotp.TOTP = None
) -> Tally:
    """Accounts ``first … last`` log in once each, in turn, typing ``app``'s code (by
    default the code of ``MOMENT``)."""
    address = urlsplit(base_url)
    args = argparse.Namespace(
        seed=1,
        right_first=first,
        right_last=last,
        wrong_first=0,
        wrong_last=0,
        run="T",
        mix="100,0,0",
        totp_key=TOTP_KEY,
    )
    chosen = Journeys(args)
    tally = Tally(start=0.0, end=float("inf"))  # every answer counts
    app = app or AppAt(TOTP_KEY)

    async def log_in_each():
        for _ in range(first, last + 1):
            journey = chosen.next()
            await login_journey(
                address.hostname, address.port, journey, tally, form_path, "user_id", app
            )

    asyncio.run(log_in_each())
    return tally


def test_a_journey_through_the_code_step_counts_once_it_reaches_the_home_page(
    live_server, transactional_db, portal_clock
):
    seed.add_accounts(0, 4)
    seed.add_totp_factors(1, 4)

    tally = run_journeys(live_server.url, 1, 4)

    assert tally.unexpected == {}
    assert tally.posts == tally.signed_in == tally.journeys == 4
    assert len(tally.journey_latencies) == 4


def test_a_code_of_a_step_already_used_is_tallied_as_unexpected_not_counted(
    live_server, transactional_db, portal_clock
):
    seed.add_accounts(0, 2)
    seed.add_totp_factors(1, 2)
    assert run_journeys(live_server.url, 1, 2).journeys == 2

    # The same accounts again within the step: the portal refuses the codes.
    again = run_journeys(live_server.url, 1, 2)

    assert again.journeys == again.signed_in == 0
    assert again.unexpected == {"code: 200 code.invalid": 2}


def test_an_account_without_an_app_is_tallied_as_not_asked_for_a_code(
    live_server, transactional_db, portal_clock
):
    seed.add_accounts(0, 1)

    tally = run_journeys(live_server.url, 1, 1)

    assert tally.journeys == 0
    assert tally.unexpected == {"code page /: 200": 1}


@pytest.mark.urls("bench.urls")
def test_the_floor_takes_the_same_journey_and_checks_the_code(live_server, transactional_db):
    # The floor reads no database: any bench ID will do, with the code of the moment.
    tally = run_journeys(live_server.url, 1, 3, FLOOR_TOTP_LOGIN_PATH, pyotp.TOTP(TOTP_KEY))
    assert tally.unexpected == {}
    assert tally.journeys == 3


class AppAnHourLate(pyotp.TOTP):
    def now(self) -> str:
        return self.at(time.time() - 3600)


@pytest.mark.urls("bench.urls")
def test_the_floor_refuses_a_code_of_another_time(live_server, transactional_db):
    tally = run_journeys(live_server.url, 1, 2, FLOOR_TOTP_LOGIN_PATH, AppAnHourLate(TOTP_KEY))

    assert tally.journeys == 0
    assert tally.unexpected == {"code: 200 code.invalid": 2}
