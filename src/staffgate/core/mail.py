"""Security e-mails: rendered from templates in the person's language.

Each kind has ``mail/<kind>_subject.txt`` and ``mail/<kind>.txt``. Mails never
contain a secret: no password, PIN, answer or link that logs anyone in (the one
code is the e-mail code that proves an address, and it goes to that address only).
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template import Context, Engine
from django.template.backends.django import get_installed_libraries
from django.utils import translation

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


def send_security_mail(kind: str, to: str, *, language: str, context: dict) -> bool:
    """Send one mail of ``kind`` to ``to`` in ``language``; True when it was handed over."""
    if not to:
        return False
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = " ".join(render_mail(f"mail/{kind}_subject.txt", context).split())
        body = render_mail(f"mail/{kind}.txt", context)
    try:
        message = EmailMessage(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [to],
            headers={"X-Staffgate-Mail": kind, "Content-Language": language},
        )
        message.send(fail_silently=False)
    except OSError:
        # A mail server being down must not undo the security action that triggered the mail.
        log.exception("could not send %s mail", kind)
        return False
    return True


def mail_account(account, kind: str, **context) -> bool:
    """Send ``kind`` to an account's address, in its language."""
    return send_security_mail(
        kind,
        account.email,
        language=account.language,
        context={"account": account, "person": account.person, **context},
    )
