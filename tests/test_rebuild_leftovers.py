"""A rebuild killed in the middle leaves no shadow tables (they hold reporters' personal data) for long.

A rebuild still running keeps its shadow; once its process is gone, the next opening of
the read models, or the next rebuild, drops what it left.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from lapor_domain import LaporApp
from lapor_projections import ReadModels
from lapor_projections.db import Database
from lapor_projections.shadow import SHADOW
from lapor_projections.store import TABLES
from test_follower_process import spawn
from test_read_models import as_rows, reference, stored

from conftest import StepClock
from walk import random_walk

KILLED_BEFORE_THE_SWITCH = """
import lapor_projections.readside as readside
original = readside.build_views
def build_then_linger(*args, **kwargs):
    applied = original(*args, **kwargs)  # the shadow is full; the live views not yet switched
    print("shadow-built", flush=True)
    time.sleep(120)
    return applied
readside.build_views = build_then_linger
ReadModels(app, workers=1).rebuild()
print("finished", flush=True)
"""


@pytest.fixture
def target(shared_target: str) -> str:
    return shared_target


def shadow_tables(db: Database) -> list[str]:
    if db.kind == "sqlite":
        rows = db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ?", ("rebuild%",))
    else:
        rows = db.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
            "AND table_name LIKE ?",
            (db.schema, "rebuild%"),  # type: ignore[attr-defined]
        )
    return sorted(row[0] for row in rows)


def opened_until_clean(app: LaporApp, seconds: float = 20) -> ReadModels:
    """Open the read models again until the shadow is gone (PostgreSQL frees a dead client's lock soon)."""
    deadline = time.monotonic() + seconds
    while True:
        views = ReadModels(app)
        if not shadow_tables(views.db) or time.monotonic() > deadline:
            return views
        views.close()
        time.sleep(0.1)


@pytest.mark.slow  # a process, killed
def test_a_killed_rebuild_leaves_no_shadow_tables_once_it_is_gone(target: str, tmp_path: Path) -> None:
    app = LaporApp(target, clock=StepClock())
    random_walk(app, seed=3, complaints=10)
    ReadModels(app).close()
    child = spawn(target, KILLED_BEFORE_THE_SWITCH)
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "shadow-built"
        while_running = ReadModels(app)
        kept = set(shadow_tables(while_running.db))  # a running rebuild keeps its shadow (FTS5 adds its own)
        assert {SHADOW + table for table in TABLES} <= kept
        while_running.close()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    views = opened_until_clean(app)
    assert shadow_tables(views.db) == []
    views.catch_up()
    assert stored(views) == as_rows(reference(app))  # the live views were never touched
    views.close()
    assert sorted(p.name for p in tmp_path.iterdir() if "rebuild" in p.name) == []
    app.close()


def test_a_rebuild_that_fails_drops_its_shadow_at_once(target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import lapor_projections.readside as readside

    app = LaporApp(target, clock=StepClock())
    random_walk(app, seed=4, complaints=6)
    views = ReadModels(app, workers=1)
    views.catch_up()

    def failing(*args: object, **kwargs: object) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(readside, "build_views", failing)
    with pytest.raises(OSError, match="disk full"):
        views.rebuild()
    assert shadow_tables(views.db) == []
    assert stored(views) == as_rows(reference(app))
    views.close()
    app.close()


@pytest.mark.slow  # a process, killed
def test_a_rebuild_after_a_killed_one_switches_cleanly(target: str) -> None:
    app = LaporApp(target, clock=StepClock())
    random_walk(app, seed=6, complaints=8)
    ReadModels(app).close()
    child = spawn(target, KILLED_BEFORE_THE_SWITCH)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "shadow-built"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()
    views = opened_until_clean(app)
    views.rebuild()
    assert shadow_tables(views.db) == []
    assert stored(views) == as_rows(reference(app))
    views.close()
    app.close()
