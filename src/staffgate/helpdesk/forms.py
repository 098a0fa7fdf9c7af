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


REPLY_MAX = 5000
# The actions of the ticket's panel, as the routes name them.
PANEL_ACTIONS = ("unlock", "reset", "factors", "reply", "close")
# Destructive: they ask the agent to confirm on a page of their own first.
CONFIRMED_ACTIONS = ("reset", "factors")


class TicketActionForm(CodedForm):
    """The ticket's one action panel: what to do, one reason, a reply, and "also close"."""

    action = forms.ChoiceField(
        label=_("What do you want to do?"),
        choices=[(name, name) for name in PANEL_ACTIONS],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what to do."),
            "invalid_choice": _("Choose what to do."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        required=False,
        error_messages=_at_most(REASON_MAX),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Kept in the audit log and on the ticket with your name. Not needed for a reply alone."
        ),
    )
    reply = forms.CharField(
        label=_("Reply to the person"),
        max_length=REPLY_MAX,
        required=False,
        error_messages=_at_most(REPLY_MAX),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    close_ticket = forms.BooleanField(label=_("Also close the ticket"), required=False)
    confirm = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action is None:
            return data
        reason = (data.get("reason") or "").strip()
        data["reason"] = reason
        missing = not reason and "reason" not in self.errors
        if missing and (action != "reply" or data.get("close_ticket")):
            self.add_error(
                "reason",
                ValidationError(_("Say why you are doing this."), code="reason.required"),
            )
        if action == "reply" and not (data.get("reply") or "").strip():
            self.add_error(
                "reply",
                ValidationError(_("Write the reply to send."), code="reply.required"),
            )
        return data

    @property
    def confirmed(self) -> bool:
        return self.cleaned_data.get("confirm") == "yes"
