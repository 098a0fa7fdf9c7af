"""Parsing the Technical Help Form and the agents' reason field (no database)."""

from __future__ import annotations

import pytest

from staffgate.helpdesk.forms import HelpForm, ReasonForm

GOOD = {
    "user_id": " ov000123456 ",
    "full_name": "Élise O'Brien",
    "email": "elise@example.org",
    "phone": "",
    "topic": "password",
    "message": "I cannot remember my answers.",
}


def codes(form) -> dict[str, list[str]]:
    return {name: [e.code for e in errors] for name, errors in form.errors.as_data().items()}


def test_a_good_form_is_normalised():
    form = HelpForm(GOOD)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["user_id"] == "OV000123456"
    assert form.cleaned_data["phone"] == ""


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("user_id", "0112 233", "user_id.invalid"),
        ("user_id", "A" * 21, "user_id.invalid"),
        ("user_id", "A" * 65, "max_length"),
        ("email", "a@", "invalid"),
        ("topic", "unlock ", "invalid_choice"),
        ("message", "m" * 2001, "max_length"),
        ("phone", "5" * 33, "max_length"),
        ("full_name", "", "required"),
        ("message", "nul\x00byte", "null_characters_not_allowed"),
    ],
)
def test_bad_values_are_refused_with_a_code(field, value, code):
    form = HelpForm(GOOD | {field: value})
    assert not form.is_valid()
    assert code in codes(form)[field]


@pytest.mark.parametrize("topic", ["unlock", "password", "other"])
def test_the_three_topics(topic):
    assert HelpForm(GOOD | {"topic": topic}).is_valid()


def test_the_message_may_be_exactly_at_the_limit():
    assert HelpForm(GOOD | {"message": "m" * 2000}).is_valid()


@pytest.mark.parametrize("reason", ["", "  ", "\t\n"])
def test_a_blank_reason_is_required(reason):
    form = ReasonForm({"reason": reason})
    assert not form.is_valid()
    assert codes(form) == {"reason": ["required"]}


def test_a_reason_is_trimmed():
    form = ReasonForm({"reason": "  verified by phone "})
    assert form.is_valid()
    assert form.cleaned_data["reason"] == "verified by phone"
