"""Read-model benchmark: rebuild rate against bare decoding, peak memory, queue and timeline latency.

    python bench/bench_read_models.py --complaints 1400000 --db /tmp/lapor-8m.db   # the issue's 8M events
    python bench/bench_read_models.py --complaints 20000                           # a quick look
    python bench/bench_read_models.py --backend postgres --complaints 100000

Targets (issue 3), printed as PASS/FAIL with same-run ratios:
  * rebuilding all read models >= 0.5x the rate at which the bare library merely decodes
    the same log (select the notifications and map them to events, nothing else);
  * peak memory of the rebuild under 250 MB whatever the number of events (it runs in
    its own process so its high-water mark is its own);
  * one desk's queue with 10,000 open complaints under 20 ms;
  * one complaint's timeline as of an instant under 2 ms at the 95th percentile.

An existing --db is reused (the simulation is the slow part); a new one is simulated.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

from lapor_domain import Actor, LaporApp, Reporter, Role
from lapor_domain.model import decisions
from lapor_domain.model.complaint import evolve
from lapor_projections import ReadModels, ViewReader, timeline
from lapor_projections.build import PARALLEL_FROM
from lapor_projections.simulation import Workload, simulate

RECORDED = datetime(2026, 11, 27, tzinfo=UTC)
PG = "postgresql://postgres@127.0.0.1:5432/test?schema="
PAGE = 100  # what an operator's screen shows of a queue


def clock() -> datetime:
    return RECORDED


def ensure_history(target: str, complaints: int, seed: int) -> int:
    app = LaporApp(target, clock=clock)
    try:
        head = app.feed.head()
        if head:
            print(f"  reusing {target}: {head:,} events")
            return head
        started = time.perf_counter()
        summary = simulate(app, Workload(complaints=complaints, start=date(2016, 1, 4), seed=seed,
                                         scale="national"))  # fmt: skip
        took = time.perf_counter() - started
        print(f"  simulated {summary.complaints:,} complaints, {summary.events:,} events in {took:.0f} s "
              f"({summary.events / took:,.0f} events/s)")  # fmt: skip
        return summary.events
    finally:
        app.close()


def decode_rate(target: str, limit: int | None) -> tuple[int, float]:
    """The bare library: select the notifications in pages and map each to its event."""
    app = LaporApp(target, clock=clock)
    recorder, mapper = app.log.recorder, app.log.mapper
    count, position, started = 0, 0, time.perf_counter()
    while page := recorder.select_notifications(start=position, limit=2_000, inclusive_of_start=False):
        for notification in page:
            mapper.to_domain_event(notification)
        count += len(page)
        position = page[-1].id
        if limit and count >= limit:
            break
    took = time.perf_counter() - started
    app.close()
    return count, count / took


def complaint_order_rate(target: str) -> tuple[int, float]:
    """What a rebuild reads: the same log grouped by complaint (the key order), decoded by the same mapper."""
    app = LaporApp(target, clock=clock)
    head = app.feed.head()
    count, started = 0, time.perf_counter()
    for events in app.feed.by_complaint(until=head):
        count += len(events)
    took = time.perf_counter() - started
    app.close()
    return count, count / took


def _rebuild(target: str, views: str, workers: int | None, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    app = LaporApp(target, clock=clock)
    read_models = ReadModels(app, views, workers=workers)
    started = time.perf_counter()
    applied = read_models.rebuild()
    took = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Worker processes, if any: the largest one's peak, counted once per worker.
    helpers = read_models.workers - 1 if applied >= PARALLEL_FROM else 0
    biggest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out.put((applied, applied / took, took, own + helpers * biggest, read_models.workers))
    read_models.close()
    app.close()


def rebuild_rate(target: str, views: str, workers: int | None) -> tuple[int, float, float, float, int]:
    """Rebuild every read model from the log, in a fresh process (for an honest peak RSS).

    The peak is that process's own plus, when the build ran in several processes, the
    largest worker's times the number of workers (an upper bound of their sum).
    """
    if os.path.exists(views):
        os.remove(views)
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    child = context.Process(target=_rebuild, args=(target, views, workers, out))
    child.start()
    result = out.get()
    child.join()
    return result  # type: ignore[no-any-return]


def queue_latency(target: str, open_complaints: int) -> tuple[float, float, int, float]:
    """One desk holding ``open_complaints``: the national desk of a fresh store."""
    app = LaporApp(target, clock=clock)
    rng = random.Random(1)
    start = datetime(2026, 1, 5, 8, tzinfo=app.policy.calendar.timezone)
    events, states = [], {}
    for n in range(open_complaints):
        stamp = decisions.Stamp(Actor.reporter(f"warga-{n}"), start + timedelta(seconds=37 * n), RECORDED)
        cid = UUID(int=rng.getrandbits(128), version=4)
        sealed = app.seal_identity(cid, Reporter(name=f"Warga {n}"), account=stamp.actor.person, at=RECORDED)
        event = decisions.submit(cid, stamp, identity=sealed.identity, pseudonym=sealed.pseudonym,
                                 title=f"Laporan {n}", description="Keluhan")  # fmt: skip
        events.append(event)
        states[event.originator_id] = evolve(None, event)
    app.import_events(events, states)
    del events, states  # not part of the queue: the collector would rescan them while it is timed
    read_models = ReadModels(app)
    read_models.catch_up()
    reader = ViewReader(read_models.db, app.policy)
    at = start + timedelta(days=20)
    timings, whole = [], []
    for _ in range(30):
        began = time.perf_counter()
        page = reader.queue("lapor-sp4n", at, limit=PAGE)
        timings.append((time.perf_counter() - began) * 1000)
    for _ in range(5):
        began = time.perf_counter()
        queue = reader.queue("lapor-sp4n", at)
        whole.append((time.perf_counter() - began) * 1000)
    assert [q.complaint_id for q in page] == [q.complaint_id for q in queue[:PAGE]]
    read_models.close()
    app.close()
    return statistics.median(timings), max(timings), len(queue), statistics.median(whole)


def timeline_latency(target: str, samples: int) -> tuple[float, float]:
    app = LaporApp(target, clock=clock)
    head = app.feed.head()
    rng = random.Random(2)
    ids = []
    for position in rng.sample(range(1, head + 1), min(samples, head)):
        (recorded,) = app.feed.after(position - 1, limit=1)
        ids.append(recorded.event.originator_id)
    timings = []
    for cid in ids:
        first = app.history(cid)[0].at
        as_of = first + timedelta(days=rng.randint(0, 120))
        began = time.perf_counter()
        timeline(app, cid, as_of=as_of, viewer=Role.ADMIN)  # an officer's view: confidential ones too
        timings.append((time.perf_counter() - began) * 1000)
    app.close()
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--complaints", type=int, default=20_000)
    parser.add_argument("--db", help="SQLite file to reuse or create (default: a temporary file)")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--queue", type=int, default=10_000)
    parser.add_argument("--timelines", type=int, default=500)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lapor-bench-rm-"))
    try:
        run(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # a --db file outside it is kept for reuse
        if args.backend == "postgres":  # the history schema bench_rm_<N> is kept for reuse, like --db
            drop_schemas(f"bench_rm_views_{args.complaints}", "bench_rm_queue")


def drop_schemas(*schemas: str) -> None:
    import psycopg

    with psycopg.connect(PG.split("?")[0], autocommit=True) as conn:
        for schema in schemas:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def run(args: argparse.Namespace, folder: Path) -> None:
    if args.backend == "postgres":
        target = PG + f"bench_rm_{args.complaints}"
        views = PG + f"bench_rm_views_{args.complaints}"
        queue_target = PG + "bench_rm_queue"
    else:
        target = args.db or str(folder / "lapor.db")
        views = str(folder / "views.db")
        queue_target = str(folder / "queue.db")
    print(
        f"bench_read_models  python {sys.version.split()[0]}  cores {os.cpu_count()}  backend {args.backend}"
    )
    events = ensure_history(target, args.complaints, args.seed)
    decoded, decode_per_s = decode_rate(target, None)
    print(f"  bare decode: {decoded:,} events at {decode_per_s:,.0f} events/s")
    grouped, grouped_per_s = complaint_order_rate(target)
    print(f"  the same, read complaint by complaint (a rebuild's reading): {grouped:,} events at "
          f"{grouped_per_s:,.0f} events/s")  # fmt: skip
    runs = {}
    for workers in (1, None):  # one process, then the default (two)
        applied, per_s, took, peak_mb, used = rebuild_rate(target, views, workers)
        runs[used] = (per_s, peak_mb)
        print(f"  rebuild all read models, {used} process(es): {applied:,} events in {took:.1f} s = "
              f"{per_s:,.0f} events/s, peak RSS {peak_mb:.0f} MB in all")  # fmt: skip
    _, decode_again = decode_rate(target, None)
    print(f"  bare decode again, after the rebuilds: {decode_again:,.0f} events/s")
    baseline = max(decode_per_s, decode_again)  # the faster pass: the ratio errs against the rebuild
    median_q, max_q, size, whole_q = queue_latency(queue_target, args.queue)
    print(f"  queue of {size:,} open complaints, the {PAGE} most urgent: median {median_q:.1f} ms, "
          f"max {max_q:.1f} ms; all {size:,} as typed values: median {whole_q:.0f} ms")  # fmt: skip
    median_t, p95_t = timeline_latency(target, args.timelines)
    print(f"  timeline as of ({args.timelines} complaints): median {median_t:.2f} ms, p95 {p95_t:.2f} ms")
    for used, (per_s, peak_mb) in runs.items():
        ratio = per_s / baseline
        print(f"{verdict(ratio >= 0.5)}  rebuild in {used} process(es) / bare decode = {per_s:,.0f} / "
              f"{baseline:,.0f} = {ratio:.2f}x (target >= 0.5), {events:,} events")  # fmt: skip
        print(f"{verdict(peak_mb < 250)}  rebuild in {used} process(es): peak RSS {peak_mb:.0f} MB in all "
              "(target < 250 MB)")  # fmt: skip
    print(f"{verdict(median_q < 20)}  queue of {size:,}, first page of {PAGE}: {median_q:.1f} ms median "
          f"(target < 20 ms; the whole queue {whole_q:.0f} ms)")  # fmt: skip
    print(f"{verdict(p95_t < 2)}  timeline as of: p95 {p95_t:.2f} ms (target < 2 ms)")


if __name__ == "__main__":
    main()
