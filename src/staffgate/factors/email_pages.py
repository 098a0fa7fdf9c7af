"""The page that asks for the code mailed to an address, shared by registration and profile."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from staffgate.core.outcomes import Outcome
from staffgate.core.views import FORM_INVALID_MESSAGE, posted
from staffgate.factors import email_codes
from staffgate.factors.forms import EmailCodeForm


@dataclass
class CodePage:
    """What the code page came to: ``verified``, or a response to send as it is."""

    verified: bool = False
    expired: bool = False
    response: object = None


def handle_code_page(request, record, *, template: str, context: dict) -> CodePage:
    """Resend, or check the typed code; render the page unless the code was right."""
    outcome = message = None
    if request.method == "POST" and "resend" in request.POST:
        if record is not None and email_codes.resend_code(record, language=request.LANGUAGE_CODE):
            messages.info(request, _("A new code was sent. Earlier codes no longer work."))
        else:
            messages.info(
                request,
                _("No new code can be sent right now. Wait a minute, or use the last code sent."),
            )
        form = EmailCodeForm()
    else:
        form = EmailCodeForm(posted(request))
        if request.method == "POST" and form.is_valid():
            typed = (
                email_codes.check_code(record, form.cleaned_data["code"])
                if record is not None
                else email_codes.Typed(email_codes.Verdict.EXPIRED)
            )
            if typed.verdict is email_codes.Verdict.RIGHT:
                return CodePage(verified=True)
            if typed.verdict is email_codes.Verdict.WRONG:
                outcome = Outcome.CODE_INVALID
                message = " ".join(
                    [
                        _("That code is not right."),
                        ngettext("%(count)s try left.", "%(count)s tries left.", typed.tries_left)
                        % {"count": typed.tries_left},
                    ]
                )
                form = EmailCodeForm()
            else:
                return CodePage(expired=True)
        elif request.method == "POST":
            outcome, message = Outcome.FORM_INVALID, FORM_INVALID_MESSAGE
    page = render(
        request,
        template,
        {
            "form": form,
            "outcome": outcome,
            "message": message,
            "address": record.address if record is not None else "",
            **context,
        },
    )
    return CodePage(response=page)


def expired_message() -> str:
    return _(
        "This code can no longer be used: it is more than 10 minutes old, or was typed wrong "
        "five times. Ask for a new one."
    )


def verified_message() -> str:
    return _("Your e-mail address is confirmed.")
