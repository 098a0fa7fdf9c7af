"""The one-time registration PIN, derived from the roster and never stored."""

from __future__ import annotations

import hmac
import unicodedata

# Letters that carry a stroke or are ligatures have no Unicode decomposition to strip.
_UNDECOMPOSABLE = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ı": "i",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
    }
)


def letters_only(name: str) -> str:
    """Lower-case ASCII letters of ``name`` with accents removed (``"O'Brien"`` → ``"obrien"``)."""
    decomposed = unicodedata.normalize("NFKD", name).lower().translate(_UNDECOMPOSABLE)
    return "".join(ch for ch in decomposed if "a" <= ch <= "z")


def derive_pin(*, last_name: str, pin_last_name: str, birth_year: int, employee_id: str) -> str:
    """First two letters of the (PIN) last name + last two digits of birth year and of the ID.

    ``pin_last_name`` overrides ``last_name`` when it has letters. Digits of the ID are
    its last two characters, lower-cased, so IDs that end in letters still work.
    """
    # A blank override (spaces, punctuation) must not yield a PIN without letters.
    letters = (letters_only(pin_last_name or "") or letters_only(last_name))[:2]
    return f"{letters}{birth_year % 100:02d}{employee_id[-2:].lower()}"


def pin_matches(candidate: str, expected: str) -> bool:
    """Compare a typed PIN with the derived one in constant time (case-sensitive)."""
    return hmac.compare_digest(candidate.encode("utf-8"), expected.encode("utf-8"))


def pin_of(person) -> str:
    """The PIN of a roster row."""
    return derive_pin(
        last_name=person.last_name,
        pin_last_name=person.pin_last_name,
        birth_year=person.birth_year,
        employee_id=person.employee_id,
    )
