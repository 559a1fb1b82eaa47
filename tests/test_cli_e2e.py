"""End to end: the installed `lapor` executable, one process per step, through a whole complaint's life.

The same walk runs on a SQLite file and on PostgreSQL: filed, verified and disposed
down to a unit, returned as not its authority, disposed again, answered, and closed
by the sweep after ten working days of the reporter's silence; a late reply is refused.
(Replies and archiving are walked with CliRunner in test_cli.py: each process here
costs a second or more.)
"""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from lapor_domain import SlaPolicy

from conftest import PG_DSN, drop_schema, require_postgres

pytestmark = pytest.mark.slow  # every test here starts the installed command, a second or more each

WIB = ZoneInfo("Asia/Jakarta")

NATIONAL = "lapor-sp4n:sp4n-ayu"
ADMIN = "tim-admin:kota-cirebon:dodi"
DINKES = "pejabat-penghubung:kota-cirebon/dinkes:sari"
DISHUB = "pejabat-penghubung:kota-cirebon/dishub:agus"
REPORTER = "pelapor:warga-123"


def executable() -> str:
    beside = Path(sys.executable).parent / "lapor"
    found = str(beside) if beside.exists() else shutil.which("lapor")
    assert found, "the `lapor` command is not installed (pip install -e '.[test]')"
    return found


def run(target: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LAPOR_DB", "LAPOR_POLICY")}
    return subprocess.run(
        [executable(), "--db", target, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def step(target: str, *args: str, cwd: Path) -> str:
    done = run(target, *args, cwd=cwd)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "cirebon.db")
        return
    require_postgres()
    schema = f"lapor_cli_{uuid.uuid4().hex[:12]}"
    try:
        yield f"{PG_DSN}?schema={schema}"
    finally:
        drop_schema(schema)


def days_ago(days: int, hour: int, minute: int = 0) -> datetime:
    """An instant of the recent past: the recording clock is the real one (rule 13)."""
    day = datetime.now(WIB).date() - timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB)


def test_a_whole_complaint_life_through_the_installed_command(target: str, tmp_path: Path) -> None:
    submitted = days_ago(55, 9)
    cid = step(target, "submit", "--as", REPORTER, "--title", "Jalan berlubang",
               "--at", submitted.isoformat(), cwd=tmp_path).strip()  # fmt: skip
    responded = days_ago(45, 14)
    for args in (
        ("verify", cid, "--as", NATIONAL, "--at", days_ago(55, 10)),
        ("dispose", cid, "--to", "kota-cirebon", "--as", NATIONAL, "--at", days_ago(55, 10, 5)),
        ("verify", cid, "--as", ADMIN, "--at", days_ago(54, 8)),
        ("dispose", cid[:8], "--to", "dinkes", "--as", ADMIN, "--at", days_ago(54, 8, 30)),
        ("return", cid, "--reason", "bukan wewenang Dinkes", "--as", DINKES, "--at", days_ago(53, 9)),
        ("dispose", cid, "--to", "dishub", "--as", ADMIN, "--at", days_ago(53, 10)),
        ("respond", cid, "--message", "Sudah ditambal", "--as", DISHUB, "--at", responded),
    ):
        step(target, *(a.isoformat() if isinstance(a, datetime) else a for a in args), cwd=tmp_path)
    due = SlaPolicy.cirebon().calendar.deadline(responded, 10)
    assert due < datetime.now(WIB), "the walk is dated so that the auto-close fell due in the past"
    fired = json.loads(step(target, "--json", "tick", cwd=tmp_path))
    assert fired == [{"complaint_id": cid, "clock": "auto-close", "outcome": "auto-closed (reporter silent)",
                      "due": due.isoformat()}]  # fmt: skip
    late = run(
        target,
        "reply",
        cid,
        "--message",
        "Masih",
        "--as",
        REPORTER,
        "--at",
        (due + timedelta(hours=9)).isoformat(),
        cwd=tmp_path,
    )
    assert (late.returncode, late.stdout) == (1, "")
    assert late.stderr.startswith("lapor: error: ") and len(late.stderr.splitlines()) == 1
    assert "closed automatically" in late.stderr
    timeline = json.loads(step(target, "history", cid, "--json", "--viewer", "tim-admin", cwd=tmp_path))
    assert [(e["event"], e["desk_after"]) for e in timeline] == [
        ("Submitted", "lapor-sp4n"),
        ("Verified", "lapor-sp4n"),
        ("Disposed", "tim-admin:kota-cirebon"),
        ("Verified", "tim-admin:kota-cirebon"),
        ("Disposed", "unit:kota-cirebon/dinkes"),
        ("Returned", "tim-admin:kota-cirebon"),
        ("Disposed", "unit:kota-cirebon/dishub"),
        ("Responded", "pelapor"),
        ("AutoClosed", None),
    ]
    # a bare role names no one to record a disclosure for, and no key file is given: withheld
    assert timeline[0]["person"] == "(dirahasiakan)" and timeline[-1]["role"] == "system"


def test_python_dash_m_runs_the_same_command(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lapor_cli", "calendar", "is-working-day", "2026-03-19", "--json"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["working_day"] is False


def run_on_a_terminal(args: list[str], env: dict[str, str], *, seconds: float) -> tuple[int, bytes, bytes]:
    """Run with stderr on a pseudo-terminal: (exit code, stdout, what the terminal showed).

    Both are read while the process runs (a full pty buffer would block the child);
    past ``seconds`` in all the child is killed and the test fails.
    """
    controller, terminal = pty.openpty()
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=terminal, env=env)
    os.close(terminal)  # the child holds its end: reading ours gives EIO once it has closed it
    assert child.stdout is not None
    out_fd = child.stdout.fileno()
    read: dict[int, bytearray] = {out_fd: bytearray(), controller: bytearray()}
    done: dict[int, bytes] = {}
    deadline = time.monotonic() + seconds
    try:
        while read:
            left = deadline - time.monotonic()
            if left <= 0:
                child.kill()
                pytest.fail(f"{args[1:]} still running after {seconds} s")
            ready, _, _ = select.select(list(read), [], [], min(left, 1.0))
            for fd in ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # EIO: the terminal's other end is closed
                    chunk = b""
                if chunk:
                    read[fd] += chunk
                else:
                    done[fd] = bytes(read.pop(fd))
        code = child.wait(timeout=max(deadline - time.monotonic(), 1.0))
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        os.close(controller)
    return code, done[out_fd], done[controller]


def test_long_work_shows_a_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    env.pop("LAPOR_DB", None)
    args = [executable(), "--db", str(tmp_path / "sim.db"), "simulate", "--complaints", "300", "--seed", "5"]
    code, stdout, shown = run_on_a_terminal(args, env, seconds=120)
    assert code == 0
    assert b"simulating complaints" in shown  # the bar, on the terminal (stderr)
    assert b"simulating" not in stdout and b"complaints" in stdout  # the summary, on stdout
