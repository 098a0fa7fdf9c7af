"""Django's database session stores, minus one look-up per new session key.

Django asks the database whether a freshly drawn key is free before inserting
it, yet the insert itself refuses a duplicate and Django then draws another
(``create()`` retries on ``CreateError``). A key is 32 random characters, so
the question costs a query on every login and answers nothing.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class InsertChecksTheKey:
    """Draw a new key without asking first: the primary key refuses a duplicate."""

    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)
