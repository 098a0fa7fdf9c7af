"""The bench's generated roster stays a file the importer accepts, column for column."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import bench.gen_roster
from bench.gen_roster import rows
from staffgate.roster.reading import ErrorLog, read_header, read_roster
from staffgate.roster.rows import COLUMNS, parse_row

MAX_BIRTH_YEAR = 2012
GENERATOR = Path(bench.gen_roster.__file__)


def generate(tmp_path: Path, n: int) -> Path:
    """Run the generator as the bench does: a script, in a process without Django settings."""
    out = tmp_path / "roster.csv"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, str(GENERATOR), str(n), str(out)], check=True, env=env)  # noqa: S603
    return out


def test_the_generator_writes_the_importers_columns_in_its_order(tmp_path):
    with generate(tmp_path, 1).open(encoding="utf-8") as source:
        assert source.readline() == ",".join(COLUMNS) + "\n"


def test_every_generated_row_parses():
    layout = read_header(list(COLUMNS))
    for row in rows(2000):
        parse_row([str(value) for value in row], layout, max_birth_year=MAX_BIRTH_YEAR)


def test_the_generated_file_reads_without_an_error(tmp_path):
    errors, staged = ErrorLog(), []
    with generate(tmp_path, 2000).open("rb") as source:
        count = read_roster(source, errors, staged.append, max_birth_year=MAX_BIRTH_YEAR)
    assert errors.in_line_order() == ()
    assert count == len(staged) == 2000
