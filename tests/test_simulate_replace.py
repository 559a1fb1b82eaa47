"""`lapor simulate --replace` checks its input first and swaps a finished file in: it never loses data."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

import lapor_cli.simulate
from lapor_cli.main import cli
from lapor_domain import InvalidInput, LaporApp, SlaPolicy
from lapor_projections.simulation import Workload

from conftest import StepClock, drop_schema, store_target


def lapor(db: Path | str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def events_in(db: Path) -> list[tuple[Any, ...]]:
    """The complaints' stored events (the policy's version 1 and the base calendar, recorded with
    them, left out)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT rowid, * FROM stored_events WHERE topic NOT IN "
            "('lapor.PolicyRecorded', 'lapor.BaseCalendarRecorded') ORDER BY rowid"
        ).fetchall()
    conn.close()
    return rows


def simulated(db: Path | str, *args: str) -> dict[str, Any]:
    result = lapor(db, "simulate", "--json", *args)
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


@pytest.fixture
def db(tmp_path: Path) -> Path:
    db = tmp_path / "old.db"
    simulated(db, "--complaints", "12", "--seed", "1")
    return db


def leftovers(folder: Path, keep: Path) -> list[str]:
    """Files in the folder other than the database itself (a temporary copy, a WAL, a journal)."""
    own = (keep, keep.with_name(keep.name + ".keys"))  # the database and its key store
    return sorted(p.name for p in folder.iterdir() if p not in own and not p.name.endswith(("-wal", "-shm")))


@pytest.mark.parametrize(
    "bad",
    [
        ("--from", "9999-01-01"),
        ("--complaints", str(10**12)),
        ("--from", "2051-01-01"),
        ("--from", "2009-12-01"),
        ("--complaints", "200000", "--scale", "national", "--from", "2049-06-01"),
    ],
    ids=["year-9999", "10**12-complaints", "after-the-calendar", "before-the-calendar", "runs-past-2050"],
)
def test_a_refused_replace_leaves_the_old_database_as_it_was(db: Path, bad: tuple[str, ...]) -> None:
    before = events_in(db)
    result = lapor(db, "simulate", "--replace", *bad)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("lapor: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert events_in(db) == before
    assert leftovers(db.parent, db) == []


def test_a_successful_replace_gives_the_new_history_and_no_stray_files(db: Path) -> None:
    db.chmod(0o640)
    old = events_in(db)
    summary = simulated(db, "--replace", "--complaints", "7", "--seed", "2")
    new = events_in(db)
    assert summary["complaints"] == 7 and summary["events"] == len(new)
    assert summary["db"] == str(db)
    assert new != old and not {row[1] for row in new} & {row[1] for row in old}  # other complaints
    assert leftovers(db.parent, db) == []
    assert db.stat().st_mode & 0o777 == 0o640  # the old file's permissions
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    queue = lapor(db, "queue", "--json")  # the views were caught up in the new file
    assert queue.exit_code == 0, queue.output


def test_replace_creates_a_missing_file(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    simulated(db, "--replace", "--complaints", "3")
    assert events_in(db) and leftovers(tmp_path, db) == []


@pytest.mark.parametrize("interruption", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_a_crash_in_the_middle_of_a_replace_keeps_the_old_database_and_removes_the_new(
    db: Path, monkeypatch: pytest.MonkeyPatch, interruption: BaseException
) -> None:
    before = events_in(db)
    real = lapor_cli.simulate.simulate
    written: list[int] = []

    def crashing(app: Any, workload: Workload, **kwargs: Any) -> Any:
        def progress(done: int, total: int) -> None:
            written.append(app.log.recorder.max_notification_id())
            raise interruption

        return real(app, workload, batch=20, progress=progress)

    monkeypatch.setattr(lapor_cli.simulate, "simulate", crashing)
    result = lapor(db, "simulate", "--replace", "--complaints", "30", "--seed", "4")
    assert result.exit_code != 0
    assert written and written[0] >= 20  # events had been stored in the new file
    assert events_in(db) == before
    assert leftovers(db.parent, db) == []


@pytest.mark.postgres
def test_replace_is_refused_for_postgresql_and_the_history_stays(tmp_path: Path) -> None:
    target, schema = store_target("postgres", tmp_path)
    try:
        first = simulated(target, "--complaints", "3")
        result = lapor(target, "simulate", "--replace", "--complaints", "3", "--seed", "9")
        assert result.exit_code == 2 and "SQLite file" in result.stderr
        app = LaporApp(target, clock=StepClock())
        assert app.log.recorder.max_notification_id() == first["events"] + 2  # and the rules
        app.close()
    finally:
        assert schema is not None
        drop_schema(schema)


POLICY = SlaPolicy.cirebon()


@given(
    start=st.dates(),
    complaints=st.integers(min_value=1, max_value=10**15),
    per_year=st.none() | st.floats(min_value=1e-9, max_value=1e12),
)
def test_any_workload_is_either_refused_with_invalid_input_or_fits_the_calendar(
    start: Any, complaints: int, per_year: float | None
) -> None:
    calendar = POLICY.calendar
    try:
        workload = Workload(complaints=complaints, start=start, per_year=per_year)
        workload.require_calendar(calendar)
    except InvalidInput:
        return
    assert calendar.first_year <= start.year
    assert workload.last_day().year <= calendar.last_year
