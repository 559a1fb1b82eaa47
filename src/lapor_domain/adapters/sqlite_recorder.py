"""The embedded default: the deadline index in the same SQLite transaction as the events."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InfrastructureFactory, IntegrityError, StoredEvent
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteDatastore,
)

from ..errors import StoreUnavailable
from .recorders import TABLE, DeadlineRow, EventRow, deadline_rows

STATEMENT_CACHE = 128


class _StatementCachingPool(SQLiteConnectionPool):
    """Connections that keep their compiled statements.

    eventsourcing 9.5 opens SQLite with ``cached_statements=True``, which sqlite3 reads
    as a cache of one statement, so every command recompiled its SELECT, INSERT, BEGIN
    and COMMIT (a read took 70-99 us instead of 28 us).
    """

    def _create_connection(self) -> SQLiteConnection:
        library = super()._create_connection()  # opens the file and puts it in WAL mode
        library._close()
        connection = sqlite3.connect(
            self.db_name,
            uri=True,
            check_same_thread=False,
            isolation_level=None,  # transactions are begun explicitly, as the library does
            cached_statements=STATEMENT_CACHE,
            timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
        )
        connection.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=connection, max_age=self.max_age)


def cache_statements(factory: InfrastructureFactory) -> None:
    """Give a SQLite factory's datastore connections with a real statement cache."""
    datastore: SQLiteDatastore = factory.datastore  # type: ignore[attr-defined]
    old = datastore.pool
    datastore.pool = _StatementCachingPool(db_name=old.db_name, lock_timeout=old.lock_timeout)
    old.close()


class SQLiteRecorder(SQLiteApplicationRecorder):
    """The embedded default: one SQLite file in WAL mode.

    A command's write goes through ``append_rows`` on a writer connection of the
    recorder's own, in a ``BEGIN IMMEDIATE`` transaction: the library's write path (a
    pooled connection, a transaction object and three context managers per write, the
    new positions read back) cost as much again as the rest of a command, and a command
    needs none of it (bench/README.md). Readers keep the library's pool; WAL lets them
    read beside the writer, and other processes wait on SQLite's own lock (30 s).
    """

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)
        self._writer: sqlite3.Connection | None = None
        self._writing = threading.Lock()
        self._closed = False
        self._insert_sql = (
            f"INSERT INTO {events_table_name} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)"
        )

    def append_rows(self, stored_events: Sequence[StoredEvent], deadlines: Sequence[DeadlineRow]) -> None:
        rows = [(_hex(s.originator_id), s.originator_version, s.topic, s.state) for s in stored_events]
        with self._writing:
            if self._closed:
                raise StoreUnavailable(f"SQLite file {self.datastore.pool.db_name} was closed")
            writer = self._writer or self._open_writer()
            writer.execute("BEGIN IMMEDIATE")
            try:
                writer.executemany(self._insert_sql, rows)
                self._write(writer, deadlines)
                writer.execute("COMMIT")
            except BaseException as exc:
                if writer.in_transaction:
                    writer.execute("ROLLBACK")
                if isinstance(exc, sqlite3.IntegrityError):
                    raise IntegrityError(str(exc)) from exc
                raise

    def rewrite_states(self, stored_events: Sequence[StoredEvent]) -> None:
        """Replace the stored state of these (complaint, version) rows, in one transaction:
        only for sealing identities recorded before sealing existed (rule 14)."""
        rows = [(s.state, s.topic, _hex(s.originator_id), s.originator_version) for s in stored_events]
        with self._writing:
            writer = self._writer or self._open_writer()
            writer.execute("BEGIN IMMEDIATE")
            try:
                writer.executemany(
                    f"UPDATE {self.events_table_name} SET state = ? WHERE topic = ? AND originator_id = ? "
                    "AND originator_version = ?",
                    rows,
                )
                writer.execute("COMMIT")
            except BaseException:
                if writer.in_transaction:
                    writer.execute("ROLLBACK")
                raise

    def _open_writer(self) -> sqlite3.Connection:
        pool = self.datastore.pool
        self._writer = sqlite3.connect(
            pool.db_name,
            uri=True,
            check_same_thread=False,
            isolation_level=None,
            cached_statements=STATEMENT_CACHE,
            timeout=pool.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
        )
        return self._writer

    def close_writer(self) -> None:
        with self._writing:
            self._closed = True
            if self._writer is not None:
                self._writer.close()
                self._writer = None

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {TABLE} (complaint_id TEXT PRIMARY KEY, "
            "due_us INTEGER NOT NULL, clock TEXT NOT NULL) WITHOUT ROWID",
            f"CREATE INDEX IF NOT EXISTS {TABLE}_due ON {TABLE} (due_us, complaint_id)",
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        self._write(c, deadline_rows(kwargs))
        return ids

    @staticmethod
    def _write(c: SQLiteCursor | sqlite3.Connection, rows: Iterable[DeadlineRow]) -> None:
        for row in rows:
            if row.due_us is None:
                c.execute(f"DELETE FROM {TABLE} WHERE complaint_id = ?", (row.complaint_id.hex,))
            else:
                c.execute(
                    f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?, ?)",
                    (row.complaint_id.hex, row.due_us, row.clock),
                )

    def select_by_complaint(
        self, *, after: tuple[UUID | str, int] | None, until: int, limit: int, before: UUID | None = None
    ) -> list[EventRow]:
        # The primary key (originator_id, originator_version) orders the rows; rowid is the position.
        # Ids stay the stored hex text: the mapper reads that as it is.
        start = (_hex(after[0]), after[1]) if after else ("", 0)
        with self.datastore.transaction(commit=False) as c:
            cursor = c.sqlite_cursor
            cursor.row_factory = None  # plain tuples, not sqlite3.Row
            cursor.execute(
                f"SELECT originator_id, originator_version, topic, state FROM {self.events_table_name} "
                "WHERE (originator_id, originator_version) > (?, ?) AND originator_id < ? AND rowid <= ? "
                "ORDER BY originator_id, originator_version LIMIT ?",
                (*start, before.hex if before else _AFTER_ANY_HEX, until, limit),
            )
            rows: list[EventRow] = cursor.fetchall()
            return rows

    def select_due(self, until_us: int, limit: int) -> list[tuple[UUID, int]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT complaint_id, due_us FROM {TABLE} WHERE due_us <= ? "
                "ORDER BY due_us, complaint_id LIMIT ?",
                (until_us, limit),
            )
            return [(UUID(row[0]), row[1]) for row in c.fetchall()]

    def count_deadlines(self) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT COUNT(*) FROM {TABLE}")
            count: int = c.fetchone()[0]
            return count

    def replace_deadlines(self, rows: Iterable[DeadlineRow]) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {TABLE}")
            self._write(c, rows)


_AFTER_ANY_HEX = "~"  # sorts after every hex id: no upper bound


def _hex(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id
