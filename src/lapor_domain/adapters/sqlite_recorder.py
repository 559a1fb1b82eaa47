"""The embedded default: the deadline index in the same SQLite transaction as the events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from .recorders import TABLE, DeadlineRow, deadline_rows


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
        self._write(c, deadline_rows(kwargs))
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
