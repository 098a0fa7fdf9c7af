"""Proving an e-mail address: a 6-digit code mailed to it, typed back within 10 minutes.

Each code works once, allows five tries (counted by one conditional UPDATE, so exact
under concurrency) and may be sent again a few times, a minute apart. The database
keeps only an HMAC of the code under a key derived from the secret key, so a dump
does not give it away. Until the code comes back, the address gets nothing else.

The page never says whether an address is another account's: when another account has
proved it, no code is sent (the record is made all the same, so the next page behaves
alike) and the address's owner is told that someone tried to use it instead. Each mail
sent counts against the sender's network (``send_throttle``).
"""

from __future__ import annotations

import datetime as dt
import enum
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.utils.crypto import salted_hmac

from staffgate.core import timeutil
from staffgate.core.mail import mail_account, send_security_mail
from staffgate.core.throttle import Throttle
from staffgate.factors.models import EmailCode
from staffgate.roster.models import Person

LIFETIME = dt.timedelta(minutes=10)
MAX_TRIES = 5
MAX_SENDS = 3
RESEND_AFTER = dt.timedelta(seconds=60)
DIGITS = 6


class Purpose(enum.StrEnum):
    REGISTER = "register"
    CHANGE = "change"
    CONFIRM = "confirm"  # an address kept from before e-mail codes, asked at login
    LOGIN = "login"  # the fallback second factor (STAFFGATE_MFA_EMAIL)


class Verdict(enum.Enum):
    RIGHT = "email.verified"
    WRONG = "code.invalid"
    EXPIRED = "code.expired"  # too late, used up or tried five times: a new code is needed


@dataclass(frozen=True)
class Typed:
    verdict: Verdict
    tries_left: int = 0


def send_throttle() -> Throttle:
    """Codes (or owner notices) mailed per client network: probing or flooding addresses
    from one place is slow."""
    return Throttle(
        "email-code", settings.STAFFGATE_IP_MAX_FAILURES, settings.STAFFGATE_IP_WINDOW_SECONDS
    )


def _digest(code_id: int, code: str) -> str:
    return salted_hmac("staffgate.email-code", f"{code_id}:{code}", algorithm="sha256").hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def send_code(subject: str, address: str, purpose: Purpose, *, language: str) -> EmailCode:
    """Mail a fresh code to ``address``; earlier unused codes of this subject stop working."""
    now = timeutil.now()
    EmailCode.objects.filter(subject=subject, purpose=purpose, used_at__isnull=True).update(
        used_at=now
    )
    record = EmailCode.objects.create(
        subject=subject,
        purpose=purpose,
        address=address,
        digest="",
        created_at=now,
        expires_at=now + LIFETIME,
        last_sent_at=now,
    )
    _mail(record, language)
    return record


def resend_code(record: EmailCode, *, language: str) -> bool:
    """A new code for the same address, at most ``MAX_SENDS`` in all and a minute apart."""
    now = timeutil.now()
    claimed = EmailCode.objects.filter(
        pk=record.pk,
        used_at__isnull=True,
        sends__lt=MAX_SENDS,
        last_sent_at__lte=now - RESEND_AFTER,
    ).update(sends=F("sends") + 1, last_sent_at=now, expires_at=now + LIFETIME, tries=0)
    if not claimed:
        return False
    record.refresh_from_db()
    _mail(record, language)
    return True


def _mail(record: EmailCode, language: str) -> None:
    from staffgate.accounts.services import email_owner

    code = _new_code()
    EmailCode.objects.filter(pk=record.pk).update(digest=_digest(record.pk, code))
    owner = email_owner(record.address, besides_user_id=record.subject)
    if owner is not None:
        # Another account proved this address: its owner hears of the try, the code goes
        # nowhere, and the page that follows is the same.
        mail_account(owner, "email_claimed", address=record.address)
        return
    send_security_mail(
        "email_code",
        record.address,
        language=language,
        context={
            "code": code,
            "minutes": int(LIFETIME.total_seconds() // 60),
            # The address's owner is signed in as this person: the mail greets them by name.
            "person": Person.objects.filter(employee_id=record.subject).first(),
        },
    )


def current_code(pk) -> EmailCode | None:
    if pk is None:
        return None
    return EmailCode.objects.filter(pk=pk, used_at__isnull=True).first()


def check_code(record: EmailCode, typed: str) -> Typed:
    """Count one try, then compare; right once, and only within the lifetime and the tries."""
    now = timeutil.now()
    counted = EmailCode.objects.filter(
        pk=record.pk, used_at__isnull=True, tries__lt=MAX_TRIES, expires_at__gt=now
    ).update(tries=F("tries") + 1)
    if not counted:
        return Typed(Verdict.EXPIRED)
    record.refresh_from_db(fields=["tries", "digest"])
    code = "".join(typed.split())
    right = hmac.compare_digest(record.digest, _digest(record.pk, code))
    if right and EmailCode.objects.filter(pk=record.pk, used_at__isnull=True).update(used_at=now):
        return Typed(Verdict.RIGHT)
    left = MAX_TRIES - record.tries
    if left <= 0:
        EmailCode.objects.filter(pk=record.pk).update(used_at=now)
        return Typed(Verdict.EXPIRED)
    return Typed(Verdict.WRONG, tries_left=left)
