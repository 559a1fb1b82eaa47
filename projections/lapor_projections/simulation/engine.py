"""The discrete-event loop: every complaint's next step in one heap keyed by its instant.

The heap holds one entry per open complaint, ``(key, case, action, at)``: ``key``
the instant in whole seconds since the epoch times 2**32 plus a push counter (one
integer, so entries compare fast and ties keep push order), ``case`` the
complaint's small record (its folded state and what the people involved intend),
``action`` what happens next. Arrivals enter a day at a
time, when the loop reaches that day. So events come out in business-time order,
and memory grows with the complaints in flight, not with the history.

Every event is made by a rule function of ``lapor_domain.model.decisions`` with the
actor who holds the desk, exactly as ``LaporApp``'s commands make them. Finishing
deadlines fire through ``decisions.fire_due`` at their due instant: whenever a
step is planned at or after the complaint's pending deadline (escalation or
auto-close), the deadline is planned instead, so no command is ever dated after a
deadline that would have finished the complaint (DOMAIN.md rule 7).
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from heapq import heappop, heappush
from itertools import count
from math import log
from typing import Any, TypeVar

from lapor_domain import (
    Actor,
    ArchiveReason,
    Complaint,
    ComplaintEvent,
    DeskKind,
    LaporApp,
    SealedReporter,
    SlaLevel,
    Stamp,
    decisions,
    evolve,
    pending_deadline,
)

from . import texts
from .arrivals import Arrivals
from .office import OfficeHours
from .people import Reporters, Routing, Staff
from .workload import SimulationSummary, Workload

SUBMIT, VERIFY, DISPOSE, RETURN, RESPOND, REPLY, ARCHIVE, FIRE = range(8)

VERIFIED_THEN_ARCHIVED = 0.25  # of archived complaints: reviewed (verified) before being dropped
REPLY_MEAN_SECONDS = 2.5 * 86_400  # reporters answer in calendar time, not working days
ARCHIVE_REASONS = (
    (0.45, ArchiveReason.INCOMPLETE),
    (0.65, ArchiveReason.DUPLICATE),
    (0.85, ArchiveReason.OUT_OF_SCOPE),
    (1.01, ArchiveReason.NOT_A_COMPLAINT),
)
_LAGS = tuple(timedelta(milliseconds=40 + 25 * i) for i in range(64))  # recorded_at - at
_SIX_HOURS = timedelta(hours=6)
T = TypeVar("T")


class _Case:
    """One open complaint: its folded state and what its people will do."""

    __slots__ = (
        "after_verify",
        "came_back",
        "due",
        "filing",
        "institution",
        "replies",
        "reporter",
        "state",
        "unit",
        "wrong_institution",
        "wrong_unit",
    )

    def __init__(self, reporter: Actor, filing: tuple[Any, ...], institution: str, unit: str) -> None:
        self.reporter = reporter
        self.filing: tuple[Any, ...] | None = filing  # the submission, until it is made
        self.institution = institution  # where it really belongs
        self.unit = unit
        self.wrong_institution: str | None = None  # where it is first sent by mistake
        self.wrong_unit: str | None = None
        self.state: Complaint = None  # type: ignore[assignment]  # set by the submission
        self.after_verify = DISPOSE
        self.due: datetime | None = None  # the pending finishing deadline
        self.replies = 0
        self.came_back = False  # an institution returned it to the national desk


class Simulation:
    def __init__(self, app: LaporApp, workload: Workload) -> None:
        self.app, self.workload, self.rules, self.policy = app, workload, app.rules, app.policy
        rng = random.Random(workload.seed)  # noqa: S311 - a reproducible workload, not a secret
        self.random = rng.random
        self.getrandbits = rng.getrandbits
        city = workload.scale == "city"
        self.routing = Routing(app.directory, city=city)
        self.staff = Staff(city=city)
        self.reporters = Reporters(rng, workload.repeat_reporter_share)
        self.office = OfficeHours(
            app.policy,
            rng,
            slow_share=workload.slow_desk_share,
            late_share=workload.late_desk_share,
            after_hours_share=workload.after_hours_share,
        )
        self.arrivals = Arrivals(self.office.calendar, workload.start, workload.yearly_intake, rng)
        workload.require_calendar(self.office.calendar)
        self.heap: list[tuple[int, _Case, int, datetime]] = []
        self.seq = count()
        self.to_admit = workload.complaints
        self.next_day_key = _key(self.office.local(workload.start, 0))  # the next day to admit
        self.events: list[ComplaintEvent] = []
        self.sealed: list[SealedReporter] = []  # the batch's new identities, stored before its events
        self.touched: dict[uuid.UUID, Complaint] = {}
        self.recorded = self.finished = 0
        self.by_type: Counter[type[ComplaintEvent]] = Counter()
        self.outcomes: Counter[str] = Counter()
        self.first_at: datetime | None = None
        self.last_at: datetime | None = None
        self.handlers: tuple[Callable[[_Case, datetime], None], ...] = (
            self._submit,
            self._verify,
            self._dispose,
            self._return,
            self._respond,
            self._reply,
            self._archive,
            self._fire,
        )

    # -- the loop ---------------------------------------------------------------------

    def run(self, batch: int, progress: Callable[[int, int], None] | None) -> SimulationSummary:
        heap, handlers, events = self.heap, self.handlers, self.events
        while True:
            if self.to_admit and (not heap or heap[0][0] >= self.next_day_key):
                self._admit_next_day()
                continue
            if not heap:
                break
            _, case, action, at = heappop(heap)
            handlers[action](case, at)
            if len(events) >= batch:
                self._flush(progress)
                events = self.events
        self._flush(progress)
        return self._summary()

    def _flush(self, progress: Callable[[int, int], None] | None) -> None:
        events = self.events
        if not events:
            return
        self.app.import_events(events, self.touched, identities=self.sealed)
        self.by_type.update(map(type, events))
        self.recorded += len(events)
        if self.first_at is None:
            self.first_at = events[0].at
        self.last_at = events[-1].at
        self.events, self.touched, self.sealed = [], {}, []
        if progress is not None:
            progress(self.finished, self.workload.complaints)

    def _summary(self) -> SimulationSummary:
        assert self.first_at is not None and self.last_at is not None  # at least one complaint
        outcomes = dict(sorted(self.outcomes.items()))
        if still_open := self.workload.complaints - self.finished:
            outcomes["open"] = still_open
        return SimulationSummary(
            complaints=self.workload.complaints,
            events=self.recorded,
            first_at=self.first_at,
            last_at=self.last_at,
            by_outcome=outcomes,
            by_event=dict(sorted((cls.stored_name, n) for cls, n in self.by_type.items())),
        )

    def _record(self, case: _Case, event: ComplaintEvent) -> Complaint:
        case.state = state = evolve(case.state, event)
        self.events.append(event)
        self.touched[state.id] = state
        return state

    def _push(self, case: _Case, at: datetime, action: int) -> None:
        """Plan the case's next step, or its deadline if that falls due first (rule 7)."""
        due = case.due
        if due is not None and at >= due:
            at, action = due, FIRE
        heappush(self.heap, (int(at.timestamp()) << 32 | next(self.seq), case, action, at))

    def _stamp(self, actor: Actor, at: datetime) -> Stamp:
        return Stamp(actor, at, at + _LAGS[self.getrandbits(6)])

    def _one(self, choices: Sequence[T]) -> T:
        return choices[int(self.random() * len(choices))]

    def _due(self, state: Complaint) -> datetime | None:
        deadline = pending_deadline(state, self.rules.calendars)
        return deadline.due if deadline is not None else None

    def _finish(self, state: Complaint) -> None:
        assert state.outcome is not None
        self.finished += 1
        self.outcomes[state.outcome.value] += 1

    # -- arrivals ---------------------------------------------------------------------

    def _admit_next_day(self) -> None:
        day, times = self.arrivals.next_day()
        local, heap, seq = self.office.local, self.heap, self.seq
        for seconds in times[: self.to_admit]:
            at = local(day, seconds)
            heappush(heap, (int(at.timestamp()) << 32 | next(seq), self._new_case(), SUBMIT, at))
        self.to_admit -= min(len(times), self.to_admit)
        self.next_day_key = _key(local(self.arrivals.day, 0))

    def _new_case(self) -> _Case:
        random, w, one = self.random, self.workload, self._one
        complaint_id = uuid.UUID(int=self.getrandbits(128), version=4)
        institution, unit, kind = self.routing.home(random)
        title, description = one(texts.writings(unit, kind))
        actor, reporter = self.reporters.next()
        anonymous = random() < w.anonymous_share
        confidential = random() < w.confidential_share
        case = _Case(
            actor, (complaint_id, reporter, title, description, anonymous, confidential), institution, unit
        )
        if random() < w.admin_return_share:
            case.wrong_institution = self.routing.wrong_institution(random, institution)
        if random() < w.unit_return_share:
            case.wrong_unit = self.routing.wrong_unit(random, institution, unit)
        return case

    # -- what a desk will do, planned when the complaint lands on it --------------------

    def _at_national(self, case: _Case, now: datetime, *, first: bool) -> None:
        random, w = self.random, self.workload
        when = self.office.desk_acts(now, SlaLevel.NATIONAL)
        if not first:  # returned by an institution: dispose elsewhere, or drop as out of scope
            case.came_back = True
            self._push(case, when, ARCHIVE if random() < w.rearchive_share else DISPOSE)
        elif random() < w.archive_share:
            case.after_verify = ARCHIVE
            self._push(case, when, VERIFY if random() < VERIFIED_THEN_ARCHIVED else ARCHIVE)
        else:
            case.after_verify = DISPOSE
            self._push(case, when, VERIFY)

    def _at_admin(self, case: _Case, now: datetime, institution: str) -> None:
        when = self.office.desk_acts(now, SlaLevel.ADMIN)
        if institution != case.institution:  # not this government's authority
            self._push(case, when, RETURN)
        else:
            case.after_verify = DISPOSE
            self._push(case, when, VERIFY)

    def _at_unit(self, case: _Case, now: datetime, unit: str) -> None:
        if unit != case.unit:
            self._push(case, self.office.desk_acts(now, SlaLevel.UNIT), RETURN)
        elif case.due is not None and self.random() < self.workload.escalation_share:
            self._push(case, case.due, FIRE)  # the unit never answers
        else:
            self._push(case, self.office.desk_acts(now, SlaLevel.UNIT), RESPOND)

    # -- the commands, each through its rule function -----------------------------------

    def _submit(self, case: _Case, at: datetime) -> None:
        assert case.filing is not None
        complaint_id, reporter, title, description, anonymous, confidential = case.filing
        case.filing = None
        stamp = self._stamp(case.reporter, at)
        sealed = self.app.seal_identity(
            complaint_id, reporter, account=case.reporter.person, at=stamp.recorded_at
        )
        self.sealed.append(sealed)
        event = decisions.submit(
            complaint_id,
            stamp,
            identity=sealed.identity,
            pseudonym=sealed.pseudonym,
            title=title,
            description=description,
            anonymous=anonymous,
            confidential=confidential,
        )
        case.due = self._due(self._record(case, event))
        self._at_national(case, at, first=True)

    def _verify(self, case: _Case, at: datetime) -> None:
        state = case.state
        desk = state.desk
        assert desk is not None
        anonymous = confidential = None
        if desk.kind is DeskKind.NATIONAL:
            actor = self._one(self.staff.national)
            if self.random() < self.workload.privacy_change_share:  # rule 10, audited in the event
                if state.confidential:
                    anonymous = True
                else:
                    confidential = True
        else:
            assert desk.institution is not None
            actor = self._one(self.staff.admin(desk.institution))
        stamp = self._stamp(actor, at)
        self._record(case, decisions.verify(state, stamp, anonymous=anonymous, confidential=confidential))
        self._push(case, at + timedelta(seconds=60 + int(self.random() * 2400)), case.after_verify)

    def _dispose(self, case: _Case, at: datetime) -> None:
        state = case.state
        desk = state.desk
        assert desk is not None
        note = self._one(texts.NOTES)
        if desk.kind is DeskKind.NATIONAL:
            to = case.wrong_institution or case.institution
            case.wrong_institution = None
            actor = self._one(self.staff.national)
            self._record(case, decisions.dispose(state, self._stamp(actor, at), self.rules, to=to, note=note))
            self._at_admin(case, at, to)
        else:
            assert desk.institution is not None
            to = case.wrong_unit or case.unit
            case.wrong_unit = None
            actor = self._one(self.staff.admin(desk.institution))
            self._record(case, decisions.dispose(state, self._stamp(actor, at), self.rules, to=to, note=note))
            self._at_unit(case, at, to)

    def _return(self, case: _Case, at: datetime) -> None:
        state = case.state
        desk = state.desk
        assert desk is not None and desk.institution is not None
        if desk.kind is DeskKind.UNIT:
            assert desk.unit is not None
            actor, reasons = self._one(self.staff.liaison(desk.institution, desk.unit)), texts.UNIT_RETURNS
        else:
            actor, reasons = self._one(self.staff.admin(desk.institution)), texts.ADMIN_RETURNS
        event = decisions.return_up(state, self._stamp(actor, at), reason=self._one(reasons))
        self._record(case, event)
        if event.to.kind is DeskKind.NATIONAL:
            self._at_national(case, at, first=False)
        else:  # the admin team verified it already (rule 11): dispose to the right unit
            self._push(case, self.office.desk_acts(at, SlaLevel.ADMIN), DISPOSE)

    def _respond(self, case: _Case, at: datetime) -> None:
        state = case.state
        desk = state.desk
        assert desk is not None and desk.institution is not None and desk.unit is not None
        actor = self._one(self.staff.liaison(desk.institution, desk.unit))
        event = decisions.respond(state, self._stamp(actor, at), message=self._one(texts.RESPONSES))
        case.due = due = self._due(self._record(case, event))
        assert due is not None  # the auto-close clock runs now
        random = self.random
        if random() < self.workload.reply_share * 0.5**case.replies:
            when = at + timedelta(seconds=600 + int(-REPLY_MEAN_SECONDS * log(1.0 - random())))
            if when.hour < 6:  # asleep: answers in the morning
                when += _SIX_HOURS
            self._push(case, when, REPLY)  # becomes the auto-close if that comes first
        else:
            self._push(case, due, FIRE)

    def _reply(self, case: _Case, at: datetime) -> None:
        event = decisions.reply(
            case.state,
            self._stamp(case.reporter, at),
            message=self._one(texts.REPLIES),
            pseudonym=case.state.reporter_pseudonym,
        )  # the simulator is its reporter
        case.replies += 1
        case.due = self._due(self._record(case, event))
        self._push(case, self.office.desk_acts(at, SlaLevel.UNIT), RESPOND)

    def _archive(self, case: _Case, at: datetime) -> None:
        if case.came_back:
            reason = ArchiveReason.OUT_OF_SCOPE  # an institution returned it: nobody's authority here
        else:
            draw = self.random()
            reason = next(r for threshold, r in ARCHIVE_REASONS if draw < threshold)
        actor = self._one(self.staff.national)
        event = decisions.archive(
            case.state, self._stamp(actor, at), reason=reason, note=self._one(texts.ARCHIVE_NOTES)
        )
        self._finish(self._record(case, event))

    def _fire(self, case: _Case, at: datetime) -> None:
        state = case.state
        fired = decisions.fire_due(state, self.rules, at, at + _LAGS[self.getrandbits(6)])
        if not fired:
            raise RuntimeError(f"simulator bug: no deadline of complaint {state.id} is due at {at}")
        for event in fired:
            state = self._record(case, event)
        self._finish(state)


def _key(at: datetime) -> int:
    """The smallest heap key at ``at``."""
    return int(at.timestamp()) << 32
