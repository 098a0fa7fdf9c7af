"""What the audit log and the lock table keep of a typed User ID.

An ID with the shape of an Employee ID is kept as it is: that is what operators
search for. Anything else (a password typed into the wrong box, a stranger's
probe) is kept only as a keyed hash and its length, so that repeated tries of
the same text still count and lock together while the text itself is never
stored. The key is made once and kept in the database, so a rotation of the
secret key does not change what a row is filed under.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from staffgate.core.keys import stored_key
from staffgate.roster.ids import is_well_formed

KEY_NAME = "identifier-hmac"
DIGEST_CHARS = 24
PREFIX = "hmac:"
# Upper-cased by the ID normalisation on its way back in, it is still the same hash.
_HASHED = re.compile(rf"{PREFIX}[0-9]+:[0-9a-f]{{{DIGEST_CHARS}}}", re.IGNORECASE)


def hashed_identifier(text: str, key: str) -> str:
    """``hmac:<length>:<24 hex characters>``: never an ID's shape, at most 40 characters."""
    digest = hmac.new(key.encode(), text.encode("utf-8", "surrogatepass"), hashlib.sha256)
    return f"{PREFIX}{min(len(text), 999_999)}:{digest.hexdigest()[:DIGEST_CHARS]}"


def recorded_identifier(user_id: str) -> str:
    """``user_id`` (already normalised) as the audit log and the lock table keep it."""
    if not user_id or is_well_formed(user_id):
        return user_id
    if _HASHED.fullmatch(user_id):
        return user_id.lower()
    return hashed_identifier(user_id, stored_key(KEY_NAME))
