"""Argon2id tuned for a login portal: OWASP minimum parameters, raised by settings."""

import os
import threading
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


@cache
def hash_slots() -> threading.BoundedSemaphore:
    """How many hashes this process may compute at once (``STAFFGATE_HASH_CONCURRENCY``).

    Each Argon2 hash holds its memory cost for its whole run; capping them at
    the cores keeps peak memory bounded and loses no throughput.
    """
    return threading.BoundedSemaphore(
        settings.STAFFGATE_HASH_CONCURRENCY or max(1, os.cpu_count() or 1)
    )


class ConfiguredArgon2Hasher(Argon2PasswordHasher):
    """Django's Argon2 hasher with the parameters of ``STAFFGATE_ARGON2_*``."""

    @property
    def time_cost(self):
        return settings.STAFFGATE_ARGON2_TIME_COST

    @property
    def memory_cost(self):
        return settings.STAFFGATE_ARGON2_MEMORY_KIB

    @property
    def parallelism(self):
        return settings.STAFFGATE_ARGON2_PARALLELISM


class StaffgateArgon2Hasher(ConfiguredArgon2Hasher):
    """Django's Argon2 hasher with staffgate's parameters.

    Same algorithm name, so hashes made with other parameters (Django's stock
    ones included) still verify and are re-hashed at the next successful login.
    """

    def verify(self, password, encoded):
        from staffgate.ops.metrics import timed_hash

        with timed_hash(hash_slots(), "verify"):
            return super().verify(password, encoded)

    def encode(self, password, salt):
        from staffgate.ops.metrics import timed_hash

        with timed_hash(hash_slots(), "encode"):
            return super().encode(password, salt)
