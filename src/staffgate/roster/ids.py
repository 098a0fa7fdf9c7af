"""User IDs: the Employee ID, normalised the same way everywhere."""

import re

MAX_LENGTH = 20
_VALID = re.compile(r"[A-Z0-9]{1,20}")


def normalise_user_id(raw: str) -> str:
    """Trim spaces and upper-case letters; leading zeros are kept (``" ov0012 "`` → ``OV0012``)."""
    return (raw or "").strip().upper()


def is_well_formed(user_id: str) -> bool:
    """True when a normalised ID could be an Employee ID (letters and digits, 1–20 long)."""
    # fullmatch: "$" alone would also accept a trailing newline.
    return bool(_VALID.fullmatch(user_id))
