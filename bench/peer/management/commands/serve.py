"""``staffgate serve`` for the peer: the same gunicorn layout, serving the peer's settings."""

from staffgate.core.management.commands.serve import Command  # noqa: F401
