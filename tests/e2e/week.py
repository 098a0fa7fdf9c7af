"""A week of audit events in a running portal, for the supervisors' dashboard to chart.

Written through ``staffgate shell`` in the portal's own environment, as if each event had
happened at its time (the audit log stamps its rows itself, and never lets them change).
The same seed each time: the e2e test and ``scripts/screenshots.py`` see the same week.
"""

from __future__ import annotations

import subprocess

from tests.e2e.portal import STAFFGATE, Portal

SEED_WEEK = """
import datetime as dt
import random
from unittest import mock

from django.utils import timezone

from staffgate.audit.models import AuditEvent

rng = random.Random(15)
now = timezone.now()


def at(minutes_ago, tag, **fields):
    with mock.patch.object(timezone, "now", lambda: now - dt.timedelta(minutes=minutes_ago)):
        AuditEvent.objects.create(tag=tag, **fields)


# Busy mornings, quiet nights: logins and failures follow the working day.
for day in range(7):
    for hour in range(24):
        busy = 9 <= (timezone.localtime(now).hour - hour) % 24 <= 17
        for _ in range(rng.randrange(4, 12) if busy else rng.randrange(0, 2)):
            at(day * 1440 + hour * 60 + rng.randrange(60), "account:login:success",
               user_id="9100001")
        for _ in range(rng.randrange(0, 4) if busy else 0):
            at(day * 1440 + hour * 60 + rng.randrange(60), "account:login:failure",
               user_id="9100002")
for n in range(9):
    at(rng.randrange(60, 7 * 1440), "account:login:locked", user_id=f"91001{n:02d}")
for n, unlocked_after in enumerate([25, 70, 140, 480, None]):
    locked = rng.randrange(600, 6 * 1440)
    at(locked, "account:recover:locked", user_id=f"91002{n:02d}")
    if unlocked_after is not None:
        at(locked - unlocked_after, "account:unlock", user_id=f"91002{n:02d}",
           outcome="unlocked", actor="agent:helpdesk.ana")
for _ in range(22):
    at(rng.randrange(30, 7 * 1440), "help:ticket:created")
for _ in range(15):
    at(rng.randrange(10, 7 * 1440), "helpdesk:ticket:closed", actor="agent:helpdesk.ana")
for network, count in {"203.0.113.0/24": 6, "2001:db8:40::/64": 3, "198.51.100.0/24": 2}.items():
    for _ in range(count):
        at(rng.randrange(60, 7 * 1440), "security:throttle:refused",
           detail={"scope": "login", "network": network})
"""


def seed_week(portal: Portal) -> None:
    """Add the week of events to ``portal``'s audit log."""
    subprocess.run(
        [STAFFGATE, "shell", "-c", SEED_WEEK],
        env=portal.env,
        check=True,
        capture_output=True,
        timeout=300,
    )
