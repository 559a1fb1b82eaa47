"""PostgreSQL, the production store: the deadline upserts share the events' transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from .recorders import TABLE, DeadlineRow, EventRow, deadline_rows


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
        by_complaint = (
            "SELECT originator_id, originator_version, topic, state FROM {}.{} "
            "WHERE (originator_id, originator_version) > (%s, %s) AND notification_id <= %s {}"
            "ORDER BY originator_id, originator_version LIMIT %s"
        )
        events = Identifier(events_table_name)
        self._by_complaint = SQL(by_complaint).format(schema, events, SQL(""))
        self._by_complaint_before = SQL(by_complaint).format(schema, events, SQL("AND originator_id < %s "))
        self._clear = SQL("DELETE FROM {}.{}").format(schema, table)

    def create_table(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(self.datastore.schema)))
        super().create_table()

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        self._write(curs, deadline_rows(kwargs))

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

    def select_by_complaint(
        self, *, after: tuple[UUID | str, int] | None, until: int, limit: int, before: UUID | None = None
    ) -> list[EventRow]:
        # The table lock every insert takes makes all positions up to a read maximum committed.
        start = after or (UUID(int=0), 0)
        with self.datastore.transaction(commit=False) as curs:
            if before is None:
                curs.execute(self._by_complaint, (*start, until, limit), prepare=True)
            else:
                curs.execute(self._by_complaint_before, (*start, until, before, limit), prepare=True)
            return [
                (row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))
                for row in curs.fetchall()
            ]

    def count_deadlines(self) -> int:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._count)
            row = curs.fetchone()
            return int(row["n"]) if row else 0

    def replace_deadlines(self, rows: Iterable[DeadlineRow]) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._clear)
            self._write(curs, rows)
