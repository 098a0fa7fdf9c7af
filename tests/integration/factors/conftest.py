"""Enrolling and logging in with an authenticator app, as a person with a phone would."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.test import Client

from staffgate.factors import totp
from tests.authenticator import SoftwarePasskey, options_on
from tests.conftest import PASSWORD, login, outcome_code


class Clock:
    """The portal's TOTP clock, moved by hand; the phone's codes follow it."""

    def __init__(self):
        self.now = float(int(time.time()) // 30 * 30 + 5)

    def step(self, n: int = 1) -> None:
        self.now += 30 * n


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(totp, "clock", lambda: c.now)
    return c


def key_on(page: str) -> str:
    return re.search(r'data-totp-key="([A-Z2-7]+)"', page).group(1)


def recovery_codes_on(page: str) -> list[str]:
    return re.findall(r"<code data-recovery-code>([^<]+)</code>", page)


def code_at(key: str, when: float) -> str:
    return pyotp.TOTP(key).at(when)


def enrol(client, clock, password: str = PASSWORD, name: str = "My phone"):
    """Add an app from Edit My Profile; return (key, recovery codes, page)."""
    page = client.get("/profile/factors/totp/").content.decode()
    key = key_on(page)
    response = client.post(
        "/profile/factors/totp/",
        {"code": code_at(key, clock.now), "current_password": password, "name": name},
    )
    page = response.content.decode()
    return key, recovery_codes_on(page), response


# The portal's public address in the passkey tests: the origin browsers must report.
ORIGIN = "https://portal.example.com"


def enrol_passkey(client, passkey: SoftwarePasskey, *, origin=ORIGIN, rp_id=None, name="Laptop"):
    """Add a passkey from Edit My Profile as a browser would; the page that answers."""
    options = options_on(client.get("/profile/factors/passkey/").content.decode())
    return client.post(
        "/profile/factors/passkey/",
        {
            "name": name,
            "current_password": PASSWORD,
            "credential": passkey.register(options, origin, rp_id=rp_id),
        },
    )


def with_passkey(make_account, client=None) -> tuple:
    client = client or Client()
    account = make_account()
    login(client, account.user_id, PASSWORD)
    passkey = SoftwarePasskey()
    assert outcome_code(enrol_passkey(client, passkey)) == "factor.added"
    client.post("/logout/")
    return client, account, passkey
