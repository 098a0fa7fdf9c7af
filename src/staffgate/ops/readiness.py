"""Is this server ready for traffic? The database, the cache when configured, the migrations.

Each check returns ``None`` when its part is fine, otherwise a short word saying what is
wrong. Other parts (the background worker's heartbeat, :mod:`staffgate.ops.heartbeat`)
add theirs with :func:`register_check` from their app's ``ready()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection

log = logging.getLogger("staffgate.readiness")

Check = Callable[[], str | None]
_checks: dict[str, tuple[Check, bool]] = {}
_migrated = False


def register_check(name: str, check: Check, *, needs_database: bool = True) -> None:
    """Add a part to ``/readyz``: ``check()`` returns ``None`` when ready, else why not.

    A check that ``needs_database`` is left out while the database or its migrations
    are not ready, so that only the part at fault is named.
    """
    _checks[name] = (check, needs_database)


def unregister_check(name: str) -> None:
    _checks.pop(name, None)


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        log.warning("readiness: database unreachable: %s", type(exc).__name__)
        return "unreachable"
    return None


def check_migrations() -> str | None:
    """Every migration of the installed code applied (remembered once true: they stay so)."""
    global _migrated
    if _migrated:
        return None
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return "unknown"
    if pending:
        return f"{len(pending)} not applied"
    _migrated = True
    return None


def check_cache() -> str | None:
    try:
        cache.set("staffgate:readyz", "1", timeout=10)
        if cache.get("staffgate:readyz") != "1":
            return "not storing"
    except Exception as exc:  # noqa: BLE001 - any failure of the cache client means not ready
        log.warning("readiness: cache unreachable: %s", type(exc).__name__)
        return "unreachable"
    return None


def run_checks() -> dict[str, str | None]:
    """Each part's problem (``None``: fine); after a database failure the rest is not tried."""
    results: dict[str, str | None] = {"database": check_database()}
    if results["database"] is None:
        results["migrations"] = check_migrations()
    database_ready = results["database"] is None and results["migrations"] is None
    if settings.STAFFGATE_CACHE_URL:
        results["cache"] = check_cache()
    for name, (check, needs_database) in list(_checks.items()):
        if database_ready or not needs_database:
            results[name] = check()
    return results


def forget_migrations() -> None:
    """Check the migrations again at the next call (after a test changes them)."""
    global _migrated
    _migrated = False
