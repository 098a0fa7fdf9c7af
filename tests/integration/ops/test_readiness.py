"""/readyz: ready only when the database, the cache and the migrations are; /healthz is liveness."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command

from staffgate.ops import readiness
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


@pytest.mark.django_db
def test_readyz_answers_ok_when_every_part_is_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok"},
    }


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
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_checks_the_cache_when_one_is_configured(client, settings, monkeypatch):
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
def test_readyz_takes_the_checks_other_parts_register(client):
    readiness.register_check("worker", lambda: "no heartbeat for 75 s")
    try:
        response = client.get("/readyz")
    finally:
        readiness._checks.pop("worker")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["checks"]["worker"] == "no heartbeat for 75 s"


@pytest.mark.django_db
def test_probes_and_scrapes_are_answered_over_plain_http_when_pages_redirect(settings):
    from django.test import Client

    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # a new client builds the middleware with this setting
    assert client.get("/login/").status_code == 301
    assert client.get("/readyz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 403  # answered, not redirected
