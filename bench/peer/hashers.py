"""Django's Argon2 hasher with the parameters of staffgate's production hasher."""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class PeerArgon2Hasher(Argon2PasswordHasher):
    """Stock Argon2id; only its three parameters are staffgate's (read from its settings)."""

    @property
    def time_cost(self):
        return settings.STAFFGATE_ARGON2_TIME_COST

    @property
    def memory_cost(self):
        return settings.STAFFGATE_ARGON2_MEMORY_KIB

    @property
    def parallelism(self):
        return settings.STAFFGATE_ARGON2_PARALLELISM
