"""Real processes: a catch-up killed inside a transaction resumes exactly; a separate follower keeps up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from lapor_projections import ReadModels
from test_read_models import as_rows, reference, stored

from conftest import OfficeApp
from walk import random_walk

TESTS = Path(__file__).resolve().parent

CHILD_PRELUDE = """
import sys, time
sys.path.insert(0, {tests!r})
from conftest import OfficeApp
from lapor_domain import LaporApp
from lapor_projections import ReadModels
app = OfficeApp({target!r})
"""

KILLED_MID_BATCH = """
read_models = ReadModels(app, batch=4)
original = read_models.store.write
def write_then_linger(*args, **kwargs):
    original(*args, **kwargs)           # rows written, transaction still open
    print("inside-transaction", flush=True)
    time.sleep(0.3)
read_models.store.write = write_then_linger
read_models.catch_up()
print("finished", flush=True)
"""

FOLLOWER = """
import threading
read_models = ReadModels(app, batch=50)
print("following", flush=True)
read_models.follow(threading.Event(), poll_seconds=0.05)
"""

pytestmark = pytest.mark.slow  # real processes, started and killed


@pytest.fixture
def target(shared_target: str) -> str:
    return shared_target


def spawn(target: str, body: str) -> subprocess.Popen[str]:
    code = textwrap.dedent(CHILD_PRELUDE).format(tests=str(TESTS), target=target) + textwrap.dedent(body)
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def test_a_catch_up_killed_inside_a_transaction_resumes_to_the_uninterrupted_view(target: str) -> None:
    app = OfficeApp(target)
    random_walk(app, seed=5, complaints=12)
    child = spawn(target, KILLED_MID_BATCH)
    assert child.stdout is not None
    seen = 0
    for line in child.stdout:
        if line.startswith("inside-transaction"):
            seen += 1
            if seen == 3:
                os.kill(child.pid, signal.SIGKILL)
                break
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    resumed = ReadModels(app, batch=4)
    assert 0 < resumed.position() < resumed.head()  # two batches committed, the third rolled back
    assert resumed.position() == sorted(n for n, _ in app.feed.since())[7]
    resumed.catch_up()
    assert stored(resumed) == as_rows(reference(app))
    resumed.close()
    app.close()


def test_a_separate_follower_process_keeps_the_views_up_to_date(target: str) -> None:
    app = OfficeApp(target)
    ReadModels(app).close()  # create the view tables before the follower starts
    child = spawn(target, FOLLOWER)
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "following"
        random_walk(app, seed=9, complaints=8)
        watcher = ReadModels(app)
        deadline = time.monotonic() + 30
        while watcher.position() < watcher.head() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert watcher.position() == watcher.head()
        assert stored(watcher) == as_rows(reference(app))
        watcher.close()
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=30)
        app.close()
