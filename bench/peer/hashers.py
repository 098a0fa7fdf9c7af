"""Django's Argon2 hasher with the parameters of staffgate's production hasher."""

from staffgate.accounts.hashers import ConfiguredArgon2Hasher


class PeerArgon2Hasher(ConfiguredArgon2Hasher):
    """Stock Argon2id with staffgate's three parameters, without staffgate's hash slots and
    metrics."""
