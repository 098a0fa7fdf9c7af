"""``SESSION_ENGINE``: sessions in the database (Django's ``db`` store), read with one plain query.

Every signed-in request reads its session, and Django's query compiler costs more than
the read itself.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from staffgate.accounts.session_stores import InsertChecksTheKey


class SessionStore(InsertChecksTheKey, db.SessionStore):
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
