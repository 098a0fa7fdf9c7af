"""Queries compiled once: the same instances as Django's own evaluation, for any value."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from staffgate.accounts.models import Account
from staffgate.core.prepared import PreparedQuery
from staffgate.roster.models import Person

pytestmark = pytest.mark.django_db(transaction=True)

PERSON_WITH_ACCOUNT = PreparedQuery(
    lambda employee_id: Person.objects.select_related("account").filter(employee_id=employee_id),
    str,
)
ACCOUNT_WITH_PERSON = PreparedQuery(
    lambda pk: Account.objects.select_related("person").filter(pk=pk)[:1], int
)


def fields_of(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def test_the_rows_match_what_django_builds_with_the_related_object_and_its_types(make_account):
    account = make_account(language="fr")
    expected = Account.objects.select_related("person").get(pk=account.pk)
    (found,) = ACCOUNT_WITH_PERSON(account.pk)
    assert fields_of(found) == fields_of(expected)
    assert found.registered_at.tzinfo is not None  # SQLite's text read back as a datetime
    assert found.is_active is True
    with CaptureQueriesContext(connection) as queries:
        assert fields_of(found.person) == fields_of(expected.person)
    assert len(queries) == 0  # joined, as select_related promises
    assert found._state.adding is False  # saved instances, as Django's own


def test_a_person_without_an_account_comes_back_with_none_and_no_other_query(make_person):
    person = make_person()
    with CaptureQueriesContext(connection) as queries:
        (found,) = PERSON_WITH_ACCOUNT(person.employee_id)
        assert getattr(found, "account", None) is None
    assert len(queries) == 1


def test_each_call_runs_with_its_own_value_and_an_unknown_one_finds_nothing(make_account):
    first, second = make_account(), make_account()
    assert [a.pk for a in ACCOUNT_WITH_PERSON(first.pk)] == [first.pk]
    assert [a.pk for a in ACCOUNT_WITH_PERSON(second.pk)] == [second.pk]
    assert ACCOUNT_WITH_PERSON(10**9) == []


def test_a_value_is_a_parameter_never_sql(make_person):
    make_person(employee_id="1000001")
    assert PERSON_WITH_ACCOUNT("1000001' OR '1'='1") == []
    assert len(PERSON_WITH_ACCOUNT("1000001")) == 1


def test_annotations_are_set_on_the_instances(make_account):
    from staffgate.factors.enrolment import enrolled_annotation

    account = make_account()
    query = PreparedQuery(
        lambda pk: Account.objects.filter(pk=pk).annotate(**enrolled_annotation()), int
    )
    (found,) = query(account.pk)
    assert found.factor_enrolled is False


def test_values_of_the_wrong_kind_or_number_are_refused():
    with pytest.raises(TypeError):
        ACCOUNT_WITH_PERSON("1")
    with pytest.raises(TypeError):
        ACCOUNT_WITH_PERSON()
    with pytest.raises(TypeError):
        PreparedQuery(lambda when: Account.objects.filter(registered_at=when), float)(1.0)


def test_a_value_the_sql_does_not_use_is_refused_when_compiled():
    query = PreparedQuery(lambda pk: Account.objects.all(), int)
    with pytest.raises(ValueError, match="once"):
        query(1)


def test_each_thread_runs_on_its_own_connection(make_account):
    accounts = [make_account() for _ in range(4)]
    found, errors = {}, []

    def look_up(account):
        try:
            found[account.pk] = [a.pk for a in ACCOUNT_WITH_PERSON(account.pk)]
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=look_up, args=(a,)) for a in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert found == {a.pk: [a.pk] for a in accounts}
