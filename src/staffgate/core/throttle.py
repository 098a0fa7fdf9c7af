"""Per-address throttling in the shared cache, so it holds across app servers.

Fixed windows: each address may fail ``limit`` times per ``window`` seconds in
one scope (``login``, ``recover``, ``help``…); past that it is answered 429.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Throttle:
    scope: str
    limit: int
    window: int

    def _key(self, address: str, now: float) -> tuple[str, int]:
        slot = int(now // self.window)
        return f"throttle:{self.scope}:{address}:{slot}", slot

    def retry_after(self, address: str, *, now: float | None = None) -> int | None:
        """Seconds until ``address`` may try again, or ``None`` when it may now."""
        now = time.time() if now is None else now
        key, slot = self._key(address, now)
        if (cache.get(key) or 0) < self.limit:
            return None
        return max(1, math.ceil((slot + 1) * self.window - now))

    def hit(self, address: str, *, now: float | None = None) -> int:
        """Count one failure for ``address``; returns the count in this window."""
        now = time.time() if now is None else now
        key, _ = self._key(address, now)
        cache.add(key, 0, timeout=self.window * 2)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=self.window * 2)
            return 1
