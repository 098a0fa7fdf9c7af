"""Edit My Profile on a phone: sessions named by their device, times by their zone's name."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def signed_in(account, agent: str, **extra) -> Client:
    browser = Client(HTTP_USER_AGENT=agent, **extra)
    response = browser.post("/login/", {"user_id": account.user_id, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def devices(page: str) -> list[str]:
    found = re.findall(r'<p class="device">(.*?)</p>', page, re.S)
    return [" ".join(text.split()) for text in found]


def test_sessions_are_named_by_device_and_this_one_is_marked(make_account):
    account = make_account()
    here = signed_in(account, CHROME_WINDOWS)
    signed_in(account, SAFARI_IPHONE)
    page = here.get("/profile/").content.decode()
    assert sorted(devices(page)) == ["Chrome on Windows · this device", "Safari on iOS"]
    assert "Mozilla/5.0" not in page


def test_devices_and_the_time_zone_in_french(make_account):
    account = make_account(language="fr")
    page = signed_in(account, CHROME_WINDOWS).get("/profile/").content.decode()
    assert devices(page) == ["Chrome sur Windows · cet appareil"]
    assert "heure de l’Est nord-américain" in page
    assert "America/New_York" not in page


def test_times_say_the_zone_in_words(make_account):
    page = signed_in(make_account(), CHROME_WINDOWS).get("/profile/").content.decode()
    assert "Times in Eastern Time." in page
    assert "America/New_York" not in page


def test_the_profile_details_are_a_summary_list(make_account):
    account = make_account()
    page = signed_in(account, CHROME_WINDOWS).get("/profile/").content.decode()
    details = page.split('class="summary-list profile-details"')[1].split("</dl>")[0]
    assert re.search(r'<dt class="summary-list__key">E-mail address</dt>', details)
    assert account.email in details
    assert "<table" not in page
