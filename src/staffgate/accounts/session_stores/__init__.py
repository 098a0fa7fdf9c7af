"""Django's session stores, minus a look-up per new session and the query compiler per read.

Django asks the database whether a freshly drawn key is free before inserting it, yet
the insert itself refuses a duplicate and Django then draws another; a key is 32 random
characters, so the question costs a query on every login and answers nothing. Only
``create()`` and ``load()``, documented methods of a session engine, are replaced.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.utils.crypto import get_random_string


class InsertChecksTheKey:
    """``create()`` draws a new key without asking first: the primary key refuses a clash."""

    def create(self):
        while True:
            self._session_key = get_random_string(32, VALID_KEY_CHARS)
            try:
                self.save(must_create=True)
            except CreateError:
                continue
            self.modified = True
            return
