"""The one-time registration PIN, derived from the roster and compared exactly."""

from types import SimpleNamespace

import pytest

from staffgate.roster.pin import derive_pin, letters_only, pin_matches, pin_of


def pin(last_name="Jones", pin_last_name="", birth_year=1959, employee_id="0112233"):
    return derive_pin(
        last_name=last_name,
        pin_last_name=pin_last_name,
        birth_year=birth_year,
        employee_id=employee_id,
    )


def test_spec_example():
    assert pin(last_name="Jones", birth_year=1959, employee_id="0112233") == "jo5933"


@pytest.mark.parametrize(
    ("last_name", "letters"),
    [
        ("Élise", "el"),
        ("Émond", "em"),
        ("Ñúñez", "nu"),
        ("Øvergaard", "ov"),
        ("Łukasz", "lu"),
        ("Ærø", "ae"),
        ("O'Brien", "ob"),
        ("D'Amico", "da"),
        ("Mc-Donald", "mc"),
        ("de la Cruz", "de"),
        (" Jones ", "jo"),
        ("JONES", "jo"),
        ("Ng", "ng"),
    ],
)
def test_letters_come_from_the_name_without_accents_or_non_letters(last_name, letters):
    assert pin(last_name=last_name) == f"{letters}5933"


def test_one_letter_last_name_gives_one_letter():
    assert pin(last_name="O") == "o5933"
    assert pin(last_name="O'") == "o5933"


def test_pin_last_name_overrides_last_name():
    assert pin(last_name="Smith", pin_last_name="Jones") == "jo5933"
    assert pin(last_name="Jones", pin_last_name="Élise") == "el5933"


@pytest.mark.parametrize("blank", ["", "   ", "'-"])
def test_blank_pin_last_name_falls_back_to_last_name(blank):
    assert pin(last_name="Jones", pin_last_name=blank) == "jo5933"


@pytest.mark.parametrize(
    ("employee_id", "tail"),
    [
        ("0112233", "33"),
        ("0000001", "01"),
        ("OV000123456", "56"),
        ("MC12345", "45"),
    ],
)
def test_last_two_of_the_employee_id(employee_id, tail):
    assert pin(employee_id=employee_id) == f"jo59{tail}"


def test_letter_case_of_the_employee_id_does_not_change_the_pin():
    assert pin(employee_id="ov000123456") == pin(employee_id="OV000123456")
    assert pin(employee_id="12345AB") == pin(employee_id="12345ab") == "jo59ab"


@pytest.mark.parametrize(
    ("birth_year", "digits"),
    [(1959, "59"), (2001, "01"), (2000, "00"), (1900, "00"), (1909, "09"), (1999, "99")],
)
def test_last_two_digits_of_the_birth_year_keep_a_leading_zero(birth_year, digits):
    assert pin(birth_year=birth_year) == f"jo{digits}33"


def test_pin_letters_are_lower_case():
    derived = pin(last_name="ÉLISE", employee_id="AB12CD")
    assert derived == derived.lower() == "el59cd"


def test_pin_of_a_roster_row():
    row = SimpleNamespace(
        last_name="Smith", pin_last_name="Jones", birth_year=1959, employee_id="0112233"
    )
    assert pin_of(row) == "jo5933"


def test_letters_only():
    assert letters_only("O'Brien") == "obrien"
    assert letters_only("Élise-Marie 2nd") == "elisemariend"
    assert letters_only("'- 9") == ""


@pytest.mark.parametrize(
    ("candidate", "matches"),
    [
        ("jo5933", True),
        ("JO5933", False),
        ("Jo5933", False),
        ("jo5934", False),
        ("jo593", False),
        ("jo59333", False),
        (" jo5933", False),
        ("", False),
    ],
)
def test_pin_matches_exactly_and_case_sensitively(candidate, matches):
    assert pin_matches(candidate, "jo5933") is matches


def test_pin_matches_non_ascii_input_without_error():
    assert pin_matches("jö5933", "jo5933") is False
