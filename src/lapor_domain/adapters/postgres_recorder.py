"""PostgreSQL, the production store: the deadline upserts share the events' transaction.

Many processes may open one schema at once (a dozen sweeps from cron, build workers).
Opening asks first whether every table is there and creates nothing if so; otherwise
the creation runs in one transaction holding ``DDL_LOCK``, which the read side's table
creation takes too, so creators queue instead of failing ("tuple concurrently updated").
A write that lost a race for the log (deadlock, serialization failure, lock timeout)
comes out as ``ConcurrentUpdate``, never as a store that is unavailable.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier, Literal

from ..errors import ConcurrentUpdate
from .recorders import TABLE, WAKE_SLICE, DeadlineRow, EventRow, deadline_rows
from .storage import DDL_LOCK
from .store_errors import LOCK_NOT_AVAILABLE, lost_race

"""The advisory lock key every creator of lapor tables holds while it creates them."""
LOCK_DDL = SQL("SELECT pg_advisory_xact_lock({})").format(Literal(DDL_LOCK))
WRITE_ATTEMPTS = 10
"""Tries of one write after a dropped connection, a deadlock or a serialization failure (the library's)."""

Insert = Callable[..., Sequence[int] | None]
# The library's write without its blanket retry, which would wait out a lock timeout ten times.
_insert_once = cast(Insert, PostgresApplicationRecorder.insert_events.__wrapped__)


@dataclass(frozen=True, slots=True)
class _LostRace:
    error: ConcurrentUpdate
    worth_retrying: bool


class PostgresRecorder(PostgresApplicationRecorder):
    """The production store; the deadline upserts share the events' transaction."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        # NOTIFY channels are database-wide: one per schema, so a follower wakes for its own log.
        self.channel_name = "lapor_" + hashlib.sha256(datastore.schema.encode()).hexdigest()[:24]
        self._listener: tuple[ExitStack, Any] | None = None
        self._listening = threading.Lock()
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
        self._rewrite = SQL(
            "UPDATE {}.{} SET state = %s WHERE topic = %s AND originator_id = %s AND originator_version = %s"
        ).format(schema, events)

    def rewrite_states(self, stored_events: Sequence[StoredEvent]) -> None:
        """Replace the stored state of these (complaint, version) rows, in one transaction:
        only for sealing identities recorded before sealing existed (rule 14)."""
        with self.datastore.transaction(commit=True) as curs:
            for s in stored_events:
                curs.execute(self._rewrite, (s.state, s.topic, s.originator_id, s.originator_version))

    def start_listening(self) -> None:
        """LISTEN on the log's channel (every append NOTIFYs it, in its transaction): from now
        on no append goes unnoticed by ``wait_for_append``. One pooled connection is held."""
        with self._listening:
            if self._listener is None:
                stack = ExitStack()
                connection = stack.enter_context(self.datastore.get_connection())
                connection.execute(SQL("LISTEN {0}").format(Identifier(self.channel_name)))
                self._listener = (stack, connection)

    def wait_for_append(self, timeout: float, stop: threading.Event | None = None) -> bool:
        """Wait for a notification since listening started (it starts now if it had not)."""
        self.start_listening()
        assert self._listener is not None
        connection = self._listener[1]
        deadline = time.monotonic() + timeout
        while not (stop is not None and stop.is_set()):
            left = deadline - time.monotonic()
            for _ in connection.notifies(timeout=max(0.0, min(WAKE_SLICE, left)), stop_after=1):
                return True
            if left <= WAKE_SLICE:
                break
        return False

    def stop_listening(self) -> None:
        with self._listening:
            if self._listener is not None:
                stack, _ = self._listener
                self._listener = None
                stack.close()

    def create_table(self) -> None:
        """Create what is missing, under ``DDL_LOCK``; nothing (and no lock) if all is there."""
        if not self.tables_exist():
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(LOCK_DDL)
                curs.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(self.datastore.schema)))
                if not self._type_exists(curs):  # CREATE TYPE has no IF NOT EXISTS
                    curs.execute(next(s for s in self.sql_create_statements if _creates_type(s)))
                self._create_table(curs)  # every other statement, each IF NOT EXISTS or OR REPLACE
        self.datastore.register_type_adapters()

    def tables_exist(self) -> bool:
        """Whether the schema holds every table, index, type and function this recorder creates."""
        schema = self.datastore.schema
        relations = (self.events_table_name, self.notification_id_index_name, TABLE, f"{TABLE}_due")
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT COUNT(*) AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace "
                "WHERE s.nspname = %s AND c.relname = ANY(%s)",
                (schema, list(relations)),
            )
            row = curs.fetchone()
            if row is None or row["n"] != len(relations) or not self._type_exists(curs):
                return False
            curs.execute(
                "SELECT 1 FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace "
                "WHERE s.nspname = %s AND p.proname = %s",
                (schema, self.pg_function_name_insert_events),
            )
            return curs.fetchone() is not None

    def _type_exists(self, curs: Cursor[DictRow]) -> bool:
        curs.execute(
            "SELECT 1 FROM pg_type t JOIN pg_namespace s ON s.oid = t.typnamespace "
            "WHERE s.nspname = %s AND t.typname = %s",
            (self.datastore.schema, self.stored_event_type_name),
        )
        return curs.fetchone() is not None

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """The library's write, tried again as it would; a lost race ends as ConcurrentUpdate."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                return _insert_once(self, stored_events, **kwargs)
            except (InterfaceError, OperationalError) as exc:
                lost = self._lost_race(exc)
                if lost is not None and (attempt == WRITE_ATTEMPTS or not lost.worth_retrying):
                    raise lost.error from exc
                if attempt == WRITE_ATTEMPTS:
                    raise
                time.sleep(0.2 if lost is None else random.uniform(0.01, 0.05) * attempt)  # noqa: S311
        raise AssertionError("unreachable")  # pragma: no cover

    def _lost_race(self, error: Exception) -> _LostRace | None:
        """What a failed write means when another writer made it fail; None when none did."""
        cause = error.__cause__
        if getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE:  # waiting again waits as long
            message = f"another writer held the event log for {self.datastore.lock_timeout} s; try again"
            return _LostRace(ConcurrentUpdate(message), worth_retrying=False)
        if cause is not None and lost_race(cause):  # deadlock, serialization failure
            message = f"writers kept colliding on the event log ({str(cause).strip()}); try again"
            return _LostRace(ConcurrentUpdate(message), worth_retrying=True)
        return None

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


def _creates_type(statement: Any) -> bool:
    return "CREATE TYPE" in statement.as_string()
