"""Form plumbing shared by every page: field errors that carry a stable ``data-code``."""

from django import forms
from django.utils.translation import gettext_lazy as _

REQUIRED = {"required": _("This field is required.")}


def user_id_field() -> forms.CharField:
    """The User ID box, the same on every form that asks for it."""
    return forms.CharField(
        label=_("User ID"),
        max_length=64,
        error_messages=REQUIRED | {"max_length": _("A User ID has at most 20 characters.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
        help_text=_("Your Employee ID, as printed on your pay stub."),
    )


def password_field(label, *, autocomplete: str, help_text="", error_messages=None):
    """A password box: kept exactly as typed (no trimming), never echoed back."""
    return forms.CharField(
        label=label,
        max_length=256,
        strip=False,
        error_messages=error_messages or REQUIRED,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        help_text=help_text,
    )


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
