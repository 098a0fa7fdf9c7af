"""Single-use recovery codes: ten at a time, shown once, kept only as digests."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from staffgate.core import timeutil
from staffgate.factors.models import RecoveryCode

COUNT = 10
# Crockford's base32: no i, l, o or u, so look-alikes can be read back (5 bits a symbol).
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
LOOK_ALIKES = str.maketrans({"o": "0", "i": "1", "l": "1"})
LENGTH = 16  # 80 bits


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def normalise(typed: str) -> str:
    """What the person typed, without spaces and dashes, in lower case."""
    return "".join(ch for ch in typed.lower() if ch.isalnum()).translate(LOOK_ALIKES)


def digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def looks_like_code(typed: str) -> bool:
    return len(normalise(typed)) == LENGTH


@transaction.atomic
def replace_codes(account) -> list[str]:
    """Ten new codes for ``account``; every earlier one stops working. Returned once, in clear."""
    codes = [new_code() for _ in range(COUNT)]
    now = timeutil.now()
    RecoveryCode.objects.filter(account=account).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(account=account, digest=digest(code), created_at=now) for code in codes
    )
    return codes


def use_code(account, typed: str) -> bool:
    """True, once, for an unused code of ``account``: the conditional UPDATE claims it."""
    if not looks_like_code(typed):
        return False
    return (
        RecoveryCode.objects.filter(
            account=account, digest=digest(typed), used_at__isnull=True
        ).update(used_at=timeutil.now())
        == 1
    )


def remaining(account) -> int:
    return RecoveryCode.objects.filter(account=account, used_at__isnull=True).count()
