"""The RSA keys that sign ID tokens and logout tokens.

The private key is read from ``STAFFGATE_OIDC_KEY_FILE``; ``python -m
staffgate.oidc.keys FILE`` writes a new one (``make run`` does it once).

Rotation keeps two more kinds of file beside it, both published in the JWKS but
never used to sign: ``FILE.next``, the key that will sign after the next rotation
(published first, so that apps' cached key sets know it in time), and
``FILE.retired-UNIXTIME``, former keys, kept until the tokens they signed expire.
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


def next_key_path(active: Path) -> Path:
    return active.with_name(active.name + ".next")


def retired_key_paths(active: Path) -> list[tuple[float, Path]]:
    """(retirement time, path) of the former keys, oldest first."""
    found = []
    for path in active.parent.glob(active.name + ".retired-*"):
        try:
            found.append((float(path.name.rsplit("-", 1)[1]), path))
        except ValueError:
            continue
    return sorted(found)


def published_key_pems(active: Path, *, now: float, keep_seconds: int) -> list[str]:
    """The keys published beside the active one: the next, and the recently retired."""
    pems = []
    upcoming = next_key_path(active)
    if upcoming.exists():
        pems.append(upcoming.read_text())
    for retired_at, path in retired_key_paths(active):
        if retired_at + keep_seconds > now:
            pems.append(path.read_text())
    return pems


def rotate_signing_key(active: Path, *, now: float, keep_seconds: int) -> str:
    """One step of a rotation; returns what it did: ``"published"`` the next key, or
    ``"rotated"`` to it (the former key retired). Expired retired keys are deleted."""
    for retired_at, path in retired_key_paths(active):
        if retired_at + keep_seconds <= now:
            path.unlink()
    upcoming = next_key_path(active)
    if not upcoming.exists():
        write_private_key(upcoming)
        return "published"
    os.link(active, active.with_name(f"{active.name}.retired-{int(now)}"))
    os.replace(upcoming, active)
    return "rotated"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m staffgate.oidc.keys FILE")
    target = Path(sys.argv[1])
    if not target.exists():
        write_private_key(target)
