"""Form plumbing shared by every page: field errors that carry a stable ``data-code``."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _


def required(message) -> dict:
    """The error of an empty field, saying what to type (GOV.UK style: "Enter your User ID")."""
    return {"required": message}


def user_id_field() -> forms.CharField:
    """The User ID box, the same on every form that asks for it."""
    return forms.CharField(
        label=_("User ID"),
        max_length=64,
        error_messages=required(_("Enter your User ID"))
        | {"max_length": _("A User ID has at most 20 characters.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
        help_text=_("Your Employee ID, as printed on your pay stub."),
    )


def password_field(label, *, autocomplete: str, error_messages: dict, help_text=""):
    """A password box: kept exactly as typed (no trimming), never echoed back."""
    return forms.CharField(
        label=label,
        max_length=256,
        strip=False,
        error_messages={"max_length": _("The password is too long.")} | error_messages,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        help_text=help_text,
    )


def current_password_field(help_text="") -> forms.CharField:
    """The current-password box of every change that must be confirmed with the password."""
    return password_field(
        _("Current password"),
        autocomplete="current-password",
        help_text=help_text,
        error_messages=required(_("Enter your current password")),
    )


@dataclass(frozen=True)
class FieldError:
    """One message under a field: its code, its text and its own element id."""

    code: str
    text: str
    id: str


class CodedBoundField(forms.BoundField):
    @property
    def coded_errors(self) -> list[tuple[str, str]]:
        """(code, message) pairs; codes read like ``password.too_short`` or ``email.required``."""
        pairs = []
        for error in self.form.errors.as_data().get(self.name, []):
            for message in error.messages:
                code = error.code or "invalid"
                pairs.append((code if "." in code else f"{self.name}.{code}", message))
        return pairs

    @property
    def error_items(self) -> list[FieldError]:
        """Every message with an id of its own, so that each one can be referred to."""
        return [
            FieldError(code, text, f"{self.auto_id}_error" + (f"_{n}" if n > 1 else ""))
            for n, (code, text) in enumerate(self.coded_errors, start=1)
        ]

    @property
    def aria_describedby(self):
        # The hint and every message, not only the first (Django names one error id).
        if self.field.widget.attrs.get("aria-describedby") or not self.auto_id or self.is_hidden:
            return None
        ids = [f"{self.auto_id}_helptext"] if self.help_text else []
        return " ".join(ids + [item.id for item in self.error_items]) or None


class CodedForm(forms.Form):
    """A form whose field errors carry codes, and whose non-field errors do too."""

    bound_field_class = CodedBoundField

    @property
    def coded_non_field_errors(self) -> list[tuple[str, str]]:
        pairs = []
        for error in self.non_field_errors().as_data():
            for message in error.messages:
                pairs.append((error.code or "form.invalid", message))
        return pairs
