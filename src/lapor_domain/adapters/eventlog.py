"""The eventsourcing application underneath: the complaint log and its recorder.

Every store error leaves here typed (``store_errors``): the drivers' and the library's
errors become ``StoreUnavailable`` (cannot open or reach the store, or it failed while
in use) or ``StoreCorrupt`` (not a database, malformed pages, an event that does not
read back); a lost race is already ``ConcurrentUpdate`` (the PostgreSQL recorder). The
library's ``IntegrityError`` passes: it is how a write learns that its version is taken,
which the application turns into a retry or ``ComplaintExists``.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Collection, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import (
    ApplicationRecorder,
    InfrastructureFactory,
    Mapper,
    StoredEvent,
)
from eventsourcing.utils import Environment, EnvType

from ..model.complaint import Complaint, fold
from ..model.events import BASE_CALENDAR_STREAM, CALENDAR_STREAM, POLICY_STREAM, ComplaintEvent, LogEvent
from .mapper import PydanticMapper
from .recorders import (
    AppendListener,
    ComplaintOrder,
    DeadlineIndex,
    DirectAppend,
    MemoryRecorder,
    RulesSeen,
    StreamHeads,
    deadline_rows,
)
from .store_errors import store_errors, typed_store_error

if TYPE_CHECKING:
    from .postgres_recorder import PostgresRecorder
    from .sqlite_recorder import SQLiteRecorder


class _Guarded:
    """A recorder whose every method raises store errors typed (``typed_store_error``)."""

    def __init__(self, recorder: ApplicationRecorder, store: str) -> None:
        self._recorder = recorder
        self._store = store

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._recorder, name)
        if not callable(found):
            return found
        store = self._store

        @functools.wraps(found)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return found(*args, **kwargs)
            except Exception as exc:
                typed = typed_store_error(exc, store)
                if typed is None:
                    raise
                raise typed from exc

        setattr(self, name, guarded)  # looked up once per method
        return guarded


class ComplaintLog(Application[UUID]):
    """Stores complaint events; configured only by the env it is given."""

    name = "lapor"

    def __init__(self, env: EnvType | None = None, *, create: bool = True, store: str = "the store") -> None:
        """``create=False`` opens a store known to exist (a build worker): no table creation,
        only a read that fails, as the store being unavailable, if the log is not there.
        ``store`` names the store in error messages."""
        self.create = create
        self.store = store
        self.direct_append = False  # set when the recorder is opened
        self._preludes: dict[str, Prelude] = {}
        self.rules_written = 0
        """How many of this log's appends carried a calendar or policy event (its own moves of
        the rules' heads: ``CalendarHistory`` reads the heads again after one)."""
        with store_errors(store, opening=True):
            try:
                super().__init__(env=env)
            except BaseException:
                # The factory may hold a connection pool (and its threads) by now: a store that
                # could not be opened leaves none of it behind.
                factory = getattr(self, "factory", None)
                if factory is not None:
                    factory.close()
                raise

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        # The store target alone decides: the process environment is not consulted.
        return Environment(name, dict(env or {}))

    def construct_factory(self, env: Environment) -> InfrastructureFactory:
        factory = super().construct_factory(env)
        if env.get("PERSISTENCE_MODULE") == "eventsourcing.sqlite":
            from .sqlite_recorder import cache_statements

            cache_statements(factory)
        return factory

    def construct_mapper(self) -> Mapper[UUID]:
        return PydanticMapper()

    def construct_recorder(self) -> ApplicationRecorder:
        # Each store's driver is imported only when that store is used.
        module = self.env.get("PERSISTENCE_MODULE")
        datastore: Any = getattr(self.factory, "datastore", None)
        if module == "eventsourcing.sqlite":
            from .sqlite_recorder import SQLiteRecorder

            return self._opened(SQLiteRecorder(datastore=datastore))
        if module == "eventsourcing.postgres":
            from .postgres_recorder import PostgresRecorder

            return self._opened(PostgresRecorder(datastore=datastore))
        if module == "eventsourcing.popo":
            return MemoryRecorder()
        raise TypeError(f"unsupported persistence module {module!r}")  # pragma: no cover

    def _opened(self, recorder: SQLiteRecorder | PostgresRecorder) -> ApplicationRecorder:
        if self.create:
            recorder.create_table()  # safe with many processes at once; a no-op when all is there
        else:
            recorder.max_notification_id()  # the log is there (raises a PersistenceError if not)
        # A second connection to an in-memory SQLite database would open another database.
        pool = getattr(recorder.datastore, "pool", None)
        self.direct_append = isinstance(recorder, DirectAppend) and not getattr(
            pool, "is_sqlite_memory_mode", True
        )
        return cast(ApplicationRecorder, _Guarded(recorder, self.store))

    @property
    def deadline_index(self) -> DeadlineIndex:
        return cast(DeadlineIndex, self.recorder)  # every recorder here is one (a guarded one, too)

    @property
    def complaint_order(self) -> ComplaintOrder:
        return cast(ComplaintOrder, self.recorder)

    def events_of(self, complaint_id: UUID, *, after_version: int | None = None) -> list[ComplaintEvent]:
        if complaint_id in _RULES_IDS:
            return []  # no complaint has the calendar's or the policy's stream id
        events: list[ComplaintEvent] = list(self.events.get(complaint_id, gt=after_version))  # type: ignore[arg-type]
        return events

    def calendar_events(self, *, after_version: int | None = None) -> list[LogEvent]:
        """The calendar's stream (rule 16), in order."""
        return list(self.events.get(CALENDAR_STREAM, gt=after_version))  # type: ignore[arg-type]

    def rules_heads(self) -> tuple[int, int]:
        """How far the calendar's and the policy's streams reach (0: no event), in one query: a
        process compares them with what it knows before each command (rule 16)."""
        heads = cast(StreamHeads, self.recorder).stream_heads(_CHANGING_RULES)
        return heads.get(CALENDAR_STREAM, 0), heads.get(POLICY_STREAM, 0)

    def load(self, complaint_id: UUID, cached: Complaint | None = None) -> Complaint | None:
        """The complaint folded from its events, fast-forwarding a cached state if given."""
        after = cached.version if cached is not None else None
        return fold(self.events_of(complaint_id, after_version=after), cached)

    @property
    def guards_rules(self) -> bool:
        """Whether ``append(..., rules_seen=)`` checks the rules' heads in its own transaction
        (a SQLite file), so a command need not read them before it decides (rule 16)."""
        return self.direct_append

    def append(
        self, events: Sequence[LogEvent], *, rules_seen: tuple[int, int] | None = None, **kwargs: Any
    ) -> None:
        """Record the events (and the deadline rows in ``kwargs``) in one transaction.

        Straight to the event store: ``Application.save`` would add a runtime protocol
        check per event and snapshot and notification hooks this application does not use;
        a store that writes its rows itself (SQLite) skips the library's write path too.
        ``rules_seen``: the calendar's and the policy's stream heads the events were decided
        on; where the store ``guards_rules``, ``RulesMoved`` (nothing written) if they reach
        elsewhere by the write.
        """
        firsts = (
            [(key, prelude, prelude.events(events)) for key, prelude in list(self._preludes.items())]
            if self._preludes and events
            else []
        )
        if extra := [event for _, _, before in firsts for event in before]:
            events = [*extra, *events]
        if any(event.originator_id in _CHANGING_SET for event in events):
            self.rules_written += 1
        if self.direct_append:
            to_stored = self.mapper.to_stored_event
            cast(DirectAppend, self.recorder).append_rows(
                [to_stored(e) for e in events],
                deadline_rows(kwargs),
                None if rules_seen is None else RulesSeen(_CHANGING_RULES, rules_seen),
            )
        else:
            self.events.put(events, **kwargs)
        for key, prelude, before in firsts:  # each asked once: recorded now, or by another process
            del self._preludes[key]
            if before:
                prelude.recorded(before)

    def record_first(self, key: str, prelude: Prelude | None) -> None:
        """Events to record once, in the transaction of the next append (the store's first
        policy and base calendar, rule 16: written with the first event, so a store only read
        stays as it was); ``key`` names which (None: no longer)."""
        if prelude is None:
            self._preludes.pop(key, None)
        else:
            self._preludes[key] = prelude

    def rewrite(self, events: list[ComplaintEvent]) -> None:
        """Store these events' new states over their recorded ones, in one transaction. Only
        for sealing identities recorded in plain text before sealing existed (rule 14)."""
        stored = [self.mapper.to_stored_event(e) for e in events]
        cast(Any, self.recorder).rewrite_states(stored)

    def decode(self, stored: StoredEvent) -> LogEvent:
        return cast(LogEvent, self.mapper.to_domain_event(stored))

    def head(self) -> int:
        """The position of the latest recorded event (0 for none)."""
        return self.recorder.max_notification_id() or 0

    def page_after(self, position: int, limit: int) -> list[tuple[int, LogEvent]]:
        """Up to ``limit`` events recorded after ``position``, with their positions."""
        page = self.recorder.select_notifications(start=position, limit=limit, inclusive_of_start=False)
        return [(notification.id, self.decode(notification)) for notification in page]

    def read_all(self, *, after: int = 0, batch: int = 1000) -> Iterator[tuple[int, LogEvent]]:
        """Every event in the order recorded, with its position in the application's log."""
        while page := self.page_after(after, batch):
            yield from page
            after = page[-1][0]

    @property
    def notifies(self) -> bool:
        """Whether the store wakes a waiting reader when events are recorded."""
        return isinstance(self.recorder, AppendListener)

    def start_listening(self) -> None:
        """From now on an append wakes ``wait_for_append`` (where the store notifies)."""
        if isinstance(self.recorder, AppendListener):
            self.recorder.start_listening()

    def wait_for_append(self, timeout: float, stop: threading.Event | None = None) -> bool:
        """Until the store says events were recorded (True), ``stop`` is set or the timeout passes."""
        if isinstance(self.recorder, AppendListener):
            return self.recorder.wait_for_append(timeout, stop)
        (stop or threading.Event()).wait(timeout)  # no notifications here: a reader polls
        return False

    def close(self) -> None:
        if isinstance(self.recorder, AppendListener):
            self.recorder.stop_listening()
        if self.direct_append:
            cast(DirectAppend, self.recorder).close_writer()
        super().close()

    def read_by_complaint(
        self,
        *,
        until: int,
        batch: int = 5000,
        start: UUID | None = None,
        before: UUID | None = None,
        skip: Collection[UUID] = (),
    ) -> Iterator[list[ComplaintEvent]]:
        """Every complaint's events recorded up to log position ``until``, one complaint at a time
        (the calendar's and the policy's streams are not a complaint's: they are left out).

        The order of complaints is the store's key order, not the log's; a fold that keeps
        one complaint in memory at a time reads a log of any length in bounded memory.
        ``start`` and ``before`` bound the complaint ids read (shares of a parallel rebuild);
        the complaints in ``skip`` are left out, undecoded (a rebuild that accepted damage).
        """
        left_out = {*skip, *(c.hex for c in skip), *_RULES_STREAMS}
        decode = cast(PydanticMapper, self.mapper).decode
        after: tuple[UUID | str, int] | None = None if start is None else (start, 0)
        current: list[ComplaintEvent] = []
        current_id: UUID | str | None = None
        select = self.complaint_order.select_by_complaint
        while page := select(after=after, until=until, limit=batch, before=before):
            for originator_id, version, topic, state in page:
                if originator_id in left_out:
                    continue
                if originator_id != current_id and current:
                    yield current
                    current = []
                current_id = originator_id
                current.append(cast(ComplaintEvent, decode(topic, originator_id, version, state)))
            after = (page[-1][0], page[-1][1])
        if current:
            yield current


class Prelude(Protocol):
    def events(self, appending: Sequence[LogEvent]) -> list[LogEvent]:
        """What to record before ``appending`` (none: nothing, or no longer)."""

    def recorded(self, events: list[LogEvent]) -> None:
        """They were recorded."""


_CHANGING_RULES = (CALENDAR_STREAM, POLICY_STREAM)
"""The rules' streams that grow while a store runs (the base calendar is recorded once)."""
_CHANGING_SET = frozenset(_CHANGING_RULES)
_RULES_IDS = (*_CHANGING_RULES, BASE_CALENDAR_STREAM)
_RULES_STREAMS = (*_RULES_IDS, *(stream.hex for stream in _RULES_IDS))
