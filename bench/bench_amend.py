"""Does a calendar amendment cost what it moves, not what is open (issue 11, DOMAIN.md rule 16)?

Run:  python bench/bench_amend.py [--open N] [--untouched-open M] [--amendments K] [--strict]

Two SQLite files, each bulk-loaded (``bulk.py``, as ``bench_sweep.py`` does) with submitted
complaints whose escalation clock (60 working days) runs: submitted between 2026-10-29 and
2026-11-27 09:00 WIB, so every clock is due in 2027 and spans Wednesday 2026-12-16.

  1. N = --open (100,000) open complaints: one amendment adds 2026-12-16 as a closing day,
     recorded at 2026-11-30 09:00 WIB: ``LaporApp.amend_calendar`` timed end to end (the
     event, the repair of every deadline it moves, one transaction). Afterwards every row of
     the deadline index is compared with the one before: all N must have moved, each later;
     and a copy of the file gets ``rebuild_deadline_index`` from the events alone, which must
     give the same rows (its time is printed: the repair's alternative).
  2. M = --untouched-open (1,000,000) open complaints: amendments of Wednesday 2029-03-14,
     a day no clock of theirs can span, alternately adding and cancelling it (so each one is
     valid): K = --amendments of them, median, max and the first. The deadline index must be
     the same after the first one as before.

Targets (issue 11, SQLite file): 1 in under 10 s; 2 in under 50 ms (median).
``--profile FILE`` writes cProfile stats of the amendment in 1.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from lapor_domain import Actor, LaporApp
from lapor_domain.adapters.recorders import DeadlineRow

import bulk

WIB = ZoneInfo("Asia/Jakarta")
RECORDED_AT = datetime(2026, 11, 27, 10, 0, tzinfo=WIB)  # when the bulk-loaded complaints were entered
OPEN_FROM = datetime(2026, 10, 29, 0, 0, tzinfo=WIB)
OPEN_UNTIL = datetime(2026, 11, 27, 9, 0, tzinfo=WIB)
AMENDED_FROM = datetime(2026, 11, 30, 9, 0, tzinfo=WIB)  # the first amendment is entered then
MOVED_DAY = date(2026, 12, 16)  # a Wednesday every open clock spans
UNTOUCHED_DAY = date(2029, 3, 14)  # a Wednesday no open clock can span
BASIS = "Keputusan Presiden (bench), hari libur nasional"
BY = Actor.national("sp4n-bench")
BATCH = 10_000  # complaints per insert_events call, as bench_sweep.py on SQLite
TARGET_MOVED_S = 10.0
TARGET_UNTOUCHED_MS = 50.0

Deadlines = dict[UUID, DeadlineRow]


class Ticking:
    """The office clock: a second later at every reading (amendments are dated when entered)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def open_store(path: str, n_open: int) -> LaporApp:
    """A SQLite file with n_open submitted complaints, every one's escalation clock spanning MOVED_DAY."""
    app = LaporApp.sqlite(path, clock=Ticking(AMENDED_FROM))
    first = bulk.submitted(app, 0, OPEN_FROM, recorded_at=RECORDED_AT)[1]
    last = bulk.submitted(app, 0, OPEN_UNTIL, recorded_at=RECORDED_AT)[1]
    assert first.due_us is not None and last.due_us is not None
    assert bulk.micros(AMENDED_FROM) < bulk.micros(datetime.combine(MOVED_DAY, datetime.min.time(), WIB))
    assert bulk.instant(first.due_us).astimezone(WIB).date() > MOVED_DAY, "every clock must span the day"
    started = time.perf_counter()
    events = bulk.load_submitted(
        app,
        bulk.spread(1, n_open, OPEN_FROM, OPEN_UNTIL),
        recorded_at=RECORDED_AT,
        batch=BATCH,
        progress=200_000,
    )
    count = app.log.deadline_index.count_deadlines()
    assert events == count == n_open, (events, count)
    took = time.perf_counter() - started
    print(
        f"    built: {n_open:,} open complaints in {took:.1f} s; escalations due "
        f"{bulk.instant(first.due_us).astimezone(WIB):%Y-%m-%d} .. "
        f"{bulk.instant(last.due_us).astimezone(WIB):%Y-%m-%d} WIB",
        flush=True,
    )
    return app


def deadlines(app: LaporApp) -> Deadlines:
    """Every row of the deadline index, whole (the clock's start and calendar too)."""
    return {row.complaint_id: row for row in app.log.deadline_index.select_clocks_between(0, 2**62)}


class Split:
    """Where an amendment's time goes: the candidates' selection and the write (the event, the
    moved rows, the commit) are timed around the log's own calls; the rest is deciding and
    recomputing the deadlines."""

    def __init__(self, app: LaporApp) -> None:
        self.select = self.write = 0.0
        index, log = app.log.deadline_index, app.log
        select, append = index.select_clocks_between, log.append

        def timed_select(*args: Any) -> Any:
            started = time.perf_counter()
            try:
                return select(*args)
            finally:
                self.select += time.perf_counter() - started

        def timed_append(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return append(*args, **kwargs)
            finally:
                self.write += time.perf_counter() - started

        index.select_clocks_between = timed_select  # type: ignore[method-assign]
        log.append = timed_append  # type: ignore[method-assign]


def amend(app: LaporApp, day: date, *, cancel: bool = False) -> float:
    """One amendment of ``day`` (added, or cancelled), timed end to end; seconds."""
    started = time.perf_counter()
    if cancel:
        app.amend_calendar(cancel=[day], basis=BASIS, by=BY)
    else:
        app.amend_calendar(add={day: "Hari libur (bench)"}, basis=BASIS, by=BY)
    return time.perf_counter() - started


def remove(path: str) -> None:
    for suffix in ("", "-wal", "-shm", ".keys", ".keys-wal", ".keys-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def file_mb(path: str) -> float:
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p)) / 1e6


def rebuilt_copy(app: LaporApp, path: str, copy: str) -> tuple[Deadlines, float]:
    """The deadline index a copy of the file rebuilds from its events alone, and the rebuild's seconds."""
    source, target = sqlite3.connect(path), sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    other = LaporApp.sqlite(copy, clock=Ticking(app.calendar_history()[-1].at))
    try:
        started = time.perf_counter()
        other.rebuild_deadline_index()
        took = time.perf_counter() - started
        return deadlines(other), took
    finally:
        other.close()
        remove(copy)


def measure_moved(tmp: str, n_open: int, profile: str | None) -> tuple[list[str], float]:
    """Scenario 1: an amendment that moves every open deadline; the verdict lines and its seconds."""
    print(f"\n[1] an amendment moving {n_open:,} open deadlines (adds {MOVED_DAY}, a Wednesday)", flush=True)
    path = os.path.join(tmp, f"moved-{n_open}.db")
    app = open_store(path, n_open)
    lines = []
    try:
        before = deadlines(app)
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        split = Split(app)
        seconds = amend(app, MOVED_DAY)
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
            print(f"    profile of the amendment written to {profile}")
        after = deadlines(app)
        moved = sum(1 for cid, row in after.items() if before.get(cid) != row)
        later = sum(1 for cid, row in after.items() if (row.due_us or 0) > (before[cid].due_us or 0))
        print(
            f"    amend_calendar: {seconds:.2f} s for {moved:,} moved deadlines "
            f"({seconds / max(moved, 1) * 1e6:.0f} µs each); {later:,} of them later; "
            f"index rows {len(before):,} before, {len(after):,} after"
        )
        print(
            f"    of which: selecting the candidates {split.select:.2f} s, writing the event and the "
            f"moved rows (one transaction) {split.write:.2f} s, the rest (recomputing) "
            f"{seconds - split.select - split.write:.2f} s"
        )
        assert len(after) == len(before) == n_open and moved == later == n_open, (moved, later)
        rebuilt, rebuild_s = rebuilt_copy(app, path, os.path.join(tmp, "copy.db"))
        same = rebuilt == after
        print(
            f"    a copy's rebuild_deadline_index from the events: {rebuild_s:.1f} s, "
            f"{'the same rows' if same else 'DIFFERENT rows'} as the repair's"
        )
        assert same, "the repair and a rebuild from the events disagree"
        untouched = [amend(app, UNTOUCHED_DAY, cancel=k % 2 == 1) for k in range(5)]
        assert deadlines(app) == after
        lines.append(
            f"INFO  an untouched amendment with these {n_open:,} open (for comparison with [2]): "
            f"median {statistics.median(untouched) * 1000:.1f} ms of 5"
        )
        print(f"    (SQLite file: {file_mb(path):,.0f} MB, removed)")
    finally:
        app.close()
        remove(path)
    ok = seconds < TARGET_MOVED_S
    lines.insert(
        0,
        f"{'PASS' if ok else 'FAIL'}  amendment moving {n_open:,} open deadlines, with its repair: "
        f"{seconds:.2f} s (target < {TARGET_MOVED_S:.0f} s)",
    )
    return lines, seconds


def measure_untouched(tmp: str, m_open: int, count: int) -> list[str]:
    """Scenario 2: amendments no open clock can span; the verdict lines."""
    print(
        f"\n[2] {count} amendments of {UNTOUCHED_DAY} (added, cancelled, ...) with {m_open:,} open",
        flush=True,
    )
    path = os.path.join(tmp, f"untouched-{m_open}.db")
    app = open_store(path, m_open)
    try:
        before = deadlines(app)
        times = [amend(app, UNTOUCHED_DAY)]
        assert deadlines(app) == before, "an amendment no clock spans moved a deadline"
        del before
        times += [amend(app, UNTOUCHED_DAY, cancel=k % 2 == 0) for k in range(count - 1)]
        assert app.log.deadline_index.count_deadlines() == m_open
        ms = [t * 1000 for t in times]
        print(
            f"    amend_calendar: median {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms, "
            f"first {ms[0]:.1f} ms; all: {', '.join(f'{x:.1f}' for x in ms)}"
        )
        print(f"    (SQLite file: {file_mb(path):,.0f} MB, removed)")
    finally:
        app.close()
        remove(path)
    med = statistics.median(ms)
    return [
        f"{'PASS' if med < TARGET_UNTOUCHED_MS else 'FAIL'}  amendment touching none of {m_open:,} open: "
        f"median {med:.1f} ms of {count}, max {max(ms):.1f} ms (target < {TARGET_UNTOUCHED_MS:.0f} ms)"
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000, help="open complaints the amendment moves (N)")
    parser.add_argument(
        "--untouched-open", type=int, default=1_000_000, help="open complaints none of which it moves (M)"
    )
    parser.add_argument("--amendments", type=int, default=9, help="untouched amendments timed in [2]")
    parser.add_argument("--skip", choices=("moved", "untouched"), help="leave out one of the two")
    parser.add_argument("--profile", default=None, help="write cProfile stats of [1]'s amendment here")
    parser.add_argument("--dir", default=None, help="parent of the temporary directory")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args()

    print(
        f"bench_amend  python {sys.version.split()[0]}  sqlite {sqlite3.sqlite_version}  "
        f"cores {os.cpu_count()}"
    )
    tmp = tempfile.mkdtemp(prefix="lapor-amend-", dir=args.dir)
    lines: list[str] = []
    started = time.perf_counter()
    runs: list[Callable[[], list[str]]] = []
    if args.skip != "moved":
        runs.append(lambda: measure_moved(tmp, args.open, args.profile)[0])
    if args.skip != "untouched":
        runs.append(lambda: measure_untouched(tmp, args.untouched_open, args.amendments))
    try:
        bulk.check_bulk_path(tmp, at=OPEN_FROM + timedelta(hours=5), recorded_at=RECORDED_AT)
        for run in runs:
            lines += run()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    for line in lines:
        print(line)
    print(f"(total run time {time.perf_counter() - started:.0f} s)")
    failed = any(line.startswith("FAIL") for line in lines)
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
