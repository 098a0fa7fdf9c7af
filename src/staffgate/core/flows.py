"""Multi-step flows kept as one serialisable dataclass under one session key."""

from __future__ import annotations

import enum
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


class FlowStage(enum.Enum):
    """The pages of a flow, in order: each knows its URL name and its step number.

    A flow's stages subclass this and say, in ``_flow()``, their URL prefix and how
    many steps the person saw before the first stage.
    """

    @classmethod
    def _flow(cls) -> tuple[str, int]:
        raise NotImplementedError

    @property
    def url_name(self) -> str:
        return f"{self._flow()[0]}-{self.value}"

    @property
    def number(self) -> int:
        """Position among all the steps shown to the person."""
        return list(type(self)).index(self) + 1 + self._flow()[1]

    @classmethod
    def total_steps(cls) -> int:
        return len(cls) + cls._flow()[1]
