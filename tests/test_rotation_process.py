"""Key rotation killed midway (slow: real processes): every identity still opens with the old
key file or the new one, and running the rotation again completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lapor_domain import IdentityState, KeyRing, LaporApp

from conftest import OfficeClock, complaint_ids
from sop import NATIONAL

pytestmark = pytest.mark.slow


def lapor(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "lapor_cli", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def opens_with(db: Path, keys: KeyRing) -> set[str]:
    app = LaporApp(str(db), clock=OfficeClock(), keys=keys)
    try:
        ids = complaint_ids(app)
        shown = {c: app.identity(c, viewer=NATIONAL, purpose="test").state for c in ids}
        return {str(c) for c, state in shown.items() if state is IdentityState.SHOWN}
    finally:
        app.close()


@pytest.mark.parametrize("after", [0.7, 1.0, 1.3])  # before, while and after it re-wraps
def test_a_rotation_killed_midway_leaves_every_identity_readable_and_a_rerun_completes(
    tmp_path: Path, after: float
) -> None:
    db, key_file = tmp_path / "lapor.db", tmp_path / "office.keys"
    assert lapor("--db", str(db), "--key-file", str(key_file), "keys", "init").returncode == 0
    keys = ("--db", str(db), "--key-file", str(key_file))
    made = lapor(*keys, "simulate", "--complaints", "2000", "--seed", "3")
    assert made.returncode == 0, made.stderr
    everyone = opens_with(db, KeyRing.load(key_file))
    assert len(everyone) == 2000
    child = subprocess.Popen(
        [sys.executable, "-m", "lapor_cli", "--db", str(db), "--key-file", str(key_file), "keys", "rotate"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(after)
    if child.poll() is None:
        os.kill(child.pid, signal.SIGKILL)
    child.wait()
    pending = key_file.with_name(key_file.name + ".next")
    readable = opens_with(db, KeyRing.load(key_file))
    if pending.exists():
        readable |= opens_with(db, KeyRing.load(pending))
    assert readable == everyone
    rerun = lapor("--db", str(db), "--key-file", str(key_file), "keys", "rotate")
    assert rerun.returncode == 0, rerun.stderr
    assert not pending.exists()
    assert opens_with(db, KeyRing.load(key_file)) == everyone
