"""Ticket references (``HD-7K3Q9A``): random, short, easy to read aloud over the phone.

Random rather than sequential so a reference tells nobody how many tickets
exist or which one came before. The alphabet leaves out 0/O, 1/I/L and U.
"""

from __future__ import annotations

import re
import secrets

PREFIX = "HD-"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 6
_SHAPE = re.compile(rf"{PREFIX}[{ALPHABET}]{{{LENGTH}}}")


def new_reference(choice=secrets.choice) -> str:
    """A fresh random reference; ``choice`` picks one character (replaceable in tests)."""
    return PREFIX + "".join(choice(ALPHABET) for _ in range(LENGTH))


def normalise_reference(raw: str) -> str:
    """Trim and upper-case what a person typed or a URL carried."""
    return (raw or "").strip().upper()


def is_reference(value: str) -> bool:
    """True when ``value`` has the shape of a reference."""
    return bool(_SHAPE.fullmatch(value))
