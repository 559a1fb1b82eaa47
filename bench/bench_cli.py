"""How long does the ``lapor`` command take, as a whole process, against bare Python?

Run:  python bench/bench_cli.py [--complaints 100000] [--db FILE] [--runs 21] [--lapor PATH]

Each command runs as its own process, as an officer starts it, ``--runs`` times in
turn with the others (so a disk stall or a busy neighbour touches every command alike),
on a SQLite database of ``--complaints`` simulated complaints with its views caught up
(an existing ``--db`` is reused: the simulation is the slow part). The yardstick is
``python -c pass`` in the same run, by the interpreter of the virtualenv ``lapor`` is
installed in. Medians are printed with their ratio to it. ``--lapor`` names the console
script to time (default: the one on PATH): install the project as an operator does
(``pip install .``, not editable) in a virtualenv of its own and point at its ``bin/lapor``.

Targets (issue 10): ``--version`` and ``--help`` at most 6x bare Python; ``show ID``,
``queue DESK`` and ``search WORD`` at most 250 ms median on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LAPOR = shutil.which("lapor") or "lapor"
SEED = 11


def ensure_database(path: Path, complaints: int) -> None:
    if path.exists():
        return
    print(f"simulating {complaints:,} complaints into {path} (once; reused with --db) ...", flush=True)
    started = time.perf_counter()
    simulate = ["simulate", "--replace", "--complaints", str(complaints), "--seed", str(SEED), "--scale"]
    simulate.append("national" if complaints > 20_000 else "city")
    subprocess.run([LAPOR, "--db", str(path), *simulate], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([LAPOR, "--db", str(path), "queue"], check=True, stdout=subprocess.DEVNULL)  # caught up
    print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)


def busiest_desk_and_a_complaint(path: Path) -> tuple[str, str]:
    def answer(*args: str) -> list[dict[str, object]]:
        done = subprocess.run([LAPOR, "--db", str(path), "--json", *args], check=True, capture_output=True)
        found: list[dict[str, object]] = json.loads(done.stdout)
        return found

    desks = answer("queue")
    desk = str(max(desks, key=lambda d: int(str(d["open"])))["desk"]) if desks else "lapor-sp4n"
    return desk, str(answer("list", "--limit", "1")[0]["complaint_id"])


def time_once(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="reuse (or create) this SQLite file")
    parser.add_argument("--runs", type=int, default=21, help="runs of each command (20 or more: a verdict)")
    parser.add_argument("--lapor", help="the lapor console script to time (default: lapor on PATH)")
    args = parser.parse_args()
    global LAPOR
    LAPOR = args.lapor or LAPOR
    python = str(Path(LAPOR).with_name("python")) if args.lapor else sys.executable
    folder = Path(tempfile.mkdtemp(prefix="lapor-bench-cli-"))
    db = args.db or folder / "cli.db"
    env = {**os.environ, "LAPOR_CACHE_DIR": str(folder / "cache"), "COLUMNS": "120"}
    try:
        ensure_database(db, args.complaints)
        desk, complaint = busiest_desk_and_a_complaint(db)
        base = ["--db", str(db)]
        commands = {
            "python -c pass": [python, "-c", "pass"],
            "lapor --version": [LAPOR, "--version"],
            "lapor --help": [LAPOR, "--help"],
            "lapor show ID": [LAPOR, *base, "show", complaint],
            "lapor queue DESK": [LAPOR, *base, "queue", desk],
            "lapor search WORD": [LAPOR, *base, "search", "jalan"],
        }
        for argv in commands.values():  # warm the disk cache and the holidays cache once
            time_once(argv, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(time_once(argv, env))
        bare = statistics.median(times["python -c pass"])
        print(f"\n{args.runs} runs each, {args.complaints:,} complaints ({db}); queue of {desk}; {LAPOR}\n")
        print(f"  {'command':22} {'median ms':>10} {'p90 ms':>8} {'x bare':>7}")
        verdicts = []
        for name, values in times.items():
            median = statistics.median(values)
            p90 = sorted(values)[int(0.9 * (len(values) - 1))]
            print(f"  {name:22} {median * 1000:10.1f} {p90 * 1000:8.1f} {median / bare:7.1f}")
            if name in ("lapor --version", "lapor --help"):
                verdicts.append((f"{name} <= 6x bare Python", median / bare <= 6, f"{median / bare:.1f}x"))
            elif name.startswith("lapor "):
                verdicts.append((f"{name} <= 250 ms", median <= 0.250, f"{median * 1000:.0f} ms"))
        print()
        enough = args.runs >= 20
        for what, ok, figure in verdicts:
            print(f"{'PASS' if ok and enough else 'FAIL' if enough else 'SEE '}  {what}: {figure}")
        if not enough:
            print("(fewer than 20 runs: no verdict)")
        return 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
