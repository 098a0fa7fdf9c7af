"""The bench's peer (bench/peer/) is the login it claims to be.

``make bench`` compares staffgate with this peer, so the comparison is fair only if the
peer really hashes with staffgate's production Argon2id parameters, signs people in
through Django's LoginView onto its home page, and locks a username after three failures.
It runs in a process of its own (its settings are not the suite's), on a fresh database of
the kind the suite runs on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = r"""
import json, os
import django
django.setup()
from django.conf import settings
from django.contrib.auth.hashers import get_hasher, make_password
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils.module_loading import import_string

call_command("migrate", verbosity=0, interactive=False)
User.objects.create(username="BX0000001", password=make_password("Bench-login-2026"))
staffgate = import_string("staffgate.accounts.hashers.StaffgateArgon2Hasher")()


def attempt(client, password):
    page = client.get("/login/")
    token = client.cookies["csrftoken"].value
    form = {"csrfmiddlewaretoken": token, "username": "BX0000001", "password": password}
    answer = client.post("/login/", form)
    return page.status_code, answer


right = Client(enforce_csrf_checks=True)
form_status, answer = attempt(right, "Bench-login-2026")
home = right.get(answer["Location"])
stored = User.objects.get().password
wrong = Client(enforce_csrf_checks=True)
failures = [attempt(wrong, "Not-the-password-1")[1].status_code for _ in range(4)]
after_lock = attempt(Client(enforce_csrf_checks=True), "Bench-login-2026")[1].status_code
peer = get_hasher()
print(json.dumps({
    "hasher": f"{type(peer).__module__}.{type(peer).__qualname__}",
    "peer_params": [peer.time_cost, peer.memory_cost, peer.parallelism],
    "staffgate_params": [staffgate.time_cost, staffgate.memory_cost, staffgate.parallelism],
    "stored": stored.split("$")[:4],
    "form": form_status,
    "login": [answer.status_code, answer["Location"]],
    "home": [home.status_code, 'class="apps"' in home.content.decode()],
    "failures": failures,
    "after_lock": after_lock,
    "middleware": settings.MIDDLEWARE,
}))
"""


@pytest.fixture
def peer_database_url():
    """A fresh database for the peer, of the kind the suite runs on; dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield ""  # SQLite: a file of the peer's own under the var folder
        return
    import psycopg
    from psycopg import sql

    base, _, _ = url.rpartition("/")
    name = f"peer_test_{uuid.uuid4().hex[:10]}"
    admin_url = (base + "/postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def test_peer_logs_in_with_production_argon2_and_locks_after_three_failures(
    peer_database_url, tmp_path
):
    env = {
        key: value
        for key, value in os.environ.items()
        # The production parameters, not the suite's cheap ones.
        if not key.startswith(("STAFFGATE_ARGON2_", "DJANGO_SETTINGS_MODULE"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.peer.settings",
        DATABASE_URL=peer_database_url or f"sqlite:///{tmp_path / 'peer.sqlite3'}",
        STAFFGATE_SECRET_KEY="peer-test-secret-key-" + "x" * 40,
        STAFFGATE_ALLOWED_HOSTS="testserver",
        STAFFGATE_SECURE_COOKIES="0",
        STAFFGATE_VAR_DIR=str(tmp_path / "var"),
        STAFFGATE_LOG_LEVEL="ERROR",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    peer = json.loads(done.stdout.strip().splitlines()[-1])

    # Django's stock Argon2 hasher with the production parameters, staffgate's own.
    assert peer["hasher"] == "bench.peer.hashers.PeerArgon2Hasher"
    assert peer["peer_params"] == peer["staffgate_params"] == [2, 19456, 1]
    assert peer["stored"] == ["argon2", "argon2id", "v=19", "m=19456,t=2,p=1"]
    # Django's LoginView signs the person in onto the home page the load generator expects.
    assert peer["form"] == 200
    assert peer["login"] == [302, "/"]
    assert peer["home"] == [200, True]
    # django-axes: two failures answer the form again, the third locks the username…
    assert peer["failures"][:2] == [200, 200]
    assert peer["failures"][2:] == [429, 429]
    # …even for the right password, from another browser.
    assert peer["after_lock"] == 429
    assert peer["middleware"][-1] == "axes.middleware.AxesMiddleware"
