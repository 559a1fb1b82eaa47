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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from lapor_domain import (
    Calendars,
    ComplaintEvent,
    LaporApp,
    LaporError,
    OrganisationDirectory,
    SlaPolicy,
    decisions,
    flags_now,
    parse_target,
)

from .db import TextDoc, open_database
from .fold import Tracked, Visit, step
from .store import LOG_POSITION, ViewStore, complaint_row, text_docs, visit_row

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
    skip: frozenset[UUID] = frozenset(),
    known_at: datetime | None = None,
) -> int:
    """Fill ``store``'s empty tables from the events at log positions up to ``until``.

    With ``as_of``, only events dated at or before it count, and every deadline due by
    then fires at its due instant, as a sweep at ``as_of`` would have recorded it.
    With ``workers`` > 1, a persistent store, a ``views_target`` another process can
    open and at least ``parallel_from`` positions, shares are built in that many
    processes. Returns how many events were applied; the store's position becomes ``until``.
    The complaints in ``skip`` are left out (a rebuild from what verifies, rule 15).
    Deadlines count on the calendar known at ``known_at`` (rule 16; default: ``as_of``, as it
    stood; every amendment recorded when there is no ``as_of``).
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
        applied = _build_in_processes(
            app, store, views_target, workers, until, as_of, batch, report, skip, known_at
        )
    else:
        applied = _build_share(app, store, Share(None, None), until, as_of, batch, report, skip, known_at)
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
    skip: frozenset[UUID] = frozenset(),
    known_at: datetime | None = None,
) -> int:
    """Build one share's rows; ``report`` hears how many events each committed batch applied."""
    rules = app.rules if as_of is None else app.rules_known_at(known_at or as_of)
    calendars = rules.calendars  # as it stood: what was known at the as-of instant (rule 16)
    complaints: list[tuple[Any, ...]] = []
    visits: list[tuple[Any, ...]] = []
    texts: list[TextDoc] = []
    total = pending = 0
    with _without_cycle_collection():
        for events in app.feed.by_complaint(until=until, start=share.start, before=share.before, skip=skip):
            flags = None
            if as_of is not None:
                flags = flags_now(events)  # rule 10: as they stand now, in every past view
                events = [e for e in events if e.at <= as_of]
                if not events:
                    continue
            tracked, opened = _fold(events, calendars)
            if flags is not None and flags != (tracked.complaint.anonymous, tracked.complaint.confidential):
                anonymous, confidential = flags
                tracked = tracked._replace(
                    complaint=tracked.complaint.changed(anonymous=anonymous, confidential=confidential)
                )
            if as_of is not None and tracked.deadline is not None and tracked.deadline.due <= as_of:
                fired = decisions.fire_final(tracked.complaint, rules, as_of, as_of)
                tracked, more = _fold(fired, calendars, tracked)
                opened.update(more)
            complaints.append(complaint_row(tracked))
            visits += [visit_row(v) for v in opened.values()]
            texts += text_docs(events)
            pending += len(events)
            if len(complaints) >= batch:
                _insert(store, complaints, visits, texts)
                complaints, visits, texts = [], [], []
                report(pending)
                total, pending = total + pending, 0
        _insert(store, complaints, visits, texts)
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
    skip: frozenset[UUID] = frozenset()
    known_at: datetime | None = None


def _build_in_processes(
    app: LaporApp,
    store: ViewStore,
    views_target: str,
    workers: int,
    until: int,
    as_of: datetime | None,
    batch: int,
    report: Callable[[int], None],
    skip: frozenset[UUID],
    known_at: datetime | None = None,
) -> int:
    """This process builds the first share and a pool of ``workers - 1`` spawned processes the others.

    The workers open the stores without creating anything, so they start all at once;
    each tells how many events every committed batch applied through one queue.
    """
    job = _Job(
        events=app.target.text,
        policy=app.policy.model_dump_json(),
        directory=app.directory.model_dump_json(),
        views=views_target,
        prefix=store.prefix,
        until=until,
        as_of=as_of,
        batch=batch,
        skip=skip,
        known_at=known_at,
    )
    first, *others = shares(workers)
    import multiprocessing  # here: a command that builds nothing in processes does not pay for it
    import queue
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn")
    applied: Any = context.Queue()

    def hear() -> None:
        while True:
            try:
                report(applied.get_nowait())
            except queue.Empty:
                return

    def alongside(applied_here: int) -> None:
        report(applied_here)
        hear()

    pool = ProcessPoolExecutor(len(others), mp_context=context, initializer=_listen, initargs=(applied,))
    try:
        theirs = [pool.submit(_work, job, share) for share in others]
        mine = _build_share(app, store, first, until, as_of, batch, alongside, skip, known_at)
        pending = set(theirs)
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_EXCEPTION)
            hear()
            for future in done:
                future.result()  # what a worker failed with is raised here
        total = mine + sum(future.result() for future in theirs)
    except BrokenProcessPool as exc:
        raise LaporError("a build worker stopped without finishing: {reason}", reason=str(exc)) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    hear()
    return total


_told: Any = None  # in a worker process: the queue its progress goes to


def _listen(told: Any) -> None:
    global _told
    _told = told


def _work(job: _Job, share: Share) -> int:
    """A worker process: build one share into the shared views database; how many events it applied."""
    try:
        app = LaporApp(
            job.events,
            clock=_no_clock,
            policy=SlaPolicy.model_validate_json(job.policy),
            directory=OrganisationDirectory.model_validate_json(job.directory),
            create=False,
        )
        try:
            store = ViewStore(open_database(job.views), prefix=job.prefix)
            try:
                return _build_share(
                    app, store, share, job.until, job.as_of, job.batch, _tell, job.skip, job.known_at
                )
            finally:
                store.db.close()
        finally:
            app.close()
    except LaporError:
        raise
    except Exception as exc:  # reaches the caller as the error type the read side raises
        raise LaporError("a build worker failed: {reason}", reason=repr(exc)) from None


def _tell(applied: int) -> None:
    if _told is not None:
        _told.put(applied)


def _no_clock() -> datetime:
    raise LaporError("a view build records nothing, so it has no clock")


def _fold(
    events: list[ComplaintEvent], calendars: Calendars, tracked: Tracked | None = None
) -> tuple[Tracked, dict[int, Visit]]:
    visits: dict[int, Visit] = {}
    for event in events:
        tracked, changed = step(tracked, event, calendars)
        for visit in changed:
            visits[visit.seq] = visit
    assert tracked is not None
    return tracked, visits


def _insert(
    store: ViewStore,
    complaints: list[tuple[Any, ...]],
    visits: list[tuple[Any, ...]],
    texts: list[TextDoc],
) -> None:
    with store.db.transaction() as cur:
        store.insert(cur, complaints, visits, texts)


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
