"""Forms of the forgot-password flow: parsing only, the checks live in ``recovery``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from staffgate.accounts.questions import MAX_ANSWER_LENGTH, QUESTIONS
from staffgate.core.forms import CodedForm, required, user_id_field
from staffgate.factors import email_codes
from staffgate.factors.forms import EmailCodeForm


class RecoverStartForm(CodedForm):
    user_id = user_id_field()


class RecoveryAnswersForm(CodedForm):
    """``answer_1..3``, each labelled with its question; the same fields for every ID."""

    def __init__(self, *args, questions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for n, key in enumerate(questions, start=1):
            self.fields[f"answer_{n}"] = forms.CharField(
                label=QUESTIONS[key],
                max_length=MAX_ANSWER_LENGTH,
                error_messages=required(_("Enter your answer to question %(n)s") % {"n": n})
                | {"max_length": _("Answers can have at most 100 characters.")},
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            )

    def answers(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.fields]


class RecoveryCodeForm(EmailCodeForm):
    """``code``: the 6 digits mailed to the account's verified address."""

    def clean_code(self):
        # Spaces are allowed between the digits; anything else is no code, and costs no try.
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == email_codes.DIGITS and code.isdigit()):
            raise forms.ValidationError(
                _("Type the 6 digits of the code from the e-mail."), code="code.format"
            )
        return code
