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
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import psycopg
import pytest
from psycopg.sql import SQL

from lapor_domain import ConcurrentUpdate, LaporApp, LaporError, Reporter, StoreUnavailable
from lapor_domain.model.actors import Actor
from lapor_projections.db import open_database
from lapor_projections.store import LOG_POSITION, ViewStore
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
    def open_and_count(_: int) -> int:
        with LaporApp(target(schema), clock=wall_clock) as app:
            return app.log.deadline_index.count_deadlines()

    results = at_once(open_and_count)
    assert failures(results) == [] and results == [0] * DOZEN


def test_a_dozen_read_sides_creating_their_tables_at_once_all_succeed(schema: str) -> None:
    def create(_: int) -> int:
        db = open_database(target(schema))
        try:
            store = ViewStore(db)
            with db.transaction() as cur:
                store.create(cur)
            return store.position(LOG_POSITION)
        finally:
            db.close()

    results = at_once(create)
    assert failures(results) == [] and results == [0] * DOZEN


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
    assert sorted(d.returncode for d in done) == [0, 0] + [1] * (DOZEN - 2)  # one verification each
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
