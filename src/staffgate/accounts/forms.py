"""Forms of the login page and the registration wizard: parsing only, rules live elsewhere."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from staffgate.accounts.passwords import PasswordProblem, check_password, common_passwords
from staffgate.accounts.questions import QUESTIONS, AnswerProblem, check_answers
from staffgate.core.forms import CodedForm, password_field, required

EMAIL_FORMAT = _("Enter an e-mail address in the right format, like name@example.com")

PASSWORD_MESSAGES = {
    PasswordProblem.TOO_SHORT: _("The password is too short."),
    PasswordProblem.TOO_LONG: _("The password is too long."),
    PasswordProblem.NEEDS_LETTER: _("The password needs at least one letter."),
    PasswordProblem.NEEDS_DIGIT: _("The password needs at least one digit."),
    PasswordProblem.NEEDS_UPPER: _("The password needs at least one upper-case letter."),
    PasswordProblem.NEEDS_LOWER: _("The password needs at least one lower-case letter."),
    PasswordProblem.NEEDS_SYMBOL: _(
        "The password needs at least one of these symbols: ! $ # @ ^ & * , . + = ~"
    ),
    PasswordProblem.EQUALS_PIN: _("The password cannot be your PIN."),
    PasswordProblem.EQUALS_USER_ID: _("The password cannot be your User ID."),
    PasswordProblem.TOO_COMMON: _(
        "This password is too common. Choose one that is harder to guess."
    ),
    PasswordProblem.SAME_AS_CURRENT: _("The new password must be different from the current one."),
}

ANSWER_MESSAGES = {
    AnswerProblem.UNKNOWN_QUESTION: _("Choose a question from the list."),
    AnswerProblem.DUPLICATE_QUESTION: _("Choose three different questions."),
    AnswerProblem.TOO_SHORT: _("Answers need at least 3 characters."),
    AnswerProblem.TOO_LONG: _("Answers can have at most 100 characters."),
    AnswerProblem.DUPLICATE_ANSWER: _("Give a different answer to each question."),
}


def password_rules_text(policy: str) -> str:
    """The rules shown next to the password field."""
    if policy == "strict":
        return _(
            "At least 12 characters, with an upper-case letter, a lower-case letter, a digit "
            "and one of ! $ # @ ^ & * , . + = ~. Not your User ID or PIN."
        )
    return _(
        "7 to 14 characters, with at least one letter and one digit. Passwords are "
        "case-sensitive. Not your User ID or PIN, and not a common password."
    )


class ContactForm(CodedForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages=required(_("Enter your e-mail address"))
        | {
            "invalid": EMAIL_FORMAT,
            "max_length": _("An e-mail address can have at most 254 characters."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_confirm = forms.EmailField(
        label=_("Confirm e-mail address"),
        max_length=254,
        error_messages=required(_("Enter your e-mail address again"))
        | {
            "invalid": EMAIL_FORMAT,
            "max_length": _("An e-mail address can have at most 254 characters."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    app_id = forms.RegexField(
        label=_("Application ID (optional)"),
        regex=r"^[A-Za-z0-9._@-]*$",
        max_length=64,
        required=False,
        error_messages={
            "invalid": _("The application ID can only have letters, digits and . _ @ -"),
            "max_length": _("The application ID can have at most 64 characters."),
        },
        help_text=_("The ID you use for the company's other applications, if you have one."),
    )

    def __init__(self, *args, email_taken=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.email_taken = email_taken

    def clean(self):
        cleaned = super().clean()
        email, confirm = cleaned.get("email"), cleaned.get("email_confirm")
        if email and confirm and email.casefold() != confirm.casefold():
            self.add_error(
                "email_confirm",
                ValidationError(_("The two e-mail addresses differ."), code="email.mismatch"),
            )
        elif email and self.email_taken and self.email_taken(email):
            self.add_error(
                "email",
                ValidationError(
                    _("This e-mail address is already used by another account."),
                    code="email.taken",
                ),
            )
        return cleaned


class QuestionsForm(CodedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Choose a question"))] + list(QUESTIONS.items())
        for n in (1, 2, 3):
            self.fields[f"question_{n}"] = forms.ChoiceField(
                label=_("Question %(n)s") % {"n": n},
                choices=choices,
                error_messages=required(_("Choose question %(n)s") % {"n": n})
                | {"invalid_choice": _("Choose a question from the list.")},
            )
            self.fields[f"answer_{n}"] = forms.CharField(
                label=_("Answer %(n)s") % {"n": n},
                max_length=100,
                error_messages=required(_("Enter an answer to question %(n)s") % {"n": n})
                | {"max_length": _("Answers can have at most 100 characters.")},
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )

    def pairs(self) -> list[tuple[str, str]]:
        return [
            (self.cleaned_data[f"question_{n}"], self.cleaned_data[f"answer_{n}"])
            for n in (1, 2, 3)
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        for index, problem in check_answers(self.pairs()).items():
            field = (
                f"question_{index + 1}"
                if problem in (AnswerProblem.UNKNOWN_QUESTION, AnswerProblem.DUPLICATE_QUESTION)
                else f"answer_{index + 1}"
            )
            self.add_error(field, ValidationError(ANSWER_MESSAGES[problem], code=problem.value))
        return cleaned


class NewPasswordForm(CodedForm):
    new_password = password_field(
        _("New password"),
        autocomplete="new-password",
        error_messages=required(_("Enter a new password")),
    )
    confirm_password = password_field(
        _("Confirm new password"),
        autocomplete="new-password",
        error_messages=required(_("Enter your new password again")),
    )

    def __init__(
        self, *args, policy: str, user_id: str, pin: str | None = None, is_current=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.policy = policy
        self.user_id = user_id
        self.pin = pin
        self.is_current = is_current
        self.fields["new_password"].help_text = password_rules_text(policy)

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("new_password")
        if password is None:
            return cleaned
        problems = check_password(
            password,
            policy=self.policy,
            user_id=self.user_id,
            pin=self.pin,
            common=common_passwords(),
        )
        for problem in problems:
            self.add_error(
                "new_password", ValidationError(PASSWORD_MESSAGES[problem], code=problem.value)
            )
        confirm = cleaned.get("confirm_password")
        if problems or confirm is None:
            return cleaned
        if confirm != password:
            self.add_error(
                "confirm_password",
                ValidationError(_("The two passwords differ."), code="password.mismatch"),
            )
        # Last, and only for a choice that is otherwise accepted: a comparison with the
        # current password is an answer about it, so it is asked as rarely as possible.
        elif self.is_current is not None and self.is_current(password):
            problem = PasswordProblem.SAME_AS_CURRENT
            self.add_error(
                "new_password", ValidationError(PASSWORD_MESSAGES[problem], code=problem.value)
            )
        return cleaned
