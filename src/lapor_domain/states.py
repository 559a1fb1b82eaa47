"""The complaints' current states over one log: folded on demand, cached, recorded in step.

A command decides on a complaint's state and records its events; the deadline index's row
(the finishing clock that runs after them) goes into the same transaction whenever the
clock changed. States are kept in a bounded least-recently-used cache so that a command
need not read its complaint back first, each with the finishing clock it was recorded with
(the next command's ``pending``, while the calendars stay the same); a stale state is caught
by the store's key (complaint, version) as the library's ``IntegrityError``, after which the
state is forgotten and read again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from threading import Lock
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from .adapters.eventlog import ComplaintLog
from .adapters.recorders import DeadlineRow, RulesMoved
from .errors import ComplaintNotFound
from .model.calendars import Calendars
from .model.complaint import Complaint
from .model.deadlines import Deadline, RunningClock, pending_deadline, running_clock
from .model.decisions import Rules
from .model.events import ComplaintEvent
from .model.ids import parse_complaint_id
from .model.instants import to_micros

_Pending = tuple[Calendars, Deadline | None]
"""The calendars a recorded state's finishing clock was computed on, and that clock."""


class ComplaintStates:
    """The states of one log's complaints, and how they are recorded."""

    def __init__(
        self, log: ComplaintLog, rules: Rules, *, cache_size: int, recorded: Callable[[], None]
    ) -> None:
        self._log = log
        self._rules = rules
        self._recorded = recorded  # after every write: the embedded read models catch up
        # Each state with the calendars and the finishing clock it was recorded with (None:
        # loaded, not recorded here).
        self._cache: OrderedDict[UUID, tuple[Complaint, _Pending | None]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = Lock()

    def load(self, complaint_id: UUID | str) -> Complaint:
        """The complaint's state now: the cached one fast-forwarded by any newer events."""
        complaint_id = parse_complaint_id(complaint_id)
        cached = self.cached(complaint_id)
        state = self._log.load(complaint_id, cached)
        if state is None:
            raise ComplaintNotFound("no complaint {complaint}", complaint=complaint_id)
        if state is not cached:
            self.remember(state)
        return state

    def cached(self, complaint_id: UUID) -> Complaint | None:
        with self._lock:
            found = self._cache.get(complaint_id)
        return None if found is None else found[0]

    def remember(self, complaint: Complaint, pending: _Pending | None = None) -> None:
        with self._lock:
            self._cache[complaint.id] = (complaint, pending)
            self._cache.move_to_end(complaint.id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def forget(self, complaint_id: UUID) -> None:
        with self._lock:
            self._cache.pop(complaint_id, None)

    def pending(self, complaint: Complaint) -> Deadline | None:
        """``pending_deadline`` of this state on the rules' calendars now: the one computed when
        this very state was recorded, if the calendars are still those it was computed on."""
        calendars = self._rules.calendars
        with self._lock:
            state, known = self._cache.get(complaint.id, (None, None))
        if state is complaint and known is not None and known[0] is calendars:
            return known[1]
        return pending_deadline(complaint, calendars)

    def record(
        self,
        after: Complaint,
        events: list[ComplaintEvent],
        *,
        old: Deadline | None,
        since: RunningClock | None = None,
        rules_seen: tuple[int, int] | None = None,
    ) -> None:
        """Append the events, with the deadline index's row if the running clock changed: from
        the one ``since`` running before them, due at ``old`` (None, None: no clock ran).
        ``rules_seen``: the rules' heads the events were decided on (``ComplaintLog.append``)."""
        calendars = self._rules.calendars
        new = pending_deadline(after, calendars)
        unchanged = old == new and since == running_clock(after)
        deadlines = [] if unchanged else [deadline_row(after, new)]
        self._log.append(events, deadlines=deadlines, rules_seen=rules_seen)
        self.remember(after, (calendars, new))
        self._recorded()

    def try_record(
        self,
        after: Complaint,
        events: list[ComplaintEvent],
        *,
        old: Deadline | None,
        since: RunningClock | None = None,
        rules_seen: tuple[int, int] | None = None,
    ) -> bool:
        """``record``, or False (the state forgotten) if another writer changed the complaint
        first, or the rules it was decided on (``RulesMoved``)."""
        try:
            self.record(after, events, old=old, since=since, rules_seen=rules_seen)
        except IntegrityError:
            self.forget(after.id)
            return False
        except RulesMoved:  # the state is good; the decision is to be made again
            return False
        return True

    def try_record_batch(
        self, states: Iterable[Complaint], events: Sequence[ComplaintEvent], rows: Sequence[DeadlineRow]
    ) -> bool:
        """Several complaints' events and index rows in one transaction, or False (their states
        forgotten) if another writer changed one of them first."""
        states = list(states)
        try:
            self._log.append(list(events), deadlines=rows)
        except IntegrityError:
            for state in states:
                self.forget(state.id)
            return False
        for state in states:
            self.remember(state)
        self._recorded()
        return True


def deadline_row(complaint: Complaint, deadline: Deadline | None) -> DeadlineRow:
    """The deadline index's row for a complaint whose running finishing clock is due at
    ``deadline`` (its ``pending_deadline``; None removes the row), with what the clock counts from."""
    running = None if deadline is None else running_clock(complaint)
    if deadline is None or running is None:
        return DeadlineRow(complaint.id, None, None)
    due, start = to_micros(deadline.due), to_micros(running.start)
    return DeadlineRow(complaint.id, due, deadline.clock.value, start, running.institution)
