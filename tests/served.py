"""One `staffgate serve` (gunicorn) on its own SQLite file, for tests that need the real server."""

from __future__ import annotations

import atexit
import contextlib
import http.client
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

STAFFGATE = str(Path(sys.executable).with_name("staffgate"))

# `staffgate migrate` on an empty file takes several seconds (every migration of every app);
# the tests that serve a portal of their own would each pay it. It runs once per test
# process instead, into a file of this process's own, and each portal gets a copy: the
# same database the command makes, since no migration reads the environment.
_lock = threading.Lock()
_template: Path | None = None


def migrated_copy(destination: Path, env: dict[str, str]) -> None:
    """Write a freshly migrated SQLite database at ``destination``.

    ``env`` is the portal's environment (its secret key, folders); the first call migrates
    the template with it."""
    global _template
    with _lock:
        if _template is None:
            folder = Path(tempfile.mkdtemp(prefix="staffgate-migrated-"))
            atexit.register(shutil.rmtree, folder, True)
            template = folder / "migrated.sqlite3"
            subprocess.run(
                [STAFFGATE, "migrate", "--noinput", "-v", "0"],
                env={**env, "DATABASE_URL": f"sqlite:///{template}"},
                check=True,
            )
            # Everything in the main file, no write-ahead log beside it: one file to copy.
            with sqlite3.connect(template) as database:
                database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            database.close()
            _template = template
    shutil.copyfile(_template, destination)


@dataclass
class Served:
    port: int
    log: Path
    env: dict

    def manage(self, *args: str, **extra_env: str) -> str:
        """Run one `staffgate` command on this portal's database; its output."""
        result = subprocess.run(
            [STAFFGATE, *args], env={**self.env, **extra_env}, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        """One request over a fresh connection; (status, headers, body). Redirects not followed."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(tmp_path: Path, *, worker: bool | int = False, **settings: str):
    """Serve a freshly migrated SQLite file; ``settings`` are extra environment variables.

    With ``worker``, `staffgate worker` runs beside the server (it sends the e-mails); a
    number starts that many, as an operator with much mail to send would."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": f"sqlite:///{tmp_path}/served.sqlite3",
        "STAFFGATE_SECRET_KEY": "s" * 50,
        "STAFFGATE_ALLOWED_HOSTS": "127.0.0.1",
        "STAFFGATE_SECURE_COOKIES": "0",
        "STAFFGATE_VAR_DIR": str(tmp_path),
        "STAFFGATE_ARGON2_MEMORY_KIB": "1024",
        "STAFFGATE_ARGON2_TIME_COST": "1",
        **settings,
    }
    migrated_copy(tmp_path / "served.sqlite3", env)
    port, log = _free_port(), tmp_path / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [STAFFGATE, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        background = [
            subprocess.Popen(
                [STAFFGATE, "worker", "--interval", "0.2", "-v", "0"],
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
            for _ in range(int(worker))
        ]
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert server.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.2)
            yield Served(port, log, env)
        finally:
            for process in (server, *background):
                process.terminate()
                process.wait(timeout=30)
