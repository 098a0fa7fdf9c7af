"""The rules for one roster line: check a CSV record, return it as plain data.

Pure: no ORM, no settings, no clock. The caller passes the latest plausible birth year
(from its own "today"), and the :class:`Layout` that the file's header gave.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from staffgate.roster.ids import MAX_LENGTH as ID_MAX_LENGTH
from staffgate.roster.ids import is_well_formed, normalise_user_id

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

# The values of the roster's ``Status`` choices.
STATUSES = frozenset({"active", "inactive", "retired", "separated"})
SEPARATED = "separated"
LANGUAGES = frozenset({"en", "fr", "es"})
MIN_BIRTH_YEAR = 1900
# Nobody younger than this works for the employer, so a later birth year is a typo.
MIN_AGE_YEARS = 14
# The longest text each column may hold; the roster table is declared with these lengths.
MAX_LENGTHS = {"first_name": 100, "last_name": 100, "pin_last_name": 100, "email": 254}

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


def latest_birth_year(today: dt.date) -> int:
    """The latest plausible birth year on ``today``: this year minus :data:`MIN_AGE_YEARS`."""
    return today.year - MIN_AGE_YEARS


def quote_value(value: str) -> str:
    """A short, printable quotation of a bad code-like value (never used for names)."""
    return repr(value if len(value) <= 20 else value[:20] + "…")


def _text(problems: list[str], name: str, value: str, *, required: bool) -> None:
    if not value:
        if required:
            problems.append(f"{name} is missing")
    elif len(value) > MAX_LENGTHS[name]:
        problems.append(f"{name} is longer than {MAX_LENGTHS[name]} characters")
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
        0 < len(first_name) <= MAX_LENGTHS["first_name"]
        and 0 < len(last_name) <= MAX_LENGTHS["last_name"]
        and len(pin_last_name) <= MAX_LENGTHS["pin_last_name"]
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
            else f"country must be a two-letter ISO 3166 code, not {quote_value(raw_country)}"
        )

    status = raw_status.lower()
    if status not in STATUSES:
        problems.append(
            "status is missing"
            if not raw_status
            else f"status must be one of {', '.join(sorted(STATUSES))}, "
            f"not {quote_value(raw_status)}"
        )

    retirement_plan = _BOOLEANS.get(raw_plan.lower())
    if retirement_plan is None:
        problems.append(
            f"retirement_plan must be true/false, yes/no, y/n or 1/0, not {quote_value(raw_plan)}"
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
    elif status == SEPARATED:
        problems.append("separation_date is required when status is separated")

    if email:
        if len(email) > MAX_LENGTHS["email"]:
            problems.append(f"email is longer than {MAX_LENGTHS['email']} characters")
        elif not _email_ok(email):
            problems.append("email is not a valid e-mail address")

    language = raw_language.lower()
    if language and language not in LANGUAGES:
        problems.append(
            f"language must be one of {', '.join(sorted(LANGUAGES))} or blank, "
            f"not {quote_value(raw_language)}"
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
