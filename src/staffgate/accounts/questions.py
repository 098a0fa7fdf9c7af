"""The fixed list of challenge questions and the answer rules."""

from __future__ import annotations

import enum

from django.utils.translation import gettext_lazy as _

from staffgate.core.keys import stored_key

QUESTIONS = {
    "first_pet": _("What was the name of your first pet?"),
    "first_school": _("What was the name of your first school?"),
    "birth_city": _("In what city were you born?"),
    "first_car": _("What was the make of your first car?"),
    "childhood_friend": _("What is the first name of your childhood best friend?"),
    "first_job": _("What was your first job?"),
    "favourite_teacher": _("What was the last name of your favourite teacher?"),
    "mother_city": _("In what city was your mother born?"),
    "first_street": _("On what street did you live as a child?"),
    "favourite_book": _("What is the title of your favourite book?"),
    "first_concert": _("What was the first concert you attended?"),
    "grandmother_name": _("What is your oldest grandmother's first name?"),
}

MIN_ANSWER_LENGTH = 3
MAX_ANSWER_LENGTH = 100
COUNT = 3
DECOY_KEY_NAME = "recovery.decoy-questions"


class AnswerProblem(enum.Enum):
    """Why a set of questions and answers is refused; values are field error codes."""

    UNKNOWN_QUESTION = "question.unknown"
    DUPLICATE_QUESTION = "question.duplicate"
    TOO_SHORT = "answer.too_short"
    TOO_LONG = "answer.too_long"
    DUPLICATE_ANSWER = "answer.duplicate"


def normalise_answer(answer: str) -> str:
    """Answers are compared exactly, case included, after trimming spaces at both ends."""
    return (answer or "").strip()


def check_answers(pairs: list[tuple[str, str]]) -> dict[int, AnswerProblem]:
    """Problems by position (0-based) for three (question key, answer) pairs."""
    problems: dict[int, AnswerProblem] = {}
    seen_questions: set[str] = set()
    seen_answers: set[str] = set()
    for index, (key, raw_answer) in enumerate(pairs):
        answer = normalise_answer(raw_answer)
        if key not in QUESTIONS:
            problems[index] = AnswerProblem.UNKNOWN_QUESTION
        elif key in seen_questions:
            problems[index] = AnswerProblem.DUPLICATE_QUESTION
        elif len(answer) < MIN_ANSWER_LENGTH:
            problems[index] = AnswerProblem.TOO_SHORT
        elif len(answer) > MAX_ANSWER_LENGTH:
            problems[index] = AnswerProblem.TOO_LONG
        elif answer.casefold() in seen_answers:
            problems[index] = AnswerProblem.DUPLICATE_ANSWER
        seen_questions.add(key)
        seen_answers.add(answer.casefold())
    return problems


def decoy_key() -> str:
    """The key that picks the decoy questions shown for IDs without an account."""
    # Stored, not SECRET_KEY: decoys that changed at a key rotation would tell unknown IDs apart.
    return stored_key(DECOY_KEY_NAME)
