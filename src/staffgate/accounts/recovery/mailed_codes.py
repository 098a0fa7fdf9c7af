"""The code of password recovery by e-mail: made for every ID, mailed only to a verified address.

Asking for a code costs the same whatever the ID: a code record is made and its HMAC
kept, and a mail with the code is rendered, sealed and queued. For an account whose
address is verified the mail goes to that address; for any other ID (unknown, on the
roster but unregistered, an address never proved, none at all) it is a decoy that the
worker drops, and the record names no address, so its code can never pass
(:func:`staffgate.accounts.recovery.service.proves_address`).
"""

from __future__ import annotations

import datetime as dt

from staffgate.accounts.models import Account
from staffgate.audit.services import record_event
from staffgate.audit.tags import EventTag
from staffgate.core import timeutil
from staffgate.core.mail import send_security_mail
from staffgate.factors import email_codes
from staffgate.factors.models import EmailCode

KIND = "recovery_code"
# New codes per ID in an hour, each sent again at most twice: a mailbox cannot be flooded
# by starting the flow over and over (per-address throttling bounds one sender already).
MAX_CODES_PER_HOUR = 3
WINDOW = dt.timedelta(hours=1)


def verified_account(key: str) -> Account | None:
    """The employee account of the ID ``key`` when its address is verified, else ``None``.

    One query for every ID, whatever it names.
    """
    return (
        Account.objects.select_related("person")
        .filter(
            user_id=key,
            person__isnull=False,
            email_verified_at__isnull=False,
        )
        .exclude(email="")
        .first()
    )


def send_recovery_code(key: str, *, language: str, request=None) -> EmailCode | None:
    """Make a code for the ID ``key`` and queue its mail (a decoy when it has no verified
    address); earlier unused recovery codes of the ID stop working.

    ``None``, and nothing made, when the ID already had ``MAX_CODES_PER_HOUR`` codes in the
    last hour: every ID has its records, so this says nothing about it either.
    """
    made = EmailCode.objects.filter(
        subject=key,
        purpose=email_codes.Purpose.RECOVER,
        created_at__gt=timeutil.now() - WINDOW,
    ).count()
    if made >= MAX_CODES_PER_HOUR:
        return None
    account = verified_account(key)
    record = email_codes.new_record(
        key, email_codes.Purpose.RECOVER, account.email if account else ""
    )
    _mail(record, account, key, language)
    _audit(request, key, sends=1)
    return record


def send_recovery_code_again(record: EmailCode, *, language: str, request=None) -> bool:
    """A new code for ``record``, at most ``email_codes.MAX_SENDS`` in all and a minute
    apart, to the address the first went to (and still verified)."""
    if not email_codes.claim_resend(record):
        return False
    account = verified_account(record.subject)
    if account is not None and account.email.casefold() != record.address.casefold():
        account = None  # the address changed since: the code is for the old one alone
    _mail(record, account, record.subject, language)
    _audit(request, record.subject, sends=record.sends)
    return True


def lifetime_minutes() -> int:
    return int(email_codes.LIFETIME / dt.timedelta(minutes=1))


def _mail(record: EmailCode, account: Account | None, key: str, language: str) -> None:
    code = email_codes.choose_code(record)
    send_security_mail(
        KIND,
        account.email if account else "",
        language=(account.language if account else "") or language,
        context={
            "code": code,
            "minutes": lifetime_minutes(),
            "user_id": key,
            "person": account.person if account else None,
        },
        decoy=account is None,
    )


def _audit(request, key: str, *, sends: int) -> None:
    record_event(
        EventTag.Account.RECOVER_CODE_ASKED,
        request=request,
        user_id=key,
        outcome="asked",
        detail={"sends": sends},
    )
