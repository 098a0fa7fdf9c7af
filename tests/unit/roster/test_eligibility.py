"""Who may register and log in, decided by one pure rule over roster facts and today."""

import datetime as dt
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from staffgate.roster.eligibility import (
    Ineligibility,
    RosterFacts,
    check_eligibility,
    facts_of,
    separation_access_ends,
)

D = dt.date
TODAY = D(2025, 3, 15)


def facts(status="active", country="US", retirement_plan=False, separation_date=None):
    return RosterFacts(
        status=status,
        country=country,
        retirement_plan=retirement_plan,
        separation_date=separation_date,
    )


@pytest.mark.parametrize(
    ("status", "country", "expected"),
    [
        ("active", "US", None),
        ("active", "CA", None),
        ("active", "PR", None),
        ("active", "us", None),
        ("active", "Ca", None),
        ("active", "pr", None),
        ("active", "MX", Ineligibility.COUNTRY_NOT_COVERED),
        ("active", "GB", Ineligibility.COUNTRY_NOT_COVERED),
        ("active", "", Ineligibility.COUNTRY_NOT_COVERED),
        ("inactive", "US", None),
        ("inactive", "CA", None),
        ("inactive", "PR", None),
        ("inactive", "ca", None),
        ("inactive", "FR", Ineligibility.COUNTRY_NOT_COVERED),
    ],
)
@pytest.mark.parametrize("retirement_plan", [True, False])
def test_active_and_inactive_depend_on_country_only(status, country, retirement_plan, expected):
    person = facts(status=status, country=country, retirement_plan=retirement_plan)
    assert check_eligibility(person, TODAY) is expected


@pytest.mark.parametrize(
    ("country", "retirement_plan", "expected"),
    [
        ("US", True, None),
        ("US", False, Ineligibility.NO_RETIREMENT_PLAN),
        ("CA", False, Ineligibility.NO_RETIREMENT_PLAN),
        # The retired row of the table has its own condition: the plan, not the country.
        ("GB", True, None),
        ("GB", False, Ineligibility.NO_RETIREMENT_PLAN),
    ],
)
def test_retired_depends_on_the_retirement_plan(country, retirement_plan, expected):
    person = facts(status="retired", country=country, retirement_plan=retirement_plan)
    assert check_eligibility(person, TODAY) is expected


@pytest.mark.parametrize(
    ("separation_date", "today", "expected"),
    [
        # The last day is 30 June of the year after, inclusive.
        (D(2024, 3, 10), D(2025, 6, 29), None),
        (D(2024, 3, 10), D(2025, 6, 30), None),
        (D(2024, 3, 10), D(2025, 7, 1), Ineligibility.SEPARATION_WINDOW_CLOSED),
        # Separated on the first and the last day of a year.
        (D(2024, 1, 1), D(2025, 6, 30), None),
        (D(2024, 1, 1), D(2025, 7, 1), Ineligibility.SEPARATION_WINDOW_CLOSED),
        (D(2024, 12, 31), D(2025, 6, 30), None),
        (D(2024, 12, 31), D(2025, 7, 1), Ineligibility.SEPARATION_WINDOW_CLOSED),
        # Leap years: separated on 29 February, or the window ends in a leap year.
        (D(2024, 2, 29), D(2025, 6, 30), None),
        (D(2024, 2, 29), D(2025, 7, 1), Ineligibility.SEPARATION_WINDOW_CLOSED),
        (D(2023, 2, 28), D(2024, 2, 29), None),
        (D(2023, 12, 31), D(2024, 6, 30), None),
        (D(2023, 12, 31), D(2024, 7, 1), Ineligibility.SEPARATION_WINDOW_CLOSED),
        # The same day, the rest of that year, long after.
        (D(2024, 3, 10), D(2024, 3, 10), None),
        (D(2024, 7, 1), D(2024, 12, 31), None),
        (D(2024, 3, 10), D(2030, 1, 1), Ineligibility.SEPARATION_WINDOW_CLOSED),
        # 30 June of the separation year itself is not the end: the window is the year after.
        (D(2024, 1, 1), D(2024, 7, 1), None),
    ],
)
@pytest.mark.parametrize("country", ["US", "GB"])
def test_separated_until_30_june_of_the_year_after(separation_date, today, expected, country):
    person = facts(status="separated", country=country, separation_date=separation_date)
    assert check_eligibility(person, today) is expected


def test_separated_without_a_separation_date_is_refused():
    person = facts(status="separated", separation_date=None)
    assert check_eligibility(person, TODAY) is Ineligibility.SEPARATION_DATE_MISSING


@pytest.mark.parametrize("status", ["terminated", "deceased", "", "unknown", "Active", "ACTIVE"])
def test_other_statuses_are_refused_even_in_a_covered_country(status):
    person = facts(status=status, country="US", retirement_plan=True, separation_date=TODAY)
    assert check_eligibility(person, TODAY) is Ineligibility.STATUS_NOT_COVERED


def test_not_in_roster_is_refused():
    assert check_eligibility(None, TODAY) is Ineligibility.NOT_IN_ROSTER


@pytest.mark.parametrize(
    ("separation_date", "last_day"),
    [
        (D(2024, 1, 1), D(2025, 6, 30)),
        (D(2024, 12, 31), D(2025, 6, 30)),
        (D(2024, 2, 29), D(2025, 6, 30)),
    ],
)
def test_separation_access_ends_on_30_june_of_the_next_year(separation_date, last_day):
    assert separation_access_ends(separation_date) == last_day


def test_facts_of_a_roster_row():
    row = SimpleNamespace(
        status="separated",
        country="CA",
        retirement_plan=False,
        separation_date=D(2024, 5, 1),
        last_name="Jones",
    )
    assert facts_of(row) == RosterFacts("separated", "CA", False, D(2024, 5, 1))
    assert check_eligibility(facts_of(row), D(2025, 6, 30)) is None
    assert facts_of(None) is None
    assert check_eligibility(facts_of(None), TODAY) is Ineligibility.NOT_IN_ROSTER


def test_a_person_removed_from_the_roster_is_never_let_in():
    for status in ("active", "retired", "separated"):
        facts = RosterFacts(status, "US", True, TODAY, removed=True)
        assert check_eligibility(facts, TODAY) is Ineligibility.REMOVED_FROM_ROSTER


def test_outcome_values_are_stable_codes():
    assert {reason.value for reason in Ineligibility} == {
        "not_in_roster",
        "country_not_covered",
        "no_retirement_plan",
        "separation_window_closed",
        "separation_date_missing",
        "status_not_covered",
        "removed_from_roster",
    }


dates = st.dates(min_value=D(1950, 1, 1), max_value=D(2100, 12, 31))


@given(separation_date=dates, today=dates, country=st.sampled_from(["US", "CA", "GB"]))
def test_property_separated_eligible_iff_on_or_before_30_june_next_year(
    separation_date, today, country
):
    person = facts(status="separated", country=country, separation_date=separation_date)
    window_year = separation_date.year + 1
    still_open = today.year < window_year or (
        today.year == window_year and (today.month, today.day) <= (6, 30)
    )
    outcome = check_eligibility(person, today)
    if still_open:
        assert outcome is None
    else:
        assert outcome is Ineligibility.SEPARATION_WINDOW_CLOSED


@given(
    today=dates,
    status=st.sampled_from(["active", "inactive"]),
    country=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", max_size=3),
)
def test_property_active_eligible_iff_covered_country(today, status, country):
    outcome = check_eligibility(facts(status=status, country=country), today)
    assert (outcome is None) == (country.upper() in {"US", "CA", "PR"})
