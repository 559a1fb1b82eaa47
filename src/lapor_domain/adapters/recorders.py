"""Recorders that keep the deadline index in the same transaction as the events.

The index holds, per open complaint with a running finishing clock, the instant
(UTC microseconds) its next deadline falls due. A sweep asks the index, never
the complaints that are not due; the covering index ``(due_us, complaint_id)``
keeps that one range scan whatever the number of open complaints. The index is
derived data: ``replace_deadlines`` rebuilds it from a fold of the log.

Rows travel as the ``deadlines`` keyword of ``insert_events``: a sequence of
``DeadlineRow``; a row whose ``due_us`` is None removes the complaint's entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

TABLE = "lapor_deadlines"


class DeadlineRow(NamedTuple):
    complaint_id: UUID
    due_us: int | None
    clock: str | None


@runtime_checkable
class DeadlineIndex(Protocol):
    def select_due(self, until_us: int, limit: int) -> list[tuple[UUID, int]]:
        """Complaints due at or before `until_us`, earliest first."""

    def count_deadlines(self) -> int: ...

    def replace_deadlines(self, rows: Iterable[DeadlineRow]) -> None:
        """Forget the index and write these rows instead (a rebuild)."""


def _rows(kwargs: dict[str, Any]) -> Sequence[DeadlineRow]:
    rows: Sequence[DeadlineRow] = kwargs.get("deadlines", ())
    return rows


class MemoryRecorder(POPOApplicationRecorder):
    """The in-memory store, for tests and short-lived embedding."""

    def __init__(self) -> None:
        super().__init__()
        self._deadlines: dict[UUID, int] = {}

    def _update_table(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super()._update_table(stored_events, **kwargs)
        self._apply(_rows(kwargs))
        return ids

    def _apply(self, rows: Iterable[DeadlineRow]) -> None:
        for row in rows:
            if row.due_us is None:
                self._deadlines.pop(row.complaint_id, None)
            else:
                self._deadlines[row.complaint_id] = row.due_us

    def select_due(self, until_us: int, limit: int) -> list[tuple[UUID, int]]:
        with self._database_lock:
            due = sorted((d, str(c), c) for c, d in self._deadlines.items() if d <= until_us)
        return [(c, d) for d, _, c in due[:limit]]

    def count_deadlines(self) -> int:
        return len(self._deadlines)

    def replace_deadlines(self, rows: Iterable[DeadlineRow]) -> None:
        with self._database_lock:
            self._deadlines.clear()
            self._apply(rows)


class SQLiteRecorder(SQLiteApplicationRecorder):
    """The embedded default: one SQLite file in WAL mode."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)

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
        self._write(c, _rows(kwargs))
        return ids

    @staticmethod
    def _write(c: SQLiteCursor, rows: Iterable[DeadlineRow]) -> None:
        for row in rows:
            if row.due_us is None:
                c.execute(f"DELETE FROM {TABLE} WHERE complaint_id = ?", (row.complaint_id.hex,))
            else:
                c.execute(
                    f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?, ?)",
                    (row.complaint_id.hex, row.due_us, row.clock),
                )

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


class PostgresRecorder(PostgresApplicationRecorder):
    """The production store; the deadline upserts share the events' transaction."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        schema, table = Identifier(datastore.schema), Identifier(TABLE)
        self.sql_create_statements += [
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.{} (complaint_id uuid PRIMARY KEY, "
                "due_us bigint NOT NULL, clock text NOT NULL)"
            ).format(schema, table),
            SQL("CREATE INDEX IF NOT EXISTS {} ON {}.{} (due_us, complaint_id)").format(
                Identifier(f"{TABLE}_due"), schema, table
            ),
        ]
        self._upsert = SQL(
            "INSERT INTO {}.{} VALUES (%s, %s, %s) ON CONFLICT (complaint_id) "
            "DO UPDATE SET due_us = EXCLUDED.due_us, clock = EXCLUDED.clock"
        ).format(schema, table)
        self._delete = SQL("DELETE FROM {}.{} WHERE complaint_id = %s").format(schema, table)
        self._select_due = SQL(
            "SELECT complaint_id, due_us FROM {}.{} WHERE due_us <= %s ORDER BY due_us, complaint_id LIMIT %s"
        ).format(schema, table)
        self._count = SQL("SELECT COUNT(*) AS n FROM {}.{}").format(schema, table)
        self._clear = SQL("DELETE FROM {}.{}").format(schema, table)

    def create_table(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(self.datastore.schema)))
        super().create_table()

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        self._write(curs, _rows(kwargs))

    def _write(self, curs: Cursor[DictRow], rows: Iterable[DeadlineRow]) -> None:
        for row in rows:
            if row.due_us is None:
                curs.execute(self._delete, (row.complaint_id,), prepare=True)
            else:
                curs.execute(self._upsert, (row.complaint_id, row.due_us, row.clock), prepare=True)

    def select_due(self, until_us: int, limit: int) -> list[tuple[UUID, int]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_due, (until_us, limit), prepare=True)
            return [(row["complaint_id"], row["due_us"]) for row in curs.fetchall()]

    def count_deadlines(self) -> int:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._count)
            row = curs.fetchone()
            return int(row["n"]) if row else 0

    def replace_deadlines(self, rows: Iterable[DeadlineRow]) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._clear)
            self._write(curs, rows)
