"""The RSA keys that sign ID tokens and logout tokens.

The private key is read from ``STAFFGATE_OIDC_KEY_FILE``; ``python -m
staffgate.oidc.keys FILE`` writes a new one (``make run`` does it once).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_BITS = 3072


def new_private_key_pem() -> str:
    """A fresh RSA private key as PKCS#8 PEM text."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def write_private_key(path: Path) -> None:
    """Write a new key to ``path``, readable by its owner only; never overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(new_private_key_pem())
    try:
        os.link(draft, path)  # appears whole, or not at all if another process won
    finally:
        draft.unlink()


def check_private_key(pem: str, variable: str) -> str:
    """``pem`` when it is an RSA private key of at least 2048 bits; else a clear error."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError):
        raise ImproperlyConfigured(
            f"{variable} does not hold an unencrypted PEM private key."
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise ImproperlyConfigured(f"{variable} must hold an RSA key of 2048 bits or more.")
    return pem.strip() + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m staffgate.oidc.keys FILE")
    target = Path(sys.argv[1])
    if not target.exists():
        write_private_key(target)
