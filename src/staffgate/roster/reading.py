"""Read a roster CSV file as a stream: decode it, check its header, check every record.

Bad bytes, stray quotes and bad rows are all reported by the line the user sees in an
editor, and reading goes on to the end so that one pass finds every error. Rows are not
kept: each valid one is handed to a ``stage`` callback while the file is still clean,
and only the Employee IDs seen so far are remembered (to report duplicates by both lines).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from typing import NamedTuple

from staffgate.roster.rows import (
    COLUMNS,
    REQUIRED_COLUMNS,
    Layout,
    RosterRow,
    RowInvalid,
    parse_row,
    quote_value,
)

MAX_REPORTED_ERRORS = 1000


class RowError(NamedTuple):
    """One problem in the file, at the line the user sees in an editor (the header is line 1)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class HeaderInvalid(ValueError):
    """The header line cannot be used; ``problems`` says why, one message each."""

    def __init__(self, problems: Sequence[str]):
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


def read_header(fields: Sequence[str]) -> Layout:
    """Map the header's column names (any order, any case) to :data:`COLUMNS`.

    Raises :class:`HeaderInvalid` for missing required columns, unknown or repeated
    names, or a file that seems to use another separator than the comma. Columns with
    a blank name (a spreadsheet's trailing commas) are ignored.
    """
    names = [name.strip().lower() for name in fields]
    problems = []
    if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
        problems.append(
            "the header has a single column: columns must be separated by commas "
            "(save the file as 'CSV UTF-8 (comma delimited)')"
        )
    else:
        unknown = [name for name in names if name and name not in COLUMNS]
        repeated = sorted({name for name in names if name and names.count(name) > 1})
        missing = [name for name in REQUIRED_COLUMNS if name not in names]
        if missing:
            problems.append("missing column(s): " + ", ".join(missing))
        if unknown:
            problems.append(
                "unknown column(s): "
                + ", ".join(quote_value(name) for name in unknown)
                + "; expected: "
                + ", ".join(COLUMNS)
            )
        if repeated:
            problems.append("repeated column(s): " + ", ".join(repeated))
    if problems:
        raise HeaderInvalid(problems)
    return Layout(
        positions=tuple(names.index(name) if name in names else None for name in COLUMNS),
        width=len(names),
    )


class ErrorLog:
    """Counts every error, keeps the first ``limit`` for printing."""

    def __init__(self, limit: int = MAX_REPORTED_ERRORS):
        self.limit = limit
        self.kept: list[RowError] = []
        self.count = 0

    def add(self, line: int, message: str) -> None:
        """Count one error at ``line``; keep it while fewer than ``limit`` are kept."""
        self.count += 1
        if len(self.kept) < self.limit:
            self.kept.append(RowError(line, message))

    def in_line_order(self) -> tuple[RowError, ...]:
        """The kept errors, sorted by line."""
        return tuple(sorted(self.kept, key=lambda error: error.line))


def _bad_utf8(errors: ErrorLog, number: int, exc: UnicodeDecodeError) -> None:
    errors.add(
        number,
        f"not valid UTF-8 text (byte {exc.start + 1} of the line); save the file as 'CSV UTF-8'",
    )


def _decoded_lines(binary: Iterable[bytes], errors: ErrorLog) -> Iterator[str]:
    """Decode line by line, so a bad byte is reported at its own line and reading goes on.

    A line that fails is still passed on, garbled, so that CSV quoting and the line
    numbers of what follows stay right.
    """
    lines = iter(binary)
    first = next(lines, b"")
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        errors.add(1, "the file is UTF-16 text; save it as 'CSV UTF-8' instead")
        return
    # utf-8-sig drops the byte-order mark that spreadsheet programs put in front.
    try:
        yield first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _bad_utf8(errors, 1, exc)
        yield first.decode("utf-8-sig", errors="replace")
    for number, raw in enumerate(lines, start=2):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            _bad_utf8(errors, number, exc)
            yield raw.decode("utf-8", errors="replace")


def _records(lines: Iterable[str], errors: ErrorLog) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the line each starts on; blank lines are skipped."""
    reader = csv.reader(lines)
    last = 0
    try:
        for fields in reader:
            start, last = last + 1, reader.line_num
            if not fields:
                continue
            if last != start:
                # No roster value may hold a line break, so this is a stray quote.
                errors.add(
                    start, f"a quoted value runs on to line {last}; check for a missing quote"
                )
                continue
            yield start, fields
    except csv.Error as exc:
        errors.add(reader.line_num, f"the file cannot be read as CSV from here: {exc}")


def read_roster(
    binary: Iterable[bytes],
    errors: ErrorLog,
    stage: Callable[[RosterRow], object],
    *,
    max_birth_year: int,
) -> int:
    """Check every record, stage valid rows while the file is clean; return the row count.

    Every problem goes to ``errors``; once there is one, ``stage`` is called no more.
    """
    records = _records(_decoded_lines(binary, errors), errors)
    header = next(records, None)
    if header is None:
        if not errors.count:
            errors.add(1, "the file is empty; its first line must name the columns")
        return 0
    try:
        layout = read_header(header[1])
    except HeaderInvalid as exc:
        for problem in exc.problems:
            errors.add(header[0], problem)
        return 0

    first_lines: dict[str, int] = {}
    rows = 0
    for line, fields in records:
        rows += 1
        try:
            row = parse_row(fields, layout, max_birth_year=max_birth_year)
            employee_id = row.employee_id
        except RowInvalid as exc:
            row = None
            employee_id = exc.employee_id
            for problem in exc.problems:
                errors.add(line, problem)
        if employee_id:
            first = first_lines.setdefault(employee_id, line)
            if first != line:
                errors.add(line, f"employee_id is repeated: it is already on line {first}")
                continue
        if row is not None and not errors.count:
            stage(row)
    return rows


def open_binary(source, stack: ExitStack) -> Iterable[bytes]:
    """The roster's bytes from a path (opened on ``stack``) or from a binary file object."""
    if isinstance(source, str | os.PathLike):
        return stack.enter_context(open(source, "rb", buffering=1 << 20))
    if isinstance(source, io.TextIOBase):
        raise TypeError("open the roster file in binary mode ('rb'): it is decoded here")
    return source
