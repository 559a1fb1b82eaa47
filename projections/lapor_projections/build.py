"""Building the views from scratch: one complaint at a time, each row written once.

Catch-up follows the log in the order it was recorded and rewrites every complaint a
batch touches. A build from nothing needs neither: each complaint's view depends on
its own events alone, so the log is read complaint by complaint (the store's key
order, up to a log position), each complaint is folded with the same ``step`` as
catch-up, and its final row and its visits are inserted once, in key order. Memory
holds one complaint and one batch of rows, whatever the length of the log.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from lapor_domain import ComplaintEvent, LaporApp, SlaPolicy
from lapor_domain.model import decisions

from .fold import Tracked, Visit, step
from .store import LOG_POSITION, ViewStore, complaint_row, visit_row

Progress = Callable[[int, int], None]


def build_views(
    app: LaporApp,
    store: ViewStore,
    *,
    until: int,
    as_of: datetime | None = None,
    progress: Progress | None = None,
    batch: int = 5_000,
) -> int:
    """Fill ``store``'s empty tables from the events at log positions up to ``until``.

    With ``as_of``, only events dated at or before it count, and every deadline due by
    then fires at its due instant, as a sweep at ``as_of`` would have recorded it.
    Returns how many events were applied; the store's position becomes ``until``.
    """
    policy, rules = app.policy, app.rules
    complaints: list[tuple[Any, ...]] = []
    visits: list[tuple[Any, ...]] = []
    applied = 0
    with _without_cycle_collection():
        for events in app.log.read_by_complaint(until=until):
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
            applied += len(events)
            if len(complaints) >= batch:
                _insert(store, complaints, visits)
                complaints, visits = [], []
                if progress:
                    progress(min(applied, until), until)
        with store.db.transaction() as cur:
            store.insert(cur, complaints, visits)
            store.mark(cur, LOG_POSITION, until)
    if progress:
        progress(until, until)
    return applied


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
