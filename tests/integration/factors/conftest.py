"""Enrolling and logging in with an authenticator app, as a person with a phone would."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from staffgate.factors import totp
from tests.conftest import PASSWORD


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
