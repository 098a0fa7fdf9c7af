"""What a person typed against the roster: case, accents, punctuation and order ignored."""

import pytest

from staffgate.helpdesk.matching import Match, fold, match_email, match_name, match_phone


def test_fold_drops_case_accents_and_punctuation():
    assert fold("  Ana  PEÑA-Gómez ") == "ana pena gomez"
    assert fold("Élise O’Brien") == "elise o brien"


@pytest.mark.parametrize("typed", ["ana pena", "Peña, Ana", "ANA  PEÑA", "Ána Pena"])
def test_the_same_name_matches(typed):
    assert match_name(typed, "Ana Peña") is Match.SAME


@pytest.mark.parametrize("typed", ["Test Person", "Ana", "Ana Maria Peña", ""])
def test_another_name_does_not(typed):
    assert match_name(typed, "Ana Peña") is Match.DIFFERENT


def test_nothing_on_file_is_unknown():
    assert match_name("Ana", None) is Match.UNKNOWN
    assert match_email("a@b.example", "") is Match.UNKNOWN
    assert match_phone("555 0100", None) is Match.UNKNOWN


def test_email_ignores_case_only():
    assert match_email("Rita@Example.COM ", "rita@example.com") is Match.SAME
    assert match_email("rita@example.org", "rita@example.com") is Match.DIFFERENT


def test_phone_compares_digits():
    assert match_phone("+1 (555) 010-2030", "555.010.2030") is Match.SAME
    assert match_phone("555 010 2031", "5550102030") is Match.DIFFERENT
