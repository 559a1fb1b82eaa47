"""The base calendar's own version (DOMAIN.md rule 16): the closing days a store counts on
come from the log, not from whichever `holidays` package is installed.

A store records the package's national holidays and cuti bersama over the policy's years
(``BaseCalendarRecorded``, in a stream of its own) with its first event, in its transaction,
as it does its first policy. From then on every process counts on the recorded days. When an
upgraded package marks a day differently (an estimated Idul Fitri moved by the SKB, a cuti
bersama it learnt of), nothing moves by itself: the difference (``drift``) is shown, and an
amendment records it when it is entered, with its repair (``LaporApp.follow_package``), like
any other. A store from before the base was recorded records it with its next event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .adapters.eventlog import ComplaintLog
from .model.actors import Actor
from .model.calendar import package_closing_days, package_source
from .model.calendars import BaseCalendar, Calendars, Drift
from .model.decisions import Rules
from .model.events import BASE_CALENDAR_STREAM, BaseCalendarRecorded, LogEvent


def base_of(event: BaseCalendarRecorded) -> BaseCalendar:
    return BaseCalendar(event.source, tuple(sorted(event.closing_days.items())), event.at)


class BaseCalendarRecord:
    """The base calendar on one log: read at opening, recorded with the store's first event."""

    def __init__(self, log: ComplaintLog, rules: Rules) -> None:
        self._log = log
        self._rules = rules

    def recorded(self) -> BaseCalendarRecorded | None:
        found = [e for e in self._log.events.get(BASE_CALENDAR_STREAM) if isinstance(e, BaseCalendarRecorded)]
        return found[0] if found else None

    def adopt(self) -> None:
        """At opening: count on the recorded base; on a store that records none yet, on the
        installed package's, recorded with the store's next event."""
        event = self.recorded()
        if event is None:
            self._log.record_first("base calendar", _FirstBase(self))
        else:
            self.count_on(event)

    def drift(self) -> Drift:
        """Where the installed package now differs from the recorded base on days no amendment
        has settled (nothing on a store that records no base yet)."""
        calendars = self._rules.calendars
        if calendars.base is None:  # nothing to differ from: the package is not even asked
            return calendars.drift(package_source(), ())
        policy = calendars.base_policy
        return calendars.drift(package_source(), package_closing_days(policy.first_year, policy.last_year))

    def event(self, recorded_at: datetime) -> BaseCalendarRecorded:
        policy = self._rules.calendars.base_policy
        return BaseCalendarRecorded(
            originator_id=BASE_CALENDAR_STREAM,
            originator_version=1,
            at=recorded_at,
            recorded_at=recorded_at,
            actor=Actor.system(),
            source=package_source(),
            closing_days=dict(package_closing_days(policy.first_year, policy.last_year)),
        )

    def count_on(self, event: BaseCalendarRecorded) -> None:
        """Count on a base recorded here or by another process."""
        calendars: Calendars = self._rules.calendars
        self._rules.calendars = calendars.with_base(base_of(event))


class _FirstBase:
    """The store's base calendar, recorded with its first event (``ComplaintLog.record_first``)."""

    def __init__(self, record: BaseCalendarRecord) -> None:
        self._record = record

    def events(self, appending: Sequence[LogEvent]) -> list[LogEvent]:
        if (other := self._record.recorded()) is not None:  # another process recorded it meanwhile
            self._record.count_on(other)
            return []
        return [self._record.event(appending[0].recorded_at)]

    def recorded(self, events: list[LogEvent]) -> None:
        for event in events:
            if isinstance(event, BaseCalendarRecorded):
                self._record.count_on(event)
