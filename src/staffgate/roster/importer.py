"""Import the HR roster from a CSV file: every row checked, then all or nothing.

The file is read once, as a stream. Each record goes through the pure :func:`parse_row`;
valid rows are staged in a temporary table private to this database connection
(PostgreSQL: ``COPY``, which the server works through while we keep parsing; SQLite:
batched inserts). If any line has an error the staging table is dropped and the roster
is not touched. Otherwise one transaction updates the rows that changed and inserts the
new ones, so the roster never holds half a file.

Memory stays flat whatever the file size: rows are not kept, only the set of Employee
IDs seen so far (with the line of each, to report duplicates by both line numbers).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import operator
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import chain
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import DatabaseError, transaction
from django.db import connection as default_connection

from staffgate.core.timeutil import local_today, now
from staffgate.roster.ids import MAX_LENGTH as ID_MAX_LENGTH
from staffgate.roster.ids import is_well_formed, normalise_user_id
from staffgate.roster.models import Person, Status

# The columns of the file, in the order of RosterRow; the database columns share their names.
COLUMNS = (
    "employee_id",
    "first_name",
    "last_name",
    "pin_last_name",
    "birth_year",
    "country",
    "status",
    "retirement_plan",
    "separation_date",
    "email",
    "language",
)
OPTIONAL_COLUMNS = frozenset({"pin_last_name", "email", "language"})
REQUIRED_COLUMNS = tuple(name for name in COLUMNS if name not in OPTIONAL_COLUMNS)

STATUSES = frozenset(status.value for status in Status)
LANGUAGES = frozenset({"en", "fr", "es"})
MIN_BIRTH_YEAR = 1900
# Nobody younger than this works for the employer, so a later birth year is a typo.
MIN_AGE_YEARS = 14
MAX_REPORTED_ERRORS = 1000

_BOOLEANS = {
    "": False,
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "1": True,
    "0": False,
}
# Lengths come from the model so the file is held to what the table can store.
_MAX = {
    name: Person._meta.get_field(name).max_length
    for name in ("first_name", "last_name", "pin_last_name", "email")
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# A strict subset of what Django's EmailValidator accepts, checked first because it is
# about fifteen times cheaper; anything else still gets Django's full check.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}",
    re.ASCII,
)
_validate_email = EmailValidator()


class RosterRow(NamedTuple):
    """One valid roster line, normalised, with values ready for the database."""

    employee_id: str
    first_name: str
    last_name: str
    pin_last_name: str
    birth_year: int
    country: str
    status: str
    retirement_plan: bool
    separation_date: dt.date | None
    email: str
    language: str


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


class RowInvalid(ValueError):
    """A record has errors: ``problems`` lists all of them, not just the first.

    ``employee_id`` is the normalised ID when that column itself was fine, so that
    duplicate IDs are still found among rows with other errors.
    """

    def __init__(self, problems: Sequence[str], employee_id: str = ""):
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)
        self.employee_id = employee_id


@dataclass(frozen=True)
class Layout:
    """Where each of :data:`COLUMNS` sits in a record (``None``: optional and absent)."""

    positions: tuple[int | None, ...]
    width: int
    _pick: Callable = field(init=False, repr=False, compare=False)
    _pad: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        # An absent optional column is read from a blank added after the record.
        picks = [self.width if i is None else i for i in self.positions]
        object.__setattr__(self, "_pick", operator.itemgetter(*picks))
        object.__setattr__(self, "_pad", None in self.positions)

    def values(self, fields: Sequence[str]) -> Iterator[str]:
        """The record's values in the order of :data:`COLUMNS`, spaces trimmed."""
        return map(str.strip, self._pick([*fields, ""] if self._pad else fields))


@dataclass(frozen=True)
class ImportReport:
    """What an import did, or why it did nothing (``errors`` is capped, ``error_count`` is not)."""

    rows: int
    created: int = 0
    updated: int = 0
    dry_run: bool = False
    errors: tuple[RowError, ...] = ()
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def unchanged(self) -> int:
        return self.rows - self.created - self.updated if self.ok else 0

    def summary(self) -> str:
        """``created: 3, updated: 1, unchanged: 10``, marked when nothing was written."""
        text = f"created: {self.created}, updated: {self.updated}, unchanged: {self.unchanged}"
        return text + " (dry run: nothing written)" if self.dry_run else text


def _shown(value: str) -> str:
    """A short, printable quotation of a bad code-like value (never used for names)."""
    return repr(value if len(value) <= 20 else value[:20] + "…")


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
                + ", ".join(_shown(name) for name in unknown)
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


def _text(problems: list[str], name: str, value: str, *, required: bool) -> None:
    if not value:
        if required:
            problems.append(f"{name} is missing")
    elif len(value) > _MAX[name]:
        problems.append(f"{name} is longer than {_MAX[name]} characters")
    elif _CONTROL.search(value):
        problems.append(f"{name} contains control characters (tab, line break…)")


def _email_ok(value: str) -> bool:
    if _PLAIN_EMAIL.fullmatch(value):
        return True
    try:
        _validate_email(value)
    except ValidationError:
        return False
    return True


def parse_row(fields: Sequence[str], layout: Layout, *, max_birth_year: int) -> RosterRow:
    """Check one CSV record and return it normalised, or raise :class:`RowInvalid`.

    Pure: no database, no clock. ``max_birth_year`` is the latest plausible birth year
    (this year minus :data:`MIN_AGE_YEARS`). Every problem of the record is reported.
    """
    if len(fields) != layout.width:
        raise RowInvalid([f"expected {layout.width} columns, found {len(fields)}"])
    (
        raw_id,
        first_name,
        last_name,
        pin_last_name,
        raw_year,
        raw_country,
        raw_status,
        raw_plan,
        raw_date,
        email,
        raw_language,
    ) = layout.values(fields)
    problems: list[str] = []

    employee_id = normalise_user_id(raw_id)
    if not employee_id:
        problems.append("employee_id is missing")
    elif not is_well_formed(employee_id):
        employee_id = ""
        problems.append(f"employee_id must be 1 to {ID_MAX_LENGTH} letters and digits")

    # One cheap test for the usual all-fine case, the detailed ones only when it fails.
    if not (
        0 < len(first_name) <= _MAX["first_name"]
        and 0 < len(last_name) <= _MAX["last_name"]
        and len(pin_last_name) <= _MAX["pin_last_name"]
        and not _CONTROL.search(first_name + last_name + pin_last_name)
    ):
        _text(problems, "first_name", first_name, required=True)
        _text(problems, "last_name", last_name, required=True)
        _text(problems, "pin_last_name", pin_last_name, required=False)

    birth_year = 0
    if len(raw_year) == 4 and raw_year.isascii() and raw_year.isdigit():
        birth_year = int(raw_year)
    if not MIN_BIRTH_YEAR <= birth_year <= max_birth_year:
        problems.append(
            "birth_year is missing"
            if not raw_year
            else f"birth_year must be a year from {MIN_BIRTH_YEAR} to {max_birth_year}"
        )

    country = raw_country.upper()
    if not (len(country) == 2 and country.isascii() and country.isalpha()):
        problems.append(
            "country is missing"
            if not raw_country
            else f"country must be a two-letter ISO 3166 code, not {_shown(raw_country)}"
        )

    status = raw_status.lower()
    if status not in STATUSES:
        problems.append(
            "status is missing"
            if not raw_status
            else f"status must be one of {', '.join(sorted(STATUSES))}, not {_shown(raw_status)}"
        )

    retirement_plan = _BOOLEANS.get(raw_plan.lower())
    if retirement_plan is None:
        problems.append(
            f"retirement_plan must be true/false, yes/no, y/n or 1/0, not {_shown(raw_plan)}"
        )

    separation_date = None
    if raw_date:
        if _DATE.fullmatch(raw_date):
            try:
                separation_date = dt.date.fromisoformat(raw_date)
            except ValueError:
                problems.append("separation_date is not a real date")
        else:
            problems.append("separation_date must be written YYYY-MM-DD")
    elif status == Status.SEPARATED:
        problems.append("separation_date is required when status is separated")

    if email:
        if len(email) > _MAX["email"]:
            problems.append(f"email is longer than {_MAX['email']} characters")
        elif not _email_ok(email):
            problems.append("email is not a valid e-mail address")

    language = raw_language.lower()
    if language and language not in LANGUAGES:
        problems.append(
            f"language must be one of {', '.join(sorted(LANGUAGES))} or blank, "
            f"not {_shown(raw_language)}"
        )

    if problems:
        raise RowInvalid(problems, employee_id)
    return RosterRow(
        employee_id,
        first_name,
        last_name,
        pin_last_name,
        birth_year,
        country,
        status,
        retirement_plan,
        separation_date,
        email,
        language,
    )


class _ErrorLog:
    """Counts every error, keeps the first ``limit`` for printing."""

    def __init__(self, limit: int = MAX_REPORTED_ERRORS):
        self.limit = limit
        self.kept: list[RowError] = []
        self.count = 0

    def add(self, line: int, message: str) -> None:
        self.count += 1
        if len(self.kept) < self.limit:
            self.kept.append(RowError(line, message))

    def report(self, rows: int, *, dry_run: bool) -> ImportReport:
        errors = tuple(sorted(self.kept, key=lambda error: error.line))
        return ImportReport(rows=rows, dry_run=dry_run, errors=errors, error_count=self.count)


def _bad_utf8(errors: _ErrorLog, number: int, exc: UnicodeDecodeError) -> None:
    errors.add(
        number,
        f"not valid UTF-8 text (byte {exc.start + 1} of the line); save the file as 'CSV UTF-8'",
    )


def _decoded_lines(binary: Iterable[bytes], errors: _ErrorLog) -> Iterator[str]:
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


def _records(lines: Iterable[str], errors: _ErrorLog) -> Iterator[tuple[int, list[str]]]:
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


def _read(
    binary: Iterable[bytes],
    errors: _ErrorLog,
    stage: Callable[[RosterRow], object],
    *,
    max_birth_year: int,
) -> int:
    """Check every record, stage valid rows while the file is clean; return the row count."""
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


@dataclass(frozen=True)
class _Statements:
    """The SQL of one import for one database vendor.

    Built only from the model's table and column names, never from the file's content,
    which reaches the database as parameters or through COPY.
    """

    drop: str
    analyze: str
    create: str
    copy: str
    stage_rows: str
    stage_row: str
    count_changes: str
    lock: str | None
    update_changed: str
    unstage_known: str
    insert_new: str

    @classmethod
    def for_connection(cls, connection) -> _Statements:
        postgres = connection.vendor == "postgresql"
        qn = connection.ops.quote_name
        table = "pg_temp.roster_import" if postgres else "temp.roster_import"
        person = qn(Person._meta.db_table)
        key = qn("employee_id")
        columns = [qn(name) for name in COLUMNS]
        listed = ", ".join(columns)
        from_staged = ", ".join(f"s.{c}" for c in columns)
        compared = columns[1:]
        distinct = "IS DISTINCT FROM" if postgres else "IS NOT"
        changed = (
            f"({', '.join(f'p.{c}' for c in compared)}) {distinct} "
            f"({', '.join(f's.{c}' for c in compared)})"
        )
        assignments = ", ".join(f"{c} = s.{c}" for c in compared)
        placeholders = ", ".join(["%s"] * len(columns))
        return cls(
            drop=f"DROP TABLE IF EXISTS {table}",
            analyze=f"ANALYZE {table}",
            # Same column types as the roster itself, so comparisons are like for like.
            create=(
                f"CREATE TEMP TABLE roster_import AS SELECT {listed} "  # noqa: S608
                f"FROM {person} WHERE 1 = 0"
            ),
            copy=f"COPY {table} ({listed}) FROM STDIN",
            stage_rows=f"INSERT INTO {table} ({listed}) VALUES ",  # noqa: S608
            stage_row=f"({placeholders})",
            count_changes=(
                "SELECT COUNT(*) - COUNT(p.id), "  # noqa: S608
                f"COALESCE(SUM(CASE WHEN p.id IS NOT NULL AND {changed} THEN 1 ELSE 0 END), 0) "
                f"FROM {table} AS s LEFT JOIN {person} AS p ON p.{key} = s.{key}"
            ),
            # Readers and registrations go on; a second import waits for this one.
            lock=f"LOCK TABLE {person} IN SHARE ROW EXCLUSIVE MODE" if postgres else None,
            update_changed=(
                f"UPDATE {person} AS p SET {assignments}, {qn('updated_at')} = %s "  # noqa: S608
                f"FROM {table} AS s WHERE p.{key} = s.{key} AND {changed}"
            ),
            unstage_known=(
                f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {person})"  # noqa: S608
            ),
            insert_new=(
                f"INSERT INTO {person} ({listed}, {qn('updated_at')}) "  # noqa: S608
                f"SELECT {from_staged}, %s FROM {table} AS s"
            ),
        )


class _Staging:
    """A temporary table, private to this connection, holding the valid rows of one import.

    It is filled outside any transaction, so reading a big file holds no lock on the
    roster; :meth:`merge` then applies it in the caller's transaction.
    """

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.sql = _Statements.for_connection(connection)
        self.cursor = None
        self._stack = ExitStack()
        self._batch: list[tuple] = []
        self.add: Callable[[RosterRow], object] = self._add_batched
        # Many rows per INSERT: one statement per row costs twice the time on SQLite.
        max_params = connection.features.max_query_params or 999
        self.batch_size = max(1, max_params // len(COLUMNS))

    def __enter__(self) -> _Staging:
        self.cursor = self._stack.enter_context(self.connection.cursor())
        self.cursor.execute(self.sql.drop)
        self.cursor.execute(self.sql.create)
        if self.postgres:
            # The server stores what we send while we go on parsing: two cores at work.
            copy = self._stack.enter_context(self.cursor.copy(self.sql.copy))
            self.add = copy.write_row
        return self

    def _add_batched(self, row: RosterRow) -> None:
        if row.separation_date is not None:
            row = row._replace(separation_date=row.separation_date.isoformat())
        self._batch.append(row)
        if len(self._batch) >= self.batch_size:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            rows = ", ".join([self.sql.stage_row] * len(self._batch))
            self.cursor.execute(self.sql.stage_rows + rows, list(chain.from_iterable(self._batch)))
            self._batch = []

    def finish(self) -> None:
        """Make every staged row visible to the queries that follow."""
        if self.postgres:
            self._stack.pop_all().close()  # ends the COPY (and its cursor)
            self.cursor = self._stack.enter_context(self.connection.cursor())
            # Temporary tables are never analysed automatically; the joins need the numbers.
            self.cursor.execute(self.sql.analyze)
        else:
            self._flush()

    def count_changes(self) -> tuple[int, int]:
        """(created, updated) that :meth:`merge` would report, computed without writing."""
        self.cursor.execute(self.sql.count_changes)
        created, updated = self.cursor.fetchone()
        return int(created), int(updated)

    def merge(self, stamp: dt.datetime) -> tuple[int, int]:
        """Update changed people, insert new ones; return (created, updated).

        Must run inside a transaction. Rows equal to what is stored are not written,
        so their ``updated_at`` keeps saying when they last really changed.
        """
        stamp = self.connection.ops.adapt_datetimefield_value(stamp)
        if self.sql.lock:
            self.cursor.execute(self.sql.lock)
        self.cursor.execute(self.sql.update_changed, [stamp])
        updated = self.cursor.rowcount
        # What is left is new. An INSERT ... WHERE NOT EXISTS on the roster would read the
        # table it grows: with the roster empty, PostgreSQL may plan a nested loop over it
        # and take minutes instead of seconds.
        self.cursor.execute(self.sql.unstage_known)
        self.cursor.execute(self.sql.insert_new, [stamp])
        return self.cursor.rowcount, updated

    def __exit__(self, exc_type, exc, tb) -> None:
        self._batch = []
        self._stack.__exit__(exc_type, exc, tb)  # a failed COPY is aborted, not committed
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(self.sql.drop)
        except DatabaseError:
            if exc_type is None:
                raise
            # The first error is the one to report; the table ends with the connection.


def _open_binary(source, stack: ExitStack) -> Iterable[bytes]:
    if isinstance(source, str | os.PathLike):
        return stack.enter_context(open(source, "rb", buffering=1 << 20))
    if isinstance(source, io.TextIOBase):
        raise TypeError("open the roster file in binary mode ('rb'): it is decoded here")
    return source


def import_roster(
    path_or_file, *, dry_run: bool = False, actor: str = "cli", today: dt.date | None = None
) -> ImportReport:
    """Import a roster CSV (a path or a binary file): all of it, or nothing.

    Every line is checked first; any error leaves the database as it was and the
    report lists the errors by line number. Otherwise people are upserted by
    ``employee_id`` in one transaction that also writes the ``roster:import`` audit
    event. With ``dry_run`` the counts are computed and nothing is written.
    ``today`` (default: the portal's today) bounds plausible birth years.
    """
    max_birth_year = (today or local_today()).year - MIN_AGE_YEARS
    errors = _ErrorLog()
    with ExitStack() as stack:
        binary = _open_binary(path_or_file, stack)
        staging = stack.enter_context(_Staging(default_connection))
        rows = _read(binary, errors, staging.add, max_birth_year=max_birth_year)
        staging.finish()
        if errors.count:
            report = errors.report(rows, dry_run=dry_run)
        elif dry_run:
            created, updated = staging.count_changes()
            report = ImportReport(rows, created, updated, dry_run=True)
        else:
            with transaction.atomic():
                created, updated = staging.merge(now())
                report = ImportReport(rows, created, updated)
                _audit(report, actor)
    if not report.ok and not dry_run:
        _audit(report, actor)
    return report


def _audit(report: ImportReport, actor: str) -> None:
    # Counts only: the audit log never holds a roster row's personal data.
    from staffgate.audit.services import record_event

    if report.ok:
        detail = {
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        }
        record_event("roster:import", actor=actor, outcome="imported", detail=detail)
    else:
        detail = {"rows": report.rows, "errors": report.error_count}
        record_event("roster:import", actor=actor, outcome="rejected", detail=detail)
