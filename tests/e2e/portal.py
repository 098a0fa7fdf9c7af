"""A real portal for browser tests: `staffgate serve` on a fresh SQLite file, with a roster.

Used by the e2e fixtures and by ``scripts/screenshots.py``. Everything goes through the
``staffgate`` command, as an operator would: migrate, import-roster, create-agent, serve.
"""

from __future__ import annotations

import contextlib
import csv
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.served import STAFFGATE, migrated_copy

CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium, quiet: no sandbox (root in CI), no calls home, no first-run pages.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

AGENT_USERNAME = "helpdesk.ana"
AGENT_PASSWORD = "Desk-e2e-2026!long"
SUPERVISOR_USERNAME = "helpdesk.sam"

_FIRST = ["Pat", "Lou", "Sam", "Alex", "Jo", "Kim", "Dana", "Noa", "Rene", "Lee"]
_LAST = ["Jones", "Tremblay", "Rivera", "Smith", "Gagnon", "Ortiz", "Brown", "Roy", "Diaz"]


@dataclass(frozen=True)
class Employee:
    """One roster row, with the registration PIN derived from it."""

    employee_id: str
    first_name: str
    last_name: str
    birth_year: int
    email: str
    country: str = "US"

    @property
    def pin(self) -> str:
        # First two letters of the last name, last two digits of birth year and of the ID.
        return self.last_name[:2].lower() + str(self.birth_year)[-2:] + self.employee_id[-2:]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def roster(count: int) -> list[Employee]:
    """``count`` eligible people with plain ASCII names, so their PINs are easy to read."""
    people = []
    for n in range(count):
        employee_id = f"{7100000 + n * 7:07d}"
        people.append(
            Employee(
                employee_id=employee_id,
                first_name=_FIRST[n % len(_FIRST)],
                last_name=_LAST[n % len(_LAST)],
                birth_year=1950 + n % 50,
                email=f"e2e.{employee_id}@example.com",
                country=("US", "CA", "PR")[n % 3],
            )
        )
    return people


def write_roster_csv(path: Path, people: list[Employee]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "employee_id",
                "first_name",
                "last_name",
                "birth_year",
                "country",
                "status",
                "retirement_plan",
                "separation_date",
            ]
        )
        for p in people:
            writer.writerow(
                [
                    p.employee_id,
                    p.first_name,
                    p.last_name,
                    p.birth_year,
                    p.country,
                    "active",
                    "",
                    "",
                ]
            )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Portal:
    """A running portal: its address, its folder (mail, log) and its roster."""

    base_url: str
    folder: Path
    people: list[Employee]
    env: dict = field(repr=False, default_factory=dict)
    _next: int = 0

    @property
    def mail_dir(self) -> Path:
        return self.folder / "mail"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def take_person(self) -> Employee:
        """A person nobody has used yet on this portal."""
        if self._next >= len(self.people):
            raise RuntimeError("the e2e roster is used up: raise the count in start_portal()")
        self._next += 1
        return self.people[self._next - 1]

    def mails_to(self, address: str) -> list[str]:
        """Every message the portal wrote for ``address`` (filemail backend)."""
        if not self.mail_dir.is_dir():
            return []
        texts = (path.read_text(errors="replace") for path in sorted(self.mail_dir.iterdir()))
        return [text for text in texts if f"To: {address}" in text]

    def wait_mails_to(self, address: str, at_least: int = 1, seconds: float = 20) -> list[str]:
        """``mails_to``, once the worker has sent at least ``at_least`` of them (or the time
        is up)."""
        deadline = time.monotonic() + seconds
        while len(found := self.mails_to(address)) < at_least and time.monotonic() < deadline:
            time.sleep(0.1)
        return found

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def _run(args: list[str], env: dict) -> str:
    result = subprocess.run(
        [STAFFGATE, *args], env=env, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"`staffgate {' '.join(args)}` failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result.stdout


@contextlib.contextmanager
def start_portal(
    folder: Path,
    people_count: int = 60,
    *,
    workers: int = 1,
    env_overrides: dict | None = None,
    bind_host: str = "127.0.0.1",
    port: int | None = None,
    worker: bool = True,
) -> Iterator[Portal]:
    """Migrate, seed and serve a portal in ``folder``, with its worker unless ``worker`` is
    false (a test that starts and stops the worker itself); stop them on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mail").mkdir(exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": f"sqlite:///{folder}/portal.sqlite3",
        "STAFFGATE_SECRET_KEY": secrets.token_urlsafe(48),
        "STAFFGATE_ALLOWED_HOSTS": "127.0.0.1",
        "STAFFGATE_SECURE_COOKIES": "0",  # plain HTTP on the loopback, as `make run` serves
        "STAFFGATE_VAR_DIR": str(folder),
        "EMAIL_URL": f"filemail:///{folder}/mail",
        "STAFFGATE_ARGON2_MEMORY_KIB": "1024",
        "STAFFGATE_ARGON2_TIME_COST": "1",
        # Every journey comes from 127.0.0.1: the per-address throttles must not mix them up.
        "STAFFGATE_IP_MAX_FAILURES": "100000",
        "STAFFGATE_HELP_MAX_TICKETS": "1000",
        "STAFFGATE_LOG_LEVEL": "WARNING",
        "STAFFGATE_TIME_ZONE": "America/New_York",
        **(env_overrides or {}),
    }
    # The key that signs ID tokens: single sign-on is on, as `make run` has it.
    subprocess.run(
        [sys.executable, "-m", "staffgate.oidc.keys", str(folder / "oidc_key.pem")], check=True
    )
    env["STAFFGATE_OIDC_KEY_FILE"] = str(folder / "oidc_key.pem")
    people = roster(people_count)
    migrated_copy(folder / "portal.sqlite3", env)
    csv_path = folder / "roster.csv"
    write_roster_csv(csv_path, people)
    _run(["import-roster", str(csv_path)], env)
    _run(
        [
            "create-agent",
            AGENT_USERNAME,
            "--email",
            "ana@helpdesk.example.com",
            "--password-from-env",
            "E2E_AGENT_PASSWORD",
        ],
        {**env, "E2E_AGENT_PASSWORD": AGENT_PASSWORD},
    )
    _run(
        [
            "create-agent",
            SUPERVISOR_USERNAME,
            "--supervisor",
            "--password-from-env",
            "E2E_AGENT_PASSWORD",
        ],
        {**env, "E2E_AGENT_PASSWORD": AGENT_PASSWORD},
    )
    port = port or free_port()
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [
            STAFFGATE,
            "serve",
            "--bind",
            f"{bind_host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # The background queue beside it, as `make run` has it: it sends every e-mail.
    processes = [server]
    if worker:
        processes.append(
            subprocess.Popen(
                [STAFFGATE, "worker", "--interval", "0.2", "-v", "0"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    portal = Portal(base_url=f"http://{bind_host}:{port}", folder=folder, people=people, env=env)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(portal.base_url + "/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"staffgate serve did not start:\n{portal.log_tail()}")
            time.sleep(0.2)
        yield portal
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
