"""How many commands per second does LaporApp record, against raw inserts of the same rows?

Run:  python bench/bench_commands.py [--backend sqlite|postgres|both] [--n N] [--chunk C]

The command workload walks many complaints through their life with LaporApp's
public API, ``by=`` actors and increasing aware business instants (WIB): submit,
verify (national), dispose to kota-cirebon, verify (admin), dispose to a unit,
respond, and in 40% of walks the reporter replies. 64 complaints are in flight at
once (round robin), so the commands interleave as they would in a service. Every
call counts as one command; ``recorded_at`` comes from a fixed clock. Sealing is on: the
readers' public keys are registered, so every submission's data key is wrapped and in the key
store before its event (``--with-keys``: the app holds the private keys too).

The baseline is the same store doing nothing but durable single-row inserts: raw
``sqlite3`` (psycopg for PostgreSQL) rows shaped like eventsourcing's
``stored_events`` (originator_id, originator_version, topic, state, primary key on
the first two), state of the median encoded size of the app's own events, one
transaction each (BEGIN / INSERT / COMMIT on an autocommit connection), in a file
next to the app's (WAL, default synchronous, i.e. FULL: every commit is fsynced).

App and raw run on two fresh stores kept open and alternate in chunks (default 200
commands, then 200 inserts, then ...), so both see the same disk and machine load;
each rate is its total count over its total time. The ratio judged is the median
of the per-chunk ratios (app commands/s over raw inserts/s in adjacent chunks):
a disk stall or a busy neighbour then moves one chunk, not the verdict. The ratio
over the whole run and the quartiles of the per-chunk ratios are printed too.

Target (SQLite): commands/s >= 0.5 x raw inserts/s.  PostgreSQL: reported only.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from lapor_domain import NATIONAL_READER, Actor, KeyRing, LaporApp, Reporter, admin_reader

from corpus import DESCRIPTIONS, TITLES

WIB = ZoneInfo("Asia/Jakarta")
RECORDED_AT = datetime(2026, 11, 27, 9, 0, tzinfo=WIB)


class Office:
    """The recording clock of an office entering each command as it happens (rule 13):
    it reads the business instant of the command being entered."""

    def __init__(self) -> None:
        self.now = RECORDED_AT

    def __call__(self) -> datetime:
        return self.now


OFFICE = Office()
START = datetime(2026, 3, 2, 8, 0, tzinfo=WIB)  # a Monday; instants only ever increase
STEP = timedelta(seconds=37)
IN_FLIGHT = 64
REPLY_SHARE = 0.4
TARGET = 0.5
WITH_KEYS = "--with-keys" in sys.argv
PG_DSN = os.environ.get("LAPOR_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
PG_SCHEMA_APP = "lapor_bench_cmd"
PG_SCHEMA_RAW = "lapor_bench_cmd_raw"

NATIONAL = Actor.national("sp4n-ayu")
ADMIN = Actor.admin("kota-cirebon", "admin-dodi")
STEPS = (
    "submit",
    "verify-national",
    "dispose-institution",
    "verify-admin",
    "dispose-unit",
    "respond",
    "reply",
)
UNITS = ("dinkes", "dishub", "dputr", "dlh", "disdukcapil")
LIAISONS = {u: Actor.liaison("kota-cirebon", u, f"pp-{u}") for u in UNITS}
RESPONSES = (
    "Terima kasih atas laporannya. Tim kami sudah turun ke lokasi dan perbaikan dijadwalkan minggu depan.",
    "Laporan sudah kami terima dan diteruskan ke bidang teknis; petugas akan menghubungi pelapor.",
)
REPLIES = (
    "Terima kasih, tapi sampai hari ini belum ada perubahan di lokasi.",
    "Mohon informasi jadwal pastinya.",
)


class Walk:
    """One complaint's life, one command per step."""

    __slots__ = ("cid", "i", "pos", "reporter", "rng", "steps", "unit")

    def __init__(self, i: int, rng: random.Random) -> None:
        self.i = i
        self.rng = rng
        self.reporter = Actor.reporter(f"warga-{i}")
        self.unit = UNITS[i % len(UNITS)]
        self.steps = list(STEPS[:-1])  # the reply is the reporter's choice
        if rng.random() < REPLY_SHARE:
            self.steps.append("reply")
        self.pos = 0
        self.cid: uuid.UUID | None = None

    @property
    def done(self) -> bool:
        return self.pos >= len(self.steps)

    def step(self, app: LaporApp, at: datetime) -> None:
        kind = self.steps[self.pos]
        self.pos += 1
        if kind == "submit":
            self.cid = app.submit(
                by=self.reporter,
                at=at,
                reporter=Reporter(name=f"Warga {self.i}", contact="0812-0000-1234"),
                title=TITLES[self.i % len(TITLES)],
                description=DESCRIPTIONS[self.i % len(DESCRIPTIONS)],
            ).id
            return
        cid = self.cid
        assert cid is not None
        if kind == "verify-national":
            app.verify(cid, by=NATIONAL, at=at)
        elif kind == "dispose-institution":
            app.dispose(cid, to="kota-cirebon", by=NATIONAL, at=at)
        elif kind == "verify-admin":
            app.verify(cid, by=ADMIN, at=at)
        elif kind == "dispose-unit":
            app.dispose(cid, to=self.unit, by=ADMIN, at=at)
        elif kind == "respond":
            app.respond(cid, message=RESPONSES[self.i % len(RESPONSES)], by=LIAISONS[self.unit], at=at)
        else:
            app.reply(cid, message=REPLIES[self.i % len(REPLIES)], by=self.reporter, at=at)


class Workload:
    """An endless stream of walks, IN_FLIGHT at a time, with a global business clock."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.next_walk = 0
        self.now = START + timedelta(days=seed % 97)
        self.flight = [self._new() for _ in range(IN_FLIGHT)]
        self.turn = 0

    def _new(self) -> Walk:
        self.next_walk += 1
        return Walk(self.next_walk, self.rng)

    def next(self) -> tuple[Walk, datetime]:
        slot = self.turn % IN_FLIGHT
        self.turn += 1
        walk = self.flight[slot]
        if walk.done:
            walk = self.flight[slot] = self._new()
        self.now += STEP
        return walk, self.now


def run_app(app: LaporApp, workload: Workload, n: int, lat: dict[str, list[int]]) -> float:
    """Issue n commands, appending each call's latency (ns) under its kind; returns seconds."""
    clock = time.perf_counter_ns
    started = time.perf_counter()
    for _ in range(n):
        walk, at = workload.next()
        kind = walk.steps[walk.pos]
        OFFICE.now = at
        t0 = clock()
        walk.step(app, at)
        lat[kind].append(clock() - t0)
    return time.perf_counter() - started


def raw_rows(n: int, size: int, topics: list[str], seed: int) -> list[tuple[uuid.UUID, int, str, bytes]]:
    """n rows shaped like the app's: IN_FLIGHT originators at once, versions 1..7 each."""
    rng = random.Random(seed)
    ids = [uuid.uuid4() for _ in range(IN_FLIGHT)]
    versions = [0] * IN_FLIGHT
    rows = []
    for i in range(n):
        slot = i % IN_FLIGHT
        if versions[slot] >= 7:
            ids[slot], versions[slot] = uuid.uuid4(), 0
        versions[slot] += 1
        v = versions[slot]
        rows.append((ids[slot], v, topics[(v - 1) % len(topics)], rng.randbytes(size)))
    return rows


# -- SQLite ------------------------------------------------------------------------------

SQLITE_TABLE = (  # eventsourcing 9.5 SQLiteApplicationRecorder's stored_events, verbatim
    "CREATE TABLE IF NOT EXISTS stored_events (originator_id TEXT, originator_version INTEGER, "
    "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
)


class SQLiteRaw:
    """Raw sqlite3 on its own file: autocommit connection, one BEGIN/INSERT/COMMIT per row."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        assert self.conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
        self.conn.execute(SQLITE_TABLE)

    def run(self, rows: list[tuple[uuid.UUID, int, str, bytes]], lat: list[int]) -> float:
        params = [(r[0].hex, r[1], r[2], r[3]) for r in rows]
        execute = self.conn.execute
        insert = "INSERT INTO stored_events VALUES (?,?,?,?)"
        clock = time.perf_counter_ns
        started = time.perf_counter()
        for p in params:
            t0 = clock()
            execute("BEGIN")
            execute(insert, p)
            execute("COMMIT")
            lat.append(clock() - t0)
        return time.perf_counter() - started

    def close(self) -> None:
        self.conn.close()


def sqlite_pragmas(path: str) -> str:
    conn = sqlite3.connect(path)
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    sync = conn.execute("PRAGMA synchronous").fetchone()[0]
    conn.close()
    return f"journal_mode={mode} synchronous={sync} (2=FULL)"


def stored_sizes(path: str) -> tuple[list[int], dict[str, list[int]]]:
    conn = sqlite3.connect(path)
    by_topic: dict[str, list[int]] = defaultdict(list)
    for topic, size in conn.execute("SELECT topic, length(state) FROM stored_events"):
        by_topic[topic].append(size)
    conn.close()
    return sorted(s for v in by_topic.values() for s in v), by_topic


# -- PostgreSQL ---------------------------------------------------------------------------


def pg_connect() -> Any:
    import psycopg

    return psycopg.connect(PG_DSN, autocommit=True, connect_timeout=5)


def pg_drop(*schemas: str) -> None:
    with pg_connect() as conn:
        for schema in schemas:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


class PostgresRaw:
    """Raw psycopg on its own schema: autocommit connection, one BEGIN/INSERT/COMMIT per row."""

    def __init__(self) -> None:
        pg_drop(PG_SCHEMA_RAW)
        self.conn = pg_connect()
        self.conn.execute(f'CREATE SCHEMA "{PG_SCHEMA_RAW}"')
        self.conn.execute(  # eventsourcing's stored_events columns and key (it adds notification_id)
            f'CREATE TABLE "{PG_SCHEMA_RAW}".stored_events (originator_id uuid NOT NULL, '
            "originator_version bigint NOT NULL, topic text, state bytea, "
            "PRIMARY KEY (originator_id, originator_version))"
        )

    def run(self, rows: list[tuple[uuid.UUID, int, str, bytes]], lat: list[int]) -> float:
        conn = self.conn
        insert = f'INSERT INTO "{PG_SCHEMA_RAW}".stored_events VALUES (%s, %s, %s, %s)'
        clock = time.perf_counter_ns
        started = time.perf_counter()
        for p in rows:
            t0 = clock()
            with conn.transaction():  # BEGIN / INSERT / COMMIT
                conn.execute(insert, p, prepare=True)
            lat.append(clock() - t0)
        return time.perf_counter() - started

    def close(self) -> None:
        self.conn.close()
        pg_drop(PG_SCHEMA_RAW)


def pg_available() -> str | None:
    try:
        with pg_connect() as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        return str(exc).splitlines()[0]
    return None


# -- reporting -----------------------------------------------------------------------------


def pct(values: list[int], q: float) -> float:
    """The q-quantile (nearest rank) in microseconds."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * len(s)) - 1))] / 1000


def latency_table(lat: dict[str, list[int]], raw: list[int]) -> None:
    allv = [v for vs in lat.values() for v in vs]
    print(f"    {'command':<22}{'count':>7}{'p50 us':>10}{'p95 us':>10}{'p99 us':>10}")
    for kind in [k for k in STEPS if k in lat]:
        v = lat[kind]
        print(f"    {kind:<22}{len(v):>7}{pct(v, 0.5):>10.0f}{pct(v, 0.95):>10.0f}{pct(v, 0.99):>10.0f}")
    print(
        f"    {'ALL COMMANDS':<22}{len(allv):>7}"
        f"{pct(allv, 0.5):>10.0f}{pct(allv, 0.95):>10.0f}{pct(allv, 0.99):>10.0f}"
    )
    print(
        f"    {'raw insert (1 tx)':<22}{len(raw):>7}"
        f"{pct(raw, 0.5):>10.0f}{pct(raw, 0.95):>10.0f}{pct(raw, 0.99):>10.0f}"
    )


def quartiles(values: list[float]) -> list[float]:
    """p25, median, p75 (a single value stands for all three)."""
    return statistics.quantiles(values, n=4) if len(values) > 1 else values * 3


READERS = KeyRing.generate([NATIONAL_READER, admin_reader("kota-cirebon")])


def open_app(cls: type[LaporApp], backend: str, tmp: str, tag: str) -> tuple[LaporApp, str]:
    """The app with sealing on as a service runs it: the readers' public keys registered (each
    submission's data key is wrapped for the national desk and written to the key store first),
    no private key at hand (``--with-keys``: the national desk's and the admin team's keys too,
    so a disposal to the institution re-wraps at once)."""
    if backend == "sqlite":
        where = os.path.join(tmp, f"app{tag}.db")
        app = cls.sqlite(where, clock=OFFICE, keys=READERS if WITH_KEYS else None)
    else:
        where = PG_SCHEMA_APP + tag
        pg_drop(where, where + "_keys")
        app = cls.postgres(f"{PG_DSN}?schema={where}", clock=OFFICE, keys=READERS if WITH_KEYS else None)
    app.register_reader_keys(READERS)
    return app, where


def bench_backend(
    backend: str,
    n: int,
    chunk: int,
    size: int,
    topics: list[str],
    tmp: str,
    seed: int,
    contenders: list[tuple[str, type[LaporApp]]],
) -> dict[str, float]:
    """Each app and the raw baseline take turns in chunks of `chunk` on fresh stores kept open.

    Returns, per app, the median over chunks of (its commands/s) / (raw inserts/s in the same round).
    """
    rows = raw_rows(n, size, topics, seed)
    raw_lat: list[int] = []
    apps: list[tuple[str, LaporApp, Workload, dict[str, list[int]]]] = []
    wheres: list[str] = []
    raw: SQLiteRaw | PostgresRaw
    try:
        for i, (label, cls) in enumerate(contenders):
            app, where = open_app(cls, backend, tmp, "" if i == 0 else f"_{i}")
            wheres.append(where)
            apps.append((label, app, Workload(seed), defaultdict(list)))  # same seed: the same commands
        raw = SQLiteRaw(os.path.join(tmp, "raw.db")) if backend == "sqlite" else PostgresRaw()
        if backend == "sqlite":
            print(
                f"  app store: {sqlite_pragmas(wheres[0])}; "
                f"raw store: {sqlite_pragmas(os.path.join(tmp, 'raw.db'))}"
            )
        secs: dict[str, float] = defaultdict(float)
        ratios: dict[str, list[float]] = defaultdict(list)
        for i, start in enumerate(range(0, n, chunk)):
            k = min(chunk, n - start)
            turns: list[Any] = [("raw", None), *apps]
            shift = i % len(turns)
            took: dict[str, float] = {}
            for label, *rest in turns[shift:] + turns[:shift]:  # rotate who goes first
                if label == "raw":
                    took[label] = raw.run(rows[start : start + k], raw_lat)
                else:
                    app, workload, lat = rest[0], rest[1], rest[2]
                    took[label] = run_app(app, workload, k, lat)
            for label, t in took.items():
                secs[label] += t
                if label != "raw":
                    ratios[label].append(took["raw"] / t)
    finally:
        for _, app, _, _ in apps:
            app.close()
        if "raw" in locals():
            raw.close()
        if backend == "postgres":
            pg_drop(*wheres, *(w + "_keys" for w in wheres))
    raw_rate = n / secs["raw"]
    w = max(len(label) for label, *_ in apps) + 2
    print(f"  {'raw':<{w}}{raw_rate:8.0f} inserts/s   ({n} single-row transactions in {secs['raw']:.2f} s)")
    out = {}
    for label, _, _, lat in apps:
        rate = n / secs[label]
        q = quartiles(ratios[label])
        out[label] = q[1]
        allv = [v for vs in lat.values() for v in vs]
        print(f"  {label:<{w}}{rate:8.0f} commands/s  ({n} commands in {secs[label]:.2f} s)")
        print(
            f"      ratio to raw: whole run {rate / raw_rate:.2f}; "
            f"per chunk of {chunk} ({len(ratios[label])} "
            f"chunks) p25 {q[0]:.2f}  median {q[1]:.2f}  p75 {q[2]:.2f}; p50 latency raw/app "
            f"{pct(raw_lat, 0.5) / pct(allv, 0.5):.2f}"
        )
    if len(apps) == 2:
        (la, _, _, _), (lb, _, _, _) = apps
        speed = [a / b for a, b in zip(ratios[lb], ratios[la], strict=True)]
        q = quartiles(speed)
        print(f"  {lb} / {la}: x{q[1]:.2f} commands/s (median per chunk; p25 x{q[0]:.2f}, p75 x{q[2]:.2f})")
    for label, _, _, lat in apps:
        print(f"  latency per call, {label}:")
        latency_table(lat, raw_lat)
    return out


def measure_event_sizes(tmp: str, seed: int) -> tuple[int, list[str]]:
    """Warm up and measure: encoded sizes of the app's own events (one walk-through, 64 x 7 commands)."""
    path = os.path.join(tmp, "sizes.db")
    app = LaporApp.sqlite(path, clock=OFFICE)
    try:
        run_app(app, Workload(seed + 10_000), 64 * 7 * 2, defaultdict(list))
    finally:
        app.close()
    sizes, by_topic = stored_sizes(path)
    median = int(statistics.median(sizes))
    print(
        f"encoded event sizes (bytes, from {len(sizes)} of the app's own stored events): median {median}, "
        f"min {sizes[0]}, max {sizes[-1]}"
    )
    for topic, vs in sorted(by_topic.items()):
        print(f"    {topic:<24} n={len(vs):<5} median {int(statistics.median(vs))}")
    order = [
        "lapor.Submitted",
        "lapor.Verified",
        "lapor.Disposed",
        "lapor.Verified",
        "lapor.Disposed",
        "lapor.Responded",
        "lapor.ReporterReplied",
    ]
    return median, order


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--n", type=int, default=6000, help="commands (and as many raw inserts) per backend")
    parser.add_argument("--chunk", type=int, default=200, help="app and raw alternate in chunks this long")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--dir", default=None, help="parent of the temporary directory (default: system temp)"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--with-keys", action="store_true", help="the app holds the readers' private keys")
    args = parser.parse_args()

    shipped = "shipped"
    contenders: list[tuple[str, type[LaporApp]]] = [(shipped, LaporApp)]
    print(
        f"bench_commands  python {sys.version.split()[0]}  sqlite {sqlite3.sqlite_version}  "
        f"cores {os.cpu_count()}"
        f"  n={args.n} chunk={args.chunk}"
    )
    tmp = tempfile.mkdtemp(prefix="lapor-bench-", dir=args.dir)
    failed = False
    try:
        size, topics = measure_event_sizes(tmp, args.seed)
        results: list[str] = []
        if args.backend in ("sqlite", "both"):
            print(f"\n[sqlite] files in {tmp}")
            ratio = bench_backend("sqlite", args.n, args.chunk, size, topics, tmp, args.seed, contenders)[
                shipped
            ]
            ok = ratio >= TARGET
            failed |= not ok
            results.append(
                f"{'PASS' if ok else 'FAIL'}  sqlite {shipped} commands/s / raw inserts/s = {ratio:.2f} "
                f"(median per-chunk ratio; target >= {TARGET})"
            )
        if args.backend in ("postgres", "both"):
            why = pg_available()
            if why is None:
                print(f"\n[postgres] {PG_DSN} schemas {PG_SCHEMA_APP}*, {PG_SCHEMA_RAW} (dropped afterwards)")
                ratio = bench_backend(
                    "postgres", args.n, args.chunk, size, topics, tmp, args.seed + 1, contenders
                )[shipped]
                results.append(
                    f"INFO  postgres {shipped} commands/s / raw inserts/s = {ratio:.2f} "
                    "(median per-chunk ratio; reported, no target)"
                )
            else:
                results.append(f"SKIP  postgres: not reachable ({why})")
        print()
        for line in results:
            print(line)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
