"""The lock is exact across several app servers sharing one database (ASVS 5.0 V6.3.1)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import PASSWORD
from tests.http import outcome_of, post_form, post_login, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

STAFFGATE = str(Path(sys.executable).with_name("staffgate"))


def _database_url() -> str:
    info = connection.settings_dict
    if connection.vendor == "postgresql":
        host = info.get("HOST") or "127.0.0.1"
        port = info.get("PORT") or 5432
        user = info.get("USER") or "postgres"
        return f"postgres://{user}@{host}:{port}/{info['NAME']}"
    return f"sqlite:///{info['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def three_servers(tmp_path):
    """Three separate `staffgate serve` processes on the test database."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": _database_url(),
        "STAFFGATE_SECRET_KEY": "c" * 50,
        "STAFFGATE_ALLOWED_HOSTS": "127.0.0.1",
        "STAFFGATE_SECURE_COOKIES": "0",
        "STAFFGATE_VAR_DIR": str(tmp_path),
        "STAFFGATE_ARGON2_MEMORY_KIB": "1024",
        "STAFFGATE_ARGON2_TIME_COST": "1",
        "STAFFGATE_IP_MAX_FAILURES": "100000",
        "STAFFGATE_LOG_LEVEL": "WARNING",
    }
    servers, urls = [], []
    for n in range(3):
        port = _free_port()
        env["STAFFGATE_VAR_DIR"] = str(tmp_path / f"server{n}")  # own static files each
        cmd = [
            STAFFGATE,
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "8",
        ]
        servers.append(
            subprocess.Popen(
                cmd, env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 90
        for url, server in zip(urls, servers, strict=True):
            while True:
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=5).close()
                    break
                except OSError:
                    assert server.poll() is None, "an app server exited at start-up"
                    assert time.monotonic() < deadline, "app servers did not start"
                    time.sleep(0.3)
        yield urls
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        _wait_for_their_sessions_to_end()


def _wait_for_their_sessions_to_end(seconds: float = 10) -> None:
    """PostgreSQL ends a server's sessions a moment after its process: the test database
    can be dropped once they are gone."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


def test_v6_3_1_ninety_wrong_logins_over_three_servers_lock_exactly(three_servers, make_account):
    account = make_account()
    targets = [three_servers[n % 3] for n in range(90)]
    with ThreadPoolExecutor(max_workers=30) as pool:
        codes = list(pool.map(lambda url: post_login(url, account.user_id, "Wrong1pass"), targets))
    assert codes.count("login.invalid") == 2
    assert codes.count("login.locked") == 88
    for url in three_servers:
        assert post_login(url, account.user_id, PASSWORD) == "login.locked"


def test_v6_3_1_ninety_wrong_recoveries_over_three_servers_lock_exactly(
    three_servers, make_account
):
    from tests.conftest import ANSWERS

    account = make_account()
    wrong = {f"answer_{n}": f"{answer}!" for n, (_, answer) in enumerate(ANSWERS, start=1)}
    # Each try is its own visitor: start on one server, answer on the next.
    starts = []
    for n in range(90):
        status, _, headers = post_form(
            three_servers[n % 3], "/recover/", {"user_id": account.user_id}
        )
        assert status == 302
        starts.append((three_servers[(n + 1) % 3], session_cookie(headers)))

    def answer(target):
        url, cookies = target
        status, page, _ = post_form(url, "/recover/questions/", wrong, cookies)
        assert status == 200
        return outcome_of(page)

    with ThreadPoolExecutor(max_workers=30) as pool:
        codes = list(pool.map(answer, starts))
    assert codes.count("recover.invalid") == 2
    assert codes.count("account.locked") == 88
    for url in three_servers:
        assert post_login(url, account.user_id, PASSWORD) == "account.locked"
