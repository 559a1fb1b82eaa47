"""A thin SQL seam for the read side: one SQLite file or one PostgreSQL schema.

The views are plain tables; the SQL is written once with ``?`` placeholders and
``ON CONFLICT`` upserts, which both databases speak. The target text is the same
as the domain's store target: a file path or ``postgresql://.../db?schema=NAME``.

Driver errors leave this module typed by the domain's ``store_errors``, as the event store's do:
``StoreUnavailable`` when the database cannot be opened or reached, ``StoreCorrupt``
when it is damaged or not a view database, ``ConcurrentUpdate`` for a lost race.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple, Protocol

from lapor_domain import (
    DDL_LOCK,
    parse_target,
    store_errors,
)

Row = Sequence[Any]


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def fetchone(self) -> Any: ...


class Database:
    """What the view store needs of a database."""

    kind: str
    description: str

    def table(self, name: str) -> str:
        raise NotImplementedError

    def transaction(self) -> Any:
        raise NotImplementedError

    def reading(self) -> Any:
        """A transaction that only reads (one snapshot); where writing would take a lock other
        writers hold (SQLite's ``BEGIN IMMEDIATE``), this one takes none."""
        return self.transaction()

    def close(self) -> None:
        raise NotImplementedError

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self.transaction() as cur:
            cur.execute(sql, params)
            rows: list[Any] = cur.fetchall()
            return rows

    def table_exists(self, name: str) -> bool:
        raise NotImplementedError

    def have_all(self, cur: Cursor, names: Sequence[str]) -> bool:
        """Whether every named table and index exists (seen from ``cur``'s transaction)."""
        raise NotImplementedError

    def serialise_creation(self, cur: Cursor) -> None:
        """Until ``cur``'s transaction ends, hold off every other process creating tables here."""
        raise NotImplementedError

    def rename_table(self, cur: Cursor, old: str, new: str) -> None:
        cur.execute(f"ALTER TABLE {self.table(old)} RENAME TO {_bare(new)}")

    # -- full-text search: each database's own index over one document per complaint ----

    def create_text_table(self, cur: Cursor, name: str) -> None:
        """The searchable documents (complaint_id, complaint, responses), indexed by the database."""
        raise NotImplementedError

    def text_index_names(self, name: str) -> list[str]:
        """The indexes ``create_text_index`` makes for the texts table ``name``."""
        return []

    def create_text_index(self, cur: Cursor, name: str) -> None:
        """What the texts table needs beyond itself (nothing where the table is the index)."""

    def write_texts(self, cur: Cursor, name: str, docs: Sequence[TextDoc]) -> None:
        """New documents, and responses added to stored ones (``TextDoc.complaint`` None)."""
        raise NotImplementedError

    def search_texts(self, name: str, complaints: str, terms: Sequence[str]) -> tuple[str, list[Any]]:
        """SQL for the complaints whose document holds every term as a word or a word's
        beginning, best first, and its parameters. The caller fills ``{filter}`` (a condition
        on the complaints, ``c``) and gives two more parameters: how many of the best
        documents to look at, and how many complaints to return of those that pass."""
        raise NotImplementedError


class TextDoc(NamedTuple):
    """What a batch adds to one complaint's searchable document: its title and description
    (None when the document exists already) and its new responses."""

    complaint_id: str  # hex
    complaint: str | None
    responses: tuple[str, ...]


def _bare(name: str) -> str:
    return f'"{name}"'


class SQLiteDatabase(Database):
    kind = "sqlite"

    def __init__(self, path: str) -> None:
        self.description = f"SQLite file {path}"
        with store_errors(self.description, opening=True):
            self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
            self._conn.execute("PRAGMA journal_mode=WAL")

    def table(self, name: str) -> str:
        return _bare(name)

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        with store_errors(self.description):
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                self._conn.rollback()
                raise
            self._conn.commit()

    @contextmanager
    def reading(self) -> Iterator[Cursor]:
        with store_errors(self.description):
            cur = self._conn.cursor()
            cur.execute("BEGIN")  # deferred: a snapshot at the first read, and no write lock
            try:
                yield cur
            finally:
                self._conn.rollback()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with store_errors(self.description):
            return self._conn.execute(sql, params).fetchall()

    def table_exists(self, name: str) -> bool:
        with store_errors(self.description):
            found = self._conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,))
            return found.fetchone() is not None

    def have_all(self, cur: Cursor, names: Sequence[str]) -> bool:
        cur.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")
        return set(names) <= {row[0] for row in cur.fetchall()}

    def serialise_creation(self, cur: Cursor) -> None:
        pass  # every write transaction here is BEGIN IMMEDIATE: one writer at a time already

    def create_text_table(self, cur: Cursor, name: str) -> None:
        # FTS5: the table is its own index; words are Unicode letters and digits, case and
        # diacritics folded (no stemming: Indonesian affixes are matched by word beginnings).
        # The id is indexed too (one hex word), which finds a document to add a response to;
        # searches look only in the complaint and responses columns.
        cur.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.table(name)} USING fts5("
            "complaint_id, complaint, responses, tokenize = 'unicode61 remove_diacritics 2')"
        )

    def write_texts(self, cur: Cursor, name: str, docs: Sequence[TextDoc]) -> None:
        table = self.table(name)
        new = [(d.complaint_id, d.complaint, "\n".join(d.responses)) for d in docs if d.complaint is not None]
        if new:
            cur.executemany(f"INSERT INTO {table} (complaint_id, complaint, responses) VALUES (?, ?, ?)", new)
        added = [
            ("\n".join(d.responses), f'complaint_id:"{d.complaint_id}"') for d in docs if d.complaint is None
        ]
        if added:
            cur.executemany(
                f"UPDATE {table} SET responses = CASE WHEN responses = '' THEN ?1 "
                f"ELSE responses || char(10) || ?1 END WHERE rowid = "
                f"(SELECT rowid FROM {table} WHERE {table} MATCH ?2)",
                added,
            )

    def search_texts(self, name: str, complaints: str, terms: Sequence[str]) -> tuple[str, list[Any]]:
        table = self.table(name)
        words = " AND ".join(f'"{term}"*' for term in terms)  # terms are letters and digits only
        # The best documents first, from the index alone (FTS5 orders by rank without a sort
        # when the query is on the table by itself), then their complaints.
        sql = (
            f"SELECT t.complaint_id, t.complaint, t.responses, c.title, c.label, c.desk, c.outcome "
            f"FROM (SELECT complaint_id, complaint, responses, rank FROM {table} WHERE {table} MATCH ? "
            f"ORDER BY rank LIMIT ?) t JOIN {complaints} c ON c.complaint_id = t.complaint_id "
            "WHERE {filter} ORDER BY t.rank, t.complaint_id LIMIT ?"
        )
        return sql, [f"{{complaint responses}} : ({words})"]

    def close(self) -> None:
        self._conn.close()


class _PgCursor:
    """psycopg with the ``?`` placeholders the view SQL is written in (so no literal ``?`` in SQL)."""

    def __init__(self, cur: Any) -> None:
        self._cur = cur

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._cur.execute(sql.replace("?", "%s"), params, prepare=True)

    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> Any:
        return self._cur.executemany(sql.replace("?", "%s"), params)

    def fetchall(self) -> list[Any]:
        rows: list[Any] = self._cur.fetchall()
        return rows

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    @property
    def rowcount(self) -> int:
        count: int = self._cur.rowcount
        return count


class PostgresDatabase(Database):
    kind = "postgres"

    def __init__(self, env: dict[str, str], description: str) -> None:
        import psycopg

        self.description = description
        self.schema = env["POSTGRES_SCHEMA"]
        with store_errors(description, opening=True):
            self._conn = psycopg.connect(
                dbname=env["POSTGRES_DBNAME"],
                host=env["POSTGRES_HOST"],
                port=env["POSTGRES_PORT"],
                user=env["POSTGRES_USER"],
                password=env["POSTGRES_PASSWORD"] or None,
                connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]),
            )
            try:
                with self.transaction() as cur:
                    cur.execute("SELECT 1 FROM pg_namespace WHERE nspname = ?", (self.schema,))
                    if cur.fetchone() is None:
                        self.serialise_creation(cur)
                        cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            except BaseException:
                self._conn.close()  # a failed opening leaves no connection behind
                raise

    def table(self, name: str) -> str:
        return f'"{self.schema}"."{name}"'

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        with store_errors(self.description), self._conn.transaction(), self._conn.cursor() as cur:
            yield _PgCursor(cur)

    def table_exists(self, name: str) -> bool:
        rows = self.query(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            (self.schema, name),
        )
        return bool(rows)

    def have_all(self, cur: Cursor, names: Sequence[str]) -> bool:
        cur.execute(
            "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace "
            "WHERE s.nspname = ? AND c.relname = ANY(?)",
            (self.schema, list(names)),
        )
        return bool(cur.fetchone()[0] == len(set(names)))

    def create_text_table(self, cur: Cursor, name: str) -> None:
        # The 'simple' configuration: words lower-cased, no stemming, as SQLite's FTS5 does
        # here, so both databases find the same complaints for the same words.
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table(name)} (complaint_id TEXT PRIMARY KEY, "
            "complaint TEXT NOT NULL, responses TEXT NOT NULL, words tsvector GENERATED ALWAYS AS "
            "(to_tsvector('simple', complaint || ' ' || responses)) STORED)"
        )

    def text_index_names(self, name: str) -> list[str]:
        return [f"{name}_words"]

    def create_text_index(self, cur: Cursor, name: str) -> None:
        (index,) = self.text_index_names(name)
        cur.execute(f'CREATE INDEX IF NOT EXISTS "{index}" ON {self.table(name)} USING gin (words)')

    def write_texts(self, cur: Cursor, name: str, docs: Sequence[TextDoc]) -> None:
        table = self.table(name)
        new = [(d.complaint_id, d.complaint, "\n".join(d.responses)) for d in docs if d.complaint is not None]
        if new:
            cur.executemany(
                f"INSERT INTO {table} (complaint_id, complaint, responses) VALUES (?, ?, ?)",
                new,
            )
        for doc in docs:
            if doc.complaint is None:
                added = "\n".join(doc.responses)
                cur.execute(
                    f"UPDATE {table} SET responses = CASE WHEN responses = '' THEN ? "
                    "ELSE responses || chr(10) || ? END WHERE complaint_id = ?",
                    (added, added, doc.complaint_id),
                )

    def search_texts(self, name: str, complaints: str, terms: Sequence[str]) -> tuple[str, list[Any]]:
        query = " & ".join(f"{term}:*" for term in terms)  # terms are letters and digits only
        sql = (
            f"SELECT t.complaint_id, t.complaint, t.responses, c.title, c.label, c.desk, c.outcome "
            f"FROM (SELECT complaint_id, complaint, responses, -ts_rank(words, q) AS rank "
            f"FROM {self.table(name)}, to_tsquery('simple', ?) q WHERE words @@ q "
            "ORDER BY rank, complaint_id LIMIT ?) t "
            f"JOIN {complaints} c ON c.complaint_id = t.complaint_id "
            "WHERE {filter} ORDER BY t.rank, t.complaint_id LIMIT ?"
        )
        return sql, [query]

    def serialise_creation(self, cur: Cursor) -> None:
        # The same key as the event store's: both create in one schema (CREATE SCHEMA included).
        cur.execute("SELECT pg_advisory_xact_lock(?)", (DDL_LOCK,))

    def close(self) -> None:
        self._conn.close()


def open_database(target: str) -> Database:
    """The database behind a store target (not the in-memory store: views need a database)."""
    store = parse_target(target)
    if store.kind == "sqlite":
        return SQLiteDatabase(store.env["SQLITE_DBNAME"])
    if store.kind == "postgres":
        return PostgresDatabase(store.env, store.description)
    return SQLiteDatabase(":memory:")  # an in-memory store's views live in memory too
