"""``staffgate setup-database-roles``: the PostgreSQL role the server runs as, with least rights.

Run as the role that ran the migrations and owns the tables (``DATABASE_URL`` set to
it). The app role may read and write the portal's tables but only ``INSERT`` and
``SELECT`` audit events, and, owning nothing, cannot alter or disable the triggers
that guard them. Run it again after every ``staffgate migrate``: new tables get
their grants then.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

from staffgate.audit.models import AuditEvent

AUDIT_TABLE = AuditEvent._meta.db_table


class Command(BaseCommand):
    help = (
        "Create or update the PostgreSQL role the server connects as: every table read and "
        "written, the audit log only read and appended to. Run as the owner of the tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("app_role", help="The role the server connects as, e.g. staffgate_app.")
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="Set the app role's password from this environment variable.",
        )

    def handle(self, app_role, password_from_env, **options):
        if connection.vendor != "postgresql":
            raise CommandError("setup-database-roles needs PostgreSQL (DATABASE_URL=postgres://…).")
        if not app_role.replace("_", "").isalnum() or app_role[0].isdigit():
            raise CommandError(f"{app_role!r}: use letters, digits and _ for the role name.")
        password = None
        if password_from_env:
            password = os.environ.get(password_from_env)
            if not password:
                raise CommandError(f"{password_from_env} is not set or empty.")
        role = sql.Identifier(app_role)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database(), current_schema()")
            owner, database, schema = cursor.fetchone()
            if owner == app_role:
                raise CommandError("Run this as the owner of the tables, not as the app role.")
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app_role])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(role))
            if password is not None:
                cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD %s").format(role), [password])
            for statement in _grants(role, sql.Identifier(database), sql.Identifier(schema)):
                cursor.execute(statement)
        self.stdout.write(
            f"staffgate: {app_role} may use every table of {database}; "
            f"{AUDIT_TABLE} only SELECT and INSERT. Serve with DATABASE_URL naming {app_role}."
        )


def _grants(role, database, schema) -> list:
    audit = sql.Identifier(AUDIT_TABLE)
    return [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, role),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, role),
        sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(schema, role),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
            schema, role
        ),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, role),
        # Append-only, in the grants themselves: no UPDATE, DELETE or TRUNCATE.
        sql.SQL("REVOKE ALL ON {} FROM {}").format(audit, role),
        sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(audit, role),
        # The migration history is the owner's to write.
        sql.SQL("REVOKE ALL ON django_migrations FROM {}").format(role),
        sql.SQL("GRANT SELECT ON django_migrations TO {}").format(role),
    ]
