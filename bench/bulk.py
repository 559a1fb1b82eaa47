"""Open complaints loaded in bulk with exactly what the app writes for a submission.

Building a million complaints through ``LaporApp.submit`` would take hours; the benchmarks
that need big stores (``bench_sweep.py``, ``bench_amend.py``) write instead what a
submission writes: a real ``Submitted`` event from ``lapor_domain.model.decisions.submit``
(its identity sealed by ``app.seal_identity``), encoded by the app's own mapper
(``app.log.mapper.to_stored_event``) and inserted through the app's own recorder
(``app.log.recorder.insert_events(stored, deadlines=[DeadlineRow(...)])``, one transaction
per batch), each row from ``deadline_row(state, pending_deadline(state, app.rules.calendars))``
with ``state = evolve(None, event)``, as a command writes it. ``check_bulk_path`` compares
that with one ``app.submit``.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from lapor_domain import Actor, LaporApp, Reporter
from lapor_domain.adapters.recorders import DeadlineRow
from lapor_domain.model import decisions
from lapor_domain.model.complaint import evolve
from lapor_domain.model.deadlines import pending_deadline
from lapor_domain.model.decisions import Stamp
from lapor_domain.states import deadline_row

from corpus import DESCRIPTIONS, TITLES

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def micros(instant: datetime) -> int:
    """UTC microseconds since the epoch, as the app stores due instants."""
    return (instant - EPOCH) // MICROSECOND


def instant(due_us: int) -> datetime:
    """The UTC instant of a stored due (``micros`` undone)."""
    return EPOCH + due_us * MICROSECOND


def submitted(
    app: LaporApp, i: int, at: datetime, *, recorded_at: datetime, cid: uuid.UUID | None = None
) -> tuple[Any, DeadlineRow]:
    """A real Submitted event (the decision the API runs) and the deadline row the app writes for it."""
    stamp = Stamp(Actor.reporter(f"warga-{i}"), at, recorded_at)
    cid = cid or uuid.uuid4()
    reporter = Reporter(name=f"Warga {i}", contact="0812-0000-1234")
    sealed = app.seal_identity(cid, reporter, account=stamp.actor.person, at=recorded_at)
    event = decisions.submit(
        cid,
        stamp,
        identity=sealed.identity,
        pseudonym=sealed.pseudonym,
        title=TITLES[i % len(TITLES)],
        description=DESCRIPTIONS[i % len(DESCRIPTIONS)],
    )
    state = evolve(None, event)
    deadline = pending_deadline(state, app.rules.calendars)
    assert deadline is not None
    return event, deadline_row(state, deadline)


def spread(first: int, n: int, since: datetime, until: datetime) -> Iterator[tuple[int, datetime]]:
    """n complaints numbered from ``first``, submitted evenly from ``since`` until before ``until``."""
    span = until - since
    for k in range(n):
        yield first + k, since + span * k / n


def load_submitted(
    app: LaporApp,
    plan: Iterable[tuple[int, datetime]],
    *,
    recorded_at: datetime,
    batch: int,
    progress: int | None = None,
) -> int:
    """Insert one submitted complaint per (number, submission instant) of ``plan`` through the
    app's recorder, ``batch`` per transaction; returns the events written. With ``progress``,
    a line each time that many more are loaded."""
    mapper, recorder = app.log.mapper, app.log.recorder
    started = time.perf_counter()
    total = 0
    items = iter(plan)
    while chunk := list(islice(items, batch)):
        stored, rows = [], []
        for k, at in chunk:
            event, row = submitted(app, k, at, recorded_at=recorded_at)
            stored.append(mapper.to_stored_event(event))
            rows.append(row)
        recorder.insert_events(stored, deadlines=rows)
        before, total = total, total + len(stored)
        if progress and total // progress > before // progress:
            print(f"    loaded {total:,} ({time.perf_counter() - started:.0f} s)", flush=True)
    return total


def check_bulk_path(tmp: str, *, at: datetime, recorded_at: datetime) -> None:
    """The bulk path writes the same stored event (but for its random sealing) and index row as app.submit."""
    app = LaporApp.sqlite(os.path.join(tmp, "check.db"), clock=lambda: recorded_at)
    try:
        cid, i = uuid.uuid4(), 7
        app.submit(
            by=Actor.reporter(f"warga-{i}"),
            at=at,
            complaint_id=cid,
            reporter=Reporter(name=f"Warga {i}", contact="0812-0000-1234"),
            title=TITLES[i % len(TITLES)],
            description=DESCRIPTIONS[i % len(DESCRIPTIONS)],
        )
        (api,) = app.log.recorder.select_events(cid)
        event, row = submitted(app, i, at, recorded_at=recorded_at, cid=cid)
        assert row.due_us is not None
        bulk = app.log.mapper.to_stored_event(event)
        # the same but for what sealing makes random: the ciphertext and the reporter's pseudonym
        sealed = {"identity", "actor"}
        same = app.log.decode(api).model_dump(exclude=sealed) == event.model_dump(exclude=sealed)
        assert api.topic == bulk.topic and len(api.state) == len(bulk.state) and same, "stored event differs"
        assert app.log.deadline_index.select_due(row.due_us, 10) == [(cid, row.due_us)], "index row differs"
        assert app.log.deadline_index.select_due(row.due_us - 1, 10) == [], "index row differs"
        index = app.log.deadline_index
        assert index.select_clocks_between(row.due_us, row.due_us + 1) == [row], "index row differs"
    finally:
        app.close()
    print("bulk path check: app.submit and the bulk path wrote the same stored event and deadline row")
