"""The embedded default: the deadline index and the ledger in the same SQLite transaction as the events.

Each event row carries its ledger columns (``leaf``, ``digest``, ``previous``: see
``chaining``) beside the library's, so chaining a command adds two statements to its
transaction: the tree head read and its update (a touched complaint's previous digest is
remembered from the last write, and read only when another process wrote it).
"""

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
from .recorders import TABLE, DeadlineRow, EventRow, RulesMoved, RulesSeen, deadline_rows

STATEMENT_CACHE = 128
REMEMBERED = 4096
"""Complaints whose latest digest the writer remembers (beyond, it reads them back)."""


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
        self._cursor: sqlite3.Cursor | None = None  # the writer's one cursor: none made per statement
        self._writing = threading.Lock()
        self._closed = False
        self._insert_sql = (
            f"INSERT INTO {events_table_name} (originator_id, originator_version, topic, state, "
            "leaf, digest, previous) VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        self._store = f"SQLite file {datastore.pool.db_name}"
        self._latest: dict[str, tuple[int, bytes]] = {}  # complaint -> (version, digest), committed
        self._head_written: Frontier | None = None  # the head this writer last committed
        self._head_pending: Frontier | None = None
        # Whether the rules' heads were checked since this writer last saw another's append.
        self._rules_trusted = False
        self._trusted_pending = False
        # The stream heads last read (``stream_heads``), with the file's data_version then.
        self._heads_known: dict[tuple[UUID, ...], tuple[int, dict[UUID, int]]] = {}
        self._heads_streams: set[str] = set()
        self._move_head_sql = (
            f"UPDATE {HEAD_TABLE} SET size = ?, frontier = ? WHERE id = 1 AND size = ? AND complete = 1"
        )

    def append_rows(
        self,
        stored_events: Sequence[StoredEvent],
        deadlines: Sequence[DeadlineRow],
        rules: RulesSeen | None = None,
    ) -> None:
        rows = [(_hex(s.originator_id), s.originator_version, s.topic, s.state) for s in stored_events]
        with self._writing:
            if self._closed:
                raise StoreUnavailable(
                    "SQLite file {db_name} was closed", db_name=self.datastore.pool.db_name
                )
            cursor = self._cursor
            if cursor is None:
                cursor = self._cursor = (self._writer or self._open_writer()).cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                latest = self._chain_into(cursor, rows, self._latest, rules)
                if deadlines:
                    self._write(cursor, deadlines)
                cursor.execute("COMMIT")
            except BaseException as exc:
                self._head_written = None
                if cursor.connection.in_transaction:
                    cursor.execute("ROLLBACK")
                if isinstance(exc, sqlite3.IntegrityError):
                    raise IntegrityError(str(exc)) from exc
                raise
            if rows:
                self._head_written = self._head_pending
                self._rules_trusted = self._trusted_pending
                if self._heads_streams and not self._heads_streams.isdisjoint(r[0] for r in rows):
                    self._heads_known.clear()  # this writer moved a stream whose head it knew
            if len(self._latest) > REMEMBERED:
                self._latest.clear()
            self._latest.update(latest)

    def _chain_into(
        self,
        c: sqlite3.Cursor | sqlite3.Connection,
        rows: Sequence[Row],
        known: dict[str, tuple[int, bytes]],
        rules: RulesSeen | None = None,
    ) -> dict[str, tuple[int, bytes]]:
        """Insert the rows with their ledger columns and move the tree head, in the caller's
        transaction (which holds the write lock); the latest (version, digest) of each
        complaint written.

        The head this writer last wrote is tried first: the UPDATE applies only if the stored
        head is still that one (same size, complete); otherwise another process appended, and
        the head is read and the chaining redone. Either way the head moves from what the
        transaction sees.

        The same test answers ``rules``: an unmoved head means no event was appended since this
        writer's last transaction, so the rules' streams reach where they did then, when they
        were last checked. A moved head is another writer's append: the streams' heads are read
        here, under the write lock, and ``RulesMoved`` raised if they are not ``rules``. Until a
        write checks them, a foreign append seen by a write without ``rules`` leaves the heads
        unchecked (``_rules_trusted``), and the next write with ``rules`` reads them."""
        if not rows:
            return {}
        previous: dict[Key, bytes] = {}
        if len(rows) == 1:  # a command's one event: its complaint's event before it, if any
            wanted = {rows[0][0]: rows[0][1] - 1} if rows[0][1] > 1 else {}
        else:
            wanted = wanted_previous(rows)
        for cid, version in wanted.items():
            remembered = known.get(str(cid))
            if remembered is not None and remembered[0] == version:
                previous[cid] = remembered[1]
            else:
                found = self._digest_of(c, cid, version)
                if found is not None:
                    previous[cid] = found
        frontier = self._head_written if known is self._latest else None
        moved = False
        if frontier is not None:
            chained, after = chain(rows, frontier, previous)
            moved = (
                c.execute(self._move_head_sql, (after.size, after.to_bytes(), frontier.size)).rowcount == 1
            )
        unchecked = not (moved and self._rules_trusted)  # another writer's append since a check
        if rules is not None and unchecked and self._rules_moved(c, rules):
            raise RulesMoved(self._store)
        self._trusted_pending = rules is not None or not unchecked
        if not moved:
            frontier = writable(self._read_head(c), self._store)
            chained, after = chain(rows, frontier, previous)
            c.execute(
                f"UPDATE {HEAD_TABLE} SET size = ?, frontier = ? WHERE id = 1", (after.size, after.to_bytes())
            )
        values = [(*r, *k) for r, k in zip(rows, chained, strict=True)]
        if len(values) == 1:  # a command's one event: execute skips executemany's iterator setup
            c.execute(self._insert_sql, values[0])
        else:
            c.executemany(self._insert_sql, values)
        self._head_pending = after
        return {str(r[0]): (r[1], k.digest) for r, k in zip(rows, chained, strict=True)}

    @classmethod
    def _rules_moved(cls, c: sqlite3.Cursor | sqlite3.Connection, rules: RulesSeen) -> bool:
        heads = cls._stream_heads_on(c, rules.streams)
        return tuple(heads.get(stream, 0) for stream in rules.streams) != rules.heads

    @staticmethod
    def _read_head(c: sqlite3.Cursor | sqlite3.Connection) -> Head | None:
        found = c.execute(f"SELECT size, frontier, complete FROM {HEAD_TABLE} WHERE id = 1").fetchone()
        return None if found is None else Head(found[0], bytes(found[1]), bool(found[2]))

    def _digest_of(self, c: sqlite3.Cursor | sqlite3.Connection, cid: Key, version: int) -> bytes | None:
        found = c.execute(
            f"SELECT digest FROM {self.events_table_name} WHERE originator_id = ? AND originator_version = ?",
            (_hex(cid), version),
        ).fetchone()
        return None if found is None or found[0] is None else bytes(found[0])

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
                self._cursor = None
                self._writer.close()
                self._writer = None

    def construct_create_table_statements(self) -> list[str]:
        events = self.events_table_name
        return [
            # The library's table (eventsourcing 9.5), with the ledger columns beside.
            f"CREATE TABLE IF NOT EXISTS {events} (originator_id TEXT, originator_version INTEGER, "
            "topic TEXT, state BLOB, leaf INTEGER, digest BLOB, previous BLOB, "
            "PRIMARY KEY (originator_id, originator_version))",
            f"CREATE TABLE IF NOT EXISTS {TABLE} (complaint_id TEXT PRIMARY KEY, "
            "due_us INTEGER NOT NULL, clock TEXT NOT NULL, start_us INTEGER, institution TEXT) WITHOUT ROWID",
            f"CREATE INDEX IF NOT EXISTS {TABLE}_due ON {TABLE} (due_us, complaint_id)",
            f"CREATE TABLE IF NOT EXISTS {HEAD_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), "
            "size INTEGER NOT NULL, frontier BLOB NOT NULL, complete INTEGER NOT NULL)",
            # A new log starts chained; one written before the ledger waits for `upgrade`.
            f"INSERT OR IGNORE INTO {HEAD_TABLE} SELECT 1, 0, X'{EMPTY_FRONTIER.hex()}', 1 "
            f"WHERE NOT EXISTS (SELECT 1 FROM {events})",
            f"CREATE TABLE IF NOT EXISTS {SIGNED_TABLE} (id INTEGER PRIMARY KEY, size INTEGER NOT NULL, "
            "root BLOB NOT NULL, instant_us INTEGER NOT NULL, public_key BLOB NOT NULL, "
            "signature BLOB NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {OVERRIDES_TABLE} (id INTEGER PRIMARY KEY, "
            "instant_us INTEGER NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL, "
            "size INTEGER NOT NULL, place TEXT NOT NULL)",
        ]

    def create_table(self) -> None:
        """The tables, columns and tree head a log lacks, in one write transaction; a log that has
        them all is only read, so opening a file to read waits for no writer (WAL lets readers
        read beside one)."""
        if not self.tables_exist():
            super().create_table()

    def tables_exist(self) -> bool:
        """Whether the file holds every table, index and column this recorder creates."""
        with self.datastore.transaction(commit=False) as c:
            return _complete(c, self.events_table_name)

    def _create_table(self, c: SQLiteCursor) -> None:
        statements = self.create_table_statements
        c.execute(statements[0])
        _add_columns(c, self.events_table_name, LEDGER_COLUMNS)
        for statement in statements[1:]:
            c.execute(statement)
        _add_columns(c, TABLE, CLOCK_START_COLUMNS)

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        rows = [(_hex(s.originator_id), s.originator_version, s.topic, s.state) for s in stored_events]
        self._chain_into(c.sqlite_cursor, rows, {})
        self._write(c, deadline_rows(kwargs))
        return None

    @staticmethod
    def _write(c: SQLiteCursor | sqlite3.Cursor, rows: Iterable[DeadlineRow]) -> None:
        for row in rows:
            if row.due_us is None:
                c.execute(f"DELETE FROM {TABLE} WHERE complaint_id = ?", (row.complaint_id.hex,))
            else:
                c.execute(
                    f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?, ?, ?, ?)",
                    (row.complaint_id.hex, row.due_us, row.clock, row.start_us, row.institution),
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

    def select_clocks_between(self, from_us: int, before_us: int) -> list[DeadlineRow]:
        with self.datastore.transaction(commit=False) as c:
            cursor = c.sqlite_cursor
            cursor.row_factory = None
            cursor.execute(
                f"SELECT complaint_id, due_us, clock, start_us, institution FROM {TABLE} "
                "WHERE due_us >= ? AND due_us < ? ORDER BY due_us",
                (from_us, before_us),
            )
            return [DeadlineRow(UUID(r[0]), *r[1:]) for r in cursor.fetchall()]

    def count_deadlines(self) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT COUNT(*) FROM {TABLE}")
            count: int = c.fetchone()[0]
            return count

    def replace_deadlines(self, rows: Iterable[DeadlineRow]) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {TABLE}")
            self._write(c, rows)

    # -- the ledger (chaining.LedgerStore) ------------------------------------------------

    def ledger_head(self) -> Head | None:
        with self.datastore.transaction(commit=False) as c:
            found = c.sqlite_cursor.execute(
                f"SELECT size, frontier, complete, (SELECT MAX(rowid) FROM {self.events_table_name}) "
                f"FROM {HEAD_TABLE} WHERE id = 1"
            ).fetchone()
            return None if found is None else Head(found[0], bytes(found[1]), bool(found[2]), found[3] or 0)

    def ledger_page(self, *, after: int, until: int, limit: int) -> list[LedgerRow]:
        return self._ledger_rows("rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?", (after, until, limit))

    def ledger_digest(self, complaint_id: Key, version: int) -> bytes | None:
        with self.datastore.transaction(commit=False) as c:
            return self._digest_of(c.sqlite_cursor, complaint_id, version)

    def stream_heads(self, streams: Sequence[UUID]) -> dict[UUID, int]:
        """The heads, read again only when the file changed: SQLite's ``PRAGMA data_version``
        on the writer connection changes when any other connection (of this process or another)
        commits, and what this writer appends to these streams drops the heads it knows. It is
        read before the heads, so a commit in between is seen next time. (A read on a pooled
        connection after each command's write cost 60-70 us: the write made its page cache stale.)"""
        key = tuple(streams)
        if self.datastore.pool.is_sqlite_memory_mode:  # no second connection to that database
            return self._read_stream_heads(key)
        with self._writing:
            if self._closed:
                raise StoreUnavailable(
                    "SQLite file {db_name} was closed", db_name=self.datastore.pool.db_name
                )
            writer = self._writer or self._open_writer()
            version = writer.execute("PRAGMA data_version").fetchone()[0]
            known = self._heads_known.get(key)
            if known is not None and known[0] == version:
                return dict(known[1])
            heads = self._stream_heads_on(writer, key)
            self._heads_known[key] = (version, heads)
            self._heads_streams.update(s.hex for s in key)
            return dict(heads)

    def _read_stream_heads(self, streams: tuple[UUID, ...]) -> dict[UUID, int]:
        with self.datastore.transaction(commit=False) as c:
            return self._stream_heads_on(c.sqlite_cursor, streams)

    @staticmethod
    def _stream_heads_on(
        c: sqlite3.Cursor | sqlite3.Connection, streams: tuple[UUID, ...]
    ) -> dict[UUID, int]:
        marks = ", ".join("?" * len(streams))
        sql = (
            "SELECT originator_id, MAX(originator_version) FROM stored_events "
            f"WHERE originator_id IN ({marks}) GROUP BY originator_id"
        )
        rows = c.execute(sql, [s.hex for s in streams]).fetchall()
        return {UUID(str(row[0])): int(row[1]) for row in rows}

    def ledger_chain(self, complaint_id: UUID) -> list[LedgerRow]:
        return self._ledger_rows("originator_id = ? ORDER BY originator_version", (complaint_id.hex,))

    def _ledger_rows(self, where: str, params: tuple[Any, ...]) -> list[LedgerRow]:
        """Event rows with their ledger columns (position first), plain tuples."""
        with self.datastore.transaction(commit=False) as c:
            cursor = c.sqlite_cursor
            cursor.row_factory = None
            cursor.execute(
                f"SELECT rowid, originator_id, originator_version, topic, state, leaf, digest, previous "
                f"FROM {self.events_table_name} WHERE {where}",
                params,
            )
            rows: list[LedgerRow] = cursor.fetchall()
            return rows

    def signed_heads(self) -> list[SignedRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT size, root, instant_us, public_key, signature FROM {SIGNED_TABLE} ORDER BY id")
            return [SignedRow(r[0], bytes(r[1]), r[2], bytes(r[3]), bytes(r[4])) for r in c.fetchall()]

    def add_signed_head(self, row: SignedRow) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {SIGNED_TABLE} (size, root, instant_us, public_key, signature) "
                "VALUES (?, ?, ?, ?, ?)",
                tuple(row),
            )

    def overrides(self) -> list[OverrideRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT instant_us, actor, reason, size, place FROM {OVERRIDES_TABLE} ORDER BY id")
            return [OverrideRow(*r) for r in c.fetchall()]

    def add_override(self, row: OverrideRow) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {OVERRIDES_TABLE} (instant_us, actor, reason, size, place) "
                "VALUES (?, ?, ?, ?, ?)",
                tuple(row),
            )

    def all_deadlines(self) -> list[DeadlineRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT complaint_id, due_us, clock, start_us, institution FROM {TABLE} "
                "ORDER BY complaint_id"
            )
            return [DeadlineRow(UUID(r[0]), r[1], r[2], r[3], r[4]) for r in c.fetchall()]

    def upgrade_ledger(self, limit: int) -> Upgraded:
        with self._writing:
            writer = self._writer or self._open_writer()
            writer.execute("BEGIN IMMEDIATE")
            try:
                done, head = self._upgrade_batch(writer, limit)
                writer.execute("COMMIT")
            except BaseException:
                if writer.in_transaction:
                    writer.execute("ROLLBACK")
                raise
            self._latest.clear()
            self._head_written = None
            return Upgraded(done, head)

    def _upgrade_batch(self, c: sqlite3.Connection, limit: int) -> tuple[int, Head]:
        head = self._read_head(c) or Head(0, EMPTY_FRONTIER, False)
        events = self.events_table_name
        found = c.execute(
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {events} "
            "WHERE digest IS NULL ORDER BY rowid LIMIT ?",
            (limit,),
        ).fetchall()
        rows: list[Row] = [(r[1], r[2], r[3], bytes(r[4])) for r in found]
        previous: dict[Key, bytes] = {}
        for cid, version in wanted_previous(rows).items():
            digest = self._digest_of(c, cid, version)
            if digest is not None:
                previous[cid] = digest
        chained, frontier = chain(rows, Frontier.from_bytes(head.frontier), previous)
        c.executemany(
            f"UPDATE {events} SET leaf = ?, digest = ?, previous = ? WHERE rowid = ?",
            [(*k, r[0]) for r, k in zip(found, chained, strict=True)],
        )
        complete = len(found) < limit
        after = Head(frontier.size, frontier.to_bytes(), complete)
        c.execute(
            f"INSERT OR REPLACE INTO {HEAD_TABLE} VALUES (1, ?, ?, ?)",
            (after.size, after.frontier, int(complete)),
        )
        return len(found), after


_AFTER_ANY_HEX = "~"  # sorts after every hex id: no upper bound


LEDGER_COLUMNS = (("leaf", "INTEGER"), ("digest", "BLOB"), ("previous", "BLOB"))
"""What a log written before the ledger lacks: `upgrade` fills them."""
CLOCK_START_COLUMNS = (("start_us", "INTEGER"), ("institution", "TEXT"))
"""What a deadline index written before it kept the clocks' starts lacks: new rows have them, old
ones are repaired from their complaints (amendments) or filled by a rebuild."""


def _complete(c: SQLiteCursor, events: str) -> bool:
    """Whether the log has every table, index and column ``_create_table`` makes, and its tree
    head (or events written before the ledger, which ``upgrade`` chains): reads only."""
    tables = (events, TABLE, f"{TABLE}_due", HEAD_TABLE, SIGNED_TABLE, OVERRIDES_TABLE)
    c.execute(f"SELECT count(*) FROM sqlite_master WHERE name IN ({', '.join('?' for _ in tables)})", tables)
    if c.fetchone()[0] != len(tables):
        return False
    for table, columns in ((events, LEDGER_COLUMNS), (TABLE, CLOCK_START_COLUMNS)):
        c.execute(f"PRAGMA table_info({table})")
        if not {name for name, _ in columns} <= {row[1] for row in c.fetchall()}:
            return False
    c.execute(f"SELECT EXISTS (SELECT 1 FROM {HEAD_TABLE}) OR EXISTS (SELECT 1 FROM {events})")
    return bool(c.fetchone()[0])


def _add_columns(c: SQLiteCursor, table: str, columns: Iterable[tuple[str, str]]) -> None:
    """Add the nullable columns a table written by an older version lacks."""
    c.execute(f"PRAGMA table_info({table})")
    present = {row[1] for row in c.fetchall()}
    for column, kind in columns:
        if column not in present:
            try:
                c.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            except sqlite3.OperationalError as exc:  # another process added it first
                if "duplicate column" not in str(exc):
                    raise


def _hex(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id
