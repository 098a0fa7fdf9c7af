"""Random keys made once per installation and kept in the database.

Unlike ``SECRET_KEY`` they never rotate, so what is derived from them (the
decoy questions of recovery) stays the same for good, on every server.
"""

from __future__ import annotations

import secrets

from staffgate.core.models import StoredKey

KEY_BYTES = 32


def stored_key(name: str) -> str:
    """The key called ``name``, made at random on first use.

    Servers that ask at the same time all get the one key that was stored: the
    primary key lets only one insert through, and the others read that row.
    """
    key, _ = StoredKey.objects.get_or_create(
        name=name, defaults={"value": secrets.token_urlsafe(KEY_BYTES)}
    )
    return key.value
