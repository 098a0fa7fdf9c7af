"""No process computes more password hashes at once than it was given slots for."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from argon2 import PasswordHasher

from staffgate.accounts import hashers


@pytest.fixture
def slots(settings):
    def configure(n: int):
        settings.STAFFGATE_HASH_CONCURRENCY = n
        hashers.hash_slots.cache_clear()

    yield configure
    hashers.hash_slots.cache_clear()


@pytest.mark.parametrize("allowed", [1, 2])
def test_concurrent_hashes_never_exceed_the_slots(slots, monkeypatch, allowed):
    slots(allowed)
    running, peak, guard = [0], [0], threading.Lock()
    original = PasswordHasher.verify

    def slow_verify(self, hash, password):
        with guard:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        try:
            return original(self, hash, password)
        finally:
            with guard:
                running[0] -= 1

    monkeypatch.setattr(PasswordHasher, "verify", slow_verify)
    hasher = hashers.StaffgateArgon2Hasher()
    encoded = hasher.encode("Sunny2day", hasher.salt())
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: hasher.verify("Sunny2day", encoded), range(16)))
    assert all(results)
    assert peak[0] == allowed
