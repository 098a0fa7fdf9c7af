"""Django's session stores, minus a look-up per new session and a second write per login.

Django asks the database whether a freshly drawn key is free before inserting it, yet
the insert itself refuses a duplicate and Django then draws another; a key is 32 random
characters, so the question costs a query on every login and answers nothing.

A login rotates the key (``cycle_key()``), which in Django inserts the new row at once,
with what the session held before the login; the response then updates that row with the
signed-in content. Here the new key's row is inserted once, by the next ``save()``, with
the content of that moment, and a ``save()`` that would store again exactly what this
store has just stored is skipped. Only ``create()``, ``cycle_key()``, ``save()``,
``delete()`` and ``load()``, documented methods of a session engine, are replaced.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.utils.crypto import get_random_string


class InsertChecksTheKey:
    """New keys drawn without asking first (the primary key refuses a clash), written once."""

    _insert_pending = False  # a rotated key whose row the next save() inserts
    _stored = None  # (key, serialized content) this store last wrote

    def create(self):
        while True:
            self._session_key = get_random_string(32, VALID_KEY_CHARS)
            try:
                self.save(must_create=True)
            except CreateError:
                continue
            self.modified = True
            return

    def cycle_key(self):
        """A new key for the same content; the old row goes now, the new one at save()."""
        data = self._session
        key = self.session_key
        self._session_key = get_random_string(32, VALID_KEY_CHARS)
        self._session_cache = data
        self.modified = True
        self._insert_pending = True
        if key:
            self.delete(key)

    def save(self, must_create=False):
        if self._insert_pending and self.session_key is not None:
            must_create = True
        elif not must_create and self._stored is not None and self._stored == self._content():
            return  # stored already, as it is now
        super().save(must_create=must_create)
        self._insert_pending = False
        if self.session_key is not None:
            self._stored = self._content()

    def delete(self, session_key=None):
        if session_key is None or session_key == self.session_key:
            self._stored = None
        super().delete(session_key)

    def _content(self):
        return self.session_key, self.serializer().dumps(self._get_session())
