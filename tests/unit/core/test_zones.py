"""Times shown to a person: the zone chosen, named in plain words, the date when not today."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.test import override_settings
from django.utils import translation

from staffgate.core.zones import moment_text, plain_zone_name, zone_for

NEW_YORK = ZoneInfo("America/New_York")


def test_zones_are_named_in_the_language_of_the_page():
    assert plain_zone_name(NEW_YORK, "en") == "Eastern Time"
    assert plain_zone_name(NEW_YORK, "fr") == "heure de l’Est nord-américain"
    assert plain_zone_name(NEW_YORK, "es") == "hora oriental"
    assert plain_zone_name(ZoneInfo("UTC"), "fr") == "UTC"


@override_settings(TIME_ZONE="America/Toronto")
def test_an_account_without_a_zone_of_its_own_gets_the_portals():
    assert zone_for().key == "America/Toronto"
    assert zone_for(SimpleNamespace(time_zone="")).key == "America/Toronto"
    assert zone_for(SimpleNamespace(time_zone="Europe/Paris")).key == "Europe/Paris"
    assert zone_for(SimpleNamespace(time_zone="Nowhere/Land")).key == "America/Toronto"


def test_a_moment_today_is_a_time_and_another_day_adds_the_date():
    now = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)  # 9:00 in New York
    with translation.override("en"):
        assert moment_text(now + dt.timedelta(minutes=15), NEW_YORK, now=now) == (
            "9:15 a.m. (Eastern Time)"
        )
        late = moment_text(now + dt.timedelta(hours=15, minutes=5), NEW_YORK, now=now)
        assert late == "March 3, 2026 12:05 a.m. (Eastern Time)"
    with translation.override("fr"):
        assert moment_text(now, NEW_YORK, now=now) == "09:00 (heure de l’Est nord-américain)"


def test_a_moment_on_the_hour_keeps_its_minutes_in_english():
    # 22:00 UTC is 5 p.m. in New York; Django's own English format would say "5 p.m.".
    five = dt.datetime(2026, 12, 1, 22, 0, tzinfo=dt.UTC)
    noon = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)
    new_york = ZoneInfo("America/New_York")
    with translation.override("en"):
        assert moment_text(five, new_york, now=five) == "5:00 p.m. (Eastern Time)"
        assert moment_text(noon, new_york, now=noon) == "12:00 p.m. (Eastern Time)"
    with translation.override("fr"):
        assert moment_text(five, new_york, now=five).startswith("17:00 ")
