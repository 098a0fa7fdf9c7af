"""Security e-mails: rendered from templates in the person's language, sent by the queue.

Each kind has ``mail/<kind>_subject.txt`` and ``mail/<kind>.txt``. Mails never
contain a secret: no password, PIN, answer or link that logs anyone in (the one
code is the e-mail code that proves an address, and it goes to that address only).

No mail is sent inside a request: the message is rendered, encrypted with the field
keys (``STAFFGATE_FIELD_KEYS``, as the authenticator-app keys are) and queued in the
transaction of the event that causes it; ``staffgate worker`` hands it to the mail
server, and tries again with the queue's backoff while that server is down. A page
therefore costs the same whether or not it leads to a mail, and a database dump shows
no e-mail code, address or body of a message waiting in the queue.
"""

from __future__ import annotations

import functools
import json
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template import Context, Engine
from django.template.backends.django import get_installed_libraries
from django.utils import translation
from django_tasks import task, task_backends

from staffgate.core import queue
from staffgate.core.brand import mail_context

log = logging.getLogger(__name__)


@functools.cache
def mail_engine() -> Engine:
    """Templates for plain-text mail: the app template folders, without HTML escaping."""
    return Engine(app_dirs=True, autoescape=False, libraries=get_installed_libraries())


def render_mail(name: str, context: dict) -> str:
    """One mail template, with the brand, portal address and help-desk contact beneath."""
    full = {**mail_context(), **context}
    return mail_engine().get_template(name).render(Context(full, autoescape=False))


def _seal(message: dict) -> str:
    from staffgate.factors import crypto

    return crypto.encrypt(json.dumps(message).encode())


def _open(payload: str) -> dict | None:
    from staffgate.factors import crypto

    try:
        return json.loads(crypto.decrypt(payload))
    except (crypto.InvalidToken, ValueError):
        return None


def send_security_mail(
    kind: str, to: str, *, language: str, context: dict, decoy: bool = False
) -> bool:
    """Queue one mail of ``kind`` to ``to`` in ``language``; True when it was queued.

    A ``decoy`` is rendered, sealed and queued all the same but addressed to nobody, and
    the worker drops it: for a request that must cost the same whether or not the ID it
    names has an address to write to.
    """
    if decoy:
        to = ""
    elif not to:
        return False
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = " ".join(render_mail(f"mail/{kind}_subject.txt", context).split())
        body = render_mail(f"mail/{kind}.txt", context)
    payload = _seal(
        {"kind": kind, "to": to, "language": language, "subject": subject, "body": body}
    )
    deliver_mail.using(backend=settings.STAFFGATE_MAIL_TASK_BACKEND).enqueue(payload)
    return True


def _retry_backend() -> str:
    """Where a later attempt waits: the mail queue, or the database queue when the mail
    queue cannot hold work for later (the immediate backend of the unit tests)."""
    alias = settings.STAFFGATE_MAIL_TASK_BACKEND
    return alias if task_backends[alias].supports_defer else "default"


@task()
def deliver_mail(payload: str, attempt: int = 1) -> str:
    """Hand one queued mail to the mail server; tried again with backoff while it is down."""
    message = _open(payload)
    if message is None:
        # The field key it was sealed with has been removed: nothing can be sent.
        log.error("a queued mail could not be opened with the configured field keys")
        return "unreadable"
    kind = message["kind"]
    if not message["to"]:
        return "decoy"  # queued only so that its request cost what a real one does
    try:
        EmailMessage(
            message["subject"],
            message["body"],
            settings.DEFAULT_FROM_EMAIL,
            [message["to"]],
            headers={"X-Staffgate-Mail": kind, "Content-Language": message["language"]},
        ).send(fail_silently=False)
    except OSError as error:  # smtplib's errors are OSErrors too
        reason = type(error).__name__
        if queue.retry_later(deliver_mail, payload, attempt=attempt, backend=_retry_backend()):
            log.warning(
                "the mail server did not take a %s mail (attempt %d, %s): tried again later",
                kind,
                attempt,
                reason,
            )
            return "retry"
        log.error("gave up on a %s mail after %d attempts (%s)", kind, attempt, reason)
        return "gave_up"
    return "sent"


def mail_account(account, kind: str, **context) -> bool:
    """Queue ``kind`` for an account's address, in its language.

    An employee's address kept from before e-mail codes and not yet proved gets nothing:
    it may be a typo, or someone else's, until its code comes back (asked at the next login).
    """
    if getattr(account, "person_id", None) is not None and account.email_verified_at is None:
        return False
    return send_security_mail(
        kind,
        account.email,
        language=account.language,
        context={"account": account, "person": account.person, **context},
    )


def mail_account_or_decoy(account, kind: str, **context) -> bool:
    """``mail_account``, or else the same mail queued as a decoy: for a request that must
    cost the same whether or not its ID is an account with an address to write to (the
    mail of the lock that any ID, known or not, can set)."""
    if account is not None and mail_account(account, kind, **context):
        return True
    send_security_mail(
        kind,
        "",
        language=getattr(account, "language", "") or settings.LANGUAGE_CODE,
        context={"account": account, "person": getattr(account, "person", None), **context},
        decoy=True,
    )
    return False
