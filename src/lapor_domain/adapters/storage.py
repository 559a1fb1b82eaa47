"""Where the events live: the in-memory store, a SQLite file, or PostgreSQL.

A *store target* is text an operator can type: ``memory``, a file path (SQLite,
the embedded default), or ``postgresql://user[:password]@host[:port]/dbname
[?schema=NAME]``. It becomes the eventsourcing environment here, so callers never
touch the library's environment variables, and the process environment is never
read: the target alone decides. A URL's only parameters are ``schema`` (a name of
letters, digits, ``_`` and ``-``, at most 63 bytes: PostgreSQL would cut a longer one
short) and ``connect_timeout`` (whole seconds); anything else is refused, not ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import InvalidInput

MEMORY = "memory"
DDL_LOCK = 0x1A9_0D_DD1
"""The PostgreSQL advisory lock under which the event store and the read side create their
tables, so many processes may open one schema at once."""
EXISTING_RELATIONS = (
    "SELECT COUNT(*) AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace "
    "WHERE s.nspname = %s AND c.relname = ANY(%s)"
)
"""How many of the named tables and indexes a PostgreSQL schema holds (schema, names): what a
creator asks before taking ``DDL_LOCK``, and again once it holds it."""
SCHEMA = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
LONGEST_NAME = 63  # bytes: PostgreSQL's NAMEDATALEN - 1
PARAMETERS = ("schema", "connect_timeout")
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


@dataclass(frozen=True, slots=True)
class StoreTarget:
    kind: str  # "memory" | "sqlite" | "postgres"
    env: dict[str, str]
    description: str
    text: str = ""  # the target as given

    @property
    def is_persistent(self) -> bool:
        return self.kind != MEMORY


def parse_target(target: str) -> StoreTarget:
    """Turn an operator's store target into eventsourcing settings."""
    if not isinstance(target, str):
        raise InvalidInput("a store target is text, not {kind}", kind=type(target).__name__)
    text = target.strip()
    if "\x00" in text:
        raise InvalidInput("a store target cannot hold a NUL character: {target!r}", target=target)
    if not text:
        raise InvalidInput("empty store target: give a SQLite file path, 'memory' or a postgresql:// URL")
    if text in (MEMORY, ":memory:"):
        return StoreTarget(MEMORY, {"PERSISTENCE_MODULE": "eventsourcing.popo"}, "in-memory store", text)
    if text.startswith(("postgresql://", "postgres://")):
        return _postgres(text)
    return StoreTarget(
        "sqlite",
        {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": text,
            "SQLITE_LOCK_TIMEOUT": "30",
        },
        f"SQLite file {text}",
        text,
    )


def _postgres(url: str) -> StoreTarget:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # a port that is not a number, or out of range
        raise InvalidInput("PostgreSQL URL {url}: {reason}", url=_redact(url), reason=str(exc)) from None
    dbname = parts.path.lstrip("/")
    if not dbname or not parts.hostname:
        raise InvalidInput("PostgreSQL URL needs a host and a database name: {url}", url=_redact(url))
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - set(PARAMETERS))
    if unknown:
        raise InvalidInput(
            "PostgreSQL URL {url}: unknown parameter {unknown}; known: {known}",
            url=_redact(url),
            unknown=", ".join(map(repr, unknown)),
            known=", ".join(PARAMETERS),
        )
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(dbname),
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_SCHEMA": _schema(_one(query, "schema", "public", url)),
        "POSTGRES_CONNECT_TIMEOUT": _seconds(_one(query, "connect_timeout", "5", url)),
        "POSTGRES_POOL_SIZE": "5",
        "POSTGRES_MAX_OVERFLOW": "10",
        "POSTGRES_LOCK_TIMEOUT": "10",
    }
    return StoreTarget("postgres", env, f"PostgreSQL {_redact(url)}", url)


def _one(query: dict[str, list[str]], name: str, default: str, url: str) -> str:
    values = query.get(name, [default])
    if len(values) != 1:
        raise InvalidInput(
            "PostgreSQL URL {url} gives {name} {count} times", url=_redact(url), name=name, count=len(values)
        )
    return values[0]


def _schema(name: str) -> str:
    if not SCHEMA.fullmatch(name):
        raise InvalidInput("a schema name is letters, digits, '_' and '-', not {name!r}", name=name)
    if len(name.encode()) > LONGEST_NAME:
        raise InvalidInput(
            "the schema name {name!r} is longer than PostgreSQL's {LONGEST_NAME} bytes",
            name=name,
            LONGEST_NAME=LONGEST_NAME,
        )
    if name.lower().startswith("pg_"):
        raise InvalidInput("the schema name {name!r} starts with pg_, which PostgreSQL reserves", name=name)
    return name


def _seconds(text: str) -> str:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 3600:
        raise InvalidInput("connect_timeout is whole seconds from 1 to 3600, not {text!r}", text=text)
    return str(int(text))


def _redact(url: str) -> str:
    """The URL with its password hidden (textually: the URL may not even parse)."""
    return _PASSWORD.sub(r"\1***@", url)
