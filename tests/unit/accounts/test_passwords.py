"""The classic and strict password policies."""

import pytest

from staffgate.accounts.passwords import PasswordProblem, check_password, common_passwords

P = PasswordProblem
USER_ID = "0112233"
PIN = "jo5933"


def classic(password, **kwargs):
    kwargs.setdefault("user_id", USER_ID)
    kwargs.setdefault("pin", PIN)
    return check_password(password, policy="classic", **kwargs)


def strict(password, **kwargs):
    kwargs.setdefault("user_id", USER_ID)
    kwargs.setdefault("pin", PIN)
    return check_password(password, policy="strict", **kwargs)


# --- classic: 7-14 characters, a letter and a digit ---------------------------------------


@pytest.mark.parametrize(
    "password",
    ["abcdef1", "1234567a", "Zq8vtr3kLm", "abcdefghijkl12", "a b c 1 2 3 4", "ÉLISE-2001"],
)
def test_classic_accepts(password):
    assert classic(password) == []


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("abcde1", [P.TOO_SHORT]),
        ("abcdef1", []),
        ("abcdefghijk123", []),
        ("abcdefghijk1234", [P.TOO_LONG]),
        ("a1", [P.TOO_SHORT]),
        ("", [P.TOO_SHORT, P.NEEDS_LETTER, P.NEEDS_DIGIT]),
    ],
)
def test_classic_length_boundaries(password, problems):
    assert classic(password) == problems


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("12345678", [P.NEEDS_LETTER]),
        ("1234!$#@", [P.NEEDS_LETTER]),
        ("abcdefgh", [P.NEEDS_DIGIT]),
        ("abc!$#@^", [P.NEEDS_DIGIT]),
        ("!!!!!!!!", [P.NEEDS_LETTER, P.NEEDS_DIGIT]),
        ("abc", [P.TOO_SHORT, P.NEEDS_DIGIT]),
    ],
)
def test_classic_needs_a_letter_and_a_digit(password, problems):
    assert classic(password) == problems


def test_classic_needs_no_upper_case_or_symbol():
    assert classic("lowercase123") == []


@pytest.mark.parametrize("password", ["jo5933", "JO5933", "Jo5933"])
def test_password_equal_to_the_pin_in_any_case_is_refused(password):
    # A PIN is six characters, so it is also too short under classic.
    assert set(classic(password)) == {P.EQUALS_PIN, P.TOO_SHORT}


def test_password_equal_to_a_longer_pin_is_refused_for_that_reason_alone():
    assert classic("ABCDE12", pin="abcde12") == [P.EQUALS_PIN]


def test_pin_check_is_skipped_when_there_is_no_pin():
    assert classic("abcde12", pin=None) == []
    assert classic("abcde12", pin="") == []


def test_password_containing_the_pin_is_not_equal_to_it():
    assert classic("jo5933x") == []


@pytest.mark.parametrize(
    ("user_id", "password"),
    [
        ("OV000123456", "OV000123456"),
        ("OV000123456", "ov000123456"),
        ("OV000123456", "Ov000123456"),
        ("MC12345", "mc12345"),
    ],
)
def test_password_equal_to_the_user_id_in_any_case_is_refused(user_id, password):
    assert classic(password, user_id=user_id) == [P.EQUALS_USER_ID]


def test_all_digit_user_id_as_password_is_refused():
    assert set(classic("01122334", user_id="01122334")) == {P.EQUALS_USER_ID, P.NEEDS_LETTER}


@pytest.mark.parametrize("password", ["password1", "Password1", "PASSWORD1", "passw0rd", "abc1234"])
def test_common_passwords_are_refused_in_any_case(password):
    assert classic(password, common=common_passwords()) == [P.TOO_COMMON]


def test_uncommon_password_passes_the_common_list():
    assert classic("Zq8vtr3kLm", common=common_passwords()) == []


def test_common_list_is_django_s_lower_cased():
    common = common_passwords()
    assert len(common) > 10_000
    assert "password1" in common
    assert all(word == word.lower() for word in common)


def test_new_password_equal_to_the_current_one_is_refused():
    assert classic("abcdef1", is_current=True) == [P.SAME_AS_CURRENT]
    assert classic("abcdef1", is_current=False) == []


def test_every_problem_is_reported_at_once():
    problems = classic("JO5933", user_id="jo5933", common=frozenset({"jo5933"}), is_current=True)
    assert set(problems) == {
        P.TOO_SHORT,
        P.EQUALS_PIN,
        P.EQUALS_USER_ID,
        P.TOO_COMMON,
        P.SAME_AS_CURRENT,
    }


# --- strict: 12+ characters, upper, lower, digit and a listed symbol ----------------------

STRICT_OK = "Abcdefghij1!"


def test_strict_accepts():
    assert strict(STRICT_OK) == []


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("Abcdefghi1!", [P.TOO_SHORT]),
        ("Abcdefghij1!", []),
        ("Abcdefghij1!" * 10, []),
        ("abcdefghij1!", [P.NEEDS_UPPER]),
        ("ABCDEFGHIJ1!", [P.NEEDS_LOWER]),
        ("Abcdefghijk!", [P.NEEDS_DIGIT]),
        ("Abcdefghijk1", [P.NEEDS_SYMBOL]),
        ("123456789012!", [P.NEEDS_LETTER, P.NEEDS_UPPER, P.NEEDS_LOWER]),
        ("Ab1!", [P.TOO_SHORT]),
    ],
)
def test_strict_rules(password, problems):
    assert strict(password) == problems


@pytest.mark.parametrize("symbol", list("!$#@^&*,.+=~"))
def test_strict_accepts_each_listed_symbol(symbol):
    assert strict(f"Abcdefghij1{symbol}") == []


@pytest.mark.parametrize("symbol", list("-_%?/()[]{}<>;:'\"|\\`") + [" "])
def test_strict_refuses_symbols_not_on_the_list(symbol):
    assert strict(f"Abcdefghij1{symbol}") == [P.NEEDS_SYMBOL]


def test_classic_accepts_a_password_strict_refuses():
    assert classic("abcdef1") == []
    assert set(strict("abcdef1")) == {P.TOO_SHORT, P.NEEDS_UPPER, P.NEEDS_SYMBOL}


def test_strict_still_refuses_user_id_common_and_current_passwords():
    assert strict("Xy12345678!a", user_id="xY12345678!A") == [P.EQUALS_USER_ID]
    assert strict(STRICT_OK, common=frozenset({STRICT_OK.lower()})) == [P.TOO_COMMON]
    assert strict(STRICT_OK, is_current=True) == [P.SAME_AS_CURRENT]


def test_problem_values_are_the_field_error_codes():
    assert P.TOO_SHORT.value == "password.too_short"
    assert P.NEEDS_DIGIT.value == "password.needs_digit"
    assert P.EQUALS_PIN.value == "password.equals_pin"
    assert all(problem.value.startswith("password.") for problem in P)
    assert len({problem.value for problem in P}) == len(P)
