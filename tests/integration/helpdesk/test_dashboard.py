"""The supervisors' dashboard: seven days of the audit log, charted, with the same numbers."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from statistics import median

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from staffgate.audit.models import AuditEvent
from tests.integration.helpdesk.conftest import agent_login

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def event_at(monkeypatch, when: dt.datetime, tag: str, **fields) -> AuditEvent:
    """An audit event written as if at ``when`` (the log stamps its rows itself)."""
    monkeypatch.setattr(timezone, "now", lambda: when)
    try:
        return AuditEvent.objects.create(tag=tag, **fields)
    finally:
        monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def supervisor(client, make_agent):
    agent = make_agent("sam")
    agent.user_permissions.add(Permission.objects.get(codename="view_dashboard"))
    response = agent_login(client, "sam")
    assert response.status_code == 302
    assert response["Location"] == "/helpdesk/"
    return agent


@pytest.fixture
def seeded(monkeypatch):
    """A week of events at random times, plus some older ones the dashboard must leave out."""
    rng = random.Random(15)
    tags = {
        "account:login:success": 120,
        "account:login:failure": 60,
        "account:login:locked": 12,
        "account:recover:locked": 0,
        "help:ticket:created": 25,
        "helpdesk:ticket:closed": 14,
        "account:login:refused": 9,  # neither a login nor a failure
    }
    for tag, count in tags.items():
        for _ in range(count):
            when = NOW - dt.timedelta(minutes=rng.randrange(0, 7 * 24 * 60 - 90))
            event_at(monkeypatch, when, tag, user_id="1234567")
        event_at(monkeypatch, NOW - dt.timedelta(days=9), tag, user_id="1234567")
    # Recovery locks, three unlocked after 30, 90 and 600 minutes, one still locked.
    for n, minutes in enumerate([30, 90, 600, None]):
        user_id = f"700000{n}"
        locked = NOW - dt.timedelta(days=2, hours=n)
        event_at(monkeypatch, locked, "account:recover:locked", user_id=user_id)
        if minutes is not None:
            event_at(
                monkeypatch,
                locked + dt.timedelta(minutes=minutes),
                "account:unlock",
                user_id=user_id,
                outcome="unlocked",
                actor="agent:sam",
            )
    for network, count in {"203.0.113.0/24": 5, "198.51.100.0/24": 2, "2001:db8::/64": 3}.items():
        for _ in range(count):
            event_at(
                monkeypatch,
                NOW - dt.timedelta(hours=rng.randrange(1, 100)),
                "security:throttle:refused",
                detail={"scope": "login", "network": network},
            )


def table(page: str, series: str) -> list[list[str]]:
    body = re.search(rf'<table data-series="{series}">(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1].split("</tbody>")[0], re.S)
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in rows]


def local_hours_back(tag: str, tags=None) -> Counter:
    """The audit log's own count per local hour, for the last 168 hours."""
    zone = timezone.get_current_timezone()
    this_hour = timezone.localtime(NOW).replace(minute=0, second=0, microsecond=0)
    start = this_hour - dt.timedelta(hours=167)
    counted = Counter()
    for at in AuditEvent.objects.filter(tag__in=tags or [tag]).values_list("created_at", flat=True):
        at = timezone.localtime(at, zone)
        if at >= start:
            counted[at.replace(minute=0, second=0, microsecond=0)] += 1
    return counted


def test_the_dashboards_numbers_are_the_audit_logs(client, supervisor, seeded):
    response = client.get("/helpdesk/dashboard/")
    assert response.status_code == 200
    page = response.content.decode()
    for series, tags in {
        "chart-logins": ["account:login:success"],
        "chart-failures": ["account:login:failure", "account:login:locked"],
        "chart-locks": ["account:login:locked"],
        "chart-recovery-locks": ["account:recover:locked"],
    }.items():
        rows = table(page, series)
        assert len(rows) == 168
        expected = local_hours_back(None, tags)
        shown = [int(value) for _, value in rows]
        assert sum(shown) == sum(expected.values()) > 0
        assert sorted(v for v in shown if v) == sorted(expected.values())
        assert f'data-total="{series}">{sum(shown)}<' in page
    # Days: the week's tickets, opened and closed, none of the older ones.
    days = table(page, "chart-tickets")
    assert len(days) == 7
    first_day = timezone.localdate(NOW) - dt.timedelta(days=6)

    def this_week(tag):
        times = AuditEvent.objects.filter(tag=tag).values_list("created_at", flat=True)
        return sum(1 for at in times if timezone.localdate(at) >= first_day)

    assert sum(int(opened) for _, opened, _ in days) == this_week("help:ticket:created") >= 20
    assert sum(int(closed) for _, _, closed in days) == this_week("helpdesk:ticket:closed") >= 10
    assert sum(int(v) for _, v in table(page, "chart-logins")) == 120
    minutes = re.search(r'data-figure="median-unlock-minutes" data-value="([^"]*)"', page)
    assert float(minutes.group(1)) == median([30, 90, 600]) == 90
    assert "3 recovery locks unlocked" in page and "1 still locked" in page
    assert table(page, "networks") == [
        ["203.0.113.0/24", "5"],
        ["2001:db8::/64", "3"],
        ["198.51.100.0/24", "2"],
    ]
    # Drawn on the server: SVG with a title and summary, and no script at all.
    assert page.count('<svg class="chart"') == 5
    assert "<script" not in page
    assert '<title id="chart-logins-t">Logins per hour</title>' in page


@pytest.mark.parametrize(
    ("language", "words"),
    [("fr", "Connexions par heure"), ("es", "Inicios de sesión por hora")],
)
def test_the_dashboard_speaks_three_languages(client, supervisor, seeded, language, words):
    page = client.get(f"/helpdesk/dashboard/?language={language}").content.decode()
    assert words in page
    assert f'lang="{language}"' in page


def test_agents_without_the_supervisor_permission_are_refused(client, make_agent):
    make_agent("alice")
    agent_login(client, "alice")
    assert client.get("/helpdesk/").status_code == 200
    assert client.get("/helpdesk/dashboard/").status_code == 403
    assert "/helpdesk/dashboard/" not in client.get("/helpdesk/").content.decode()


def test_visitors_and_employees_are_sent_to_the_help_desk_login(client, make_account):
    response = client.get("/helpdesk/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/helpdesk/login/")


def test_an_empty_week_says_so(client, supervisor):
    page = client.get("/helpdesk/dashboard/").content.decode()
    assert "No address was throttled" in page
    assert 'data-value=""' in page
