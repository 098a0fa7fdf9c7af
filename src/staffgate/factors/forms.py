"""The forms of second factors: a code or a passkey at login, enrolment, renaming, removing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from staffgate.core.forms import CodedForm, current_password_field, required
from staffgate.factors.passkeys import CREDENTIAL_MAX

CODE_MAX = 64


def code_field(label, *, digits_only: bool, help_text="") -> forms.CharField:
    attrs = {
        "autocomplete": "one-time-code",
        "autocapitalize": "none",
        "spellcheck": "false",
    }
    if digits_only:
        attrs |= {"inputmode": "numeric", "pattern": "[0-9 ]*", "maxlength": "7"}
    return forms.CharField(
        label=label,
        max_length=CODE_MAX,
        error_messages=required(_("Enter the code"))
        | {"max_length": _("That is not a code from this portal.")},
        widget=forms.TextInput(attrs=attrs),
        help_text=help_text,
    )


class LoginCodeForm(CodedForm):
    code = code_field(
        _("Code"),
        digits_only=False,
        help_text=_(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        ),
    )


class TotpConfirmForm(CodedForm):
    """The first code from the new app (and, from Edit My Profile, the current password)."""

    code = code_field(
        _("6-digit code from the app"),
        digits_only=True,
        help_text=_("After adding the key, type the code the app shows."),
    )
    name = forms.CharField(
        label=_("Name of this app (optional)"),
        max_length=64,
        required=False,
        help_text=_("For example the name of your phone."),
    )
    current_password = current_password_field()

    def __init__(self, *args, ask_password: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_password:
            del self.fields["current_password"]

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError(_("Type the 6 digits the app shows."), code="code.invalid")
        return code


class RenameForm(CodedForm):
    name = forms.CharField(
        label=_("New name"),
        max_length=64,
        error_messages=required(_("Enter a name for this app"))
        | {"max_length": _("A name can have at most 64 characters.")},
    )


class ConfirmWithFactorForm(CodedForm):
    """Removing a factor or replacing recovery codes: the password and a code."""

    current_password = current_password_field()
    code = code_field(
        _("Code"),
        digits_only=False,
        help_text=_("A code from your authenticator app, or one of your recovery codes."),
    )


class EmailCodeForm(CodedForm):
    """The 6-digit code mailed to an address, typed back."""

    code = code_field(
        _("Code from the e-mail"),
        digits_only=True,
        help_text=_("6 digits. The code works for 10 minutes."),
    )


def credential_field(*, needed: bool) -> forms.CharField:
    """The browser's answer to a WebAuthn ceremony, put there by the page's script."""
    return forms.CharField(
        max_length=CREDENTIAL_MAX,
        required=needed,
        strip=False,
        widget=forms.HiddenInput,
        error_messages=required(_("Use your passkey when your browser asks for it")),
    )


class PasskeyAnswerForm(CodedForm):
    """The login step answered with a passkey."""

    credential = credential_field(needed=True)


class PasskeyEnrolForm(CodedForm):
    """A new passkey: its name, the current password (in Edit My Profile), the browser answer."""

    name = forms.CharField(
        label=_("Name of this passkey (optional)"),
        max_length=64,
        required=False,
        help_text=_("For example the name of your computer, phone or security key."),
    )
    current_password = current_password_field()
    credential = credential_field(needed=False)

    def __init__(self, *args, ask_password: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_password:
            del self.fields["current_password"]
