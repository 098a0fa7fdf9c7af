"""Forms of Edit My Profile: the wizard's rules plus the current password.

The current password is checked through a callable handed in by the view (it
counts as a login attempt); the forms only parse and report field errors.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from staffgate.accounts.forms import ContactForm, NewPasswordForm, QuestionsForm
from staffgate.accounts.profile.service import CurrentPassword
from staffgate.core.forms import CodedForm, current_password_field, required
from staffgate.core.zones import plain_zone_name, zone_choices, zone_for


class CurrentPasswordForm(CodedForm):
    """Adds ``current_password``; ``check_current(raw)`` decides whether it is right."""

    current_password = current_password_field(
        help_text=_("For your security, confirm this change with your current password.")
    )

    def __init__(
        self,
        *args,
        check_current: Callable[[str], CurrentPassword],
        tries_left: Callable[[], str] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.check_current = check_current
        self.tries_left = tries_left
        self.current_result: CurrentPassword | None = None

    def verify_current(self) -> bool:
        """Check the typed current password once; True when it is right."""
        raw = self.cleaned_data.get("current_password")
        if raw is None:
            return False
        self.current_result = self.check_current(raw)
        if self.current_result is CurrentPassword.RIGHT:
            return True
        message = _("The current password is not correct.")
        if self.tries_left is not None and not self.locked:
            message = f"{message} {self.tries_left()}"  # "… 1 more try before …"
        self.add_error(
            "current_password", ValidationError(message, code="current_password.invalid")
        )
        return False

    @property
    def locked(self) -> bool:
        """True when checking the current password locked (or met a lock on) the account."""
        return self.current_result is not None and self.current_result.locks


class ProfileEmailForm(ContactForm, CurrentPasswordForm):
    field_order = ["email", "email_confirm", "app_id", "current_password"]

    def clean(self):
        self.verify_current()
        return super().clean()


class ProfilePasswordForm(NewPasswordForm, CurrentPasswordForm):
    field_order = ["current_password", "new_password", "confirm_password"]

    def __init__(self, *args, is_current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._is_current = is_current
        # Until the current password is proven, "same as current" must not answer: it would
        # let anyone holding the session test guesses without being counted.
        self.is_current = None

    def clean(self):
        if self.verify_current():
            self.is_current = self._is_current
        return super().clean()


class ProfileQuestionsForm(QuestionsForm, CurrentPasswordForm):
    def clean(self):
        # The answer rules first: they are skipped once any field has an error.
        cleaned = super().clean()
        self.verify_current()
        return cleaned


class LanguageForm(CodedForm):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        error_messages=required(_("Choose a language"))
        | {"invalid_choice": _("Choose a language from the list.")},
    )


class LanguagePageForm(LanguageForm):
    """The language page: the language, and the zone of the person's times ("": the portal's)."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        error_messages={"invalid_choice": _("Choose a time zone from the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        portal = plain_zone_name(zone_for())
        self.fields["time_zone"].choices = [
            ("", _("The portal's time zone (%(zone)s)") % {"zone": portal}),
            *zone_choices(),
        ]
