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


@pytest.mark.sqlite_portal
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


@pytest.mark.sqlite_portal
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


SEED_ACCOUNT = """
import json
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from staffgate.accounts.models import Account
from staffgate.factors import crypto, totp
from staffgate.factors.models import TotpFactor
from staffgate.oidc.registry import add_app
from staffgate.roster.models import Person

person = Person.objects.get(employee_id={employee_id!r})
now = timezone.now()
account = Account.objects.create(
    person=person, user_id=person.employee_id, password=make_password({password!r}),
    email="metrics@example.com", email_verified_at=now, language="en",
    terms_version="2026-01",
    terms_accepted_at=now, registered_at=now, password_changed_at=now,
)
key = totp.new_key()
TotpFactor.objects.create(user=account, name="Phone", confirmed=True,
                          encrypted_key=crypto.encrypt(key))
app = add_app("Benefits", redirect_uris=[{redirect!r}], first_party=True)
print(json.dumps({{"key": totp.base32_key(key), "client_id": app.client_id,
                  "client_secret": app.client_secret}}))
"""


@pytest.mark.sqlite_portal
def test_two_workers_report_the_exact_counts_of_factor_codes_and_tokens(tmp_path):
    import base64
    import json
    import subprocess

    import pyotp
    import requests

    from tests.e2e.portal import STAFFGATE
    from tests.integration.oidc.browser import Browser
    from tests.oidc_client import s256

    redirect = "http://127.0.0.1:9/callback"
    env = {"STAFFGATE_METRICS_NETWORKS": "127.0.0.1/32", "STAFFGATE_MFA": "optional"}
    with start_portal(tmp_path, people_count=2, workers=2, env_overrides=env) as portal:
        base = portal.base_url
        person = portal.people[0]
        seeded = subprocess.run(
            [STAFFGATE, "shell", "-c",
             SEED_ACCOUNT.format(employee_id=person.employee_id, password=PASSWORD,
                                 redirect=redirect)],
            env=portal.env, capture_output=True, text=True, check=True, timeout=120,
        )  # fmt: skip
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])

        # The code step: one wrong code, then the right one.
        browser = Browser(base)
        browser.log_in(person.employee_id, PASSWORD)
        assert browser.location().endswith("/login/verify/")
        wrong = f"{(int(pyotp.TOTP(seed['key']).now()) + 1) % 1000000:06d}"
        assert browser.post("/login/verify/", {"code": wrong}).status_code == 200
        browser.post("/login/verify/", {"code": pyotp.TOTP(seed["key"]).now()})
        assert browser.last.status_code == 302 and browser.location() == base + "/"

        # An app gets tokens for a code, refreshes them twice; one request has a bad secret.
        verifier = "v" * 50
        browser.get(
            "/o/authorize/?"
            + requests.compat.urlencode({
                "response_type": "code", "client_id": seed["client_id"],
                "redirect_uri": redirect, "scope": "openid", "state": "s", "nonce": "n",
                "code_challenge": s256(verifier), "code_challenge_method": "S256",
            })
        )  # fmt: skip
        assert browser.last.status_code == 302, browser.last.text[:300]
        code = requests.utils.urlparse(browser.location()).query.split("code=")[1].split("&")[0]
        secret = base64.b64encode(f"{seed['client_id']}:{seed['client_secret']}".encode())
        basic = {"Authorization": "Basic " + secret.decode()}

        def token(fields, headers=basic):
            return requests.post(base + "/o/token/", data=fields, headers=headers, timeout=30)

        issued = token({"grant_type": "authorization_code", "code": code,
                        "redirect_uri": redirect, "code_verifier": verifier})  # fmt: skip
        assert issued.status_code == 200, issued.text
        refresh = issued.json()["refresh_token"]
        for _ in range(2):
            refreshed = token({"grant_type": "refresh_token", "refresh_token": refresh})
            assert refreshed.status_code == 200, refreshed.text
            refresh = refreshed.json()["refresh_token"]
        bad = base64.b64encode(f"{seed['client_id']}:not-the-secret".encode()).decode()
        refused = token(
            {"grant_type": "refresh_token", "refresh_token": refresh},
            headers={"Authorization": "Basic " + bad},
        )
        assert refused.status_code == 401

        for _ in range(6):  # either worker may answer: each must hold all the counts
            status, text = scrape(base)
            assert status == 200
            assert value(text, "staffgate_factor_outcomes_total", code="code.invalid") == 1
            assert value(text, "staffgate_factor_outcomes_total", code="right") == 1
            assert value(text, "staffgate_token_outcomes_total", code="issued") == 1
            assert value(text, "staffgate_token_outcomes_total", code="refreshed") == 2
            assert value(text, "staffgate_token_outcomes_total", code="invalid_client") == 1
            assert value(text, "staffgate_login_outcomes_total", entry="account",
                         code="signed_in") == 0  # fmt: skip
            assert value(text, "staffgate_queue_jobs", state="due") == 0


@pytest.mark.django_db
def test_the_queue_revocations_and_deliveries_are_read_from_the_database(settings):
    import datetime as dt

    from django_tasks_db.models import DBTaskResult

    from staffgate.core import timeutil
    from staffgate.core.mail import deliver_mail
    from staffgate.oidc.tasks import deliver_logout_token

    settings.STAFFGATE_METRICS_NETWORKS = [ipaddress.ip_network("127.0.0.1/32")]
    now = timeutil.now()
    first = deliver_logout_token.enqueue(1, "subject", "sid", "https://portal")
    deliver_logout_token.using(run_after=now - dt.timedelta(seconds=30)).enqueue(
        1, "subject", "sid", "https://portal", 2
    )
    deliver_logout_token.using(run_after=now + dt.timedelta(minutes=5)).enqueue(
        2, "subject", "sid", "https://portal", 3
    )
    # A mail the mail server refused twice, booked for its third attempt in ten minutes.
    deliver_mail.using(run_after=now + dt.timedelta(minutes=10)).enqueue("sealed-mail", 3)
    DBTaskResult.objects.filter(pk=first.id).update(enqueued_at=now - dt.timedelta(seconds=600))
    for reason in ("not_eligible", "not_eligible", "logout"):
        record_event("sso:tokens:revoked", user_id="0000001", outcome=reason)
    record_event("sso:backchannel:delivered", outcome="delivered", detail={"attempt": 2})
    record_event("sso:backchannel:failed", outcome="gave_up", detail={"attempt": 8})

    text = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()
    assert value(text, "staffgate_queue_jobs", state="due") == 2
    assert value(text, "staffgate_queue_jobs", state="scheduled") == 2
    assert value(text, "staffgate_queue_jobs", state="running") == 0
    assert value(text, "staffgate_queue_retries_waiting", task="logout") == 2
    assert value(text, "staffgate_queue_retries_waiting", task="mail") == 1
    assert 600 <= value(text, "staffgate_queue_oldest_due_job_age_seconds") < 900
    assert value(text, "staffgate_token_revocations_total", reason="not_eligible") == 2
    assert value(text, "staffgate_token_revocations_total", reason="logout") == 1
    assert value(text, "staffgate_backchannel_deliveries_total", result="delivered") == 1
    assert value(text, "staffgate_backchannel_deliveries_total", result="gave_up") == 1

    # A worker takes the jobs that are due; the one for later waits, beside the daily
    # expire-access the worker books.
    from unittest import mock

    from django.core.management import call_command

    # In this test's transaction: the worker's closing of stale connections is left out.
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("worker", "--batch", verbosity=0)
    text = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()
    assert value(text, "staffgate_queue_jobs", state="due") == 0
    assert value(text, "staffgate_queue_jobs", state="scheduled") == 3
    assert value(text, "staffgate_queue_oldest_due_job_age_seconds") == 0


@pytest.mark.django_db
def test_factor_changes_and_token_refusals_are_counted(settings):
    settings.STAFFGATE_METRICS_NETWORKS = [ipaddress.ip_network("127.0.0.1/32")]
    before = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()
    record_event("account:factor:added", user_id="0000001", outcome="added")
    record_event("account:factor:reset", user_id="0000001", outcome="reset", actor="agent:sam")
    record_event("sso:not_eligible", user_id="0000001", outcome="refresh_refused")
    record_event("sso:not_eligible", user_id="0000001", outcome="authorize_refused")
    record_event("sso:code:replayed", user_id="0000001", outcome="tokens_revoked")
    record_event("account:login:code_locked", user_id="0000001", outcome="login.locked")
    after = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("staffgate_factor_changes_total", change="added") == 1
    assert grew("staffgate_factor_changes_total", change="reset") == 1
    assert grew("staffgate_token_outcomes_total", code="refresh_refused") == 1
    assert grew("staffgate_token_outcomes_total", code="authorize_refused") == 0
    assert grew("staffgate_token_outcomes_total", code="code_replayed") == 1
    assert grew("staffgate_factor_outcomes_total", code="login.locked") == 1
