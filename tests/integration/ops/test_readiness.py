"""/readyz: ready only when the database, the cache, the migrations and a worker are;
/healthz is liveness."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command

from staffgate.core import timeutil
from staffgate.ops import heartbeat, readiness
from tests.e2e.portal import STAFFGATE, free_port


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def served_status(tmp_path, database_url: str, path: str = "/readyz") -> tuple[int, dict]:
    """Start `staffgate serve` on ``database_url`` without migrating, and GET ``path``."""
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": database_url,
        "STAFFGATE_SECRET_KEY": "s" * 50,
        "STAFFGATE_ALLOWED_HOSTS": "127.0.0.1",
        "STAFFGATE_SECURE_COOKIES": "0",
        "STAFFGATE_VAR_DIR": str(tmp_path),
    }
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [STAFFGATE, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                return get(f"http://127.0.0.1:{port}{path}")
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError((tmp_path / "server.log").read_text()) from None
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def beating_worker():
    """A worker that beat just now."""
    heartbeat.record_beat("worker-host:4242")


@pytest.mark.django_db
def test_readyz_answers_ok_when_every_part_is_ready(client, beating_worker):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "worker": "ok"},
    }


@pytest.mark.django_db
def test_readyz_names_the_worker_when_none_ever_beat(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "worker": "no heartbeat",
    }


@pytest.mark.django_db
def test_readyz_names_the_worker_when_it_has_not_beaten_for_60_seconds(client):
    now = timeutil.now()
    heartbeat.record_beat("worker-host:1", now=now - dt.timedelta(seconds=59))
    assert client.get("/readyz").status_code == 200
    heartbeat.record_beat("worker-host:1", now=now - dt.timedelta(seconds=61))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["checks"]["worker"] == "no heartbeat for 61 s"
    # Beating again, it is ready again.
    heartbeat.record_beat("worker-host:1")
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_one_beating_worker_among_several_is_enough(client, settings):
    now = timeutil.now()
    heartbeat.record_beat("host-a:1", now=now - dt.timedelta(minutes=30))  # stopped
    heartbeat.record_beat("host-b:7", now=now - dt.timedelta(seconds=5))
    assert client.get("/readyz").status_code == 200
    # The timeout is a setting.
    settings.STAFFGATE_WORKER_HEARTBEAT_TIMEOUT = 4
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["failing"] == ["worker"]


@pytest.mark.django_db
def test_workers_gone_for_a_day_are_forgotten(client):
    from staffgate.ops.models import WorkerHeartbeat

    now = timeutil.now()
    heartbeat.record_beat("host-a:1", now=now - dt.timedelta(days=1, minutes=1))
    heartbeat.record_beat("host-a:2", now=now - dt.timedelta(hours=23))
    heartbeat.record_beat("host-b:3", now=now)
    assert sorted(WorkerHeartbeat.objects.values_list("worker", flat=True)) == [
        "host-a:2",
        "host-b:3",
    ]


def test_readyz_names_the_database_when_postgresql_is_not_listening(tmp_path):
    status, body = served_status(tmp_path, f"postgres://postgres@127.0.0.1:{free_port()}/none")
    assert status == 503
    assert body["failing"] == ["database"] and body["checks"]["database"] == "unreachable"
    # Liveness is about the process: the same server still answers /healthz (with its 503).
    assert (
        served_status(tmp_path, f"postgres://postgres@127.0.0.1:{free_port()}/x", "/healthz")[0]
        == 503
    )


def test_readyz_names_the_database_when_the_sqlite_file_cannot_be_opened(tmp_path):
    (tmp_path / "a-folder.sqlite3").mkdir()  # a folder where the database file should be
    status, body = served_status(tmp_path, f"sqlite:///{tmp_path}/a-folder.sqlite3")
    assert status == 503
    assert body["failing"] == ["database"]


def test_readyz_names_the_migrations_on_a_database_never_migrated(tmp_path):
    status, body = served_status(tmp_path, f"sqlite:///{tmp_path}/empty.sqlite3")
    assert status == 503
    assert body["failing"] == ["migrations"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"].endswith("not applied")


@pytest.mark.django_db(transaction=True)
def test_readyz_names_the_migrations_when_one_is_rolled_back(client):
    readiness.forget_migrations()
    call_command("migrate", "audit", "0003", verbosity=0)
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["failing"] == ["migrations"]
        assert response.json()["checks"]["migrations"] == "1 not applied"
    finally:
        call_command("migrate", "audit", verbosity=0)
        readiness.forget_migrations()
    heartbeat.record_beat("worker-host:4242")
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_checks_the_cache_when_one_is_configured(
    client, settings, monkeypatch, beating_worker
):
    settings.STAFFGATE_CACHE_URL = "redis://127.0.0.1:6379/15"
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("connection refused")

    monkeypatch.setattr(cache, "set", down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
    assert response.json()["checks"]["cache"] == "unreachable"


@pytest.mark.django_db
def test_readyz_takes_the_checks_other_parts_register(client, beating_worker):
    readiness.register_check("mail relay", lambda: "refuses connections")
    try:
        response = client.get("/readyz")
    finally:
        readiness.unregister_check("mail relay")
    assert response.status_code == 503
    assert response.json()["failing"] == ["mail relay"]
    assert response.json()["checks"]["mail relay"] == "refuses connections"
    assert response.json()["checks"]["worker"] == "ok"
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_probes_and_scrapes_are_answered_over_plain_http_when_pages_redirect(
    settings, beating_worker
):
    from django.test import Client

    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # a new client builds the middleware with this setting
    assert client.get("/login/").status_code == 301
    assert client.get("/readyz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 403  # answered, not redirected
