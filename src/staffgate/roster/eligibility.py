"""Who may register and log in, as one pure rule.

No ORM, no settings, no clock: callers pass the roster facts and "today" in the
portal's time zone.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

ELIGIBLE_COUNTRIES = frozenset({"US", "CA", "PR"})


class Ineligibility(enum.Enum):
    """Why a person may not come in; ``None`` from :func:`check_eligibility` means they may."""

    NOT_IN_ROSTER = "not_in_roster"
    COUNTRY_NOT_COVERED = "country_not_covered"
    NO_RETIREMENT_PLAN = "no_retirement_plan"
    SEPARATION_WINDOW_CLOSED = "separation_window_closed"
    SEPARATION_DATE_MISSING = "separation_date_missing"
    STATUS_NOT_COVERED = "status_not_covered"
    REMOVED_FROM_ROSTER = "removed_from_roster"


@dataclass(frozen=True)
class RosterFacts:
    """The parts of a roster record that eligibility depends on."""

    status: str
    country: str
    retirement_plan: bool
    separation_date: dt.date | None
    removed: bool = False  # no longer in HR's full roster


def separation_access_ends(separation_date: dt.date) -> dt.date:
    """The last day a separated person may still come in: 30 June of the following year."""
    return dt.date(separation_date.year + 1, 6, 30)


def check_eligibility(facts: RosterFacts | None, today: dt.date) -> Ineligibility | None:
    """Return why ``facts`` gives no access on ``today``, or ``None`` when it does."""
    if facts is None:
        return Ineligibility.NOT_IN_ROSTER
    if facts.removed:
        return Ineligibility.REMOVED_FROM_ROSTER
    status = facts.status
    if status in ("active", "inactive"):
        if facts.country.upper() in ELIGIBLE_COUNTRIES:
            return None
        return Ineligibility.COUNTRY_NOT_COVERED
    if status == "retired":
        return None if facts.retirement_plan else Ineligibility.NO_RETIREMENT_PLAN
    if status == "separated":
        if facts.separation_date is None:
            return Ineligibility.SEPARATION_DATE_MISSING
        if today <= separation_access_ends(facts.separation_date):
            return None
        return Ineligibility.SEPARATION_WINDOW_CLOSED
    return Ineligibility.STATUS_NOT_COVERED


def facts_of(person) -> RosterFacts | None:
    """Adapt a roster row (or ``None``) to :class:`RosterFacts`."""
    if person is None:
        return None
    return RosterFacts(
        status=person.status,
        country=person.country,
        retirement_plan=person.retirement_plan,
        separation_date=person.separation_date,
        removed=getattr(person, "removed_at", None) is not None,
    )
