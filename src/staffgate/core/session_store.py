"""Database sessions read with one plain query, skipping writes that change nothing.

A login saves its new session at once (its key is needed to list it); without
this, Django's session middleware would write the same data a second time.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone
from django.utils.crypto import get_random_string

KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


class SessionStore(DatabaseSessionStore):
    _stored: bytes | None = None

    def _get_new_session_key(self) -> str:
        # 32 random characters (165 bits): a clash is never expected, and the insert that
        # follows refuses one anyway (Django then draws again), so no look-up first.
        return get_random_string(32, KEY_CHARS)

    def _get_session_from_db(self):
        # Every logged-in request reads its session: one plain primary-key read, not the
        # ORM's query compiler (which costs three times the read itself).
        connection = connections[router.db_for_read(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        sql = f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s"  # noqa: S608
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])

    def _snapshot(self, data) -> bytes:
        return self.serializer().dumps(data)

    def load(self):
        data = super().load()
        self._stored = self._snapshot(data) if self.session_key else None
        return data

    def save(self, must_create=False):
        data = self._get_session(no_load=must_create)
        snapshot = self._snapshot(data)
        if not must_create and self.session_key and snapshot == self._stored:
            return
        super().save(must_create=must_create)
        self._stored = snapshot

    def delete(self, session_key=None):
        super().delete(session_key)
        if session_key is None or session_key == self.session_key:
            self._stored = None
