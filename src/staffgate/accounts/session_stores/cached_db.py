"""``SESSION_ENGINE`` with Redis: read from the cache, written through to the database."""

from django.contrib.sessions.backends import cached_db

from staffgate.accounts.session_stores import InsertChecksTheKey
from staffgate.accounts.session_stores.db import PlainStatements


class SessionStore(InsertChecksTheKey, cached_db.SessionStore, PlainStatements):
    """Django's ``cached_db`` store, writing through with :class:`PlainStatements`."""
