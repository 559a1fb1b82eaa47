"""Building the views from scratch: one complaint at a time, each row written once.

Catch-up follows the log in the order it was recorded and rewrites every complaint a
batch touches. A build from nothing needs neither: each complaint's view depends on
its own events alone, so the log is read complaint by complaint (the store's key
order, up to a log position), each complaint is folded with the same ``step`` as
catch-up, and its final row and its visits are inserted once, in key order. Memory
holds one complaint and one batch of rows, whatever the length of the log.

For the same reason the key space splits into shares that separate processes build
side by side into the same tables (files and servers only; each share is read and
written in key order). Below ``PARALLEL_FROM`` events a second process costs more
to start than it saves.
"""

from __future__ import annotations

import gc
import multiprocessing
import queue
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from lapor_domain import (
    ComplaintEvent,
    LaporApp,
    LaporError,
    OrganisationDirectory,
    SlaPolicy,
    parse_target,
)
from lapor_domain.model import decisions

from .db import open_database
from .fold import Tracked, Visit, step
from .store import LOG_POSITION, ViewStore, complaint_row, visit_row

Progress = Callable[[int, int], None]
PARALLEL_FROM = 200_000
"""Log positions below which a build stays in one process."""


@dataclass(frozen=True, slots=True)
class Share:
    """Complaints whose ids fall in [start, before); None leaves that end open."""

    start: UUID | None
    before: UUID | None


def shares(count: int) -> list[Share]:
    """The key space cut into ``count`` equal shares (complaint ids are random UUIDs)."""
    cuts = [UUID(int=(i << 128) // count) for i in range(1, count)]
    bounds: list[UUID | None] = [None, *cuts, None]
    return [Share(bounds[i], bounds[i + 1]) for i in range(count)]


def build_views(
    app: LaporApp,
    store: ViewStore,
    *,
    until: int,
    as_of: datetime | None = None,
    progress: Progress | None = None,
    batch: int = 5_000,
    workers: int = 1,
    views_target: str | None = None,
    parallel_from: int = PARALLEL_FROM,
) -> int:
    """Fill ``store``'s empty tables from the events at log positions up to ``until``.

    With ``as_of``, only events dated at or before it count, and every deadline due by
    then fires at its due instant, as a sweep at ``as_of`` would have recorded it.
    With ``workers`` > 1, a persistent store, a ``views_target`` another process can
    open and at least ``parallel_from`` positions, shares are built in that many
    processes. Returns how many events were applied; the store's position becomes ``until``.
    """
    done = 0

    def report(applied: int) -> None:
        nonlocal done
        done += applied
        if progress:
            progress(min(done, until), until)

    parallel = (
        workers > 1
        and until >= parallel_from
        and app.target.is_persistent
        and views_target is not None
        and parse_target(views_target).is_persistent
    )
    if parallel:
        assert views_target is not None
        applied = _build_in_processes(app, store, views_target, workers, until, as_of, batch, report)
    else:
        applied = _build_share(app, store, Share(None, None), until, as_of, batch, report)
    with store.db.transaction() as cur:
        store.mark(cur, LOG_POSITION, until)
    if progress:
        progress(until, until)
    return applied


def _build_share(
    app: LaporApp,
    store: ViewStore,
    share: Share,
    until: int,
    as_of: datetime | None,
    batch: int,
    report: Callable[[int], None],
) -> int:
    """Build one share's rows; ``report`` hears how many events each committed batch applied."""
    policy, rules = app.policy, app.rules
    complaints: list[tuple[Any, ...]] = []
    visits: list[tuple[Any, ...]] = []
    total = pending = 0
    with _without_cycle_collection():
        for events in app.log.read_by_complaint(until=until, start=share.start, before=share.before):
            if as_of is not None:
                events = [e for e in events if e.at <= as_of]
                if not events:
                    continue
            tracked, opened = _fold(events, policy)
            if as_of is not None and tracked.deadline is not None and tracked.deadline.due <= as_of:
                fired = decisions.fire_due(tracked.complaint, rules, as_of, as_of)
                tracked, more = _fold(fired, policy, tracked)
                opened.update(more)
            complaints.append(complaint_row(tracked))
            visits += [visit_row(v) for v in opened.values()]
            pending += len(events)
            if len(complaints) >= batch:
                _insert(store, complaints, visits)
                complaints, visits = [], []
                report(pending)
                total, pending = total + pending, 0
        _insert(store, complaints, visits)
    report(pending)
    return total + pending


@dataclass(frozen=True, slots=True)
class _Job:
    """What a worker process needs to build one share: text only, so it pickles small."""

    events: str
    policy: str
    directory: str
    views: str
    prefix: str
    until: int
    as_of: datetime | None
    batch: int


def _build_in_processes(
    app: LaporApp,
    store: ViewStore,
    views_target: str,
    workers: int,
    until: int,
    as_of: datetime | None,
    batch: int,
    report: Callable[[int], None],
) -> int:
    """This process builds the first share and ``workers - 1`` spawned processes the others."""
    job = _Job(
        events=app.target.text,
        policy=app.policy.model_dump_json(),
        directory=app.directory.model_dump_json(),
        views=views_target,
        prefix=store.prefix,
        until=until,
        as_of=as_of,
        batch=batch,
    )
    first, *others = shares(workers)
    crew = _Crew(job, others, report)
    try:
        crew.start()
        mine = _build_share(app, store, first, until, as_of, batch, crew.alongside)
        return mine + crew.finish()
    finally:
        crew.stop()


class _Crew:
    """The worker processes of a build, and what they say through one queue."""

    def __init__(self, job: _Job, shares: list[Share], report: Callable[[int], None]) -> None:
        context = multiprocessing.get_context("spawn")
        self.messages: Any = context.Queue()
        self.children = [
            context.Process(
                target=_work, args=(job, share, self.messages), name=f"lapor-build-{n}", daemon=True
            )
            for n, share in enumerate(shares, start=1)
        ]
        self.report = report
        self.ready: list[Share] = []
        self.finished: list[int] = []

    def start(self) -> None:
        """One at a time: opening a PostgreSQL store runs CREATE ... IF NOT EXISTS and CREATE OR
        REPLACE FUNCTION, which fail ("tuple concurrently updated") when run at once."""
        for child in self.children:
            wanted = len(self.ready) + 1
            child.start()
            self._wait(lambda: len(self.ready) >= wanted, child.is_alive)  # noqa: B023 (called at once)

    def alongside(self, applied: int) -> None:
        """This process's own progress, and the workers' so far."""
        self.report(applied)
        while not self.messages.empty():
            self._hear(block=False)

    def finish(self) -> int:
        """Wait for every worker; how many events they applied."""
        self._wait(lambda: len(self.finished) == len(self.children), self._any_alive)
        return sum(self.finished)

    def stop(self) -> None:
        for child in self.children:
            if child.is_alive():
                child.terminate()
            if child.pid is not None:
                child.join()

    def _any_alive(self) -> bool:
        return any(child.is_alive() for child in self.children)

    def _hear(self, block: bool) -> None:
        """Pass on progress; raise what a worker failed with."""
        try:
            kind, value = self.messages.get(block=block, timeout=0.5 if block else None)
        except queue.Empty:
            return
        if kind == "applied":
            self.report(value)
        elif kind == "ready":
            self.ready.append(value)
        elif kind == "done":
            self.finished.append(value)
        else:
            raise value

    def _wait(self, until: Callable[[], bool], alive: Callable[[], bool]) -> None:
        while not until():
            self._hear(block=True)
            if not until() and not alive():
                while not self.messages.empty():
                    self._hear(block=False)
                if not until():
                    codes = [child.exitcode for child in self.children]
                    raise LaporError(f"a build worker stopped without finishing (exit codes {codes})")


def _work(job: _Job, share: Share, messages: Any) -> None:
    """A worker process: build one share into the shared views database."""
    try:
        app = LaporApp(
            job.events,
            clock=_no_clock,
            policy=SlaPolicy.model_validate_json(job.policy),
            directory=OrganisationDirectory.model_validate_json(job.directory),
        )
        store = ViewStore(open_database(job.views), prefix=job.prefix)
        messages.put(("ready", share))
        try:
            applied = _build_share(
                app, store, share, job.until, job.as_of, job.batch, lambda n: messages.put(("applied", n))
            )
        finally:
            store.db.close()
            app.close()
        messages.put(("done", applied))
    except BaseException as exc:
        messages.put(("failed", exc if isinstance(exc, LaporError) else LaporError(repr(exc))))


def _no_clock() -> datetime:
    raise LaporError("a view build records nothing, so it has no clock")


def _fold(
    events: list[ComplaintEvent], policy: SlaPolicy, tracked: Tracked | None = None
) -> tuple[Tracked, dict[int, Visit]]:
    visits: dict[int, Visit] = {}
    for event in events:
        tracked, changed = step(tracked, event, policy)
        for visit in changed:
            visits[visit.seq] = visit
    assert tracked is not None
    return tracked, visits


def _insert(store: ViewStore, complaints: list[tuple[Any, ...]], visits: list[tuple[Any, ...]]) -> None:
    with store.db.transaction() as cur:
        store.insert(cur, complaints, visits)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while folding (refcounting still frees everything).

    A fold allocates a few objects per event and keeps none in cycles, yet the collector
    kept rescanning the live objects: it took over half of a rebuild's time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
