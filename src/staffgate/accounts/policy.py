"""The portal's policy numbers, read once from settings into a frozen value."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.conf import settings


class RecoveryMethod(enum.StrEnum):
    """How password recovery may check who is asking (``STAFFGATE_RECOVERY_METHODS``)."""

    QUESTIONS = "questions"  # the person's own three challenge questions
    EMAIL = "email"  # a code mailed to the account's verified address


@dataclass(frozen=True)
class Policy:
    max_login_failures: int = 3
    lock_seconds: int = 900
    max_recovery_failures: int = 3
    recovery_reset_seconds: int = 600
    recovery_methods: tuple[RecoveryMethod, ...] = (RecoveryMethod.QUESTIONS,)
    password_policy: str = "classic"
    session_idle_seconds: int = 1800
    session_max_seconds: int = 43200
    terms_version: str = "2026-01"

    def offers(self, method: RecoveryMethod) -> bool:
        """Whether recovery lets a person show who they are with ``method``."""
        return method in self.recovery_methods


def current_policy() -> Policy:
    """The policy in force, from Django settings."""
    return Policy(
        max_login_failures=settings.STAFFGATE_LOGIN_MAX_FAILURES,
        lock_seconds=settings.STAFFGATE_LOGIN_LOCK_SECONDS,
        max_recovery_failures=settings.STAFFGATE_RECOVERY_MAX_FAILURES,
        recovery_reset_seconds=settings.STAFFGATE_RECOVERY_RESET_SECONDS,
        recovery_methods=tuple(RecoveryMethod(m) for m in settings.STAFFGATE_RECOVERY_METHODS),
        password_policy=settings.STAFFGATE_PASSWORD_POLICY,
        session_idle_seconds=settings.STAFFGATE_SESSION_IDLE_SECONDS,
        session_max_seconds=settings.STAFFGATE_SESSION_MAX_SECONDS,
        terms_version=settings.STAFFGATE_TERMS_VERSION,
    )
