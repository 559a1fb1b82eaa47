"""How fast does the workload simulator fill a store?  Complaints/s, events/s, peak RSS.

Run:  python bench/bench_simulator.py --complaints 100000 --db /tmp/lapor-sim.db
      [--scale national|city] [--seed 0] [--batch 20000] [--start 2026-01-05]
      [--profile out.prof]
      python bench/bench_simulator.py --src-costs

The database file is deleted first (and its -wal/-shm companions), so every run
starts from an empty SQLite store; ``--db memory`` uses the in-memory store.
The split between the simulation itself (rules, fold, the simulator's own loop)
and storing (``import_events``: mapper, recorder, SQLite) is measured by timing
each ``import_events`` call. Peak RSS is ``resource.getrusage`` (ru_maxrss) of
this process after the run.

``--src-costs`` prints what the simulator's hot path pays per call to ``src``
(rule functions, fold, directory lookups, desks, mapper, the eventsourcing save
path), best of 5 repetitions, and exits.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import resource
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from lapor_domain import LaporApp
from lapor_projections.simulation import Workload, simulate

RECORDED_CLOCK = datetime(2040, 1, 1, tzinfo=UTC)  # the app's own clock is never read by the simulator


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    if args.src_costs:
        src_costs()
        return
    target = args.db
    if target != "memory":
        for suffix in ("", "-wal", "-shm"):
            Path(target + suffix).unlink(missing_ok=True)
    app = LaporApp(target, clock=lambda: RECORDED_CLOCK)
    storing = [0.0, 0.0]  # wall, cpu
    original = app.import_events

    def timed_import(events: Any, states: Any, **identities: Any) -> None:
        began, cpu = time.perf_counter(), time.process_time()
        original(events, states, **identities)
        storing[0] += time.perf_counter() - began
        storing[1] += time.process_time() - cpu

    app.import_events = timed_import  # type: ignore[method-assign]
    workload = Workload(complaints=args.complaints, start=args.start, seed=args.seed, scale=args.scale)
    began, cpu = time.perf_counter(), time.process_time()
    last_report = [began]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last_report[0] >= 10:
            last_report[0] = now
            print(f"  {done:>9,} / {total:,} finished, {now - began:6.0f} s", file=sys.stderr, flush=True)

    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    summary = simulate(app, workload, batch=args.batch, progress=progress)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    app.close()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = "" if target == "memory" else f", file {os.path.getsize(target) / 2**20:,.0f} MiB"
    print(
        f"workload: {summary.complaints:,} complaints ({args.scale}, seed {args.seed}), "
        f"{summary.events:,} events ({summary.events / summary.complaints:.2f} a complaint), "
        f"{summary.first_at:%Y-%m-%d} .. {summary.last_at:%Y-%m-%d}, store {target}{size}"
    )
    print(f"outcomes: {summary.by_outcome}")
    print(
        f"time:     {wall:,.1f} s wall, {cpu:,.1f} s cpu; simulating {wall - storing[0]:,.1f} s wall "
        f"{cpu - storing[1]:,.1f} s cpu, storing (import_events) {storing[0]:,.1f} s wall "
        f"{storing[1]:,.1f} s cpu"
    )
    print(f"rate:     {summary.complaints / wall:,.0f} complaints/s, {summary.events / wall:,.0f} events/s")
    print(f"peak RSS: {peak_mib:,.0f} MiB")


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--db", default="/tmp/lapor-bench-simulator.db", help="SQLite file, or 'memory'")
    parser.add_argument("--scale", choices=("city", "national"), default="national")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 1, 5))
    parser.add_argument("--profile", metavar="FILE", help="write cProfile stats of the run to FILE")
    parser.add_argument("--src-costs", action="store_true", help="print per-call costs in src and exit")
    return parser.parse_args(argv)


# -- per-call costs in src ------------------------------------------------------------------


def src_costs() -> None:
    import timeit
    import uuid
    from zoneinfo import ZoneInfo

    from eventsourcing.domain import DomainEventProtocol

    from lapor_domain import Actor, Desk, SealedIdentity
    from lapor_domain.model import decisions
    from lapor_domain.model.complaint import evolve
    from lapor_domain.model.deadlines import pending_deadline
    from lapor_domain.model.decisions import Stamp
    from lapor_domain.model.events import Disposed

    app = LaporApp("memory", clock=lambda: RECORDED_CLOCK)
    rules, directory, mapper = app.rules, app.directory, app.log.mapper
    at = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Jakarta"))
    reporter, national = Actor.reporter("warga-1"), Actor.national("sp4n-01")
    admin = Actor.admin("kota-cirebon", "admin-1")
    liaison = Actor.liaison("kota-cirebon", "dinkes", "pp-1")
    cid = uuid.uuid4()
    sealed = SealedIdentity(ciphertext="AAAA")  # sealing is not what this measures
    submitted = decisions.submit(
        cid,
        Stamp(reporter, at, at),
        identity=sealed,
        pseudonym="anon-1",
        title="Jalan berlubang",
        description="Lubang besar di depan pasar.",
    )
    new = evolve(None, submitted)
    verified = evolve(new, decisions.verify(new, Stamp(national, at, at)))
    to_admin = decisions.dispose(verified, Stamp(national, at, at), rules, to="kota-cirebon")
    at_admin = evolve(verified, to_admin)
    checked = evolve(at_admin, decisions.verify(at_admin, Stamp(admin, at, at)))
    to_unit = decisions.dispose(checked, Stamp(admin, at, at), rules, to="dinkes")
    at_unit = evolve(checked, to_unit)
    scope_check: Any = Actor.__pydantic_decorators__.model_validators["_scope_fits_role"].func
    cases: list[tuple[str, Any]] = [
        (
            "decisions.submit",
            lambda: decisions.submit(
                new.id,
                Stamp(reporter, at, at),
                identity=sealed,
                pseudonym="anon-1",
                title="t",
                description="d",
            ),
        ),
        ("decisions.verify (national)", lambda: decisions.verify(new, Stamp(national, at, at))),
        (
            "decisions.dispose (to an institution)",
            lambda: decisions.dispose(verified, Stamp(national, at, at), rules, to="kota-cirebon"),
        ),
        (
            "decisions.dispose (to a unit)",
            lambda: decisions.dispose(checked, Stamp(admin, at, at), rules, to="dinkes"),
        ),
        ("decisions.respond", lambda: decisions.respond(at_unit, Stamp(liaison, at, at), message="m")),
        (
            "  Disposed(...) construction alone",
            lambda: Disposed(
                originator_id=new.id, originator_version=6, at=at, recorded_at=at, actor=admin, to=to_unit.to
            ),
        ),
        ("  Actor scope validator (re-run per event)", lambda: scope_check(admin)),
        ("  directory.institution()", lambda: directory.institution("kota-cirebon")),
        ("  directory.unit()", lambda: directory.unit("kota-cirebon", "dinkes")),
        ("  Desk.unit_of() construction", lambda: Desk.unit_of("kota-cirebon", "dinkes")),
        ("evolve (Disposed)", lambda: evolve(checked, to_unit)),
        ("pending_deadline", lambda: pending_deadline(at_unit, rules.calendars)),
        ("mapper.to_stored_event", lambda: mapper.to_stored_event(to_unit)),
        (
            "isinstance(event, DomainEventProtocol) in save()",
            lambda: isinstance(to_unit, DomainEventProtocol),
        ),
    ]
    number = 20_000
    for name, call in cases:
        best = min(timeit.repeat(call, number=number, repeat=5)) / number
        print(f"{name:52s} {best * 1e6:7.2f} us")
    app.close()


if __name__ == "__main__":
    main()
