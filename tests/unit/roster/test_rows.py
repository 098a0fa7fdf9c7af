"""The rules for one roster line: values checked and normalised, every problem named."""

import datetime as dt

import pytest
from django.core.validators import EmailValidator
from hypothesis import given, settings
from hypothesis import strategies as st

from staffgate.roster import rows
from staffgate.roster.models import Status
from staffgate.roster.rows import (
    COLUMNS,
    Layout,
    RosterRow,
    RowInvalid,
    latest_birth_year,
    parse_row,
)

MAX_BIRTH_YEAR = 2012
LAYOUT = Layout(positions=tuple(range(len(COLUMNS))), width=len(COLUMNS))

GOOD = {
    "employee_id": "0112233",
    "first_name": "Mary",
    "last_name": "Jones",
    "pin_last_name": "",
    "birth_year": "1959",
    "country": "US",
    "status": "active",
    "retirement_plan": "no",
    "separation_date": "",
    "email": "mary.jones@example.com",
    "language": "en",
}


def parse(layout=LAYOUT, **changes):
    values = {**GOOD, **changes}
    return parse_row([values[name] for name in COLUMNS], layout, max_birth_year=MAX_BIRTH_YEAR)


def problems(**changes):
    with pytest.raises(RowInvalid) as info:
        parse(**changes)
    return info.value.problems


# --- valid rows ---------------------------------------------------------------------------


def test_valid_row_is_normalised():
    row = parse(
        employee_id="  ov000123456 ",
        first_name=" Élise ",
        last_name="O'Brien",
        country="ca",
        status="Retired",
        retirement_plan="YES",
        language="FR",
    )
    assert row == RosterRow(
        employee_id="OV000123456",
        first_name="Élise",
        last_name="O'Brien",
        pin_last_name="",
        birth_year=1959,
        country="CA",
        status="retired",
        retirement_plan=True,
        separation_date=None,
        email="mary.jones@example.com",
        language="fr",
    )


def test_leading_zeros_of_the_id_are_kept():
    assert parse(employee_id="0012345").employee_id == "0012345"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        ("Y", True),
        ("y", True),
        ("1", True),
        ("false", False),
        ("No", False),
        ("N", False),
        ("0", False),
        ("", False),
        ("  ", False),
    ],
)
def test_retirement_plan_words(raw, expected):
    assert parse(retirement_plan=raw).retirement_plan is expected


def test_separated_with_date():
    row = parse(status="separated", separation_date="2026-03-31")
    assert row.separation_date == dt.date(2026, 3, 31)


def test_separation_date_is_kept_for_other_statuses():
    assert parse(separation_date="2020-02-29").separation_date == dt.date(2020, 2, 29)


def test_pin_last_name_and_blank_optional_values():
    row = parse(pin_last_name="Côté", email="", language="")
    assert (row.pin_last_name, row.email, row.language) == ("Côté", "", "")


@pytest.mark.parametrize("year", ["1900", str(MAX_BIRTH_YEAR)])
def test_birth_year_bounds_are_inclusive(year):
    assert parse(birth_year=year).birth_year == int(year)


@pytest.mark.parametrize(
    "email", ["a@b.co", "o'brien@example.com", "first.last+tag@sub.example.org"]
)
def test_valid_emails(email):
    assert parse(email=email).email == email


@pytest.mark.parametrize("status", ["active", "inactive", "retired", "separated"])
def test_every_status(status):
    extra = {"separation_date": "2025-01-01"} if status == "separated" else {}
    assert parse(status=status, **extra).status == status


def test_names_at_the_maximum_length():
    row = parse(first_name="A" * 100, last_name="B" * 100, pin_last_name="C" * 100)
    assert len(row.first_name) == len(row.last_name) == len(row.pin_last_name) == 100


# --- invalid rows -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"employee_id": ""}, "employee_id is missing"),
        ({"employee_id": "  "}, "employee_id is missing"),
        ({"employee_id": "AB-123"}, "employee_id must be 1 to 20 letters and digits"),
        ({"employee_id": "1" * 21}, "employee_id must be 1 to 20 letters and digits"),
        ({"first_name": ""}, "first_name is missing"),
        ({"last_name": " "}, "last_name is missing"),
        ({"first_name": "A" * 101}, "first_name is longer than 100 characters"),
        ({"pin_last_name": "C" * 101}, "pin_last_name is longer than 100 characters"),
        ({"last_name": "Jo\tnes"}, "last_name contains control characters (tab, line break…)"),
        ({"birth_year": ""}, "birth_year is missing"),
        ({"birth_year": "59"}, f"birth_year must be a year from 1900 to {MAX_BIRTH_YEAR}"),
        ({"birth_year": "1899"}, f"birth_year must be a year from 1900 to {MAX_BIRTH_YEAR}"),
        (
            {"birth_year": str(MAX_BIRTH_YEAR + 1)},
            f"birth_year must be a year from 1900 to {MAX_BIRTH_YEAR}",
        ),
        ({"birth_year": "１９５９"}, f"birth_year must be a year from 1900 to {MAX_BIRTH_YEAR}"),
        ({"birth_year": "1959.0"}, f"birth_year must be a year from 1900 to {MAX_BIRTH_YEAR}"),
        ({"country": ""}, "country is missing"),
        ({"country": "USA"}, "country must be a two-letter ISO 3166 code, not 'USA'"),
        ({"country": "U1"}, "country must be a two-letter ISO 3166 code, not 'U1'"),
        ({"country": "É"}, "country must be a two-letter ISO 3166 code, not 'É'"),
        ({"status": ""}, "status is missing"),
        (
            {"status": "terminated"},
            "status must be one of active, inactive, retired, separated, not 'terminated'",
        ),
        (
            {"retirement_plan": "maybe"},
            "retirement_plan must be true/false, yes/no, y/n or 1/0, not 'maybe'",
        ),
        (
            {"status": "separated", "separation_date": ""},
            "separation_date is required when status is separated",
        ),
        ({"separation_date": "2026/03/31"}, "separation_date must be written YYYY-MM-DD"),
        ({"separation_date": "20260331"}, "separation_date must be written YYYY-MM-DD"),
        ({"separation_date": "31-03-2026"}, "separation_date must be written YYYY-MM-DD"),
        ({"separation_date": "2026-02-30"}, "separation_date is not a real date"),
        ({"separation_date": "2026-13-01"}, "separation_date is not a real date"),
        ({"email": "not-an-address"}, "email is not a valid e-mail address"),
        ({"email": "a@b@example.com"}, "email is not a valid e-mail address"),
        ({"email": "a" * 250 + "@x.io"}, "email is longer than 254 characters"),
        ({"language": "de"}, "language must be one of en, es, fr or blank, not 'de'"),
    ],
)
def test_invalid_value(changes, message):
    assert problems(**changes) == (message,)


def test_every_problem_of_a_row_is_reported():
    found = problems(
        first_name="",
        status="gone",
        country="USA",
        birth_year="abcd",
        retirement_plan="?",
        language="xx",
    )
    assert len(found) == 6


def test_the_id_of_an_otherwise_bad_row_is_kept_for_duplicate_checks():
    with pytest.raises(RowInvalid) as info:
        parse(employee_id=" ab12 ", status="gone")
    assert info.value.employee_id == "AB12"


def test_a_malformed_id_is_not_kept():
    with pytest.raises(RowInvalid) as info:
        parse(employee_id="AB-12")
    assert info.value.employee_id == ""


@pytest.mark.parametrize("width", [len(COLUMNS) - 1, len(COLUMNS) + 1])
def test_wrong_number_of_columns(width):
    fields = ([*GOOD.values(), "extra"])[:width]
    with pytest.raises(RowInvalid) as info:
        parse_row(fields, LAYOUT, max_birth_year=MAX_BIRTH_YEAR)
    assert info.value.problems == (f"expected {len(COLUMNS)} columns, found {width}",)


def test_error_messages_do_not_repeat_names_or_emails():
    found = problems(first_name="X" * 101, email="secret-person@", last_name="Sm\x00ith")
    text = " ".join(found)
    assert "XXXX" not in text and "secret-person" not in text and "Sm" not in text


@settings(max_examples=100, deadline=None)
@given(st.from_regex(rows._PLAIN_EMAIL, fullmatch=True).filter(lambda e: len(e) <= 254))
def test_the_fast_email_check_only_accepts_what_django_accepts(email):
    EmailValidator()(email)  # raises if the shortcut let through something Django refuses


def test_the_rules_accept_exactly_the_roster_statuses():
    assert rows.STATUSES == set(Status.values)


def test_the_latest_birth_year_is_fourteen_years_before_today():
    assert latest_birth_year(dt.date(2026, 1, 1)) == MAX_BIRTH_YEAR
    assert latest_birth_year(dt.date(2026, 12, 31)) == MAX_BIRTH_YEAR
