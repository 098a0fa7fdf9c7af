"""Authenticator-app codes: new keys, the QR code as SVG, and checking a code once only."""

from __future__ import annotations

import base64
import secrets
import time
from urllib.parse import quote, urlencode

import segno
from django_otp.oath import TOTP

from staffgate.core import timeutil

KEY_BYTES = 20  # 160 bits, the size RFC 4226 recommends for HMAC-SHA-1
STEP = 30
DIGITS = 6
TOLERANCE = 1  # one step of clock drift either way
ISSUER = "staffgate"


def clock() -> float:
    """Unix time now (one place, so tests can move the clock)."""
    return time.time()


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def base32_key(key: bytes) -> str:
    """The key as apps take it typed in: base32 without padding."""
    return base64.b32encode(key).decode().rstrip("=")


def grouped(text: str, size: int = 4) -> str:
    """``ABCD EFGH …``: easier to read out and to type."""
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def provisioning_uri(key: bytes, account_name: str) -> str:
    """The ``otpauth://`` address an app reads from the QR code."""
    label = quote(f"{ISSUER}:{account_name}")
    query = urlencode({"secret": base32_key(key), "issuer": ISSUER, "digits": DIGITS})
    return f"otpauth://totp/{label}?{query}"


def qr_svg(uri: str, title: str) -> str:
    """The QR code of ``uri`` as inline SVG, drawn on the server (no script, no image file)."""
    code = segno.make(uri, error="m")
    return code.svg_inline(scale=4, border=2, title=title, dark="#000", light="#fff")


def matching_step(key: bytes, token: str, *, now: float, min_t: int) -> int | None:
    """The time step (within the drift allowed, and from ``min_t`` on) whose code is ``token``."""
    if len(token) != DIGITS or not token.isdigit():
        return None
    otp = TOTP(key, step=STEP, digits=DIGITS)
    otp.time = now
    if otp.verify(int(token), tolerance=TOLERANCE, min_t=min_t):
        return otp.t()
    return None


def verify_and_consume(factor, token: str, *, now: float | None = None) -> bool:
    """True when ``token`` is right and its time step was never used before on ``factor``.

    The step is claimed with one conditional UPDATE, so of two requests carrying the same
    code at the same moment only one succeeds.
    """
    step = matching_step(
        factor.bin_key, token, now=clock() if now is None else now, min_t=factor.last_t + 1
    )
    if step is None:
        return False
    claimed = (
        type(factor)
        .objects.filter(pk=factor.pk, last_t__lt=step)
        .update(last_t=step, last_used_at=timeutil.now())
    )
    if claimed:
        factor.last_t = step
    return bool(claimed)
