"""The two login forms: the portal's (User ID, password or PIN) and the help desk's."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from staffgate.core.forms import CodedForm, password_field, required, user_id_field


class LoginForm(CodedForm):
    # Chosen with the page's language links (the one switcher); the form carries the choice on.
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.HiddenInput,
    )
    user_id = user_id_field()
    password = password_field(
        _("Password or PIN"),
        autocomplete="current-password",
        help_text=_("First time here? Use the PIN you were given."),
        error_messages=required(_("Enter your password, or your PIN if you have not registered")),
    )


class AgentLoginForm(CodedForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        error_messages=required(_("Enter your username")),
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password = password_field(
        _("Password"),
        autocomplete="current-password",
        error_messages=required(_("Enter your password")),
    )
