"""ReadModels: keeps the stored views caught up with the application's event log, exactly once.

* ``catch_up()`` reads the log from the stored position in batches; each batch's
  view changes and the new position commit in one transaction, so a crash anywhere
  resumes to exactly the view an uninterrupted run gives.
* ``attach()`` catches up after every command (embedded); ``follow()`` polls, or on
  PostgreSQL waits for notifications (a separate long-running follower).
* ``rebuild()`` builds beside the live views and switches when caught up; a shadow
  left by a rebuild that is no longer running (killed) is dropped when the read models
  are next opened (``shadow``).
* ``build_as_of(T, target)`` builds the views as they stood at T into another database.

Builds from scratch (rebuild, check, as-of) read the log complaint by complaint
(``build``); on a big log they spawn ``workers - 1`` extra processes, so a program that
embeds this needs the ``if __name__ == "__main__":`` guard multiprocessing asks for, or
``workers=1``.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from uuid import UUID

from lapor_domain import (
    CalendarAmended,
    ComplaintEvent,
    ConcurrentUpdate,
    InvalidInput,
    LaporApp,
    LogEvent,
    PolicyRecorded,
    StoreCorrupt,
    StoreUnavailable,
    from_micros,
    require_aware,
    to_micros,
)

from .build import Progress, build_views
from .db import Database, open_database
from .fold import Tracked, Visit, repaired, step
from .shadow import SHADOW, drop_abandoned_shadow, rebuild_lock
from .store import AS_OF, LOG_POSITION, TABLES, PositionMoved, ViewStore, differences, text_docs

BUILD_FROM = 50_000
"""A catch-up from position 0 over at least this many log positions builds instead."""


class ReadModels:
    """The read side of one application: its views in a database (by default, beside the events)."""

    def __init__(
        self,
        app: LaporApp,
        target: str | None = None,
        *,
        batch: int = 10_000,
        cache_size: int = 20_000,
        workers: int | None = None,
    ) -> None:
        self.app = app
        self.policy = app.policy
        self.target = target if target is not None else app.target.text
        self.db: Database = open_database(self.target)
        # Builds from scratch (rebuild, check, as-of) may use several processes on a big log;
        # two by default, which keeps them under 250 MB together (about 85-105 MB each).
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self.batch = batch
        self.store = ViewStore(self.db)
        self._cache: OrderedDict[UUID, Tracked] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.RLock()
        self._followed = False  # after its first catch-up, an object follows the log batch by batch
        self.lagging: ConcurrentUpdate | StoreUnavailable | None = None  # why a command was not followed
        with self.db.reading() as cur:
            ready = self.store.ready(cur)
        if ready:
            self._outdated = False
        else:
            with self.db.transaction() as cur:
                self._outdated = self.store.create(cur)  # a table new to these views: rebuild first
        self._rebuild_lock = rebuild_lock(self.db, self.target)
        drop_abandoned_shadow(self.db, self._rebuild_lock)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ReadModels:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- following the log -------------------------------------------------------------

    def position(self) -> int:
        return self.store.position(LOG_POSITION)

    def stands_at(self) -> datetime | None:
        """For a database written by ``build_as_of``: the instant its views stand at; else None."""
        us = self.store.position(AS_OF)
        return from_micros(us) if us else None

    def head(self) -> int:
        return self.app.feed.head()

    def catch_up(self, *, progress: Progress | None = None, max_batches: int | None = None) -> int:
        """Apply every event recorded since the stored position; returns how many.

        On its first call, views that have read nothing of a long log (at least
        ``BUILD_FROM`` positions) are built from scratch instead, as a rebuild does: the
        same views, several times faster. Later calls (one per command when attached)
        go straight to the log.
        """
        with self._lock:
            first, self._followed = not self._followed, True
            if self._outdated and self.position() > 0:
                self._outdated = False
                applied = self.rebuild(progress=progress)
            elif first and max_batches is None and self.position() == 0 and self.head() >= BUILD_FROM:
                applied = self.rebuild(progress=progress)
            else:
                applied = self._catch_up(self.store, self._cache, progress=progress, max_batches=max_batches)
            self.lagging = None
            return applied

    def attach(self) -> ReadModels:
        """Embedded: the views are caught up before each command returns."""
        self.catch_up()
        self.app.on_recorded(self._follow_recorded)
        return self

    def _follow_recorded(self) -> None:
        """Catch up after a recorded command. A lost race on the view tables or a dropped
        connection leaves the command recorded and the views behind: the error is kept in
        ``lagging``, not raised, and the next catch-up tries again. Raised, it would make a
        recorded command look refused, and its caller enter it again. Damaged views still raise."""
        try:
            self.catch_up()
        except StoreCorrupt:
            raise
        except (ConcurrentUpdate, StoreUnavailable) as error:
            self.lagging = error

    def follow(
        self, stop: threading.Event, *, poll_seconds: float = 0.5, progress: Progress | None = None
    ) -> None:
        """A long-running follower: catch up, then wait for more, until ``stop`` is set.

        On PostgreSQL (and the in-memory store) the wait is woken by the store as soon as
        events are recorded; on SQLite, which has no notifications, it polls every
        ``poll_seconds``. Either way at most ``poll_seconds`` pass between two catch-ups.
        """
        feed = self.app.feed
        feed.listen()  # before the first read: an append in between still wakes the wait
        while not stop.is_set():
            if self.catch_up(progress=progress) == 0:
                feed.wait(poll_seconds, stop)

    def _catch_up(
        self,
        store: ViewStore,
        cache: OrderedDict[UUID, Tracked],
        *,
        progress: Progress | None = None,
        max_batches: int | None = None,
    ) -> int:
        applied, batches = 0, 0
        position = store.position(LOG_POSITION)
        head = self.head() if progress else 0
        while max_batches is None or batches < max_batches:
            page = self.app.feed.after(position, limit=self.batch)
            if not page:
                break
            events = [recorded.event for recorded in page]
            try:
                self._apply(store, cache, events, position, page[-1].position)
            except PositionMoved:
                cache.clear()
                position = store.position(LOG_POSITION)
                continue
            except BaseException:
                cache.clear()  # it may hold states of a batch that did not commit
                raise
            position = page[-1].position
            applied += len(page)
            batches += 1
            if progress:
                progress(position, max(head, position))
        return applied

    def _apply(
        self,
        store: ViewStore,
        cache: OrderedDict[UUID, Tracked],
        logged: Sequence[LogEvent],
        expected: int,
        position: int,
    ) -> None:
        events = [e for e in logged if isinstance(e, ComplaintEvent)]
        amended = [e for e in logged if isinstance(e, CalendarAmended)]
        rules_changed = amended or any(isinstance(e, PolicyRecorded) for e in logged)
        calendars = self.app.calendar_record.refresh() if rules_changed else self.app.rules.calendars
        missing = {e.originator_id for e in events} - cache.keys()
        if missing:
            cache.update(store.load(missing))
        touched: dict[UUID, Tracked] = {}
        visits: dict[tuple[UUID, int], Visit] = {}
        known = {cid for cid in {e.originator_id for e in events} if cid in cache}  # stored before
        for event in events:
            cid = event.originator_id
            tracked, changed = step(touched.get(cid) or cache.get(cid), event, calendars)
            touched[cid] = tracked
            for visit in changed:
                visits[(cid, visit.seq)] = visit
        for amendment in amended:  # rule 16: the stays and clocks it moves, counted again
            start, until = calendars.reach(calendars.amendments[amendment.originator_version - 1])
            for cid, stored in store.open_due_between(to_micros(start), to_micros(until)).items():
                if cid in touched:
                    continue  # counted on these calendars already
                tracked, changed = repaired(stored, calendars)
                if changed or tracked.deadline != stored.deadline:
                    touched[cid] = tracked
                    for visit in changed:
                        visits[(cid, visit.seq)] = visit
        with store.db.transaction() as cur:
            store.write(
                cur,
                list(touched.values()),
                list(visits.values()),
                LOG_POSITION,
                expected,
                position,
                text_docs(events, known),
            )
        cache.update(touched)
        for cid in touched:
            cache.move_to_end(cid)
        while len(cache) > self._cache_size:
            cache.popitem(last=False)

    # -- rebuild and as-of ------------------------------------------------------------

    def rebuild(self, *, progress: Progress | None = None, skip: frozenset[UUID] = frozenset()) -> int:
        """Build the views afresh beside the live ones, then switch to them in one transaction.

        The shadow is built from the log up to its current head, one complaint at a time,
        then caught up with whatever arrived meanwhile. An interrupted rebuild leaves the
        live views as they were and drops its shadow (one killed outright leaves it to the
        next opening of the read models: see ``shadow``). A rebuild of the same views in
        another process is waited for. The complaints in ``skip`` are left out: a rebuild from
        what verifies, when an operator accepted a damaged log (rule 15).
        """
        shadow = ViewStore(self.db, prefix=SHADOW)
        with self._rebuild_lock.held():
            try:
                return self._rebuild_into(shadow, progress, skip)
            except BaseException:
                with self.db.transaction() as cur:
                    shadow.drop(cur)  # it holds the views' personal data: keep none of it
                raise

    def _rebuild_into(self, shadow: ViewStore, progress: Progress | None, skip: frozenset[UUID]) -> int:
        with self.db.transaction() as cur:
            shadow.drop(cur)
            shadow.create(cur, indexes=False)
        applied = build_views(
            self.app,
            shadow,
            until=self.head(),
            progress=progress,
            workers=self.workers,
            views_target=self.target,
            skip=skip,
        )
        with self._lock:
            applied += self._catch_up(shadow, OrderedDict())  # whatever arrived meanwhile
            with self.db.transaction() as cur:
                # The DDL lock before any table's: an opener holds it while it reads the tables.
                self.db.serialise_creation(cur)
                self.store.drop(cur)
                for table in TABLES:
                    self.db.rename_table(cur, SHADOW + table, table)
                self.store.create_indexes(cur)
            self._cache.clear()
        return applied

    def check(self, *, progress: Progress | None = None, limit: int = 20) -> list[str]:
        """Recompute every view from the events, beside, and say where the stored views differ."""
        with self._lock:
            self.catch_up()
            position = self.position()
            with tempfile.TemporaryDirectory(prefix="lapor-check-") as folder:
                target = str(Path(folder) / "check.db")
                fresh = ReadModels(self.app, target, batch=self.batch)
                try:
                    build_views(
                        self.app,
                        fresh.store,
                        until=position,
                        progress=progress,
                        workers=self.workers,
                        views_target=target,
                    )
                    return differences(self.store, fresh.store, limit=limit)
                finally:
                    fresh.close()

    def build_as_of(
        self,
        as_of: datetime,
        target: str,
        *,
        progress: Progress | None = None,
        known_at: datetime | None = None,
    ) -> ReadModels:
        """The views as they stood at ``as_of``, in another database; the live views are untouched.

        Events up to ``as_of`` (business time) are applied, then every deadline due by then
        fires at its due instant, exactly as a sweep at ``as_of`` would have recorded it, counted
        on the calendar known at ``known_at`` (default ``as_of``: as it stood; rule 16).
        """
        require_aware(as_of, "the as-of instant")
        if target in ("", self.app.target.text):
            raise InvalidInput("an as-of build needs a target other than the live database")
        replay = ReadModels(self.app, target, batch=self.batch, cache_size=self._cache_size)
        with replay.db.transaction() as cur:
            replay.store.drop(cur)
            replay.store.create(cur, indexes=False)
        build_views(
            self.app,
            replay.store,
            until=self.head(),
            as_of=as_of,
            progress=progress,
            workers=self.workers,
            views_target=target,
            known_at=known_at,
        )
        with replay.db.transaction() as cur:
            replay.store.create_indexes(cur)
            replay.store.mark(cur, AS_OF, to_micros(as_of))
        return replay
