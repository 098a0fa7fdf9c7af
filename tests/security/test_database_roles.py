"""The server's PostgreSQL role cannot erase the audit log (ASVS 5.0 V16.4.2, V13.2.2).

`staffgate setup-database-roles` gives the role the server runs as every right it
needs and no more: audit events may be read and appended, never changed, deleted
or truncated, and since the role owns nothing it cannot disable the triggers. A
statement trigger refuses TRUNCATE to anyone short of a superuser.
"""

from __future__ import annotations

import os

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from staffgate.audit.services import record_event

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles"),
]

# Roles belong to the whole server: a name of this run's own, dropped afterwards.
APP_ROLE = f"staffgate_test_app_{os.getpid()}"
OTHER_ROLE = f"staffgate_test_owner_{os.getpid()}"


def connect_as(role: str):
    info = connection.settings_dict
    return psycopg.connect(
        host=info.get("HOST") or "127.0.0.1",
        port=info.get("PORT") or 5432,
        dbname=info["NAME"],
        user=role,
        password=None,
        autocommit=True,
    )


@pytest.fixture
def app_role():
    call_command("setup_database_roles", APP_ROLE)
    yield APP_ROLE
    with connection.cursor() as cursor:
        for role in (APP_ROLE, OTHER_ROLE):
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone():
                cursor.execute(f'DROP OWNED BY "{role}"')
                cursor.execute(f'DROP ROLE "{role}"')


def refused(db, statement: str, reason: str) -> None:
    with pytest.raises(psycopg.Error) as error:
        db.execute(statement)
    assert reason in str(error.value), str(error.value)


def test_v16_4_2_the_app_role_reads_and_appends_audit_events_and_nothing_more(app_role):
    record_event("account:login:failure", user_id="1234567", outcome="login.invalid")
    with connect_as(app_role) as db:
        assert db.execute("SELECT count(*) FROM audit_auditevent").fetchone() == (1,)
        db.execute(
            "INSERT INTO audit_auditevent (created_at, tag, outcome, user_id, actor, "
            "user_agent, detail, request_id) "
            "VALUES (now(), 'account:logout', '', '', '', '', '{}', '')"
        )
        refused(db, "UPDATE audit_auditevent SET outcome = 'x'", "permission denied")
        refused(db, "DELETE FROM audit_auditevent", "permission denied")
        refused(db, "TRUNCATE audit_auditevent", "permission denied")
        refused(
            db,
            "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only",
            "must be owner",
        )
        refused(db, "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL", "must be owner")
        refused(db, "DROP TABLE audit_auditevent", "must be owner")
        refused(db, "CREATE TABLE sneaky (id int)", "permission denied")
        refused(db, "DELETE FROM django_migrations", "permission denied")
        assert db.execute("SELECT count(*) FROM audit_auditevent").fetchone() == (2,)


def test_v13_2_2_the_app_role_can_run_the_portal(app_role):
    with connect_as(app_role) as db:
        db.execute(
            "INSERT INTO accounts_access_lock (user_id, login_failures, recovery_failures) "
            "VALUES ('7654321', 1, 0)"
        )
        db.execute("UPDATE accounts_access_lock SET login_failures = 2")
        db.execute("DELETE FROM accounts_access_lock")
        db.execute("SELECT count(*) FROM django_session").fetchone()
        assert db.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 0


def test_v16_4_2_a_role_granted_truncate_is_still_refused_by_the_trigger(app_role):
    record_event("account:login:failure", user_id="1234567", outcome="login.invalid")
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{OTHER_ROLE}" LOGIN')
        cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{OTHER_ROLE}"')
        cursor.execute(f'GRANT TRUNCATE, SELECT ON audit_auditevent TO "{OTHER_ROLE}"')
    with connect_as(OTHER_ROLE) as db:
        refused(db, "TRUNCATE audit_auditevent", "append-only")
        assert db.execute("SELECT count(*) FROM audit_auditevent").fetchone() == (1,)


def test_v13_2_2_the_command_refuses_to_run_as_the_app_role_itself(app_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
    with pytest.raises(CommandError, match="letters, digits"):
        call_command("setup_database_roles", "bad-name; DROP")
    assert owner != app_role
