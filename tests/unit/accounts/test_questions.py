"""Three different challenge questions from a fixed list, three different answers."""

import pytest

from staffgate.accounts.questions import (
    COUNT,
    QUESTIONS,
    AnswerProblem,
    check_answers,
    normalise_answer,
)

A = AnswerProblem
Q1, Q2, Q3 = "first_pet", "first_school", "birth_city"


def test_at_least_ten_different_questions():
    assert len(QUESTIONS) >= 10
    texts = [str(text) for text in QUESTIONS.values()]
    assert len(set(texts)) == len(texts)
    assert all(text.strip().endswith("?") for text in texts)


def test_three_questions_are_asked():
    assert COUNT == 3


def test_three_different_questions_and_answers_are_accepted():
    assert check_answers([(Q1, "Rex"), (Q2, "Lincoln Elementary"), (Q3, "Boston")]) == {}


def test_any_three_listed_questions_may_be_chosen():
    keys = list(QUESTIONS)
    assert check_answers([(keys[-1], "one"), (keys[-2], "two"), (keys[0], "three")]) == {}


@pytest.mark.parametrize("key", ["", "favourite_colour", "FIRST_PET", "first_pet "])
def test_unknown_question(key):
    assert check_answers([(Q1, "Rex"), (key, "Boston"), (Q3, "Chicago")]) == {1: A.UNKNOWN_QUESTION}


def test_duplicate_question_is_reported_where_it_repeats():
    assert check_answers([(Q1, "Rex"), (Q2, "Lincoln"), (Q1, "Fido")]) == {2: A.DUPLICATE_QUESTION}


def test_same_question_three_times():
    assert check_answers([(Q1, "Rex"), (Q1, "Fido"), (Q1, "Spot")]) == {
        1: A.DUPLICATE_QUESTION,
        2: A.DUPLICATE_QUESTION,
    }


@pytest.mark.parametrize("answer", ["", "a", "ab", "   ", "  ab  ", "\tab\n", None])
def test_answer_shorter_than_three_after_trimming(answer):
    assert check_answers([(Q1, "Rex"), (Q2, answer), (Q3, "Boston")]) == {1: A.TOO_SHORT}


@pytest.mark.parametrize("answer", ["abc", "  abc  ", "a b", "Éli"])
def test_answer_of_three_characters_is_long_enough(answer):
    assert check_answers([(Q1, "Rex"), (Q2, answer), (Q3, "Boston")]) == {}


def test_answer_length_limit():
    assert check_answers([(Q1, "x" * 100), (Q2, "y" * 101), (Q3, "Boston")]) == {1: A.TOO_LONG}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Boston", "Boston"),
        ("Boston", "  Boston  "),
        (" Boston", "Boston "),
        # Answers differing only in case are refused too: they are not "all different".
        ("Boston", "BOSTON"),
    ],
)
def test_duplicate_answers(first, second):
    assert check_answers([(Q1, first), (Q2, "Rex"), (Q3, second)]) == {2: A.DUPLICATE_ANSWER}


def test_answers_differing_inside_are_different():
    assert check_answers([(Q1, "New York"), (Q2, "NewYork"), (Q3, "New  York")]) == {}


def test_each_position_gets_its_own_problem():
    problems = check_answers([(Q1, "ab"), ("nope", "Boston"), (Q1, "Chicago")])
    assert problems == {0: A.TOO_SHORT, 1: A.UNKNOWN_QUESTION, 2: A.DUPLICATE_QUESTION}


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  Rex  ", "Rex"),
        ("Rex", "Rex"),
        ("REX", "REX"),
        ("New  York", "New  York"),
        ("\tBoston\n", "Boston"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_answer_trims_ends_and_keeps_case(raw, stored):
    assert normalise_answer(raw) == stored


def test_normalised_answers_compare_case_sensitively():
    assert normalise_answer(" Rex ") == normalise_answer("Rex")
    assert normalise_answer("rex") != normalise_answer("Rex")


def test_problem_values_are_field_error_codes():
    assert {problem.value for problem in A} == {
        "question.unknown",
        "question.duplicate",
        "answer.too_short",
        "answer.too_long",
        "answer.duplicate",
    }
