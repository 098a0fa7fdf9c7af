"""``staffgate load-demo``: the demo roster, and the PINs of who can register with it."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from staffgate.roster.models import Person, Status

pytestmark = pytest.mark.django_db


def load_demo(*args) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_demo_roster_covers_every_status_and_kind_of_person():
    load_demo()
    people = Person.objects.all()
    assert 10 <= len(people) <= 20
    assert {p.status for p in people} == set(Status.values)
    assert {p.language for p in people} == {"en", "fr", "es"}
    assert any(p.country not in {"US", "CA", "PR"} for p in people)
    assert any(p.pin_last_name for p in people)
    assert {"0112233", "OV000123456"} <= {p.employee_id for p in people}


def test_lists_eligible_people_with_their_pins():
    output = load_demo()
    assert "created: 12, updated: 0, unchanged: 0" in output
    assert "0112233" in output and "jo5933" in output  # Jones, born 1959, ID ending 33
    assert "Log in at http://127.0.0.1:8000/login/ with the User ID and the PIN" in output
    # Not eligible: a country outside the cover, a retiree without plan, long separated.
    for user_id in ("8642097", "1357924", "9081726"):
        assert user_id not in output


def test_registered_people_are_not_listed(make_account):
    load_demo()
    make_account(person=Person.objects.get(employee_id="0112233"))
    output = load_demo()
    assert "created: 0, updated: 0, unchanged: 12" in output
    assert "0112233" not in output
    assert "OV000123456" in output


def test_refuses_a_roster_with_other_people(make_person):
    make_person(employee_id="5551234")
    with pytest.raises(CommandError, match="1 person outside the demo roster"):
        load_demo()
    assert Person.objects.count() == 1
    assert "0112233" in load_demo("--force")
