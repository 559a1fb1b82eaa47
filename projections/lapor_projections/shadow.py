"""A rebuild's shadow tables, and the lock that tells a running rebuild from an abandoned one.

A rebuild builds ``rebuild_*`` tables beside the live views and renames them into place
when done. None may outlive the rebuild that made them, even one killed with SIGKILL:
half-built views would be mistaken for views. The rebuilding process
therefore holds, for the rebuild's whole duration, a lock that is released however the
process ends:

* SQLite: an exclusive ``flock`` on a lock file beside the database (``<file>-rebuild-lock``);
  the operating system drops it with the process. The holder removes the file when done,
  so it exists only while a rebuild runs or after one was killed.
* PostgreSQL: a session advisory lock keyed by the schema, taken on the read models'
  connection; the server drops it with the connection.

Opening the read models (every ``lapor`` command, ``lapor check``) looks for shadow
tables; if there are some and the lock can be taken at once, no rebuild is running and
they are dropped. A rebuild drops a failed attempt's shadow itself, and waits for
another process's rebuild to end before it starts its own.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any

from lapor_domain import parse_target

from .db import Database
from .store import TABLES, ViewStore

SHADOW = "rebuild_"


class RebuildLock:
    """Held by a process while it rebuilds; ``held()`` blocks, ``if_free()`` does not."""

    def held(self) -> AbstractContextManager[None]:
        return nullcontext()

    def if_free(self) -> AbstractContextManager[bool]:
        return nullcontext(True)  # an in-memory database lives and dies with its one process


def rebuild_lock(db: Database, target: str) -> RebuildLock:
    store = parse_target(target)
    if store.kind == "sqlite":
        return _FileLock(Path(f"{store.env['SQLITE_DBNAME']}-rebuild-lock"))
    if store.kind == "postgres":
        return _AdvisoryLock(db)
    return RebuildLock()


def drop_abandoned_shadow(db: Database, lock: RebuildLock) -> bool:
    """Drop shadow tables that no running rebuild owns; True if there were some."""
    if not any(db.table_exists(SHADOW + table) for table in TABLES):
        return False
    with lock.if_free() as free:
        if free:
            with db.transaction() as cur:
                ViewStore(db, prefix=SHADOW).drop(cur)
    return free


class _FileLock(RebuildLock):
    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def held(self) -> Iterator[None]:
        handle = self._locked(blocking=True)
        assert handle is not None
        try:
            yield
        finally:
            self._release(handle)

    @contextmanager
    def if_free(self) -> Iterator[bool]:
        handle = self._locked(blocking=False)
        try:
            yield handle is not None
        finally:
            if handle is not None:
                self._release(handle)

    def _locked(self, *, blocking: bool) -> int | None:
        """The open, locked lock file; None if another process holds it (when not blocking).

        The file may be removed by the holder just before this process locks it, so
        the lock counts only if the path still names the file locked.
        """
        while True:
            handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                os.close(handle)
                return None
            try:
                same = os.stat(self.path).st_ino == os.fstat(handle).st_ino
            except FileNotFoundError:
                same = False
            if same:
                return handle
            os.close(handle)

    def _release(self, handle: int) -> None:
        self.path.unlink(missing_ok=True)  # while still locked: a waiter then retries on a new file
        os.close(handle)


class _AdvisoryLock(RebuildLock):
    def __init__(self, db: Database) -> None:
        self.db = db
        digest = hashlib.sha256(f"lapor rebuild {db.table(SHADOW)}".encode()).digest()
        self.key = int.from_bytes(digest[:8], "big", signed=True)

    @contextmanager
    def held(self) -> Iterator[None]:
        self._select("pg_advisory_lock")
        try:
            yield
        finally:
            self._unlock()

    @contextmanager
    def if_free(self) -> Iterator[bool]:
        free = bool(self._select("pg_try_advisory_lock"))
        try:
            yield free
        finally:
            if free:
                self._unlock()

    def _select(self, function: str) -> Any:
        with self.db.transaction() as cur:
            cur.execute(f"SELECT {function}(?)", (self.key,))
            return cur.fetchone()[0]

    def _unlock(self) -> None:
        import psycopg

        with suppress(psycopg.Error):  # if the connection is gone, the lock went with it
            self._select("pg_advisory_unlock")
