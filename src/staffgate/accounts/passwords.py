"""Password policies: ``classic`` (the source's rule) and ``strict``.

Pure: the caller passes the PIN, the User ID, the common-password set and
whether the candidate equals the current password.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cache

STRICT_SYMBOLS = frozenset("!$#@^&*,.+=~")


class PasswordProblem(enum.Enum):
    """A reason a new password is refused; the value is its field error code."""

    TOO_SHORT = "password.too_short"
    TOO_LONG = "password.too_long"
    NEEDS_LETTER = "password.needs_letter"
    NEEDS_DIGIT = "password.needs_digit"
    NEEDS_UPPER = "password.needs_upper"
    NEEDS_LOWER = "password.needs_lower"
    NEEDS_SYMBOL = "password.needs_symbol"
    EQUALS_PIN = "password.equals_pin"
    EQUALS_USER_ID = "password.equals_user_id"
    TOO_COMMON = "password.too_common"
    SAME_AS_CURRENT = "password.same_as_current"


@dataclass(frozen=True)
class PasswordRules:
    min_length: int
    max_length: int | None
    needs_letter: bool
    needs_digit: bool
    needs_upper: bool
    needs_lower: bool
    needs_symbol: bool


POLICIES = {
    "classic": PasswordRules(7, 14, True, True, False, False, False),
    "strict": PasswordRules(12, None, True, True, True, True, True),
}


def check_password(
    password: str,
    *,
    policy: str,
    user_id: str,
    pin: str | None = None,
    common: frozenset[str] = frozenset(),
    is_current: bool = False,
) -> list[PasswordProblem]:
    """Every problem with ``password`` under ``policy``; an empty list means it is accepted."""
    rules = POLICIES[policy]
    problems: list[PasswordProblem] = []
    if len(password) < rules.min_length:
        problems.append(PasswordProblem.TOO_SHORT)
    if rules.max_length is not None and len(password) > rules.max_length:
        problems.append(PasswordProblem.TOO_LONG)
    if rules.needs_letter and not any(ch.isalpha() for ch in password):
        problems.append(PasswordProblem.NEEDS_LETTER)
    if rules.needs_digit and not any(ch.isdigit() for ch in password):
        problems.append(PasswordProblem.NEEDS_DIGIT)
    if rules.needs_upper and not any(ch.isupper() for ch in password):
        problems.append(PasswordProblem.NEEDS_UPPER)
    if rules.needs_lower and not any(ch.islower() for ch in password):
        problems.append(PasswordProblem.NEEDS_LOWER)
    if rules.needs_symbol and not any(ch in STRICT_SYMBOLS for ch in password):
        problems.append(PasswordProblem.NEEDS_SYMBOL)
    folded = password.casefold()
    if pin and folded == pin.casefold():
        problems.append(PasswordProblem.EQUALS_PIN)
    if folded == user_id.casefold():
        problems.append(PasswordProblem.EQUALS_USER_ID)
    if folded in common:
        problems.append(PasswordProblem.TOO_COMMON)
    if is_current:
        problems.append(PasswordProblem.SAME_AS_CURRENT)
    return problems


@cache
def common_passwords() -> frozenset[str]:
    """Django's list of 20,000 common passwords, lower-cased."""
    from django.contrib.auth.password_validation import CommonPasswordValidator

    return frozenset(CommonPasswordValidator().passwords)
