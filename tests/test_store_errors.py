"""Store errors typed once: what each driver says becomes the library's error (no server needed)."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import ConnectionPoolClosedError, IntegrityError, OperationalError

from lapor_domain import ConcurrentUpdate, StoreCorrupt, StoreUnavailable
from lapor_domain.adapters import postgres_recorder
from lapor_domain.adapters.postgres_recorder import PostgresRecorder
from lapor_domain.adapters.store_errors import typed_store_error


@pytest.mark.parametrize(("error", "typed"), [
    (sqlite3.OperationalError("database is locked"), StoreUnavailable),
    (sqlite3.DatabaseError("file is not a database"), StoreCorrupt),
    (OperationalError("server closed the connection"), StoreUnavailable),
    (ConnectionPoolClosedError(), StoreUnavailable),
    (psycopg.errors.DeadlockDetected("deadlock detected"), ConcurrentUpdate),
    (psycopg.errors.SerializationFailure("could not serialize"), ConcurrentUpdate),
    (psycopg.errors.LockNotAvailable("lock timeout"), ConcurrentUpdate),
    (psycopg.OperationalError("connection refused"), StoreUnavailable),
    (psycopg.errors.DataCorrupted("invalid page"), StoreCorrupt),
])  # fmt: skip
def test_each_drivers_failure_becomes_the_librarys_error(error: Exception, typed: type) -> None:
    found = typed_store_error(error, "the store")
    assert type(found) is typed, found


def test_what_is_not_a_store_failure_passes() -> None:
    assert typed_store_error(IntegrityError("version taken"), "s") is None  # the retry's signal
    assert typed_store_error(KeyError("x"), "s") is None


def _lost(cause: Exception) -> OperationalError:
    error = OperationalError("write failed")
    error.__cause__ = cause
    return error


def test_a_deadlock_is_retried_and_a_lasting_one_is_a_concurrent_update(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder: Any = SimpleNamespace(datastore=SimpleNamespace(lock_timeout=10))
    recorder._lost_race = lambda exc: PostgresRecorder._lost_race(recorder, exc)
    monkeypatch.setattr(postgres_recorder.time, "sleep", lambda _: None)
    deadlock = psycopg.errors.DeadlockDetected
    tries = iter([_lost(deadlock("deadlock detected")), _lost(deadlock("deadlock detected"))])

    def insert_once(*_: Any, **__: Any) -> list[int]:
        error = next(tries, None)
        if error is not None:
            raise error
        return [7]

    monkeypatch.setattr(postgres_recorder, "_insert_once", insert_once)
    assert PostgresRecorder.insert_events(recorder, []) == [7]  # two deadlocks, then it went through

    def always(*_: Any, **__: Any) -> list[int]:
        raise _lost(psycopg.errors.SerializationFailure("could not serialize"))

    monkeypatch.setattr(postgres_recorder, "_insert_once", always)
    with pytest.raises(ConcurrentUpdate, match="colliding"):
        PostgresRecorder.insert_events(recorder, [])


def test_a_lock_timeout_is_a_concurrent_update_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder: Any = SimpleNamespace(datastore=SimpleNamespace(lock_timeout=10))
    recorder._lost_race = lambda exc: PostgresRecorder._lost_race(recorder, exc)
    calls = []

    def timed_out(*_: Any, **__: Any) -> list[int]:
        calls.append(1)
        raise _lost(psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"))

    monkeypatch.setattr(postgres_recorder, "_insert_once", timed_out)
    with pytest.raises(ConcurrentUpdate, match="held the event log"):
        PostgresRecorder.insert_events(recorder, [])
    assert calls == [1]
