"""/metrics: exact counts across gunicorn's workers, and only for whoever may scrape."""

from __future__ import annotations

import io
import ipaddress
import re
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import CommandError
from django.test import Client

from staffgate.audit.services import record_event
from tests.conftest import PASSWORD, login
from tests.e2e.portal import AGENT_PASSWORD, AGENT_USERNAME, start_portal
from tests.http import post_form, post_login

TOKEN = "scrape-token-for-the-test-0123456789"


def scrape(base_url: str, token: str | None = None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(base_url + "/metrics", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def value(text: str, name: str, **labels) -> float:
    """The sample ``name{labels}`` of an exposition (0 when absent)."""
    for line in text.splitlines():
        match = re.match(r"^([a-z_:]+)(?:\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if found == {k: str(v) for k, v in labels.items()}:
            return float(match.group(3))
    return 0.0


def test_two_workers_report_the_exact_counts_of_a_known_set_of_logins(tmp_path):
    env = {"STAFFGATE_METRICS_NETWORKS": "127.0.0.1/32", "STAFFGATE_LOG_LEVEL": "INFO"}
    with start_portal(tmp_path, people_count=12, workers=2, env_overrides=env) as portal:
        base = portal.base_url
        unknown = [f"{9900000 + n}" for n in range(6)]
        locked = portal.people[0]
        pin_people = portal.people[1:5]

        def agent_login(password):
            status, _, _ = post_form(
                base, "/helpdesk/login/", {"username": AGENT_USERNAME, "password": password}
            )
            return status

        jobs = [lambda u=u: post_login(base, u, "Wrong1pass") for u in unknown] + [
            lambda p=p: post_login(base, p.employee_id, p.pin) for p in pin_people
        ]
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda job: job(), jobs))
        assert results.count("login.invalid") == 6
        assert results.count("redirect") == 4  # PINs start the registration
        # One agent's attempts are one series: made one after the other, none is locked out.
        agent = [agent_login(AGENT_PASSWORD) for _ in range(5)]
        agent += [agent_login("not-the-password") for _ in range(2)]
        assert agent == [302] * 5 + [200] * 2
        # Three wrong passwords in a row for one ID: two failures, then the lock.
        outcomes = [post_login(base, locked.employee_id, "Wrong1pass") for _ in range(4)]
        assert outcomes == ["login.invalid", "login.invalid", "login.locked", "login.locked"]

        # Each scrape may be answered by either worker: every one must hold all the counts.
        for _ in range(6):
            status, text = scrape(base)
            assert status == 200
            assert (
                value(text, "staffgate_login_outcomes_total", entry="account", code="login.invalid")
                == 8
            )
            assert (
                value(text, "staffgate_login_outcomes_total", entry="account", code="login.locked")
                == 2
            )
            assert (
                value(
                    text,
                    "staffgate_login_outcomes_total",
                    entry="account",
                    code="start_registration",
                )
                == 4
            )
            assert (
                value(text, "staffgate_login_outcomes_total", entry="helpdesk", code="signed_in")
                == 5
            )
            assert (
                value(text, "staffgate_login_outcomes_total", entry="helpdesk", code="invalid") == 2
            )
            assert value(text, "staffgate_locks_set_total", kind="login") == 1
            # Every attempt not refused by the lock cost one hash: 6 + 4 + 5 + 2 + 3.
            assert value(text, "staffgate_password_hash_seconds_count", operation="verify") == 20
            assert value(text, "staffgate_hash_slots_waiting") == 0
            assert value(text, "staffgate_roster_imports_total", result="imported") == 1
            assert value(text, "staffgate_roster_last_import_people", change="created") == 12
        files = {p.name for p in (tmp_path / "metrics").iterdir()}
        assert len({name.rsplit("_", 1)[1] for name in files if name.startswith("counter_")}) == 2
        # Only configured networks, or the token.
        assert scrape(base, token=TOKEN)[0] == 200  # from 127.0.0.1, still allowed


def test_metrics_refuse_other_addresses_over_real_http(tmp_path):
    env = {"STAFFGATE_METRICS_NETWORKS": "10.0.0.0/8", "STAFFGATE_METRICS_TOKEN": TOKEN}
    with start_portal(tmp_path, people_count=1, env_overrides=env) as portal:
        assert post_login(portal.base_url, "9900001", "Wrong1pass") == "login.invalid"
        assert scrape(portal.base_url)[0] == 403
        assert scrape(portal.base_url, token="not-" + TOKEN)[0] == 403
        status, text = scrape(portal.base_url, token=TOKEN)
        assert status == 200
        assert (
            value(text, "staffgate_login_outcomes_total", entry="account", code="login.invalid")
            == 1
        )


@pytest.mark.django_db
def test_metrics_answer_only_configured_networks_or_the_token(settings):
    settings.STAFFGATE_METRICS_NETWORKS = [ipaddress.ip_network("192.0.2.0/24")]
    settings.STAFFGATE_METRICS_TOKEN = TOKEN
    assert Client(REMOTE_ADDR="192.0.2.10").get("/metrics").status_code == 200
    outsider = Client(REMOTE_ADDR="198.51.100.1")
    refused = outsider.get("/metrics")
    assert refused.status_code == 403 and b"staffgate" not in refused.content
    assert outsider.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert outsider.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 403
    assert outsider.get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 403
    # A forged X-Forwarded-For is not believed from an untrusted peer.
    assert outsider.get("/metrics", HTTP_X_FORWARDED_FOR="192.0.2.10").status_code == 403


@pytest.mark.django_db
def test_no_network_and_no_token_means_nobody_scrapes(settings):
    settings.STAFFGATE_METRICS_NETWORKS = []
    settings.STAFFGATE_METRICS_TOKEN = ""
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


@pytest.mark.django_db
def test_recovery_outcomes_locks_and_unlocks_are_counted(client, settings, make_account):
    from django.core.management import call_command

    settings.STAFFGATE_METRICS_NETWORKS = [ipaddress.ip_network("127.0.0.1/32")]
    before = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()
    account = make_account()
    for _ in range(3):
        client.post("/recover/", {"user_id": account.user_id})
        client.post("/recover/questions/", {"answer_1": "x", "answer_2": "y", "answer_3": "z"})
    call_command("unlock", account.user_id, reason="called the help line")
    record_event("account:unlock", user_id="0000001", actor="cli", outcome="nothing_to_unlock")
    assert login(client, account.user_id, PASSWORD).status_code == 302
    after = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("staffgate_locks_set_total", kind="recovery") == 1
    assert grew("staffgate_locks_lifted_total", by="cli") == 1
    assert grew("staffgate_login_outcomes_total", entry="account", code="signed_in") == 1
    assert (
        sum(
            grew("staffgate_recovery_outcomes_total", code=code)
            for code in re.findall(r'staffgate_recovery_outcomes_total\{code="([^"]+)"\}', after)
        )
        == 3
    )


@pytest.mark.django_db
def test_a_full_import_shows_in_the_roster_metrics(tmp_path, settings):
    from django.core.management import call_command

    from staffgate.roster.rows import COLUMNS

    settings.STAFFGATE_METRICS_NETWORKS = [ipaddress.ip_network("127.0.0.1/32")]
    path = tmp_path / "roster.csv"
    rows = [f"{4000000 + n},Pat,Jones,,1970,US,active,no,,,en" for n in range(3)]
    path.write_text("\n".join([",".join(COLUMNS), *rows, ""]), encoding="utf-8")
    call_command("import_roster", str(path), stdout=io.StringIO())
    path.write_text("\n".join([",".join(COLUMNS), *rows[:2], ""]), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), "--full", stdout=io.StringIO())
    call_command("import_roster", str(path), "--full", "--force", stdout=io.StringIO())
    text = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()
    assert value(text, "staffgate_roster_imports_total", result="imported") == 2
    assert value(text, "staffgate_roster_imports_total", result="refused") == 1
    assert value(text, "staffgate_roster_last_import_people", change="removed") == 1
    assert value(text, "staffgate_roster_last_import_people", change="unchanged") == 2
