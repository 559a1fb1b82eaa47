"""Does the sweep (LaporApp.fire_due) cost what is due, not what is open?

Run:  python bench/bench_sweep.py [--open N] [--small M] [--backend sqlite|postgres|both] [--pg-open P]

For each store size (M = 10,000 and N = 1,000,000 open complaints by default) the
store is bulk-loaded with exactly what the app would have written for that many
submitted complaints: real ``Submitted`` events built by
``lapor_domain.model.decisions.submit`` and encoded by the app's own mapper
(``app.log.mapper.to_stored_event``), inserted through the app's own recorder
(``app.log.recorder.insert_events(stored, deadlines=[DeadlineRow(...)])``, 10,000
per call on SQLite, one transaction each), each DeadlineRow's ``due_us`` computed by
``pending_deadline(evolve(None, event), app.rules.calendars)``. Before loading, one
complaint submitted through the public API is compared byte for byte (stored
event) and row for row (deadline index) with the bulk path's output.

The open complaints are submitted between 2026-10-29 and 2026-11-27 09:00 WIB, so
their escalation (60 working days) falls in 2027: nothing of theirs is due at the
sweep instant 2026-11-27 10:00 WIB. Besides them, 13 groups of K = 10 (x5), 100 (x5)
and 1000 (x3) complaints were submitted in August 2026, one group per day, so that
each group's escalation falls due at its own instant (October/November 2026).

Both stores (M and N) are built first and stay open; every measurement then
alternates between them, so both see the same machine load:
  * nothing due: 50 x ``fire_due(S)`` with S an hour before the first group's due
    instant (N + 3,550 open), and 50 x ``fire_due(2026-11-27 10:00)`` after every
    group fired (exactly N open); median, p95, max;
  * K due: ``fire_due(due instant of group g)``, which must fire exactly K
    escalations; time per sweep and per fired deadline (each is a full command:
    load the complaint, decide, append the event and the index row, commit).

Targets (SQLite file):
  * nothing due with N = --open open complaints: median and max < 5 ms;
  * per-due cost independent of N: per-due time at N over per-due time at M
    (median over the groups of that K) <= 1.5 for K = 1000 and K = 100.
PostgreSQL (--pg-open, default 100,000; 1,000,000 if time allows): the same
figures, reported only. PostgreSQL batches are 2,000 per call, not 10,000:
eventsourcing 9.5.6's PostgreSQL insert_events (a psycopg 3.3.9 pipeline) hangs
for good in pipeline.sync() once one call carries roughly 10,000-15,000 events,
with or without deadline rows (see bench/README.md).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from lapor_domain import LaporApp
from lapor_domain.adapters.recorders import DeadlineRow

import bulk
from bulk import EPOCH, MICROSECOND, micros

WIB = ZoneInfo("Asia/Jakarta")
SWEEP_AT = datetime(2026, 11, 27, 10, 0, tzinfo=WIB)  # the final "nothing due" instant
RECORDED_AT = datetime(2026, 11, 27, 10, 0, tzinfo=WIB)
OPEN_FROM = datetime(2026, 10, 29, 0, 0, tzinfo=WIB)
OPEN_UNTIL = datetime(2026, 11, 27, 9, 0, tzinfo=WIB)
GROUPS_FROM = datetime(2026, 8, 3, 9, 0, tzinfo=WIB)
GROUP_SIZES = (10,) * 5 + (100,) * 5 + (1000,) * 3
BATCH = {"sqlite": 10_000, "postgres": 2_000}  # events (and index rows) per insert_events call
CALLS = 50
TARGET_MS = 5.0
TARGET_GROWTH = 1.5
PG_DSN = os.environ.get("LAPOR_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
PG_SCHEMA = "lapor_bench_sweep"


def submitted(app: LaporApp, i: int, at: datetime) -> tuple[Any, DeadlineRow]:
    return bulk.submitted(app, i, at, recorded_at=RECORDED_AT)


@dataclass
class Group:
    size: int
    submitted_at: datetime
    due: datetime


def plan_groups(app: LaporApp) -> list[Group]:
    """One group per day from GROUPS_FROM, each falling due strictly after the previous one."""
    groups: list[Group] = []
    day = GROUPS_FROM
    for size in GROUP_SIZES:
        while True:
            _, row = submitted(app, 0, day)
            assert row.due_us is not None
            due = EPOCH + row.due_us * MICROSECOND
            if not groups or due > groups[-1].due:
                break
            day += timedelta(days=1)
        groups.append(Group(size, day, due.astimezone(WIB)))
        day += timedelta(days=1)
    assert groups[-1].due <= SWEEP_AT, "every group must be due by the final sweep instant"
    return groups


def bulk_load(app: LaporApp, n_open: int, groups: list[Group], batch: int) -> tuple[float, int]:
    """Insert the groups' and n_open complaints through the real recorder; returns (seconds, events)."""
    plan: list[tuple[int, datetime]] = []
    i = 0
    for g in groups:
        for j in range(g.size):
            i += 1
            plan.append((i, g.submitted_at + j * timedelta(seconds=1)))
    assert submitted(app, 0, OPEN_FROM)[1].due_us > micros(SWEEP_AT), "open complaints must not be due"
    started = time.perf_counter()
    total = bulk.load_submitted(app, plan, recorded_at=RECORDED_AT, batch=len(plan))
    total += bulk.load_submitted(
        app,
        bulk.spread(i + 1, n_open, OPEN_FROM, OPEN_UNTIL),
        recorded_at=RECORDED_AT,
        batch=batch,
        progress=200_000,
    )
    return time.perf_counter() - started, total


@dataclass
class Store:
    """One store under test: its app, size, planned groups and what was measured on it."""

    backend: str
    n_open: int
    app: LaporApp
    groups: list[Group]
    where: str
    build_s: float = 0.0
    before: list[float] = field(default_factory=list)  # ms per nothing-due sweep, groups still open
    after: list[float] = field(default_factory=list)  # ms per nothing-due sweep, exactly n_open open
    per_k: dict[int, list[float]] = field(default_factory=dict)  # K -> ms per fired deadline, one per group
    total_k: dict[int, list[float]] = field(default_factory=dict)  # K -> ms per sweep
    preempted_before: list[float] = field(default_factory=list)  # ms of the calls the OS preempted
    preempted_after: list[float] = field(default_factory=list)


def open_store(backend: str, n_open: int, tmp: str) -> Store:
    if backend == "sqlite":
        where = os.path.join(tmp, f"sweep-{n_open}.db")
        app = LaporApp.sqlite(where, clock=lambda: RECORDED_AT)
    else:
        where = f"{PG_SCHEMA}_{n_open}"
        pg_drop(where)
        app = LaporApp.postgres(f"{PG_DSN}?schema={where}", clock=lambda: RECORDED_AT)
    return Store(backend, n_open, app, plan_groups(app), where)


def close_store(store: Store) -> None:
    store.app.close()
    if store.backend == "sqlite":
        size_mb = (
            sum(os.path.getsize(p) for p in (store.where, store.where + "-wal") if os.path.exists(p)) / 1e6
        )
        print(f"    (SQLite file for N = {store.n_open:,}: {size_mb:,.0f} MB, removed)")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(store.where + suffix):
                os.remove(store.where + suffix)
    else:
        pg_drop(store.where)


def build(store: Store) -> None:
    batch = BATCH[store.backend]
    g = store.groups
    print(
        f"  build N = {store.n_open:,} open + {sum(GROUP_SIZES):,} in {len(g)} due groups "
        f"(due {g[0].due:%Y-%m-%d %H:%M} .. {g[-1].due:%Y-%m-%d %H:%M} WIB)",
        flush=True,
    )
    store.build_s, events = bulk_load(store.app, store.n_open, store.groups, batch)
    count = store.app.log.deadline_index.count_deadlines()
    assert count == store.n_open + sum(GROUP_SIZES), count
    print(
        f"    build: {events:,} events + index rows in {store.build_s:.1f} s "
        f"({events / store.build_s:,.0f} complaints/s, {batch:,} per insert_events call); "
        f"index rows {count:,}"
    )


def sweep_nothing_due(store: Store, at: datetime, preempted: list[float]) -> float:
    """One timed sweep; a call the OS preempted (an involuntary context switch) is also noted."""
    switches = resource.getrusage(resource.RUSAGE_SELF).ru_nivcsw
    t0 = time.perf_counter()
    fired = store.app.fire_due(at)
    ms = (time.perf_counter() - t0) * 1000
    if resource.getrusage(resource.RUSAGE_SELF).ru_nivcsw != switches:
        preempted.append(ms)
    assert fired == [], f"nothing should be due, {len(fired)} fired"
    return ms


def measure(stores: list[Store]) -> None:
    """Interleaved: every measurement alternates between the stores, so they share the machine's moods."""
    for i in range(CALLS):
        for store in stores[:: 1 if i % 2 == 0 else -1]:
            store.before.append(
                sweep_nothing_due(store, store.groups[0].due - timedelta(hours=1), store.preempted_before)
            )
    for gi in range(len(GROUP_SIZES)):
        for store in stores[:: 1 if gi % 2 == 0 else -1]:
            g = store.groups[gi]
            t0 = time.perf_counter()
            fired = store.app.fire_due(g.due)
            ms = (time.perf_counter() - t0) * 1000
            assert len(fired) == g.size and all(f.due == g.due for f in fired), (len(fired), g.size)
            store.per_k.setdefault(g.size, []).append(ms / g.size)
            store.total_k.setdefault(g.size, []).append(ms)
    for i in range(CALLS):
        for store in stores[:: 1 if i % 2 == 0 else -1]:
            store.after.append(sweep_nothing_due(store, SWEEP_AT, store.preempted_after))
    for store in stores:
        assert store.app.log.deadline_index.count_deadlines() == store.n_open


def summary(ms: list[float], preempted: list[float]) -> str:
    s = sorted(ms)
    p95 = s[min(len(s) - 1, round(0.95 * len(s)) - 1)]
    out = (
        f"median {statistics.median(s):.3f} ms, p95 {p95:.3f} ms, max {s[-1]:.3f} ms "
        f"(first call {ms[0]:.3f} ms)"
    )
    if preempted:
        out += f"; {len(preempted)} call(s) preempted by the OS, slowest {max(preempted):.3f} ms"
    return out


def report(store: Store) -> None:
    extra = sum(GROUP_SIZES)
    print(f"  N = {store.n_open:,}:")
    print(
        f"    nothing due, {store.n_open + extra:,} open, {CALLS} calls: "
        f"{summary(store.before, store.preempted_before)}"
    )
    print(
        f"    nothing due, {store.n_open:,} open (after the groups fired), {CALLS} calls: "
        f"{summary(store.after, store.preempted_after)}"
    )
    for k in sorted(store.per_k):
        tot = ", ".join(f"{x:.0f}" for x in store.total_k[k])
        print(
            f"    K = {k:>4} due: sweeps of {tot} ms -> {statistics.median(store.per_k[k]):.3f} ms "
            f"per fired deadline (median of {len(store.per_k[k])})"
        )


def pg_drop(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_DSN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def pg_available() -> str | None:
    try:
        pg_drop(PG_SCHEMA)
    except Exception as exc:
        return str(exc).splitlines()[0]
    return None


def run_backend(backend: str, small: int, large: int, tmp: str) -> dict[int, Store]:
    stores: list[Store] = []
    try:
        for n_open in sorted({small, large}):
            stores.append(open_store(backend, n_open, tmp))
            build(stores[-1])
        measure(stores)
        for store in stores:
            report(store)
    finally:
        for store in stores:
            close_store(store)
    return {s.n_open: s for s in stores}


def verdicts(backend: str, results: dict[int, Store], small: int, large: int, target: bool) -> list[str]:
    def tag(ok: bool) -> str:
        if target:
            return "PASS" if ok else "FAIL"
        return "INFO" if ok else "INFO (over)"

    lines = []
    big = results[large]
    for what, values in (("groups still open", big.before), ("after the groups fired", big.after)):
        med, mx = statistics.median(values), max(values)
        ok = med < TARGET_MS and mx < TARGET_MS
        lines.append(
            f"{tag(ok)}  {backend} fire_due, nothing due, {large:,} open ({what}): median {med:.3f} ms, "
            f"max {mx:.3f} ms (target < {TARGET_MS} ms)"
        )
    if small in results and small != large:
        lo = results[small]
        for k in (1000, 100, 10):
            a, b = statistics.median(lo.per_k[k]), statistics.median(big.per_k[k])
            growth = b / a
            judged = k in (1000, 100)
            label = tag(growth <= TARGET_GROWTH) if judged else "INFO"
            lines.append(
                f"{label}  {backend} per-due cost K = {k}: {b:.3f} ms at N = {large:,} vs {a:.3f} ms at "
                f"N = {small:,} -> x{growth:.2f}" + (f" (target <= {TARGET_GROWTH})" if judged else "")
            )
    lines.append(f"INFO  {backend} build of N = {large:,} (+{sum(GROUP_SIZES):,}): {big.build_s:.0f} s")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=1_000_000, help="open complaints of the large store (N)")
    parser.add_argument("--small", type=int, default=10_000, help="open complaints of the small store (M)")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--pg-open",
        type=int,
        default=100_000,
        help="large store size on PostgreSQL (1,000,000 takes about 4 more minutes to build)",
    )
    parser.add_argument(
        "--dir", default=None, help="parent of the temporary directory (default: system temp)"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args()

    print(
        f"bench_sweep  python {sys.version.split()[0]}  sqlite {sqlite3.sqlite_version}  "
        f"cores {os.cpu_count()}"
    )
    tmp = tempfile.mkdtemp(prefix="lapor-sweep-", dir=args.dir)
    lines: list[str] = []
    failed = False
    started = time.perf_counter()
    try:
        bulk.check_bulk_path(tmp, at=OPEN_FROM + timedelta(hours=5), recorded_at=RECORDED_AT)
        if args.backend in ("sqlite", "both"):
            print(f"\n[sqlite] files in {tmp}")
            res = run_backend("sqlite", args.small, args.open, tmp)
            out = verdicts("sqlite", res, args.small, args.open, target=True)
            failed |= any(line.startswith("FAIL") for line in out)
            lines += out
        if args.backend in ("postgres", "both"):
            why = pg_available()
            if why is None:
                print(f"\n[postgres] {PG_DSN} schemas {PG_SCHEMA}_<N> (dropped afterwards)")
                res = run_backend("postgres", args.small, args.pg_open, tmp)
                lines += verdicts("postgres", res, args.small, args.pg_open, target=False)
            else:
                lines.append(f"SKIP  postgres: not reachable ({why})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    for line in lines:
        print(line)
    print(f"(total run time {time.perf_counter() - started:.0f} s)")
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
