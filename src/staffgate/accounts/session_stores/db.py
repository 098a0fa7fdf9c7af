"""``SESSION_ENGINE``: sessions in the database (Django's ``db`` store)."""

from django.contrib.sessions.backends import db

from staffgate.accounts.session_stores import InsertChecksTheKey


class SessionStore(InsertChecksTheKey, db.SessionStore):
    pass
