"""Django's database sessions, read with one plain query and created without a look-up.

Every signed-in request reads its session, and Django's query compiler costs more
than the read itself. ``load()`` and ``create()`` are the documented methods of a
session engine, so this store replaces only those two; writing, rotation, expiry
and deletion are Django's. ``make bench`` shows what they save (see the README).
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone
from django.utils.crypto import get_random_string


class SessionStore(DatabaseSessionStore):
    def create(self):
        # 32 random characters (165 bits): the insert refuses the never-expected clash, and
        # a new key is drawn, so no query first asks whether the key is free.
        while True:
            self._session_key = get_random_string(32, VALID_KEY_CHARS)
            try:
                self.save(must_create=True)
            except CreateError:
                continue
            self.modified = True
            return

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
