"""Reading a roster file: the header mapped to the columns, every error found in one pass."""

import io

import pytest

from staffgate.roster.reading import ErrorLog, HeaderInvalid, RowError, read_header, read_roster
from staffgate.roster.rows import COLUMNS, parse_row

MAX_BIRTH_YEAR = 2012

HEADER = ",".join(COLUMNS)
MARY = "0112233,Mary,Jones,,1959,US,active,no,,mary@example.com,en"
ELISE = "OV000123456,Élise,O'Brien,,1978,CA,active,yes,,,fr"


def read(*lines: str) -> tuple[int, list, tuple[RowError, ...]]:
    """Read a file made of ``lines``: (rows counted, rows staged, errors by line)."""
    errors, staged = ErrorLog(), []
    source = io.BytesIO("\n".join([*lines, ""]).encode())
    count = read_roster(source, errors, staged.append, max_birth_year=MAX_BIRTH_YEAR)
    return count, staged, errors.in_line_order()


# --- header -----------------------------------------------------------------------------


def test_header_in_any_order_and_case_maps_columns():
    names = [name.upper() for name in reversed(COLUMNS)]
    layout = read_header([f" {name} " for name in names])
    assert layout.width == len(COLUMNS)
    assert layout.positions == tuple(reversed(range(len(COLUMNS))))


def test_optional_columns_may_be_left_out():
    required = [n for n in COLUMNS if n not in ("pin_last_name", "email", "language")]
    layout = read_header(required)
    row = parse_row(
        ["0112233", "Mary", "Jones", "1959", "US", "active", "no", ""],
        layout,
        max_birth_year=MAX_BIRTH_YEAR,
    )
    assert (row.pin_last_name, row.email, row.language) == ("", "", "")


def test_header_missing_required_columns():
    with pytest.raises(HeaderInvalid) as info:
        read_header(["employee_id", "first_name"])
    assert info.value.problems == (
        "missing column(s): last_name, birth_year, country, status, retirement_plan, "
        "separation_date",
    )


def test_header_unknown_and_repeated_columns():
    with pytest.raises(HeaderInvalid) as info:
        read_header([*COLUMNS, "salary", "email"])
    assert len(info.value.problems) == 2
    assert info.value.problems[0].startswith("unknown column(s): 'salary'")
    assert info.value.problems[1] == "repeated column(s): email"


def test_header_with_semicolons_explains_the_separator():
    with pytest.raises(HeaderInvalid) as info:
        read_header([";".join(COLUMNS)])
    assert "separated by commas" in info.value.problems[0]


def test_blank_header_names_are_ignored_columns():
    layout = read_header([*COLUMNS, "", " "])
    fields = [*MARY.split(","), "", "ignored"]
    assert parse_row(fields, layout, max_birth_year=MAX_BIRTH_YEAR).employee_id == "0112233"


# --- the whole file ---------------------------------------------------------------------


def test_valid_rows_are_staged_in_file_order():
    count, staged, errors = read(HEADER, MARY, ELISE)
    assert errors == ()
    assert count == 2
    assert [row.employee_id for row in staged] == ["0112233", "OV000123456"]


def test_nothing_more_is_staged_after_the_first_error():
    count, staged, errors = read(
        HEADER, MARY, ELISE.replace(",CA,", ",USA,"), ELISE.replace("OV0", "MC0")
    )
    assert count == 3
    assert [row.employee_id for row in staged] == ["0112233"]
    assert errors == (RowError(3, "country must be a two-letter ISO 3166 code, not 'USA'"),)


def test_errors_are_counted_beyond_the_ones_kept():
    errors = ErrorLog(limit=2)
    for line in (4, 3, 2):
        errors.add(line, "bad")
    assert errors.count == 3
    assert errors.in_line_order() == (RowError(3, "bad"), RowError(4, "bad"))
