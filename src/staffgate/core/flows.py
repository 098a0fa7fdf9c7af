"""Multi-step flows kept as one serialisable dataclass under one session key."""

from __future__ import annotations

from dataclasses import asdict
from typing import ClassVar, Self


class SessionState:
    """Mixin for a dataclass stored in the session under ``session_key``."""

    session_key: ClassVar[str]

    @classmethod
    def load(cls, session) -> Self | None:
        """The stored state, or ``None`` when absent or from an older shape."""
        data = session.get(cls.session_key)
        if not isinstance(data, dict):
            return None
        try:
            return cls(**data)
        except TypeError:
            return None

    def save(self, session) -> None:
        session[self.session_key] = asdict(self)

    @classmethod
    def clear(cls, session) -> None:
        session.pop(cls.session_key, None)
