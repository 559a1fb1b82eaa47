"""How fast is WorkingCalendar.add_working_days?  Run: python bench/bench_calendar.py

Times, in one run and on the same random (date, n) pairs, the median ns per call of:

- ours:   WorkingCalendar.add_working_days (a bound method, as callers use it);
- table:  a bare precomputed-table lookup, a plain function ``lookup(day, n)``
          returning ``table[day.toordinal() - base]`` (a date; same calling convention);
- inline: the same lookup written inline in the loop, no call at all (for reference);
- numpy:  numpy.busday_offset per date with a prepared busdaycalendar holding the
          same closing days (inputs already converted to datetime64, which favours numpy);
- naive:  a day-by-day loop over the same closing days.

Timing is timeit-style: many short batches per implementation, garbage collector off,
median per call.  Rounds interleave the implementations (so drift hits all alike) and
rotate their order.  The targets are judged "warm": each timed batch follows an
untimed one of the same implementation, as timeit's steady state.  The "cold" line
times each batch straight after the others (numpy's batch evicts the caches), for
information.  Targets: ours <= 2x table, numpy >= 5x ours.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np

from lapor_domain.model.calendar import WorkingCalendar

ONE_DAY = timedelta(days=1)
LABELS = {
    "ours": "WorkingCalendar.add_working_days",
    "table": "bare table lookup (plain function)",
    "inline": "bare table lookup (inline, no call)",
    "numpy": "numpy.busday_offset per date",
    "naive": "naive day-by-day loop",
}
Batch = tuple[Callable[[], None], int]  # (run the batch, calls in it)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2_000, help="pairs per batch")
    parser.add_argument("--repeats", type=int, default=101, help="timed batches per implementation")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    started = time.perf_counter()
    calendar = WorkingCalendar.indonesia()
    built = time.perf_counter() - started
    rng = random.Random(args.seed)
    base = date(calendar.first_year, 1, 1).toordinal()
    last = date(calendar.last_year - 1, 12, 31).toordinal()  # leaves room for n working days
    pairs = [(date.fromordinal(rng.randint(base, last)), rng.randint(1, 60))
             for _ in range(args.calls)]
    batches = prepare_batches(calendar, pairs, base)

    warm = time_batches(batches, args.repeats, warm_up=True)
    cold = time_batches(batches, args.repeats, warm_up=False)

    print(f"calendar {calendar!r}, built in {built * 1000:.0f} ms (holidays lookup included)")
    print(f"{args.calls} random (date, n) pairs, n in 1..60; median of {args.repeats} batches")
    print(f"  {'':<38} {'warm':>10} {'cold':>10}  ns/call")
    for key, label in LABELS.items():
        print(f"  {label:<38} {warm[key]:>10.1f} {cold[key]:>10.1f}")
    vs_table, numpy_vs_ours = warm["ours"] / warm["table"], warm["numpy"] / warm["ours"]
    print(f"ours / table  = {vs_table:5.2f}x  (target <= 2x)  {verdict(vs_table <= 2)}")
    print(f"numpy / ours  = {numpy_vs_ours:5.2f}x  (target >= 5x)  {verdict(numpy_vs_ours >= 5)}")
    print(f"cold, for information: ours / table = {cold['ours'] / cold['table']:.2f}x, "
          f"numpy / ours = {cold['numpy'] / cold['ours']:.2f}x")
    print(f"ours / inline = {warm['ours'] / warm['inline']:5.2f}x  (for information: "
          f"mostly Python's call overhead)")
    print(f"naive / ours  = {warm['naive'] / warm['ours']:5.0f}x")


def prepare_batches(calendar: WorkingCalendar, pairs: list[tuple[date, int]],
                    base: int) -> dict[str, Batch]:
    closed = {day for year in range(calendar.first_year, calendar.last_year + 1)
              for day, _ in calendar.closing_days(year)}
    table = [date.fromordinal(base + i) for i in range(date(calendar.last_year, 12, 31)
                                                       .toordinal() - base + 1)]
    busdaycal = np.busdaycalendar(weekmask="1111100",
                                  holidays=np.array(sorted(closed), dtype="datetime64[D]"))
    np_pairs = [(np.datetime64(day, "D"), n) for day, n in pairs]
    naive_pairs = pairs[: max(1, len(pairs) // 10)]
    ours = calendar.add_working_days

    def table_lookup(day: date, n: int) -> date:
        return table[day.toordinal() - base]

    def naive(day: date, n: int) -> date:
        while n:
            day += ONE_DAY
            if day.weekday() < 5 and day not in closed:
                n -= 1
        return day

    for day, n in pairs:  # refuse to time implementations that compute different things
        by_numpy = np.busday_offset(np.datetime64(day, "D"), n, roll="backward",
                                    busdaycal=busdaycal).astype(date)
        if not ours(day, n) == naive(day, n) == by_numpy:
            raise SystemExit(f"disagreement at {day} + {n}: ours {ours(day, n)}, "
                             f"naive {naive(day, n)}, numpy {by_numpy}")

    def run_ours() -> None:
        for day, n in pairs:
            ours(day, n)

    def run_table() -> None:
        for day, n in pairs:
            table_lookup(day, n)

    def run_inline() -> None:
        for day, _ in pairs:
            table[day.toordinal() - base]

    def run_numpy() -> None:
        offset = np.busday_offset
        for day, n in np_pairs:
            offset(day, n, roll="backward", busdaycal=busdaycal)

    def run_naive() -> None:
        for day, n in naive_pairs:
            naive(day, n)

    return {"ours": (run_ours, len(pairs)), "table": (run_table, len(pairs)),
            "inline": (run_inline, len(pairs)), "numpy": (run_numpy, len(pairs)),
            "naive": (run_naive, len(naive_pairs))}


def time_batches(batches: dict[str, Batch], repeats: int, *, warm_up: bool) -> dict[str, float]:
    """Median ns per call of each implementation, over interleaved, rotating rounds."""
    samples: dict[str, list[float]] = {key: [] for key in batches}
    keys = list(batches)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for round_ in range(repeats):
            shift = round_ % len(keys)
            for key in keys[shift:] + keys[:shift]:
                run, calls = batches[key]
                if warm_up or round_ == 0:
                    run()
                started = time.perf_counter_ns()
                run()
                samples[key].append((time.perf_counter_ns() - started) / calls)
    finally:
        if gc_was_enabled:
            gc.enable()
    return {key: statistics.median(values) for key, values in samples.items()}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


if __name__ == "__main__":
    main()
