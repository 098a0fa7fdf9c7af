"""Stage the valid rows of one roster import in the database, then merge them in.

Rows go to a temporary table private to this database connection (PostgreSQL: ``COPY``,
which the server works through while the file is still being read; SQLite: batched
inserts). Merging updates the people whose row changed and inserts the new ones, with a
few set-based statements whatever the file's size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import chain

from django.db import DatabaseError

from staffgate.roster.models import Person
from staffgate.roster.rows import COLUMNS, RosterRow


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
    missing: str
    count_missing: str
    remove_missing: str
    present: str

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
        removed = qn("removed_at")
        # A person listed again after a removal is back: their row counts as changed.
        changed = f"({changed} OR p.{removed} IS NOT NULL)"
        assignments = ", ".join(f"{c} = s.{c}" for c in compared) + f", {removed} = NULL"
        not_listed = (
            f"p.{removed} IS NULL AND NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {table} AS s WHERE s.{key} = p.{key})"
        )
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
            missing=f"SELECT p.{key} FROM {person} AS p WHERE {not_listed}",  # noqa: S608
            count_missing=f"SELECT COUNT(*) FROM {person} AS p WHERE {not_listed}",  # noqa: S608
            remove_missing=(
                f"UPDATE {person} AS p SET {removed} = %s, {qn('updated_at')} = %s "  # noqa: S608
                f"WHERE {not_listed} RETURNING {key}"
            ),
            present=f"SELECT COUNT(*) FROM {person} WHERE {removed} IS NULL",  # noqa: S608
        )


class Staging:
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

    def __enter__(self) -> Staging:
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

    def count_missing(self) -> tuple[int, int]:
        """(people not in the file, people in the roster), neither counting the removed."""
        self.cursor.execute(self.sql.count_missing)
        (missing,) = self.cursor.fetchone()
        self.cursor.execute(self.sql.present)
        (present,) = self.cursor.fetchone()
        return int(missing), int(present)

    def merge(self, stamp: dt.datetime, *, remove_missing: bool = False) -> tuple[int, int, list]:
        """Update changed people, insert new ones; return (created, updated, removed IDs).

        Must run inside a transaction. Rows equal to what is stored are not written,
        so their ``updated_at`` keeps saying when they last really changed. With
        ``remove_missing`` the file is the whole roster: people it does not list are
        marked removed (kept, with their history).
        """
        stamp = self.connection.ops.adapt_datetimefield_value(stamp)
        if self.sql.lock:
            self.cursor.execute(self.sql.lock)
        self.cursor.execute(self.sql.update_changed, [stamp])
        updated = self.cursor.rowcount
        removed = []
        if remove_missing:
            self.cursor.execute(self.sql.remove_missing, [stamp, stamp])
            removed = [row[0] for row in self.cursor.fetchall()]
        # What is left is new. An INSERT ... WHERE NOT EXISTS on the roster would read the
        # table it grows: with the roster empty, PostgreSQL may plan a nested loop over it
        # and take minutes instead of seconds.
        self.cursor.execute(self.sql.unstage_known)
        self.cursor.execute(self.sql.insert_new, [stamp])
        return self.cursor.rowcount, updated, removed

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
