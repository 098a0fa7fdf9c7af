"""Does what a person typed on the help form match the roster? Pure rules, no database.

Names are compared ignoring case, accents, punctuation and word order ("ana pena" is
"Ana Peña", "Peña, Ana" too); e-mail addresses ignoring case.
"""

from __future__ import annotations

import enum
import unicodedata


class Match(enum.Enum):
    SAME = "yes"
    DIFFERENT = "no"
    # Nothing on file to compare with.
    UNKNOWN = "unknown"


def fold(text: str) -> str:
    """Lower case, without accents, punctuation or repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = "".join(c if c.isalnum() else " " for c in letters.casefold())
    return " ".join(words.split())


def match_name(given: str, on_file: str | None) -> Match:
    """The same words in any order, ignoring case and accents."""
    if not on_file or not fold(on_file):
        return Match.UNKNOWN
    return (
        Match.SAME
        if sorted(fold(given).split()) == sorted(fold(on_file).split())
        else (Match.DIFFERENT)
    )


def match_email(given: str, on_file: str | None) -> Match:
    if not on_file:
        return Match.UNKNOWN
    return (
        Match.SAME if given.strip().casefold() == on_file.strip().casefold() else (Match.DIFFERENT)
    )


def match_phone(given: str, on_file: str | None) -> Match:
    """The same digits, whatever the spaces and signs around them."""
    digits = "".join(c for c in given if c.isdigit())
    known = "".join(c for c in (on_file or "") if c.isdigit())
    if not digits or not known:
        return Match.UNKNOWN
    return Match.SAME if digits[-10:] == known[-10:] else Match.DIFFERENT
