"""Login timing: unknown IDs against wrong passwords for real IDs, over HTTP.

Starts the production server on a throw-away SQLite database with production
Argon2 parameters, makes N registered people, then sends N interleaved login
attempts of each kind (a fresh ID every time, so no lock is involved) and
reports the median response time of each and their difference.

    .venv/bin/python bench/login_timing.py [--tries 200]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
CSRF = secrets.token_hex(16)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def timed_login(base: str, user_id: str, password: str) -> float:
    body = urllib.parse.urlencode(
        {"user_id": user_id, "password": password, "csrfmiddlewaretoken": CSRF}
    ).encode()
    request = urllib.request.Request(
        base + "/login/", data=body, headers={"Cookie": f"csrftoken={CSRF}"}, method="POST"
    )
    start = time.perf_counter()
    try:
        with OPENER.open(request, timeout=30) as response:
            page = response.read().decode()
    except urllib.error.HTTPError as error:
        raise SystemExit(f"unexpected HTTP {error.code}") from None
    elapsed = time.perf_counter() - start
    if 'data-code="login.invalid"' not in page:
        raise SystemExit("expected login.invalid")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=200)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="staffgate-timing-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp}/timing.sqlite3",
        "STAFFGATE_SECRET_KEY": secrets.token_urlsafe(50),
        "STAFFGATE_ALLOWED_HOSTS": "127.0.0.1",
        "STAFFGATE_SECURE_COOKIES": "0",
        "STAFFGATE_VAR_DIR": str(tmp),
        "STAFFGATE_IP_MAX_FAILURES": "1000000",
        "STAFFGATE_LOG_LEVEL": "WARNING",
    }
    staffgate = str(BIN / "staffgate")
    subprocess.run([staffgate, "migrate", "-v", "0"], env=env, check=True)
    seed = f"""
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from staffgate.accounts.models import Account
from staffgate.roster.models import Person
now = timezone.now()
people = Person.objects.bulk_create(
    Person(employee_id=f"{{7000000 + n}}", first_name="Pat", last_name="Jones",
           birth_year=1960, country="US", status="active") for n in range({args.tries}))
hashed = make_password("Right2pass")
Account.objects.bulk_create(
    Account(person=p, user_id=p.employee_id, password=hashed, email=f"{{p.employee_id}}@x.test",
            terms_version="t", terms_accepted_at=now, registered_at=now,
            password_changed_at=now) for p in people)
"""
    subprocess.run([staffgate, "shell", "--no-imports", "-c", seed], env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [staffgate, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        for n in range(5):  # warm-up
            timed_login(base, f"9{n:06d}", "Wrong1pass")
        unknown, wrong = [], []
        for n in range(args.tries):
            unknown.append(timed_login(base, f"8{n:06d}", "Wrong1pass"))
            wrong.append(timed_login(base, f"{7000000 + n}", "Wrong1pass"))
    finally:
        server.terminate()
        server.wait(timeout=30)
    m_unknown, m_wrong = statistics.median(unknown), statistics.median(wrong)
    difference = abs(m_unknown - m_wrong) / max(m_unknown, m_wrong)
    result = {
        "tries_each": args.tries,
        "median_ms_unknown_id": round(m_unknown * 1000, 2),
        "median_ms_wrong_password": round(m_wrong * 1000, 2),
        "relative_difference": round(difference, 4),
        "within_10_percent": difference < 0.10,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
