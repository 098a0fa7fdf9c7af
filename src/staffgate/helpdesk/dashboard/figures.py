"""The figures of the operations dashboard, read from the audit log.

Seven days, hour by hour in the portal's time zone: logins, failed logins, login locks
and recovery locks; day by day: help tickets opened and closed; the median time from a
recovery lock to its unlock; the networks whose addresses were throttled most often.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from staffgate.audit.models import AuditEvent
from staffgate.audit.tags import EventTag

DAYS = 7
HOURS = DAYS * 24
TOP_NETWORKS = 5

# Each hourly series and the audit tags it counts.
HOURLY = {
    "logins": (EventTag.Account.LOGIN_SUCCESS,),
    # Wrong passwords or PINs; the attempt that sets the lock is a failure too.
    "failures": (EventTag.Account.LOGIN_FAILURE, EventTag.Account.LOGIN_LOCKED),
    "locks": (EventTag.Account.LOGIN_LOCKED,),
    "recovery_locks": (EventTag.Account.RECOVER_LOCKED,),
}
DAILY = {
    "opened": (EventTag.Help.TICKET_CREATED,),
    "closed": (EventTag.Helpdesk.TICKET_CLOSED,),
}


@dataclass(frozen=True)
class Dashboard:
    hours: list[dt.datetime]  # the start of each hour, local time, oldest first
    hourly: dict[str, list[int]]  # series name -> one count per hour
    days: list[dt.date]
    daily: dict[str, list[int]]
    unlock_minutes: float | None  # median, recovery lock to unlock; None when none was
    unlocked: int  # recovery locks of the period that were unlocked
    still_locked: int  # and those that were not (yet)
    networks: list[tuple[str, int]]  # most throttled first


def _counts(tags, trunc, start) -> Counter:
    rows = (
        AuditEvent.objects.filter(tag__in=tags, created_at__gte=start)
        .annotate(bucket=trunc)
        .order_by()
        .values("bucket")
        .annotate(n=Count("id"))
    )
    return Counter({row["bucket"]: row["n"] for row in rows})


def build_dashboard(now: dt.datetime | None = None) -> Dashboard:
    """Every figure of the last seven days up to ``now`` (default: now)."""
    zone = timezone.get_current_timezone()
    now = timezone.localtime(now or timezone.now(), zone)
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    # Hours are counted in UTC steps, so a daylight-saving change neither skips nor doubles one.
    first = (this_hour.astimezone(dt.UTC) - dt.timedelta(hours=HOURS - 1)).astimezone(zone)
    hours = [
        (first.astimezone(dt.UTC) + dt.timedelta(hours=n)).astimezone(zone) for n in range(HOURS)
    ]
    hourly = {}
    for name, tags in HOURLY.items():
        counted = _counts(tags, TruncHour("created_at", tzinfo=zone), first)
        hourly[name] = [counted.get(hour, 0) for hour in hours]

    today = now.date()
    days = [today - dt.timedelta(days=DAYS - 1 - n) for n in range(DAYS)]
    day_start = timezone.make_aware(dt.datetime.combine(days[0], dt.time()), zone)
    daily = {}
    for name, tags in DAILY.items():
        counted = _counts(tags, TruncDate("created_at", tzinfo=zone), day_start)
        daily[name] = [counted.get(day, 0) for day in days]

    durations, still_locked = _unlock_durations(first)
    return Dashboard(
        hours=hours,
        hourly=hourly,
        days=days,
        daily=daily,
        unlock_minutes=statistics.median(durations) if durations else None,
        unlocked=len(durations),
        still_locked=still_locked,
        networks=_throttled_networks(first),
    )


def _unlock_durations(start) -> tuple[list[float], int]:
    """Minutes from each recovery lock of the period to the first unlock after it."""
    locks = list(
        AuditEvent.objects.filter(tag=EventTag.Account.RECOVER_LOCKED, created_at__gte=start)
        .order_by("created_at")
        .values_list("user_id", "created_at")
    )
    if not locks:
        return [], 0
    unlocks: dict[str, list[dt.datetime]] = {}
    for user_id, at in (
        AuditEvent.objects.filter(
            tag=EventTag.Account.UNLOCK,
            outcome="unlocked",
            created_at__gte=start,
            user_id__in={user_id for user_id, _ in locks},
        )
        .order_by("created_at")
        .values_list("user_id", "created_at")
    ):
        unlocks.setdefault(user_id, []).append(at)
    durations, still_locked = [], 0
    for user_id, locked_at in locks:
        after = [at for at in unlocks.get(user_id, []) if at >= locked_at]
        if after:
            durations.append((after[0] - locked_at).total_seconds() / 60)
        else:
            still_locked += 1
    return durations, still_locked


def _throttled_networks(start) -> list[tuple[str, int]]:
    details = AuditEvent.objects.filter(
        tag=EventTag.Security.THROTTLED, created_at__gte=start
    ).values_list("detail", flat=True)
    counted = Counter(detail.get("network", "unknown") for detail in details)
    return sorted(counted.items(), key=lambda item: (-item[1], item[0]))[:TOP_NETWORKS]
