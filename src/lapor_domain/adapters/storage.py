"""Where the events live: the in-memory store, a SQLite file, or PostgreSQL.

A *store target* is text an operator can type: ``memory``, a file path (SQLite,
the embedded default), or ``postgresql://user[:password]@host[:port]/dbname
[?schema=NAME]``. It becomes the eventsourcing environment here, so callers never
touch the library's environment variables, and the process environment is never
read: the target alone decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import InvalidInput

MEMORY = "memory"
DDL_LOCK = 0x1A9_0D_DD1
"""The PostgreSQL advisory lock under which the event store and the read side create their
tables, so many processes may open one schema at once."""


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
    text = target.strip()
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
    parts = urlsplit(url)
    dbname = parts.path.lstrip("/")
    if not dbname or not parts.hostname:
        raise InvalidInput(f"PostgreSQL URL needs a host and a database name: {_redact(url)}")
    query = parse_qs(parts.query)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(dbname),
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_SCHEMA": query.get("schema", ["public"])[0],
        "POSTGRES_CONNECT_TIMEOUT": query.get("connect_timeout", ["5"])[0],
        "POSTGRES_POOL_SIZE": "5",
        "POSTGRES_MAX_OVERFLOW": "10",
        "POSTGRES_LOCK_TIMEOUT": "10",
    }
    return StoreTarget("postgres", env, f"PostgreSQL {_redact(url)}", url)


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url
