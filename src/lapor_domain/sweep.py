"""The sweep: every finishing deadline final by an instant, fired at its due instant (rule 7).

It asks the deadline index, kept in the same transaction as the events, which complaints
are due, so it never loads one that is not. Each batch of due complaints is recorded in
one transaction; if another writer changed one of them meanwhile, that batch is redone
one complaint at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from .adapters.eventlog import ComplaintLog
from .adapters.recorders import DeadlineRow
from .errors import ComplaintNotFound, ConcurrentUpdate
from .model import decisions
from .model.complaint import Complaint, fold
from .model.deadlines import Clock, pending_deadline, running_clock
from .model.decisions import Rules
from .model.events import ComplaintEvent, EscalatedToOmbudsman
from .model.instants import to_micros
from .states import ComplaintStates, deadline_row


@dataclass(frozen=True, slots=True)
class FiredDeadline:
    complaint_id: UUID
    clock: Clock
    due: datetime


class Sweep:
    """Fires what is due in one log, recording as ``states`` does."""

    def __init__(
        self,
        log: ComplaintLog,
        states: ComplaintStates,
        rules: Rules,
        *,
        clock: Callable[[], datetime],
        retries: int,
    ) -> None:
        self._log = log
        self._states = states
        self._rules = rules
        self._clock = clock  # the recording instant of what is fired
        self._retries = retries

    def fire(self, final: datetime, batch: int) -> list[FiredDeadline]:
        """Every deadline due at or before ``final``, in batches of ``batch`` complaints."""
        fired: list[FiredDeadline] = []
        while rows := self._log.deadline_index.select_due(to_micros(final), batch):
            fired += [_fired(e) for e in self._fire_batch([cid for cid, _ in rows], final)]
            if len(rows) < batch:
                break
        return fired

    def _fire_batch(self, ids: list[UUID], until: datetime) -> list[ComplaintEvent]:
        recorded_at = self._clock()
        events: list[ComplaintEvent] = []
        after: dict[UUID, Complaint] = {}
        rows: list[DeadlineRow] = []
        for cid in ids:
            try:
                before = self._states.load(cid)
            except ComplaintNotFound:
                rows.append(DeadlineRow(cid, None, None))  # an index row without a complaint
                continue
            due = decisions.fire_due(before, self._rules, until, recorded_at)
            after[cid] = fold(due, before) or before
            events += due
            # Fired or not (an index row out of step with its complaint), the row is rewritten.
            rows.append(deadline_row(after[cid], pending_deadline(after[cid], self._rules.calendars)))
        if self._states.try_record_batch(after.values(), events, rows):
            return events
        return [event for cid in after for event in self._fire_one(cid, until)]

    def _fire_one(self, complaint_id: UUID, until: datetime) -> list[ComplaintEvent]:
        for _ in range(self._retries + 1):
            before = self._states.load(complaint_id)
            fired = decisions.fire_due(before, self._rules, until, self._clock())
            if not fired:
                return []
            old, since = pending_deadline(before, self._rules.calendars), running_clock(before)
            if self._states.try_record(fold(fired, before) or before, fired, old=old, since=since):
                return fired
        raise ConcurrentUpdate("complaint {complaint} kept changing during the sweep", complaint=complaint_id)


def _fired(event: ComplaintEvent) -> FiredDeadline:
    clock = Clock.ESCALATION if isinstance(event, EscalatedToOmbudsman) else Clock.AUTO_CLOSE
    return FiredDeadline(event.originator_id, clock, event.at)
