"""Forms of the Technical Help Form and the help desk: parsing only."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from staffgate.core.forms import CodedForm, required, user_id_field
from staffgate.helpdesk.models import Topic
from staffgate.roster.ids import MAX_LENGTH, is_well_formed, normalise_user_id

MESSAGE_MAX = 2000
REASON_MAX = 500


def _at_most(n: int) -> dict:
    return {"max_length": _("At most %(n)s characters.") % {"n": n}}


class HelpForm(CodedForm):
    user_id = user_id_field()
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        error_messages=required(_("Enter your full name"))
        | {"max_length": _("Your name can have at most 150 characters.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages=required(_("Enter your e-mail address"))
        | {"invalid": _("Enter an e-mail address in the right format, like name@example.com")}
        | {"max_length": _("An e-mail address can have at most 254 characters.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Where the help desk can answer you."),
    )
    phone = forms.RegexField(
        label=_("Telephone (optional)"),
        regex=r"^[0-9+()./ -]*$",
        max_length=32,
        required=False,
        error_messages={
            "invalid": _("A telephone number can only have digits, spaces and + ( ) - . /"),
            "max_length": _("A telephone number can have at most 32 characters."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    topic = forms.ChoiceField(
        label=_("What do you need help with?"),
        choices=[("", _("Choose a topic"))] + list(Topic.choices),
        error_messages=required(_("Choose what you need help with"))
        | {"invalid_choice": _("Choose a topic from the list.")},
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX,
        error_messages=required(_("Enter a message that describes the problem"))
        | {"max_length": _("The message can have at most %(n)s characters.") % {"n": MESSAGE_MAX}},
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Describe the problem. Never write your password, PIN or answers to your "
            "challenge questions: the help desk will never ask for them."
        ),
    )

    def clean_user_id(self) -> str:
        user_id = normalise_user_id(self.cleaned_data["user_id"])
        if not is_well_formed(user_id):
            raise ValidationError(
                _("A User ID has only letters and digits, at most %(n)s of them.")
                % {"n": MAX_LENGTH},
                code="user_id.invalid",
            )
        return user_id


class ReasonForm(CodedForm):
    """Every help-desk action says why; the reason goes to the audit log and the ticket."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        error_messages={"required": _("Say why you are doing this.")} | _at_most(REASON_MAX),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
