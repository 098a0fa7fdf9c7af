"""A database made by staffgate 0.1 upgrades in place: nobody's account, rights or session is lost.

0.1 kept employees in their own table and help-desk agents in Django's ``auth_user``.
The fixtures are databases that 0.1 migrated and ``populate_0_1.py`` filled.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from django.conf import settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "upgrade"
# The key the fixtures' sessions were signed with.
SECRET_KEY = "upgrade-fixture-secret-key-0123456789-0123456789-0123456789"
EXPECTED = {
    # Employees from 0.1 never proved their address with a code: their session and their
    # next login ask for it first, still signed in as themselves.
    "old_employee_session_home": [302, "/login/verify-email/?next=%2F"],
    "old_employee_session_shows_her_address": True,
    # Agents from 0.1 have no second factor yet: their session and their next login lead to
    # adding one before the queue opens.
    "old_agent_session_queue": [302, "/profile/factors/totp/"],
    "employee_login": [302, "/"],
    "employee_home_after_login": [302, "/login/verify-email/?next=%2F"],
    "agent_login": [302, "/helpdesk/"],
    "agent_queue_after_login": [302, "/profile/factors/totp/"],
    "wrong_password": 200,
    "ticket_closed_by": "alice",
    "note_author": "alice",
    "admin_log_user": "alice",
    "accounts": ["7000001", "alice"],
    "alice_is_agent": True,
    "left_in_auth_user": 0,
}


def upgrade(database_url: str, tmp_path: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "STAFFGATE_SECRET_KEY": SECRET_KEY,
        "STAFFGATE_DEBUG": "1",
        "STAFFGATE_SECURE_COOKIES": "0",
        "STAFFGATE_ALLOWED_HOSTS": "testserver",
        "STAFFGATE_VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, str(FIXTURES / "check_upgrade.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_database_from_0_1_upgrades_and_everyone_signs_in(tmp_path):
    """On the database of this run: SQLite's file, or PostgreSQL's dump in a new database."""
    server = settings.DATABASES["default"]
    if server["ENGINE"] == "django.db.backends.sqlite3":
        database = tmp_path / "staffgate.sqlite3"
        shutil.copy(FIXTURES / "staffgate-0.1.sqlite3", database)
        assert upgrade(f"sqlite:///{database}", tmp_path) == EXPECTED
        return
    name = f"staffgate_upgrade_{uuid.uuid4().hex[:8]}"
    psql = ["psql", "-h", server["HOST"], "-p", str(server["PORT"]), "-U", server["USER"]]
    subprocess.run([*psql, "-d", server["NAME"], "-qc", f"CREATE DATABASE {name}"], check=True)
    try:
        subprocess.run(
            [*psql, "-d", name, "-q", "-v", "ON_ERROR_STOP=1", "-f"]
            + [str(FIXTURES / "staffgate-0.1-postgresql.sql")],
            check=True,
            capture_output=True,
        )
        url = f"postgres://{server['USER']}@{server['HOST']}:{server['PORT']}/{name}"
        assert upgrade(url, tmp_path) == EXPECTED
    finally:
        subprocess.run([*psql, "-d", server["NAME"], "-qc", f"DROP DATABASE {name}"], check=True)
