"""The built wheel, installed as a deploy installs it, serves the portal translated.

From a copy of the source without compiled catalogues: build the wheel, install the
locked dependencies with their hashes and then the wheel into a fresh virtualenv that
sees nothing of this one, migrate, serve, and read the French login page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.serving import get, serving, stylesheet_of

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parents[3]
# Everything a checkout may hold that a clean clone does not.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "var", "build", "dist", "*.egg-info", "__pycache__", "*.mo",
    ".pytest_cache", ".ruff_cache", ".hypothesis",
)  # fmt: skip


def _pip(*args, cwd=None):
    command = [sys.executable, "-m", "pip", *args]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtualenv holding the locked dependencies and the wheel built from source."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    assert not list(source.rglob("*.mo"))
    _pip("wheel", ".", "--no-deps", "--quiet", "-w", str(work / "dist"), cwd=source)
    (wheel,) = (work / "dist").glob("staffgate-*.whl")

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(work / "venv")], check=True)
    python = str(work / "venv" / "bin" / "python")
    lock = str(source / "requirements.lock")
    _pip("--python", python, "install", "--quiet", "--require-hashes", "-r", lock)
    _pip("--python", python, "install", "--quiet", "--no-index", "--no-deps", str(wheel))
    # The lock must hold every dependency the wheel declares.
    _pip("--python", python, "check")
    return work


def _environment(var_dir: Path, **extra) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    return {
        **{name: os.environ[name] for name in keep if name in os.environ},
        "STAFFGATE_SECRET_KEY": "w" * 50,
        "STAFFGATE_ALLOWED_HOSTS": "127.0.0.1",
        "STAFFGATE_SECURE_COOKIES": "0",  # plain HTTP, as `make run` serves it
        "STAFFGATE_VAR_DIR": str(var_dir),
        **extra,
    }


@pytest.mark.sqlite_portal
def test_the_installed_wheel_serves_the_login_page_in_french(installed, tmp_path):
    staffgate = str(installed / "venv" / "bin" / "staffgate")
    env = _environment(tmp_path / "var")
    migrate = subprocess.run(
        [staffgate, "migrate", "--noinput", "-v", "0"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr

    with serving(staffgate, env, log=tmp_path / "serve.log", cwd=tmp_path) as base:
        page = get(base + "/login/?language=fr")
        assert 'lang="fr"' in page
        assert "<h1>Se connecter</h1>" in page
        assert b"staffgate" in stylesheet_of(base, page)
    assert (tmp_path / "var" / "static" / "staticfiles.json").is_file()
    site_packages = next((installed / "venv" / "lib").glob("python3*/site-packages"))
    assert not list((site_packages / "staffgate").rglob("staticfiles.json"))


def test_a_redis_cache_without_the_redis_extra_stops_startup_naming_the_extra(installed, tmp_path):
    staffgate = str(installed / "venv" / "bin" / "staffgate")
    env = _environment(tmp_path, STAFFGATE_CACHE_URL="redis://127.0.0.1:6379/0")
    result = subprocess.run(
        [staffgate, "check"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "staffgate[redis]" in result.stderr
    assert "Traceback" not in result.stderr
