"""The bench's generated roster stays a file the importer accepts, column for column."""

from __future__ import annotations

from bench.gen_roster import HEADER, rows
from staffgate.roster.importer import COLUMNS, parse_row, read_header

MAX_BIRTH_YEAR = 2012


def test_the_generator_writes_the_importers_columns_in_its_order():
    assert HEADER == COLUMNS


def test_every_generated_row_parses():
    layout = read_header(list(HEADER))
    for row in rows(2000):
        parse_row([str(value) for value in row], layout, max_birth_year=MAX_BIRTH_YEAR)
