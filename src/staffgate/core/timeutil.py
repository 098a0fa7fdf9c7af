"""The clock, in one replaceable place, so rules can be given an explicit "now"."""

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current time, aware, in UTC."""
    return timezone.now()


def local_today() -> dt.date:
    """Today's date in the portal's time zone (eligibility is decided by it)."""
    return timezone.localdate(now())
