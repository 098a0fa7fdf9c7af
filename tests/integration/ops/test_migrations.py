"""The database schema: migrations build it from nothing and upgrade older databases."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "staffgate_cache",
    }
}


def tables() -> set[str]:
    return set(connection.introspection.table_names())


@pytest.mark.django_db
def test_a_fresh_database_has_no_cache_table():
    assert "core_throttle_count" in tables()
    assert "staffgate_cache" not in tables()


@pytest.mark.django_db
def test_the_models_and_the_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


@pytest.mark.django_db(transaction=True)
def test_upgrading_a_database_that_had_the_cache_table_drops_it():
    call_command("migrate", "core", "0002", verbosity=0)
    with override_settings(CACHES=DATABASE_CACHE):
        call_command("createcachetable", verbosity=0)
    assert "staffgate_cache" in tables()
    call_command("migrate", "core", verbosity=0)
    assert "staffgate_cache" not in tables()
    assert "core_throttle_count" in tables()
