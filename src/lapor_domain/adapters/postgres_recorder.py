"""PostgreSQL, the production store: the deadline upserts share the events' transaction.

Many processes may open one schema at once (a dozen sweeps from cron, build workers).
Opening asks first whether every table is there and creates nothing if so; otherwise
the creation runs in one transaction holding ``DDL_LOCK``, which the read side's table
creation takes too, so creators queue instead of failing ("tuple concurrently updated").
A write that lost a race for the log (deadlock, serialization failure, lock timeout)
comes out as ``ConcurrentUpdate``, never as a store that is unavailable.

The ledger (``chaining``) rides on the library's table lock: an insert holds the events
table in EXCLUSIVE mode, reads the tree head and the touched complaints' previous digests,
moves the head and inserts the events with their ledger columns, in one transaction.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier, Literal

from ..errors import ConcurrentUpdate
from ..merkle import Frontier
from .chaining import (
    EMPTY_FRONTIER,
    HEAD_TABLE,
    OVERRIDES_TABLE,
    SIGNED_TABLE,
    Head,
    Key,
    LedgerRow,
    OverrideRow,
    Row,
    SignedRow,
    Upgraded,
    chain,
    wanted_previous,
    writable,
)
from .recorders import TABLE, WAKE_SLICE, DeadlineRow, EventRow, deadline_rows
from .storage import DDL_LOCK, EXISTING_RELATIONS
from .store_errors import LOCK_NOT_AVAILABLE, lost_race

"""The advisory lock key every creator of lapor tables holds while it creates them."""
LOCK_DDL = SQL("SELECT pg_advisory_xact_lock({})").format(Literal(DDL_LOCK))
WRITE_ATTEMPTS = 10
"""Tries of one write after a dropped connection, a deadlock or a serialization failure (the library's)."""


@dataclass(frozen=True, slots=True)
class _LostRace:
    error: ConcurrentUpdate
    worth_retrying: bool


ADDED_DEADLINE_COLUMNS = ("start_us", "institution")
"""The deadline index's columns a store made by an older version lacks."""


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
                "due_us bigint NOT NULL, clock text NOT NULL, start_us bigint, institution text)"
            ).format(schema, table),
            # An index written before it kept the clocks' starts: new rows have them, old ones
            # are repaired from their complaints (amendments) or filled by a rebuild.
            SQL(
                "ALTER TABLE {}.{} ADD COLUMN IF NOT EXISTS start_us bigint, "
                "ADD COLUMN IF NOT EXISTS institution text"
            ).format(schema, table),
            SQL("CREATE INDEX IF NOT EXISTS {} ON {}.{} (due_us, complaint_id)").format(
                Identifier(f"{TABLE}_due"), schema, table
            ),
        ]
        self._upsert = SQL(
            "INSERT INTO {}.{} (complaint_id, due_us, clock, start_us, institution) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (complaint_id) DO UPDATE SET "
            "due_us = EXCLUDED.due_us, clock = EXCLUDED.clock, start_us = EXCLUDED.start_us, "
            "institution = EXCLUDED.institution"
        ).format(schema, table)
        self._delete = SQL("DELETE FROM {}.{} WHERE complaint_id = %s").format(schema, table)
        self._select_due = SQL(
            "SELECT complaint_id, due_us FROM {}.{} WHERE due_us <= %s ORDER BY due_us, complaint_id LIMIT %s"
        ).format(schema, table)
        self._select_clocks = SQL(
            "SELECT complaint_id, due_us, clock, start_us, institution FROM {}.{} "
            "WHERE due_us >= %s AND due_us < %s ORDER BY due_us"
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
        self._ledger_sql(schema, events)

    def _ledger_sql(self, schema: Identifier, events: Identifier) -> None:
        head, signed, overrides = (
            Identifier(HEAD_TABLE),
            Identifier(SIGNED_TABLE),
            Identifier(OVERRIDES_TABLE),
        )
        self.sql_create_statements += [
            SQL(
                "ALTER TABLE {}.{} ADD COLUMN IF NOT EXISTS leaf bigint, "
                "ADD COLUMN IF NOT EXISTS digest bytea, ADD COLUMN IF NOT EXISTS previous bytea"
            ).format(schema, events),
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.{} (id integer PRIMARY KEY CHECK (id = 1), "
                "size bigint NOT NULL, frontier bytea NOT NULL, complete boolean NOT NULL)"
            ).format(schema, head),
            # A new log starts chained; one written before the ledger waits for `upgrade`.
            SQL(
                "INSERT INTO {}.{} SELECT 1, 0, {}, true WHERE NOT EXISTS (SELECT 1 FROM {}.{}) "
                "ON CONFLICT DO NOTHING"
            ).format(schema, head, Literal(EMPTY_FRONTIER), schema, events),
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.{} (id bigserial PRIMARY KEY, size bigint NOT NULL, "
                "root bytea NOT NULL, instant_us bigint NOT NULL, public_key bytea NOT NULL, "
                "signature bytea NOT NULL)"
            ).format(schema, signed),
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.{} (id bigserial PRIMARY KEY, instant_us bigint NOT NULL, "
                "actor text NOT NULL, reason text NOT NULL, size bigint NOT NULL, place text NOT NULL)"
            ).format(schema, overrides),
        ]
        self._head = SQL("SELECT size, frontier, complete FROM {}.{} WHERE id = 1").format(schema, head)
        self._head_and_position = SQL(
            "SELECT size, frontier, complete, (SELECT MAX(notification_id) FROM {}.{}) AS position "
            "FROM {}.{} WHERE id = 1"
        ).format(schema, events, schema, head)
        self._move_head = SQL("UPDATE {}.{} SET size = %s, frontier = %s WHERE id = 1").format(schema, head)
        self._put_head = SQL(
            "INSERT INTO {}.{} VALUES (1, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET size = EXCLUDED.size, "
            "frontier = EXCLUDED.frontier, complete = EXCLUDED.complete"
        ).format(schema, head)
        self._stream_heads = SQL(
            "SELECT originator_id, MAX(originator_version) AS version FROM {}.{} "
            "WHERE originator_id = ANY(%s::uuid[]) GROUP BY originator_id"
        ).format(schema, events)
        self._previous = SQL(
            "SELECT e.originator_id, e.digest FROM {}.{} e JOIN unnest(%s::uuid[], %s::bigint[]) AS k(id, v) "
            "ON e.originator_id = k.id AND e.originator_version = k.v"
        ).format(schema, events)
        self._insert_chained = SQL(
            "INSERT INTO {}.{} (originator_id, originator_version, topic, state, leaf, digest, previous) "
            "SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[], %s::bigint[], "
            "%s::bytea[], %s::bytea[]) RETURNING notification_id"
        ).format(schema, events)
        columns = "notification_id, originator_id, originator_version, topic, state, leaf, digest, previous"
        self._page = SQL(
            "SELECT " + columns + " FROM {}.{} WHERE notification_id > %s AND notification_id <= %s "
            "ORDER BY notification_id LIMIT %s"
        ).format(schema, events)
        self._chain_of = SQL(
            "SELECT " + columns + " FROM {}.{} WHERE originator_id = %s ORDER BY originator_version"
        ).format(schema, events)
        self._unchained = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {}.{} "
            "WHERE digest IS NULL ORDER BY notification_id LIMIT %s"
        ).format(schema, events)
        self._fill = SQL(
            "UPDATE {}.{} AS e SET leaf = k.leaf, digest = k.digest, previous = k.previous "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::bytea[], %s::bytea[]) "
            "AS k(id, leaf, digest, previous) WHERE e.notification_id = k.id"
        ).format(schema, events)
        self._signed = SQL(
            "SELECT size, root, instant_us, public_key, signature FROM {}.{} ORDER BY id"
        ).format(schema, signed)
        self._sign = SQL(
            "INSERT INTO {}.{} (size, root, instant_us, public_key, signature) VALUES (%s, %s, %s, %s, %s)"
        ).format(schema, signed)
        self._overrides = SQL("SELECT instant_us, actor, reason, size, place FROM {}.{} ORDER BY id").format(
            schema, overrides
        )
        self._override = SQL(
            "INSERT INTO {}.{} (instant_us, actor, reason, size, place) VALUES (%s, %s, %s, %s, %s)"
        ).format(schema, overrides)
        self._deadlines = SQL(
            "SELECT complaint_id, due_us, clock, start_us, institution FROM {}.{} ORDER BY complaint_id"
        ).format(schema, Identifier(TABLE))

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
                # Asked again under the lock: another process may have created it all while this
                # one waited. Its statements would then take table locks (CREATE INDEX IF NOT
                # EXISTS locks its table first) that deadlock with that process's first writes.
                if not self._complete(curs):
                    self._create(curs)
        self.datastore.register_type_adapters()

    def _create(self, curs: Cursor[DictRow]) -> None:
        curs.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(self.datastore.schema)))
        if not self._type_exists(curs):  # CREATE TYPE has no IF NOT EXISTS
            curs.execute(next(s for s in self.sql_create_statements if _creates_type(s)))
        self._create_table(curs)  # every other statement, each IF NOT EXISTS or OR REPLACE

    def tables_exist(self) -> bool:
        """Whether the schema holds every table, index, type and function this recorder creates."""
        with self.datastore.transaction(commit=False) as curs:
            return self._complete(curs)

    def _complete(self, curs: Cursor[DictRow]) -> bool:
        schema = self.datastore.schema
        relations = (
            self.events_table_name,
            self.notification_id_index_name,
            TABLE,
            f"{TABLE}_due",
            HEAD_TABLE,
            SIGNED_TABLE,
            OVERRIDES_TABLE,
        )
        curs.execute(EXISTING_RELATIONS, (schema, list(relations)))
        row = curs.fetchone()
        if row is None or row["n"] != len(relations) or not self._type_exists(curs):
            return False
        curs.execute(  # the columns added since the table was first made (ADD COLUMN IF NOT EXISTS)
            "SELECT COUNT(*) AS n FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s AND column_name = ANY(%s)",
            (schema, TABLE, list(ADDED_DEADLINE_COLUMNS)),
        )
        row = curs.fetchone()
        if row is None or row["n"] != len(ADDED_DEADLINE_COLUMNS):
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
        """One transaction, tried again as the library would; a lost race ends as ConcurrentUpdate."""
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

    def _write_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """The events with their ledger columns, the head moved and the deadline rows, in one
        transaction that anything raised rolls back (the library's pipelined write commits
        before it re-raises an error of ours, so it is not used)."""
        positions: list[int] = []
        with self.datastore.transaction(commit=True) as curs:
            if stored_events:
                self._insert_stored_events(curs, stored_events, **kwargs)
                positions = [row["notification_id"] for row in curs.fetchall()]
            self._write(curs, deadline_rows(kwargs))
        return positions

    def _lost_race(self, error: Exception) -> _LostRace | None:
        """What a failed write means when another writer made it fail; None when none did."""
        cause = error.__cause__
        if getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE:  # waiting again waits as long
            held = ConcurrentUpdate(
                "another writer held the event log for {seconds} s; try again",
                seconds=self.datastore.lock_timeout,
            )
            return _LostRace(held, worth_retrying=False)
        if cause is not None and lost_race(cause):  # deadlock, serialization failure
            colliding = ConcurrentUpdate(
                "writers kept colliding on the event log ({said}); try again", said=str(cause).strip()
            )
            return _LostRace(colliding, worth_retrying=True)
        return None

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        """The insert under the library's table lock, with the ledger columns and the head moved.

        The INSERT comes last on the cursor: its positions are read from it."""
        self._lock_table(curs)
        self._notify_channel(curs)
        rows: list[Row] = [(s.originator_id, s.originator_version, s.topic, s.state) for s in stored_events]
        curs.execute(self._head, prepare=True)
        found = curs.fetchone()
        head = None if found is None else Head(found["size"], bytes(found["frontier"]), found["complete"])
        frontier = writable(head, f"PostgreSQL schema {self.datastore.schema}")
        chained, frontier = chain(rows, frontier, self._previous_digests(curs, rows))
        curs.execute(self._move_head, (frontier.size, frontier.to_bytes()), prepare=True)
        curs.execute(self._insert_chained, _transpose(rows, chained), prepare=True)

    def _previous_digests(self, curs: Cursor[DictRow], rows: Sequence[Row]) -> dict[Key, bytes]:
        wanted = wanted_previous(rows)
        if not wanted:
            return {}
        curs.execute(self._previous, (list(wanted), list(wanted.values())), prepare=True)
        return {
            row["originator_id"]: bytes(row["digest"]) for row in curs.fetchall() if row["digest"] is not None
        }

    def _write(self, curs: Cursor[DictRow], rows: Iterable[DeadlineRow]) -> None:
        for row in rows:
            if row.due_us is None:
                curs.execute(self._delete, (row.complaint_id,), prepare=True)
            else:
                curs.execute(
                    self._upsert,
                    (row.complaint_id, row.due_us, row.clock, row.start_us, row.institution),
                    prepare=True,
                )

    def select_due(self, until_us: int, limit: int) -> list[tuple[UUID, int]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_due, (until_us, limit), prepare=True)
            return [(row["complaint_id"], row["due_us"]) for row in curs.fetchall()]

    def select_clocks_between(self, from_us: int, before_us: int) -> list[DeadlineRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_clocks, (from_us, before_us))
            return [
                DeadlineRow(r["complaint_id"], r["due_us"], r["clock"], r["start_us"], r["institution"])
                for r in curs.fetchall()
            ]

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

    # -- the ledger (chaining.LedgerStore) ------------------------------------------------

    def ledger_head(self) -> Head | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._head_and_position, prepare=True)  # one statement: one snapshot
            found = curs.fetchone()
            if found is None:
                return None
            return Head(found["size"], bytes(found["frontier"]), found["complete"], found["position"] or 0)

    def ledger_page(self, *, after: int, until: int, limit: int) -> list[LedgerRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._page, (after, until, limit), prepare=True)
            return [_ledger_row(row) for row in curs.fetchall()]

    def ledger_digest(self, complaint_id: Key, version: int) -> bytes | None:
        found = self._previous_digests_now({complaint_id: version})
        return found.get(UUID(str(complaint_id)))

    def _previous_digests_now(self, wanted: dict[Key, int]) -> dict[Key, bytes]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                self._previous, ([UUID(str(k)) for k in wanted], list(wanted.values())), prepare=True
            )
            return {
                r["originator_id"]: bytes(r["digest"]) for r in curs.fetchall() if r["digest"] is not None
            }

    def stream_heads(self, streams: Sequence[UUID]) -> dict[UUID, int]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._stream_heads, (list(streams),), prepare=True)
            return {UUID(str(r["originator_id"])): int(r["version"]) for r in curs.fetchall()}

    def ledger_chain(self, complaint_id: UUID) -> list[LedgerRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._chain_of, (complaint_id,), prepare=True)
            return [_ledger_row(row) for row in curs.fetchall()]

    def signed_heads(self) -> list[SignedRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._signed)
            return [
                SignedRow(
                    r["size"],
                    bytes(r["root"]),
                    r["instant_us"],
                    bytes(r["public_key"]),
                    bytes(r["signature"]),
                )
                for r in curs.fetchall()
            ]

    def add_signed_head(self, row: SignedRow) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._sign, tuple(row))

    def overrides(self) -> list[OverrideRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._overrides)
            return [
                OverrideRow(r["instant_us"], r["actor"], r["reason"], r["size"], r["place"]) for r in curs
            ]

    def add_override(self, row: OverrideRow) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._override, tuple(row))

    def all_deadlines(self) -> list[DeadlineRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._deadlines)
            return [
                DeadlineRow(r["complaint_id"], r["due_us"], r["clock"], r["start_us"], r["institution"])
                for r in curs.fetchall()
            ]

    def upgrade_ledger(self, limit: int) -> Upgraded:
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)  # no append between reading the head and moving it
            curs.execute(self._head)
            found = curs.fetchone()
            head = (
                Head(0, EMPTY_FRONTIER, False)
                if found is None
                else Head(found["size"], bytes(found["frontier"]), False)
            )
            curs.execute(self._unchained, (limit,))
            unchained = curs.fetchall()
            rows: list[Row] = [
                (r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"]))
                for r in unchained
            ]
            chained, frontier = chain(
                rows, Frontier.from_bytes(head.frontier), self._previous_digests(curs, rows)
            )
            if rows:
                ids = [r["notification_id"] for r in unchained]
                leaves, digests, previous = (list(c) for c in zip(*chained, strict=True))
                curs.execute(self._fill, (ids, leaves, digests, previous))
            complete = len(rows) < limit
            curs.execute(self._put_head, (frontier.size, frontier.to_bytes(), complete))
            return Upgraded(len(rows), Head(frontier.size, frontier.to_bytes(), complete))


def _ledger_row(row: DictRow) -> LedgerRow:
    digest, previous = row["digest"], row["previous"]
    return (
        row["notification_id"],
        row["originator_id"],
        row["originator_version"],
        row["topic"],
        bytes(row["state"]),
        row["leaf"],
        None if digest is None else bytes(digest),
        None if previous is None else bytes(previous),
    )


def _insert_once(
    recorder: PostgresRecorder, stored_events: Sequence[StoredEvent], **kwargs: Any
) -> Sequence[int] | None:
    return recorder._write_events(stored_events, **kwargs)


def _transpose(rows: Sequence[Row], chained: Sequence[tuple[int, bytes, bytes]]) -> list[list[Any]]:
    """Seven columns of values, one array each, for the chained insert's unnest."""
    columns: list[list[Any]] = [[] for _ in range(7)]
    for row, ledger in zip(rows, chained, strict=True):
        for column, value in zip(columns, (*row, *ledger), strict=True):
            column.append(value)
    return columns


def _creates_type(statement: Any) -> bool:
    return "CREATE TYPE" in statement.as_string()
