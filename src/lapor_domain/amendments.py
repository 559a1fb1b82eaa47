"""Recording calendar amendments, and repairing the deadlines they move (DOMAIN.md rule 16).

An amendment is a ``CalendarAmended`` event in the calendar's stream of the log, dated by
the instant it is entered, never earlier. In the same transaction the deadline index is
repaired: every open complaint whose finishing clock the amendment moves gets its new due
instant (``Calendars.due``: a clock already final stays; one moved into the past falls due
at the amendment's recording instant), recomputed from what the index row keeps of the
clock (its start and its calendar), not from the complaint's events. Only the complaints
whose clock can span an amended day are looked at: those due from the first amended day's
start until the last one's end plus the longest stretch such a clock can take, so the cost
grows with the open complaints affected, not with the log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import NamedTuple

from eventsourcing.persistence import IntegrityError

from .adapters.eventlog import ComplaintLog
from .adapters.recorders import DeadlineRow
from .errors import ConcurrentUpdate, InvalidInput, NotAllowed
from .model import inputs
from .model.actors import Actor, Role
from .model.calendars import Amendment, Calendars
from .model.deadlines import Clock, RunningClock, finishing_deadline, pending_deadline
from .model.decisions import Rules
from .model.events import CALENDAR_STREAM, CalendarAmended
from .model.instants import from_micros, to_micros
from .policies import recorded_policies, with_recorded
from .states import ComplaintStates, deadline_row


def amendment_of(event: CalendarAmended) -> Amendment:
    return Amendment(
        version=event.originator_version,
        recorded_at=event.at,
        added=tuple(sorted(event.added.items())),
        cancelled=tuple(sorted(event.cancelled)),
        basis=event.basis,
        institution=event.institution,
    )


def recorded_amendments(log: ComplaintLog) -> list[Amendment]:
    """The calendar's history as recorded in the log, in order."""
    return [amendment_of(e) for e in log.calendar_events() if isinstance(e, CalendarAmended)]


class Amended(NamedTuple):
    """An amendment as recorded, and how many open complaints' finishing clocks it moved."""

    amendment: Amendment
    deadlines_moved: int


class CalendarHistory:
    """The calendar's history on one log: read at opening, amended here (rule 16)."""

    def __init__(
        self,
        log: ComplaintLog,
        states: ComplaintStates,
        rules: Rules,
        clock: Callable[[], datetime],
        *,
        retries: int = 3,
        recorded: Callable[[], None] = lambda: None,
    ) -> None:
        self._log = log
        self._states = states
        self._rules = rules
        self._clock = clock
        self._retries = retries
        self._recorded = recorded  # after the write: the embedded read models catch up
        self._seen: tuple[int, int] | None = None  # the rules' stream heads last caught up with
        self._written = 0  # the log's ``rules_written`` then

    def catch_up(self, *, at_write: bool = False) -> bool:
        """Before a command: the rules as recorded by now, so a desk entered or a clock started
        after another process recorded an amendment or a policy version counts by it. One
        query when nothing changed.

        ``at_write``: the command writes with ``rules_seen=self.seen``; where the store checks
        those heads in the write's own transaction (``ComplaintLog.guards_rules``), nothing is
        read now. Returns True then: the rules are unchecked until the write, so a refusal
        decided on them is to be asked again after ``catch_up()``."""
        written = self._log.rules_written  # this process's own moves of the heads count too
        if at_write and self._seen is not None and written == self._written and self._log.guards_rules:
            return True
        self._written = written
        heads = self._log.rules_heads()
        if heads != self._seen:
            self.refresh()
            self._seen = heads  # read before the refresh: anything later is seen next time
        return False

    @property
    def seen(self) -> tuple[int, int] | None:
        """The calendar's and the policy's stream heads the rules were last caught up with."""
        return self._seen

    def refresh(self) -> Calendars:
        """Catch the rules up with amendments (and policy versions) another process recorded;
        the calendars now."""
        known = self._rules.calendars
        newer = self._log.calendar_events(after_version=known.version or None)
        for event in newer:
            if isinstance(event, CalendarAmended):
                known = known.amended(amendment_of(event))
        known = with_recorded(known, recorded_policies(self._log, after_version=known.policy_version))
        self._rules.calendars = known
        return known

    def amend(
        self,
        *,
        add: Mapping[date, str] | Iterable[date],
        cancel: Iterable[date],
        basis: str,
        by: Actor,
        institution: str | None,
    ) -> Amended:
        """Record an amendment entered now, with the deadline index's repair, in one transaction."""
        inputs.text(basis, "the legal basis", max_length=inputs.max_length(CalendarAmended, "basis"))
        added = _named_days(add, basis)
        cancelled = sorted(set(_days(cancel, "a cancelled day")))
        if not isinstance(by, Actor):
            raise InvalidInput("the actor must be an Actor, not {kind}", kind=type(by).__name__)
        if institution is not None:
            named = inputs.text(institution, "institution", max_length=200)
            institution = self._rules.institution_code(named)
        _check_may_amend(by, institution)
        if not added and not cancelled:
            raise InvalidInput("an amendment adds or cancels at least one closing day")
        if both := sorted(set(added) & set(cancelled)):
            raise InvalidInput("days both added and cancelled: {days}", days=", ".join(map(str, both)))
        for _attempt in range(self._retries + 1):
            before = self.refresh()
            recorded_at = self._clock()
            _check_changes(before, institution, added, cancelled)
            event = CalendarAmended(
                originator_id=CALENDAR_STREAM,
                originator_version=before.version + 1,
                at=recorded_at,  # rule 16: dated by when it is entered, never backdated
                recorded_at=recorded_at,
                actor=by,
                added=added,
                cancelled=cancelled,
                basis=basis,
                institution=institution,
            )
            amendment = amendment_of(event)
            after = before.amended(amendment)
            rows = self._repairs(before, after, amendment)
            try:
                self._log.append([event], deadlines=rows)
            except IntegrityError:
                continue  # another amendment was recorded first: decide again on top of it
            self._rules.calendars = after
            self._recorded()
            return Amended(amendment, len(rows))
        raise ConcurrentUpdate("the calendar kept changing under this amendment; try again")

    def _repairs(self, before: Calendars, after: Calendars, amendment: Amendment) -> list[DeadlineRow]:
        """The deadline index's rows that the amendment moves (rule 16). A row keeps what its
        clock counts from, so its deadline is recomputed from the row alone; a row written
        before the index kept that is recomputed from its complaint's state."""
        first, until = after.reach(amendment)
        final = amendment.recorded_at - after.policy.late_entry_grace  # due by then: final, it stays
        start = max(to_micros(first), to_micros(final) + 1)
        rows = []
        for row in self._log.deadline_index.select_clocks_between(start, to_micros(until)):
            if row.start_us is None or row.clock is None:
                state = self._states.load(row.complaint_id)
                old, new = pending_deadline(state, before), pending_deadline(state, after)
                if new != old:
                    rows.append(deadline_row(state, new))
                continue
            running = RunningClock(Clock(row.clock), from_micros(row.start_us), row.institution)
            due_us = to_micros(finishing_deadline(running, after).due)
            if due_us != row.due_us:
                rows.append(row._replace(due_us=due_us))
        return rows


def _check_may_amend(actor: Actor, institution: str | None) -> None:
    """The national desk amends the national calendar; an institution's admin team its own."""
    if institution is None and actor.role is not Role.NATIONAL:
        raise NotAllowed(
            "{actor} may not amend the national calendar: only the national desk does", actor=actor
        )
    if institution is not None and not (
        actor.role is Role.NATIONAL or (actor.role is Role.ADMIN and actor.institution == institution)
    ):
        raise NotAllowed(
            "{actor} may not amend the calendar of {institution}: its admin team or the national desk does",
            actor=actor,
            institution=institution,
        )


def _check_changes(
    calendars: Calendars, institution: str | None, added: Mapping[date, str], cancelled: list[date]
) -> None:
    calendar = calendars.calendar(institution)
    for day in [*added, *cancelled]:
        if not calendar.first_year <= day.year <= calendar.last_year:
            raise InvalidInput(
                "{day} is outside the calendar's years {first}..{last}",
                day=day,
                first=calendar.first_year,
                last=calendar.last_year,
            )
    if already := [d for d in added if calendar.closing_name(d) is not None]:
        raise InvalidInput(
            "{day} is already a closing day ({name}): nothing to add",
            day=already[0],
            name=calendar.closing_name(already[0]),
        )
    if open_days := [d for d in cancelled if calendar.closing_name(d) is None]:
        raise InvalidInput("{day} is not a closing day: nothing to cancel", day=open_days[0])


def _named_days(add: Mapping[date, str] | Iterable[date], basis: str) -> dict[date, str]:
    if isinstance(add, Mapping):
        named = {day: inputs.text(name, "a closing day's name", max_length=200) for day, name in add.items()}
        _days(named, "an added day")
        return dict(sorted(named.items()))
    return dict.fromkeys(sorted(set(_days(add, "an added day"))), basis)


def _days(values: Iterable[object], what: str) -> list[date]:
    if isinstance(values, (str, bytes)):
        raise InvalidInput("{what} must be given as dates, not text", what=what)
    found = list(values)
    if wrong := [v for v in found if type(v) is not date]:
        raise InvalidInput("{what} must be a date, not {value!r}", what=what, value=wrong[0])
    return found  # type: ignore[return-value]  # every one is a date, checked above
