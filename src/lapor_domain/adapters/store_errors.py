"""Store errors, typed once: what a driver or the event-sourcing library raises when a store
fails becomes one of the library's errors.

``StoreUnavailable``: the store cannot be opened or reached, or failed while in use;
``StoreCorrupt``: it is not a database, its pages are malformed, or what it holds does
not read back; ``ConcurrentUpdate``: PostgreSQL says another writer got there first. The
event-sourcing library's ``IntegrityError`` passes: it is how a write learns that its
version is taken, which the application turns into a retry or ``ComplaintExists``. The
event store (``eventlog``) and the read side's databases both raise through here.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.persistence import (
    ConnectionPoolClosedError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    PersistenceError,
)

from ..errors import ConcurrentUpdate, LaporError, StoreCorrupt, StoreUnavailable


def typed_store_error(error: Exception, store: str, *, opening: bool = False) -> LaporError | None:
    """The library's error for a store's failure; None for what is not a store error."""
    if isinstance(error, LaporError | IntegrityError):
        return None
    said = " ".join(str(error).split()) or type(error).__name__
    if opening:
        unavailable = StoreUnavailable("cannot open {store}: {said}", store=store, said=said)
    else:
        unavailable = StoreUnavailable("{store}: {said}", store=store, said=said)
    corrupt = StoreCorrupt("{store} is damaged or not a lapor store: {said}", store=store, said=said)
    if isinstance(error, ConnectionPoolClosedError):  # the application was closed
        return StoreUnavailable("{store} was closed", store=store)
    if isinstance(error, InterfaceError | OperationalError | sqlite3.OperationalError | OSError):
        return unavailable
    if isinstance(error, PersistenceError | sqlite3.Error):  # DatabaseError, DataError, ...
        return corrupt
    psycopg = sys.modules.get("psycopg")  # imported only where a PostgreSQL store is used
    if psycopg is None or not isinstance(error, psycopg.Error):
        return None
    if lost_race(error):
        return ConcurrentUpdate(
            "{store}: another writer got there first ({said}); try again", store=store, said=said
        )
    if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        return unavailable
    return corrupt


def lost_race(error: BaseException) -> bool:
    """Whether PostgreSQL refused because another writer got there first: a transaction
    rollback (SQLSTATE class 40: serialization failure, deadlock) or a lock timeout (55P03).
    By SQLSTATE: psycopg's classes for these do not share a base class."""
    state = getattr(error, "sqlstate", None) or ""
    return state.startswith("40") or state == LOCK_NOT_AVAILABLE


LOCK_NOT_AVAILABLE = "55P03"


@contextmanager
def store_errors(store: str, *, opening: bool = False) -> Iterator[None]:
    """Store errors raised in the block come out typed (``typed_store_error``)."""
    try:
        yield
    except Exception as exc:
        typed = typed_store_error(exc, store, opening=opening)
        if typed is None:
            raise
        raise typed from exc
