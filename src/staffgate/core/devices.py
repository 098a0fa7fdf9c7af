"""Browsers and time zones named in words, for people rather than for logs.

``ua-parser`` (the maintained port of Browserscope's rules) reads the user-agent string;
Babel (the CLDR's names) names the time zone in the page's language.
"""

from __future__ import annotations

import functools

from babel.dates import get_timezone_name
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ua_parser import parse

# "Mobile Safari" is Safari to the person holding the phone.
BROWSER_NAMES = {
    "Mobile Safari": "Safari",
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "HeadlessChrome": "Chrome",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
}
OS_NAMES = {"Mac OS X": "macOS"}


@functools.lru_cache(maxsize=1024)
def _parsed(user_agent: str) -> tuple[str, str]:
    result = parse(user_agent)
    browser = result.user_agent.family if result.user_agent else ""
    system = result.os.family if result.os else ""
    if browser == "Other":
        browser = ""
    if system == "Other":
        system = ""
    return BROWSER_NAMES.get(browser, browser), OS_NAMES.get(system, system)


def device_name(user_agent: str) -> str:
    """ "Chrome on Windows", "Safari on iOS", "Firefox"; "" when the string names neither."""
    browser, system = _parsed((user_agent or "")[:300])
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system


def zone_name(zone=None) -> str:
    """The current (or given) time zone in words, in the current language: "Eastern Time"."""
    zone = zone or timezone.get_current_timezone()
    key = getattr(zone, "key", str(zone))
    if key in ("UTC", "Etc/UTC"):
        return "UTC"
    locale = (translation.get_language() or "en").replace("-", "_")
    try:
        return get_timezone_name(zone, width="long", locale=locale)
    except (LookupError, ValueError):
        return key
