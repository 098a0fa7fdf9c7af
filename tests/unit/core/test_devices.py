"""Sessions named by their device in words, and time zones by their plain name."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from staffgate.core.devices import device_name, zone_name

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.mark.parametrize(
    ("agent", "words"),
    [
        (CHROME_WINDOWS, "Chrome on Windows"),
        (SAFARI_IPHONE, "Safari on iOS"),
        (FIREFOX_LINUX, "Firefox on Linux"),
        ("HereBrowser/1.0", ""),
        ("", ""),
    ],
)
def test_devices_in_words(agent, words):
    assert device_name(agent) == words


def test_devices_in_french():
    with translation.override("fr"):
        assert device_name(CHROME_WINDOWS) == "Chrome sur Windows"


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Eastern Time"), ("fr", "heure de l’Est nord-américain"), ("es", "hora oriental")],
)
def test_the_time_zone_by_its_plain_name(language, words):
    with translation.override(language):
        assert zone_name(zoneinfo.ZoneInfo("America/New_York")) == words


def test_utc_is_utc():
    assert zone_name(dt.UTC) == "UTC"


def test_headless_and_mobile_chrome_are_chrome():
    headless = CHROME_WINDOWS.replace("Chrome/", "HeadlessChrome/")
    assert device_name(headless) == "Chrome on Windows"
