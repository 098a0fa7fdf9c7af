"""Count password verifications where they happen: in the hasher of each server.

With ``BENCH_VERIFY_LOG`` naming a file, the bench's settings (``bench.settings`` and
``bench.peer.settings``) put these subclasses in place of their hashers: every call to
``verify`` appends one ``v`` to the file (and every ``encode``, such as the one Django's
``ModelBackend`` spends on an unknown user, one ``e``). Appends of one byte with
``O_APPEND`` are atomic, so the count is exact across a server's processes and threads,
whatever its logs say.
"""

from __future__ import annotations

import os

from bench.peer.hashers import PeerArgon2Hasher
from staffgate.accounts.hashers import StaffgateArgon2Hasher

VARIABLE = "BENCH_VERIFY_LOG"


def _note(mark: bytes) -> None:
    descriptor = os.open(os.environ[VARIABLE], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, mark)
    finally:
        os.close(descriptor)


class CountingMixin:
    """Notes each verification (and encoding) before the hasher computes it."""

    def verify(self, password, encoded):
        _note(b"v")
        return super().verify(password, encoded)

    def encode(self, password, salt):
        _note(b"e")
        return super().encode(password, salt)


class CountingStaffgateHasher(CountingMixin, StaffgateArgon2Hasher):
    """staffgate's production hasher, counted."""


class CountingPeerHasher(CountingMixin, PeerArgon2Hasher):
    """The peer's hasher (staffgate's parameters), counted."""
