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
    RECOVER = "recover"  # forgot password, to a verified address (STAFFGATE_RECOVERY_METHODS)


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


def new_record(subject: str, purpose: Purpose, address: str) -> EmailCode:
    """A code record of ``subject``, its code not chosen yet; earlier unused ones stop working."""
    now = timeutil.now()
    EmailCode.objects.filter(subject=subject, purpose=purpose, used_at__isnull=True).update(
        used_at=now
    )
    return EmailCode.objects.create(
        subject=subject,
        purpose=purpose,
        address=address,
        digest="",
        created_at=now,
        expires_at=now + LIFETIME,
        last_sent_at=now,
    )


def claim_resend(record: EmailCode) -> bool:
    """Whether ``record`` may be sent again now (at most ``MAX_SENDS`` in all, a minute
    apart); when it may, its lifetime and tries start again."""
    now = timeutil.now()
    claimed = EmailCode.objects.filter(
        pk=record.pk,
        used_at__isnull=True,
        sends__lt=MAX_SENDS,
        last_sent_at__lte=now - RESEND_AFTER,
    ).update(sends=F("sends") + 1, last_sent_at=now, expires_at=now + LIFETIME, tries=0)
    if claimed:
        record.refresh_from_db()
    return bool(claimed)


def choose_code(record: EmailCode) -> str:
    """A new random code for ``record``: only its HMAC is kept; the code goes to the mail."""
    code = _new_code()
    EmailCode.objects.filter(pk=record.pk).update(digest=_digest(record.pk, code))
    return code


def is_open(record: EmailCode) -> bool:
    """Whether a code of ``record`` could still be accepted: unused, in time, tries left."""
    return (
        record.used_at is None and record.expires_at > timeutil.now() and record.tries < MAX_TRIES
    )


def send_code(subject: str, address: str, purpose: Purpose, *, language: str) -> EmailCode:
    """Mail a fresh code to ``address``; earlier unused codes of this subject stop working."""
    record = new_record(subject, purpose, address)
    _mail(record, language)
    return record


def resend_code(record: EmailCode, *, language: str) -> bool:
    """A new code for the same address, at most ``MAX_SENDS`` in all and a minute apart."""
    if not claim_resend(record):
        return False
    _mail(record, language)
    return True


def _mail(record: EmailCode, language: str) -> None:
    from staffgate.accounts.services import email_owner

    code = choose_code(record)
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
