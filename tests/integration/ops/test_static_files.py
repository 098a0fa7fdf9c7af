"""Static files are collected into STATIC_ROOT once, and again only when they change."""

from __future__ import annotations

import json
import os

import pytest
from django.core.management import call_command

from staffgate.core.staticfiles import collect_static_files, stale_static_files
from tests.integration.ops.test_cli_and_health import STAFFGATE, run_cli
from tests.serving import get, serving, stylesheet_of

MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture
def static_root(settings, tmp_path):
    settings.STORAGES = MANIFEST_STORAGE
    settings.STATIC_ROOT = tmp_path / "static"
    return settings.STATIC_ROOT


def test_an_empty_static_root_is_stale_until_collected(static_root):
    assert "staffgate/site.css" in stale_static_files()
    assert "staffgate/site.css" in collect_static_files()
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    assert "staffgate/site.css" in manifest["paths"]
    assert stale_static_files() == []
    assert collect_static_files() == []


def test_a_changed_source_file_is_collected_again(static_root):
    call_command("collectstatic", interactive=False, verbosity=0)
    stylesheet = static_root / "staffgate" / "site.css"
    # An older copy, written after the new source as an upgrade leaves it.
    stylesheet.write_text("body { color: red }")
    assert stale_static_files() == ["staffgate/site.css"]
    assert collect_static_files() == ["staffgate/site.css"]
    assert b"staffgate" in stylesheet.read_bytes()
    assert stale_static_files() == []


def test_a_missing_manifest_makes_every_file_stale(static_root):
    call_command("collectstatic", interactive=False, verbosity=0)
    (static_root / "staticfiles.json").unlink()
    assert "staffgate/site.css" in stale_static_files()
    collect_static_files()
    assert (static_root / "staticfiles.json").is_file()


@pytest.mark.sqlite_portal
def test_serve_leaves_an_up_to_date_static_root_alone(tmp_path):
    static_root = tmp_path / "collected"
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/serve.sqlite3",
        "STAFFGATE_STATIC_ROOT": str(static_root),
    }
    assert run_cli("migrate", "-v", "0", env_overrides=env, tmp_path=tmp_path).returncode == 0
    collected = run_cli("collectstatic", "--noinput", env_overrides=env, tmp_path=tmp_path)
    assert collected.returncode == 0, collected.stderr
    manifest = static_root / "staticfiles.json"
    written = manifest.stat().st_mtime_ns

    server_env = {
        "PATH": os.environ.get("PATH", ""),
        "STAFFGATE_SECRET_KEY": "s" * 50,
        "STAFFGATE_ALLOWED_HOSTS": "127.0.0.1",
        "STAFFGATE_VAR_DIR": str(tmp_path),
        "STAFFGATE_SECURE_COOKIES": "0",
        **env,
    }
    with serving(STAFFGATE, server_env, log=tmp_path / "serve.log", ready="/login/") as base:
        assert b"staffgate" in stylesheet_of(base, get(base + "/login/"))
    assert manifest.stat().st_mtime_ns == written
    assert not (tmp_path / "static").exists()
