"""The provider as operators run it, on the test's own database: ``staffgate serve``, its
``staffgate worker`` and the commands, each a separate process; the example app beside.

Tests using these need ``transactional_db``: what the test writes is committed, so the
processes see it, and what they write is there for the test to read.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import importlib.util
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from unittest import mock
from urllib.parse import quote
from wsgiref.simple_server import WSGIServer, make_server

from django.conf import settings
from django.db import connection

from tests.integration.oidc.receiver import free_port
from tests.serving import serving

STAFFGATE = str(Path(sys.executable).with_name("staffgate"))
APP_FILE = Path(__file__).resolve().parents[3] / "examples" / "benefits-app" / "app.py"


def current_database_url() -> str:
    """The URL of the database this test runs on (the test copy, not the configured one)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}/{db['NAME']}"


def environment(folder: Path, **extra: str) -> dict[str, str]:
    """Production settings for the processes, on the test database, mail into files."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": current_database_url(),
        "STAFFGATE_SECRET_KEY": "p" * 50,
        "STAFFGATE_ALLOWED_HOSTS": "127.0.0.1",
        "STAFFGATE_SECURE_COOKIES": "0",
        "STAFFGATE_VAR_DIR": str(folder),
        "STAFFGATE_OIDC_KEY_FILE": settings.STAFFGATE_OIDC_KEY_PATH,
        "STAFFGATE_ARGON2_MEMORY_KIB": "1024",
        "STAFFGATE_ARGON2_TIME_COST": "1",
        "STAFFGATE_IP_MAX_FAILURES": "100000",
        "STAFFGATE_LOG_LEVEL": "WARNING",
        "EMAIL_URL": f"filemail://{folder / 'mail'}",
        **extra,
    }


@contextlib.contextmanager
def staffgate_serve(env: dict[str, str], folder: Path):
    """``staffgate serve`` on ``env``; yields its base URL."""
    with serving(STAFFGATE, env, log=folder / "server.log") as base:
        yield base


@contextlib.contextmanager
def staffgate_worker(env: dict[str, str], folder: Path):
    """``staffgate worker``, polling often, until the block ends."""
    with (folder / "worker.log").open("w") as log:
        worker = subprocess.Popen(
            [STAFFGATE, "worker", "--interval", "0.2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield worker
        finally:
            worker.terminate()
            worker.wait(timeout=30)


def staffgate(env: dict[str, str], *args: str) -> str:
    """One ``staffgate`` command, as an operator types it; its output."""
    done = subprocess.run(
        [STAFFGATE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def mailed_code_in(folder: Path, to: str, wait: float = 30.0) -> str:
    """The last e-mail code the processes mailed to ``to`` (the file mail folder), waiting
    up to ``wait`` seconds for the worker to send it."""
    deadline = time.monotonic() + wait
    while (found := _last_code(folder, to)) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert found, f"no e-mail code was mailed to {to}"
    return found


def _last_code(folder: Path, to: str) -> str | None:
    found = None
    for path in sorted((folder / "mail").glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk, policy=email.policy.default)
            if message["X-Staffgate-Mail"] == "email_code" and to in message["To"]:
                found = re.search(r"\b\d{6}\b", message.get_body(("plain",)).get_content())
    return found.group() if found else None


class ExampleApp:
    """examples/benefits-app, loaded as a module and served on a port of its own; it can
    be stopped and started again on the same port (an app that goes down and comes back)."""

    def __init__(self, issuer: str, registered, port: int):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        environment = {
            "BENEFITS_ISSUER": issuer,
            "BENEFITS_CLIENT_ID": registered.client_id,
            "BENEFITS_CLIENT_SECRET": registered.client_secret,
            "BENEFITS_PORT": str(port),
        }
        with mock.patch.dict(os.environ, environment):
            spec = importlib.util.spec_from_file_location("benefits_app_under_test", APP_FILE)
            self.module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(self.module)
        self.server = None

    def start(self) -> ExampleApp:
        self.server = make_server(
            "127.0.0.1", self.port, self.module.application, WSGIServer, self.module.QuietHandler
        )
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def register_example_app(base_port: int | None = None):
    """Register the example app (first-party, with back-channel logout) on a free port."""
    from staffgate.oidc.registry import add_app

    port = base_port or free_port()
    base = f"http://127.0.0.1:{port}"
    registered = add_app(
        "Benefits",
        redirect_uris=[base + "/oidc/callback"],
        backchannel_logout_uri=base + "/oidc/backchannel-logout",
        post_logout_redirect_uris=[base + "/"],
        scopes="openid profile email employee",
        first_party=True,
        launch_url=base + "/",
    )
    return registered, port
