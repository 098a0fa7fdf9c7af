"""``SESSION_ENGINE``: sessions in the database (Django's ``db`` store), read and written with
one plain statement each.

Every signed-in request reads its session, and Django's query compiler costs more than
the read itself. Django also wraps each write in a savepoint of its own, so that a
clashing new key can be told apart without breaking the caller's transaction; a login
writes its session inside the login's transaction, where those savepoints cost two
round trips more. Here an insert that meets an existing key inserts nothing
(``ON CONFLICT DO NOTHING``) and says so by its row count, which needs no savepoint.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.db import connections, router
from django.utils import timezone

from staffgate.accounts.session_stores import InsertChecksTheKey


class PlainStatements(db.SessionStore):
    """Django's database store, each read and write one statement without a savepoint."""

    def load(self):
        connection = connections[router.db_for_read(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        sql = f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s"  # noqa: S608
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # expired or unknown: a new key when saved
            return {}
        return self.decode(row[0])

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        row = self.create_model_instance(self._get_session(no_load=must_create))
        connection = connections[router.db_for_write(self.model, instance=row)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        values = [row.session_data, connection.ops.adapt_datetimefield_value(row.expire_date)]
        with connection.cursor() as cursor:
            if must_create:
                cursor.execute(
                    f"INSERT INTO {table} (session_data, expire_date, session_key) "  # noqa: S608
                    "VALUES (%s, %s, %s) ON CONFLICT (session_key) DO NOTHING",
                    [*values, row.session_key],
                )
            else:
                cursor.execute(
                    f"UPDATE {table} SET session_data = %s, expire_date = %s "  # noqa: S608
                    "WHERE session_key = %s",
                    [*values, row.session_key],
                )
            written = cursor.rowcount
        if written != 1:
            # As Django's store: a new key already taken, or a session deleted meanwhile.
            raise CreateError if must_create else UpdateError


class SessionStore(InsertChecksTheKey, PlainStatements):
    pass
