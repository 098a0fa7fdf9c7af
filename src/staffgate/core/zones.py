"""Times shown to a person: in their time zone, with the zone named in plain words."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import get_timezone, get_timezone_name
from django.conf import settings
from django.utils import formats, translation

# Zones whose CLDR name reads oddly ("Unknown Region (UTC) Time"): shown by their code.
_BY_CODE = {"UTC", "Etc/UTC", "GMT", "Etc/GMT"}


# The zones a person may choose on Edit My Profile: those of the roster's countries
# (United States, Canada, Puerto Rico), west to east.
CHOICES = [
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Vancouver",
    "America/Phoenix",
    "America/Denver",
    "America/Edmonton",
    "America/Regina",
    "America/Chicago",
    "America/Winnipeg",
    "America/New_York",
    "America/Toronto",
    "America/Puerto_Rico",
    "America/Halifax",
    "America/St_Johns",
]


def zone_for(account=None) -> ZoneInfo:
    """The zone an account's times are shown in: its own when it chose one, else the portal's."""
    chosen = getattr(account, "time_zone", "") if account is not None else ""
    try:
        return ZoneInfo(chosen or settings.TIME_ZONE)
    except (ValueError, KeyError):  # a zone removed from the system's database since
        return ZoneInfo(settings.TIME_ZONE)


def plain_zone_name(zone: ZoneInfo, language: str | None = None) -> str:
    """The zone's everyday name in ``language``: "Eastern Time", "heure de l’Est …"."""
    if zone.key in _BY_CODE:
        return "UTC"
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    try:
        return get_timezone_name(get_timezone(zone.key), locale=language.replace("-", "_"))
    except (LookupError, ValueError):
        return zone.key


def zone_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(key, label) of each zone offered: "Eastern Time (America/New_York)"."""
    return [(key, f"{plain_zone_name(ZoneInfo(key), language)} ({key})") for key in CHOICES]


def moment_text(moment: dt.datetime, zone: ZoneInfo, *, now: dt.datetime | None = None) -> str:
    """A moment as a person reads it: "3:45 p.m. (Eastern Time)", with the date if not today."""
    local = moment.astimezone(zone)
    today = (now or dt.datetime.now(dt.UTC)).astimezone(zone).date()
    shown = formats.time_format(local, "TIME_FORMAT")
    if local.date() != today:
        shown = f"{formats.date_format(local, 'DATE_FORMAT')} {shown}"
    return f"{shown} ({plain_zone_name(zone)})"
