"""Argon2id tuned for a login portal: OWASP minimum parameters, raised by settings."""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class StaffgateArgon2Hasher(Argon2PasswordHasher):
    """Django's Argon2 hasher with staffgate's parameters.

    Same algorithm name, so hashes made with other parameters (Django's stock
    ones included) still verify and are re-hashed at the next successful login.
    """

    @property
    def time_cost(self):
        return settings.STAFFGATE_ARGON2_TIME_COST

    @property
    def memory_cost(self):
        return settings.STAFFGATE_ARGON2_MEMORY_KIB

    @property
    def parallelism(self):
        return settings.STAFFGATE_ARGON2_PARALLELISM
