"""The key store: data keys' wraps, reporters' pseudonym secrets, reader public keys and the
disclosure register, apart from the event log (DOMAIN.md rule 14).

One SQL schema on two engines (and SQLite in memory for the in-memory store):

* ``lapor_reader_keys`` (key_id, reader, public, created_us, retired_us): every reader's
  public keys, so any process can seal; a retired key is no longer wrapped for.
* ``lapor_data_keys`` (complaint_id, pseudonym_secret, holder, sealed_us): one row per
  sealed identity; ``holder`` is the institution whose admin team rule 10 entitles.
* ``lapor_key_wraps`` (complaint_id, key_id, reader, wrapped): the data key wrapped for one
  reader key. A data key wrapped for no one (no reader key registered) is not kept at all.
* ``lapor_disclosures``: who saw which identity, when, with which key, for what.
* ``lapor_key_progress`` (name, position): how far the maintenance pass has read the log.

Erasure deletes a complaint's rows; SQLite runs with ``secure_delete`` (freed pages zeroed)
and truncates its WAL afterwards, so no page of the file holds a destroyed key.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple
from uuid import UUID

from ..adapters.storage import DDL_LOCK, EXISTING_RELATIONS, StoreTarget
from ..adapters.store_errors import store_errors

READERS = "lapor_reader_keys"
DATA = "lapor_data_keys"
WRAPS = "lapor_key_wraps"
DISCLOSURES = "lapor_disclosures"
PROGRESS = "lapor_key_progress"
ID_BATCH = 500
"""Complaint ids asked about in one ``IN (...)`` list (far below either database's limit)."""


class ReaderPublicKey(NamedTuple):
    key_id: str
    reader: str
    public: bytes
    created_us: int
    retired_us: int | None


class Wrap(NamedTuple):
    complaint_id: UUID
    key_id: str
    reader: str
    wrapped: bytes


class DataKeyRow(NamedTuple):
    complaint_id: UUID
    pseudonym_secret: bytes
    holder: str | None
    sealed_us: int
    wraps: Sequence[Wrap]


class Disclosure(NamedTuple):
    """One showing of an identity: to whom, when, with which reader key, for what."""

    seq: int
    at_us: int
    complaint_id: UUID
    viewer: str
    reader: str
    key_id: str
    purpose: str


class WantedWrap(NamedTuple):
    """A data key not yet wrapped for an active key of a reader it is meant for."""

    complaint_id: UUID
    reader: str
    key_id: str
    public: bytes


class KeyExists(Exception):
    """A data key is already stored for this complaint."""


class StaleReaders(Exception):
    """The reader keys changed since the wraps were made: wrap again for the current ones."""


def _ddl(blob: str, serial: str, big: str) -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {{p}}{READERS} (key_id TEXT PRIMARY KEY, reader TEXT NOT NULL, "
        f"public {blob} NOT NULL, created_us {big} NOT NULL, retired_us {big})",
        f"CREATE TABLE IF NOT EXISTS {{p}}{DATA} (complaint_id TEXT PRIMARY KEY, pseudonym_secret {blob} "
        f"NOT NULL, holder TEXT, sealed_us {big} NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {DATA}_sealed ON {{p}}{DATA} (sealed_us)",
        f"CREATE TABLE IF NOT EXISTS {{p}}{WRAPS} (complaint_id TEXT NOT NULL, key_id TEXT NOT NULL, "
        f"reader TEXT NOT NULL, wrapped {blob} NOT NULL, PRIMARY KEY (complaint_id, key_id))",
        f"CREATE INDEX IF NOT EXISTS {WRAPS}_key ON {{p}}{WRAPS} (key_id)",
        f"CREATE TABLE IF NOT EXISTS {{p}}{DISCLOSURES} (seq {serial}, at_us {big} NOT NULL, "
        "complaint_id TEXT NOT NULL, viewer TEXT NOT NULL, reader TEXT NOT NULL, key_id TEXT NOT NULL, "
        "purpose TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {{p}}{PROGRESS} (name TEXT PRIMARY KEY, position {big} NOT NULL)",
    ]


RELATIONS = tuple(re.findall(r"IF NOT EXISTS (?:\{p\})?(\w+)", " ".join(_ddl("", "", ""))))
"""Every table and index ``_ddl`` creates, by the names it gives them."""


def _pg_complete(cur: Any, schema: str) -> bool:
    cur.execute(EXISTING_RELATIONS, (schema, list(RELATIONS)))
    return bool(cur.fetchone()[0] == len(RELATIONS))


def _sqlite_complete(conn: sqlite3.Connection) -> bool:
    marks = ", ".join("?" for _ in RELATIONS)
    found = conn.execute(f"SELECT count(*) FROM sqlite_master WHERE name IN ({marks})", RELATIONS).fetchone()
    return bool(found[0] == len(RELATIONS))


@dataclass
class _Dialect:
    prefix: str  # a schema, quoted, with its dot; or nothing
    placeholder: str
    ddl: list[str]

    def sql(self, text: str) -> str:
        return text.replace("{p}", self.prefix).replace("?", self.placeholder)


class KeyStore:
    """The key store on one SQLite file, one PostgreSQL schema, or in memory."""

    def __init__(self, target: StoreTarget) -> None:
        self.target = target
        self.description = f"the key store ({target.description})"
        self._lock = threading.RLock()
        self._sqlite: sqlite3.Connection | None = None
        self._pg: Any = None
        with store_errors(self.description, opening=True):
            try:
                if target.kind == "postgres":
                    self._open_postgres()
                else:
                    self._open_sqlite(":memory:" if target.kind == "memory" else target.env["SQLITE_DBNAME"])
            except BaseException:
                self.close()  # a connection made before its tables failed is not left open
                raise

    # -- opening ------------------------------------------------------------------------

    def _open_sqlite(self, path: str) -> None:
        self.dialect = _Dialect("", "?", _ddl("BLOB", "INTEGER PRIMARY KEY", "INTEGER"))
        conn = self._sqlite = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA secure_delete=ON")
        if path != ":memory:":
            conn.execute("PRAGMA journal_mode=WAL").fetchall()
            conn.execute("PRAGMA synchronous=FULL")
        if _sqlite_complete(conn):
            return  # only read: no lock that a process writing keys holds (WAL reads beside it)
        with self._write() as cur:
            for statement in self.dialect.ddl:
                cur.execute(statement.replace("{p}", ""))

    def _open_postgres(self) -> None:
        import psycopg

        env = self.target.env
        schema = env["POSTGRES_SCHEMA"]
        self.dialect = _Dialect(f'"{schema}".', "%s", _ddl("BYTEA", "BIGSERIAL PRIMARY KEY", "BIGINT"))
        self._pg = psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=int(env["POSTGRES_PORT"]),
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"] or None,
            connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]),
            autocommit=True,
        )
        with self._write() as cur:
            if _pg_complete(cur, schema):
                return  # only read: no lock that a process creating or writing keys waits for
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (DDL_LOCK,))
            if _pg_complete(cur, schema):
                return  # another process created it while this one waited for the lock
            cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            for statement in self.dialect.ddl:
                cur.execute(statement.replace("{p}", self.dialect.prefix))

    def close(self) -> None:
        with self._lock:
            if self._sqlite is not None:
                self._sqlite.close()
                self._sqlite = None
            if self._pg is not None:
                self._pg.close()
                self._pg = None

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Any]:
        """One write transaction (SQLite: BEGIN IMMEDIATE, so writers queue), typed errors."""
        with self._lock, store_errors(self.description):
            if self._pg is not None:
                with self._pg.transaction(), self._pg.cursor() as cur:
                    yield cur
                return
            conn = self._sqlite
            if conn is None:
                raise sqlite3.ProgrammingError("the key store is closed")
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn.cursor()
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock, store_errors(self.description):
            if self._pg is not None:
                with self._pg.cursor() as cur:
                    cur.execute(self.dialect.sql(sql), params)
                    return list(cur.fetchall())
            conn = self._sqlite
            if conn is None:
                raise sqlite3.ProgrammingError("the key store is closed")
            return conn.execute(self.dialect.sql(sql), params).fetchall()

    def _exec(self, cur: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        cur.execute(self.dialect.sql(sql), params)
        return cur

    def _exec_many(self, cur: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        cur.executemany(self.dialect.sql(sql), rows)

    # -- reader keys --------------------------------------------------------------------

    def reader_keys(self, *, active: bool = True) -> list[ReaderPublicKey]:
        where = " WHERE retired_us IS NULL" if active else ""
        rows = self._read(f"SELECT key_id, reader, public, created_us, retired_us FROM {{p}}{READERS}{where}")
        return sorted(
            (ReaderPublicKey(r[0], r[1], bytes(r[2]), r[3], r[4]) for r in rows), key=lambda k: k[:2]
        )

    def register(self, keys: Sequence[tuple[str, str, bytes]], at_us: int) -> None:
        """Register (key_id, reader, public) keys; one already there is left as it is."""
        with self._write() as cur:
            for kid, reader, public in keys:
                self._exec(
                    cur,
                    f"INSERT INTO {{p}}{READERS} (key_id, reader, public, created_us) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (key_id) DO NOTHING",
                    (kid, reader, public, at_us),
                )

    def retire(self, key_ids: Sequence[str], at_us: int, rewrap: Callable[[list[Wrap]], list[Wrap]]) -> int:
        """Retire these reader keys and delete every wrap made for them, in one transaction.

        First, under the same lock writers take, ``rewrap`` is given each data key still
        wrapped for a retiring key and for no active one (a submission that raced the
        rotation) and returns its wraps for the active keys. Returns the wraps deleted.
        """
        if not key_ids:
            return 0
        marks = ", ".join("?" for _ in key_ids)
        with self._write() as cur:
            if self._pg is not None:
                self._exec(cur, f"LOCK TABLE {{p}}{READERS} IN EXCLUSIVE MODE")
            self._exec(
                cur, f"UPDATE {{p}}{READERS} SET retired_us = ? WHERE key_id IN ({marks})", (at_us, *key_ids)
            )
            stragglers = self._exec(
                cur,
                f"SELECT w.complaint_id, w.key_id, w.reader, w.wrapped FROM {{p}}{WRAPS} w "
                f"WHERE w.key_id IN ({marks}) AND NOT EXISTS (SELECT 1 FROM {{p}}{WRAPS} o "
                f"JOIN {{p}}{READERS} r ON r.key_id = o.key_id AND r.retired_us IS NULL "
                "WHERE o.complaint_id = w.complaint_id AND o.reader = w.reader)",
                tuple(key_ids),
            ).fetchall()
            self._insert_wraps(
                cur, list(rewrap([Wrap(UUID(r[0]), r[1], r[2], bytes(r[3])) for r in stragglers]))
            )
            deleted = self._exec(cur, f"DELETE FROM {{p}}{WRAPS} WHERE key_id IN ({marks})", tuple(key_ids))
            count = int(deleted.rowcount)
        self._settle()
        return count

    @classmethod
    def copy_reader_keys(cls, source: StoreTarget, target: StoreTarget) -> None:
        """Register the reader public keys of one key store in another (a store built anew)."""
        old, new = cls(source), cls(target)
        try:
            for k in old.reader_keys(active=False):
                with new._write() as cur:
                    new._exec(
                        cur,
                        f"INSERT INTO {{p}}{READERS} (key_id, reader, public, created_us, retired_us) "
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (key_id) DO NOTHING",
                        tuple(k),
                    )
        finally:
            old.close()
            new.close()

    # -- data keys ----------------------------------------------------------------------

    def store(
        self,
        rows: Sequence[DataKeyRow],
        *,
        for_keys: frozenset[str],
        replace_orphans: Callable[[UUID], bool] | None = None,
    ) -> None:
        """Store sealed identities' rows in one transaction, before their events are recorded.

        ``for_keys`` are the active reader key ids the wraps were made for; if the active
        set changed meanwhile (a rotation), StaleReaders: wrap again. A complaint that has a
        row already is KeyExists, unless ``replace_orphans(id)`` says its row is an orphan.
        """
        with self._write() as cur:
            if self._pg is not None:
                self._exec(cur, f"SELECT key_id FROM {{p}}{READERS} WHERE retired_us IS NULL FOR SHARE")
                active = frozenset(r[0] for r in cur.fetchall())
            else:
                active = frozenset(
                    r[0]
                    for r in self._exec(cur, f"SELECT key_id FROM {{p}}{READERS} WHERE retired_us IS NULL")
                )
            if active != for_keys:
                raise StaleReaders(sorted(active ^ for_keys))
            ids = [row.complaint_id.hex for row in rows]
            taken = self._taken(cur, ids)
            for cid in ids:
                if cid in taken and (replace_orphans is None or not replace_orphans(UUID(cid))):
                    raise KeyExists(str(UUID(cid)))
            if taken:
                self._delete(cur, list(taken))
            self._exec_many(
                cur,
                f"INSERT INTO {{p}}{DATA} (complaint_id, pseudonym_secret, holder, sealed_us) "
                "VALUES (?, ?, ?, ?)",
                [
                    (cid, row.pseudonym_secret, row.holder, row.sealed_us)
                    for cid, row in zip(ids, rows, strict=True)
                ],
            )
            self._insert_wraps(cur, [wrap for row in rows for wrap in row.wraps])

    def _taken(self, cur: Any, ids: Sequence[str]) -> set[str]:
        """Which of these complaints have a data key row already (one query a few hundred)."""
        taken: set[str] = set()
        for start in range(0, len(ids), ID_BATCH):
            some = ids[start : start + ID_BATCH]
            marks = ", ".join("?" for _ in some)
            found = self._exec(
                cur, f"SELECT complaint_id FROM {{p}}{DATA} WHERE complaint_id IN ({marks})", some
            )
            taken.update(r[0] for r in found.fetchall())
        return taken

    def _insert_wraps(self, cur: Any, wraps: Sequence[Wrap]) -> None:
        """Wraps, each only while its data key is kept (an erasure racing a re-wrap wins)."""
        if wraps:
            self._exec_many(
                cur,
                f"INSERT INTO {{p}}{WRAPS} (complaint_id, key_id, reader, wrapped) SELECT ?, ?, ?, ? "
                f"WHERE EXISTS (SELECT 1 FROM {{p}}{DATA} WHERE complaint_id = ?) ON CONFLICT DO NOTHING",
                [(w.complaint_id.hex, w.key_id, w.reader, w.wrapped, w.complaint_id.hex) for w in wraps],
            )

    def add_wraps(self, wraps: Sequence[Wrap]) -> None:
        if wraps:
            with self._write() as cur:
                self._insert_wraps(cur, wraps)

    def pseudonym_secret(self, complaint_id: UUID) -> bytes | None:
        rows = self._read(
            f"SELECT pseudonym_secret FROM {{p}}{DATA} WHERE complaint_id = ?", (complaint_id.hex,)
        )
        return bytes(rows[0][0]) if rows else None

    def has_data_key(self, complaint_id: UUID) -> bool:
        return bool(self._read(f"SELECT 1 FROM {{p}}{DATA} WHERE complaint_id = ?", (complaint_id.hex,)))

    def wraps(self, complaint_id: UUID) -> list[Wrap]:
        rows = self._read(
            f"SELECT key_id, reader, wrapped FROM {{p}}{WRAPS} WHERE complaint_id = ? ORDER BY key_id",
            (complaint_id.hex,),
        )
        return [Wrap(complaint_id, r[0], r[1], bytes(r[2])) for r in rows]

    def move(self, holders: Sequence[tuple[UUID, str]]) -> None:
        """The complaints now held by these institutions: the wraps for any other admin team go
        (rule 10 entitles the holder's, not every institution's); the new holder's wraps are
        wanted (``wanted``) until a process with a key at hand makes them."""
        if not holders:
            return
        with self._write() as cur:
            for cid, institution in holders:
                self._exec(
                    cur, f"UPDATE {{p}}{DATA} SET holder = ? WHERE complaint_id = ?", (institution, cid.hex)
                )
                self._exec(
                    cur,
                    f"DELETE FROM {{p}}{WRAPS} WHERE complaint_id = ? AND reader LIKE ? AND reader <> ?",
                    (cid.hex, "tim-admin:%", "tim-admin:" + institution),
                )

    def holders(self, complaint_ids: Sequence[UUID]) -> dict[UUID, str | None]:
        found: dict[UUID, str | None] = {}
        for cid in complaint_ids:
            rows = self._read(f"SELECT holder FROM {{p}}{DATA} WHERE complaint_id = ?", (cid.hex,))
            if rows:
                found[cid] = rows[0][0]
        return found

    def wanted(
        self, *, limit: int, after: UUID | None = None, complaint_id: UUID | None = None
    ) -> list[WantedWrap]:
        """Data keys (that some reader can open) not yet wrapped for an active key of a reader
        they are meant for: the national desk, and the holder's admin team. In id order;
        after ``after``, or of one complaint only."""
        start = after.hex if after else ""
        one = "AND d.complaint_id = ? " if complaint_id else ""
        rows = self._read(
            f"SELECT d.complaint_id, r.reader, r.key_id, r.public FROM {{p}}{DATA} d "
            f"JOIN {{p}}{READERS} r ON r.retired_us IS NULL "
            "AND (r.reader = 'lapor-sp4n' OR r.reader = 'tim-admin:' || d.holder) "
            f"WHERE d.complaint_id > ? {one}"
            f"AND EXISTS (SELECT 1 FROM {{p}}{WRAPS} x WHERE x.complaint_id = d.complaint_id) "
            f"AND NOT EXISTS (SELECT 1 FROM {{p}}{WRAPS} w WHERE w.complaint_id = d.complaint_id "
            "AND w.key_id = r.key_id) ORDER BY d.complaint_id, r.key_id LIMIT ?",
            (start, *([complaint_id.hex] if complaint_id else []), limit),
        )
        return [WantedWrap(UUID(r[0]), r[1], r[2], bytes(r[3])) for r in rows]

    def wrapped_for(self, key_ids: Sequence[str], *, limit: int, after: UUID | None = None) -> list[UUID]:
        """Complaints with a wrap for one of these keys, in id order (a rotation's work list)."""
        marks = ", ".join("?" for _ in key_ids)
        rows = self._read(
            f"SELECT DISTINCT complaint_id FROM {{p}}{WRAPS} WHERE key_id IN ({marks}) AND complaint_id > ? "
            "ORDER BY complaint_id LIMIT ?",
            (*key_ids, after.hex if after else "", limit),
        )
        return [UUID(r[0]) for r in rows]

    def sealed_between(self, after_us: int, until_us: int, *, limit: int) -> list[tuple[UUID, int]]:
        rows = self._read(
            f"SELECT complaint_id, sealed_us FROM {{p}}{DATA} WHERE sealed_us > ? AND sealed_us <= ? "
            "ORDER BY sealed_us LIMIT ?",
            (after_us, until_us, limit),
        )
        return [(UUID(r[0]), r[1]) for r in rows]

    def count(self) -> tuple[int, int]:
        """(data keys, wraps) kept."""
        data = self._read(f"SELECT COUNT(*) FROM {{p}}{DATA}")[0][0]
        wraps = self._read(f"SELECT COUNT(*) FROM {{p}}{WRAPS}")[0][0]
        return int(data), int(wraps)

    # -- erasure ------------------------------------------------------------------------

    def destroy(self, complaint_ids: Sequence[UUID]) -> int:
        """Delete these complaints' data keys, wraps and pseudonym secrets; returns how many
        data keys were kept. On SQLite the freed pages are zeroed and the WAL truncated."""
        if not complaint_ids:
            return 0
        with self._write() as cur:
            count = self._delete(cur, [cid.hex for cid in complaint_ids])
        self._settle()
        return count

    def _delete(self, cur: Any, ids: list[str]) -> int:
        marks = ", ".join("?" for _ in ids)
        self._exec(cur, f"DELETE FROM {{p}}{WRAPS} WHERE complaint_id IN ({marks})", ids)
        return int(self._exec(cur, f"DELETE FROM {{p}}{DATA} WHERE complaint_id IN ({marks})", ids).rowcount)

    def _settle(self) -> None:
        """SQLite: fold the WAL into the file and truncate it, so a deleted key's page images
        leave the WAL too (``secure_delete`` already zeroed them in the file)."""
        if self._sqlite is not None and self.target.kind == "sqlite":
            with self._lock, store_errors(self.description):
                self._sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    # -- the disclosure register and the maintenance position ------------------------------

    def disclose(
        self, at_us: int, complaint_id: UUID, viewer: str, reader: str, kid: str, purpose: str
    ) -> None:
        with self._write() as cur:
            self._exec(
                cur,
                f"INSERT INTO {{p}}{DISCLOSURES} (at_us, complaint_id, viewer, reader, key_id, purpose) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (at_us, complaint_id.hex, viewer, reader, kid, purpose),
            )

    def disclosures(self, complaint_id: UUID | None = None) -> list[Disclosure]:
        where, params = ("WHERE complaint_id = ?", (complaint_id.hex,)) if complaint_id else ("", ())
        rows = self._read(
            f"SELECT seq, at_us, complaint_id, viewer, reader, key_id, purpose FROM {{p}}{DISCLOSURES} "
            f"{where} ORDER BY seq",
            params,
        )
        return [Disclosure(r[0], r[1], UUID(r[2]), r[3], r[4], r[5], r[6]) for r in rows]

    def position(self, name: str) -> int:
        rows = self._read(f"SELECT position FROM {{p}}{PROGRESS} WHERE name = ?", (name,))
        return int(rows[0][0]) if rows else 0

    def set_position(self, name: str, position: int) -> None:
        with self._write() as cur:
            self._exec(
                cur,
                f"INSERT INTO {{p}}{PROGRESS} (name, position) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
                (name, position),
            )


KEYS_SUFFIX = ".keys"
SCHEMA_SUFFIX = "_keys"


def keystore_target(log: StoreTarget, explicit: str | None = None) -> StoreTarget:
    """Where a log's key store lives: ``explicit`` if given; else beside the log, apart from it:
    for a SQLite file ``FILE`` the file ``FILE.keys``, for a PostgreSQL schema ``S`` the schema
    ``S_keys`` of the same database, for the in-memory store memory."""
    from ..adapters.storage import parse_target

    if explicit is not None:
        return parse_target(explicit)
    if log.kind == "sqlite":
        return parse_target(log.env["SQLITE_DBNAME"] + KEYS_SUFFIX)
    if log.kind == "postgres":
        schema = log.env["POSTGRES_SCHEMA"]
        keys = schema + SCHEMA_SUFFIX
        if len(keys.encode()) > 63:  # PostgreSQL's longest name: keep it unique, and short enough
            import hashlib

            keys = f"{schema[:40]}_{hashlib.sha256(schema.encode()).hexdigest()[:12]}{SCHEMA_SUFFIX}"
        env = {**log.env, "POSTGRES_SCHEMA": keys}
        return StoreTarget("postgres", env, f"{log.description.split('?')[0]}?schema={keys}", log.text)
    return log
