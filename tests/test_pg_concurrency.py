"""Many processes at once on one PostgreSQL schema.

Opening a store runs its table creation; a dozen processes opening a fresh (or an
existing) schema together must all succeed, and commands racing on one complaint
either succeed or come out as ConcurrentUpdate (a refusal, exit 1), never as a
database that is unavailable (exit 4) and never as a traceback.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
from psycopg.sql import SQL

from lapor_domain import ConcurrentUpdate, LaporApp, LaporError, Reporter, StoreUnavailable
from lapor_domain.adapters.postgres_recorder import PostgresRecorder
from lapor_domain.adapters.storage import DDL_LOCK, parse_target
from lapor_domain.model.actors import Actor
from lapor_domain.sealing.keystore import KeyStore, keystore_target
from lapor_projections.db import open_database
from lapor_projections.store import LOG_POSITION, TRACKING, ViewStore
from test_cli_e2e import NATIONAL, executable

from conftest import PG_DSN, drop_schema, require_postgres

pytestmark = pytest.mark.postgres

DOZEN = 12
T = TypeVar("T")


@pytest.fixture
def schema() -> Iterator[str]:
    """A schema name nobody has created yet (dropped afterwards)."""
    require_postgres()
    name = f"lapor_race_{uuid.uuid4().hex[:12]}"
    try:
        yield name
    finally:
        drop_schema(name)


def target(schema: str) -> str:
    return f"{PG_DSN}?schema={schema}"


def together(commands: list[list[str]], cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    """Start every command at once; wait for all of them."""
    env = {k: v for k, v in os.environ.items() if k not in ("LAPOR_DB", "LAPOR_POLICY")}
    started = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd, env=env)
        for command in commands
    ]
    done = []
    for process in started:
        out, err = process.communicate(timeout=60)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


def at_once(work: Callable[[int], T], count: int = DOZEN) -> list[T | BaseException]:
    """Run ``work(i)`` in ``count`` threads released together; what each returned or raised."""
    gate = threading.Barrier(count)
    results: list[T | BaseException] = [RuntimeError("did not run")] * count

    def run(i: int) -> None:
        gate.wait()
        try:
            results[i] = work(i)
        except BaseException as exc:  # the test asserts on every outcome
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def failures(results: list[object]) -> list[str]:
    return [repr(r) for r in results if isinstance(r, BaseException)]


@pytest.mark.slow  # a dozen processes
def test_a_dozen_sweeps_started_together_on_a_fresh_schema_all_succeed(schema: str, tmp_path: Path) -> None:
    sweep = [executable(), "--db", target(schema), "tick", "--at", "2026-06-01T00:00"]
    done = together([sweep] * DOZEN, tmp_path)
    assert [d.returncode for d in done] == [0] * DOZEN, [d.stderr for d in done if d.returncode]
    assert not [d.stderr for d in done if "Traceback" in d.stderr]


def test_a_dozen_applications_opening_a_fresh_schema_at_once_all_open_it(schema: str) -> None:
    results = at_once(lambda _: _opened_store(target(schema)))
    assert failures(results) == [] and results == [0] * DOZEN


def test_a_dozen_read_sides_creating_their_tables_at_once_all_succeed(schema: str) -> None:
    results = at_once(lambda _: _opened_views(target(schema)))
    assert failures(results) == [] and results == [0] * DOZEN


def _opened_store(store: str) -> int:
    """Open the application on ``store`` (creating its tables if missing): its deadline count."""
    with LaporApp(store, clock=wall_clock) as app:
        return app.log.deadline_index.count_deadlines()


def _opened_views(store: str, *, lock_timeout: str | None = None) -> int:
    """Open the views on ``store`` (creating their tables if missing): their log position.
    With ``lock_timeout``, waiting for a lock fails after it rather than hangs."""
    db = open_database(store)
    try:
        views = ViewStore(db)
        with db.transaction() as cur:
            if lock_timeout is not None:
                cur.execute(f"SET LOCAL lock_timeout = '{lock_timeout}'")
            views.create(cur)
        return views.position(LOG_POSITION)
    finally:
        db.close()


def wall_clock() -> datetime:
    """These tests race real processes, which enter their commands now (rule 13)."""
    return datetime.now(UTC)


def _submitted(store: str, count: int) -> list[str]:
    # Submitted an hour ago: the processes below enter their commands now (rule 13).
    with LaporApp(store, clock=lambda: datetime.now(UTC)) as app:
        return [
            str(
                app.submit(
                    by=Actor.parse("pelapor:warga-1"),
                    at=datetime.now(UTC) - timedelta(hours=1),
                    reporter=Reporter(name="Warga", contact="0812"),
                    title=f"Jalan berlubang {n}",
                    description="Lubang besar di jalan",
                ).id
            )
            for n in range(count)
        ]


@pytest.mark.slow  # a dozen processes
def test_a_dozen_commands_racing_on_the_same_complaints_succeed_or_are_refused(
    schema: str, tmp_path: Path
) -> None:
    first, second = _submitted(target(schema), 2)
    commands = [
        [executable(), "--db", target(schema), "verify", cid, "--as", NATIONAL]
        for cid in (first, second) * (DOZEN // 2)
    ]
    done = together(commands, tmp_path)
    assert {d.returncode for d in done} <= {0, 1}, [d.stderr for d in done if d.returncode not in (0, 1)]
    assert not [d.stderr for d in done if "Traceback" in d.stderr]
    refused = [d.stderr.strip() for d in done if d.returncode]
    assert sorted(d.returncode for d in done) == [0, 0] + [1] * (DOZEN - 2), refused  # one verification each
    with LaporApp(target(schema), clock=wall_clock) as app:
        assert [len(app.history(cid)) for cid in (first, second)] == [2, 2]


def test_racing_applications_lose_only_with_a_typed_refusal(schema: str) -> None:
    (cid,) = _submitted(target(schema), 1)
    apps = [LaporApp(target(schema), clock=wall_clock, retries=0) for _ in range(DOZEN)]
    national = Actor.parse(NATIONAL)

    def verify(i: int) -> int:
        return apps[i].verify(uuid.UUID(cid), by=national, at=wall_clock()).version

    try:
        results = at_once(verify)
    finally:
        for app in apps:
            app.close()
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, LaporError)]
    assert unexpected == [] and not [r for r in results if isinstance(r, StoreUnavailable)]
    assert results.count(2) == 1  # exactly one verification was recorded


def test_a_write_kept_waiting_for_the_log_lock_is_a_concurrent_update(schema: str) -> None:
    (cid,) = _submitted(target(schema), 1)
    with LaporApp(target(schema), clock=wall_clock) as app:
        recorder = app.log.recorder
        # The store waits POSTGRES_LOCK_TIMEOUT (10 s) for the log's lock; a second here.
        recorder.lock_table_statements[0] = SQL("SET LOCAL lock_timeout = '1s'")  # type: ignore[attr-defined]
        with psycopg.connect(PG_DSN) as holder:
            holder.execute(f'LOCK TABLE "{schema}".stored_events IN EXCLUSIVE MODE')
            with pytest.raises(ConcurrentUpdate, match="another writer"):
                app.verify(uuid.UUID(cid), by=Actor.parse(NATIONAL), at=wall_clock())
            holder.rollback()
        assert len(app.history(cid)) == 1  # nothing was recorded


# -- creators that waited for the DDL lock ------------------------------------------------
# A process that finds the schema incomplete waits for the DDL lock; by the time it holds it,
# another may have created everything. Its CREATE ... IF NOT EXISTS statements would then lock
# the tables anyway (CREATE INDEX IF NOT EXISTS takes its table's lock first) and, waiting for a
# row the other process's first write holds, deadlock with it (seen as a verify refused with
# "deadlock detected" among a dozen racing commands).


def _waiting_for_ddl_lock() -> int:
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND NOT granted",
            (DDL_LOCK & 0xFFFFFFFF,),
        ).fetchone()
        return int(row[0]) if row else 0


def _two_creators_released_together(create: Callable[[int], object]) -> list[object]:
    """Run ``create`` in two threads that both wait for the DDL lock, then let them go."""
    with psycopg.connect(PG_DSN) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (DDL_LOCK,))
        results: list[object] = [None, None]

        def run(i: int) -> None:
            try:
                results[i] = create(i)
            except BaseException as exc:  # asserted on below
                results[i] = exc

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while _waiting_for_ddl_lock() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _waiting_for_ddl_lock() == 2, "both creators should be waiting for the DDL lock"
        holder.rollback()  # releases the lock: one creates, then the other finds it all there
    for thread in threads:
        thread.join(timeout=60)
    return results


def _calls_of(monkeypatch: pytest.MonkeyPatch, cls: type, name: str) -> list[object]:
    """Count the calls of ``cls.name`` from now on: the list holds each call's instance."""
    calls: list[object] = []
    original = getattr(cls, name)

    def counted(self: object, cur: Any) -> None:
        calls.append(self)
        original(self, cur)

    monkeypatch.setattr(cls, name, counted)
    return calls


def test_a_store_created_while_an_opener_waited_for_the_lock_is_not_created_again(
    schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = _calls_of(monkeypatch, PostgresRecorder, "_create")
    assert _two_creators_released_together(lambda _: _opened_store(target(schema))) == [0, 0]
    assert len(created) == 1, created  # the events table's, once


def test_views_created_while_an_opener_waited_for_the_lock_are_not_created_again(
    schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = _calls_of(monkeypatch, ViewStore, "create_indexes")
    open_database(target(schema)).close()  # the schema only: the creators wait in ViewStore.create
    assert _two_creators_released_together(lambda _: _opened_views(target(schema))) == [0, 0]
    assert len(created) == 1, created


def test_opening_complete_views_waits_for_no_catch_up_in_progress(schema: str) -> None:
    """A catch-up holds the views' position row until it commits; opening them meanwhile only reads."""
    _opened_views(target(schema))  # created
    with psycopg.connect(PG_DSN) as catching_up:
        catching_up.execute(
            f'UPDATE "{schema}".{TRACKING} SET position = position WHERE name = %s', (LOG_POSITION,)
        )
        opened = at_once(lambda _: _opened_views(target(schema), lock_timeout="2s"), count=1)
        catching_up.rollback()
    assert opened == [0]


def test_opening_a_complete_key_store_waits_for_no_key_being_written(schema: str) -> None:
    """A command sealing an identity holds the data keys' table; another process opening the
    key store meanwhile only reads what is there (it used to wait, creating its indexes again)."""
    keys = keystore_target(parse_target(target(schema)))
    KeyStore(keys).close()  # created
    with psycopg.connect(PG_DSN) as sealing:
        sealing.execute(f'LOCK TABLE "{keys.env["POSTGRES_SCHEMA"]}".lapor_data_keys IN ROW EXCLUSIVE MODE')
        opened = threading.Event()
        opener = threading.Thread(target=lambda: (KeyStore(keys).close(), opened.set()))
        opener.start()
        waited_for = not opened.wait(timeout=5)
        sealing.rollback()
        opener.join(timeout=30)
    assert not waited_for
