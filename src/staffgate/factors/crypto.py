"""Factor secrets encrypted at rest with keys from the environment, rotatable.

``STAFFGATE_FIELD_KEYS`` lists Fernet keys, newest first: the first encrypts, all
decrypt, so a new key is added in front and the old one dropped once
``staffgate rotate-field-keys`` has re-encrypted every secret. Without it, keys are
derived from ``STAFFGATE_SECRET_KEY`` and its fallbacks, which then rotate the same way.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "encrypt", "reencrypt"]

DERIVATION_INFO = b"staffgate factor secrets"


def derived_key(secret: str) -> bytes:
    """A Fernet key derived from a secret key, for deployments that set no field keys."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=DERIVATION_INFO).derive(
        secret.encode()
    )
    return base64.urlsafe_b64encode(raw)


def _keys() -> tuple[bytes, ...]:
    configured = tuple(key.encode() for key in settings.STAFFGATE_FIELD_KEYS)
    if configured:
        return configured
    return tuple(derived_key(k) for k in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS))


@functools.cache
def _fernet(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(secret: bytes) -> str:
    """The secret encrypted with the newest key, as text for a database column."""
    return _fernet(_keys()).encrypt(secret).decode()


def decrypt(token: str) -> bytes:
    """The secret back; raises ``InvalidToken`` when no configured key opens it."""
    return _fernet(_keys()).decrypt(token.encode())


def reencrypt(token: str) -> str:
    """The same secret encrypted with the newest key (for key rotation)."""
    return _fernet(_keys()).rotate(token.encode()).decode()
