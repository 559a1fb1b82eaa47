"""The calendars the clocks count on, and their history (DOMAIN.md rules 16 and 17).

The base is the policy's calendar: the `holidays` package's national holidays and cuti
bersama, with the policy's own additions and cancellations. On top of it sit the
*amendments* recorded since (``CalendarAmended``), each dated by when it was entered,
never earlier: a day added by a late SKB, an election day declared by Keppres, a
cuti bersama cancelled. An amendment is national, or belongs to one institution's
calendar. A unit may keep its own working week (Monday to Saturday) over its
institution's closing days.

Which calendar a clock counts on (rule 17): a desk's target and limit on the calendar of
the unit or institution holding it (the national calendar on the national desk); the
escalation clock on the national calendar; the auto-close clock on the calendar of the
institution whose unit responded.

*Repair* (rule 16): a clock that started before an amendment was recorded is due where
the amended calendar puts it, unless it had already passed (a desk clock) or become final
(a finishing clock: due plus the policy's late-entry grace) when the amendment was
recorded, and never before that instant: a deadline an amendment moves into the past
falls due at the amendment's recording instant. ``Calendars.due`` applies that rule,
amendment by amendment, so the same events and the same amendments give the same
deadlines wherever they are computed: in a command, in the sweep, in the views, in an
audit, and as of any instant with what was known at any other (``known_at``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, NamedTuple

from ..errors import InvalidInput
from .calendar import Week, WorkingCalendar
from .desks import Desk, DeskKind, SlaLevel
from .policy import SlaPolicy

if TYPE_CHECKING:
    from ..organisation import OrganisationDirectory


@dataclass(frozen=True)
class Amendment:
    """One recorded change to a calendar: its ``version`` is its place in the history (1, 2, ...)."""

    version: int
    recorded_at: datetime
    added: tuple[tuple[date, str], ...]
    cancelled: tuple[date, ...]
    basis: str
    institution: str | None = None  # None: the national calendar, which every institution's builds on

    @property
    def days(self) -> list[date]:
        return sorted({*(day for day, _ in self.added), *self.cancelled})

    def applies_to(self, institution: str | None) -> bool:
        return self.institution is None or self.institution == institution


class Due(NamedTuple):
    """A deadline's instant and the calendar version that set it (0: the base calendar)."""

    instant: datetime
    calendar_version: int


class Calendars:
    """The base calendar, the amendments known, and each unit's week: everything a clock needs.

    Immutable: ``amended`` and ``known_at`` give new ones, sharing the calendars already built.
    """

    def __init__(
        self,
        policy: SlaPolicy,
        amendments: Sequence[Amendment] = (),
        *,
        weeks: Mapping[tuple[str, str], Week] | None = None,
        _built: dict[tuple[Week, tuple[int, ...]], WorkingCalendar] | None = None,
        _spans: dict[tuple[Week, tuple[int, ...], int], timedelta] | None = None,
    ) -> None:
        self.policy = policy
        self.amendments: tuple[Amendment, ...] = tuple(amendments)
        for place, amendment in enumerate(self.amendments, start=1):
            if amendment.version != place:
                raise InvalidInput(
                    "calendar amendment {version} is not number {place}",
                    version=amendment.version,
                    place=place,
                )
        self._weeks = dict(weeks or {})
        self._built = {} if _built is None else _built
        self._applying: dict[str | None, tuple[list[datetime], list[int]]] = {}
        self._spans = {} if _spans is None else _spans  # shared like the calendars they measure

    @classmethod
    def of(
        cls, policy: SlaPolicy, directory: OrganisationDirectory, amendments: Sequence[Amendment] = ()
    ) -> Calendars:
        """The calendars of an office: its policy's, each unit's week from the directory."""
        units = ((i.code, u.code, u.kind.value) for i, u in directory.units())
        return cls(policy, amendments, weeks=weeks_of(policy, units))

    @property
    def version(self) -> int:
        """How many amendments this knows: the calendar's version (0 for the base alone)."""
        return len(self.amendments)

    def amended_after(self, instant: datetime) -> bool:
        """Whether an amendment known here was recorded after ``instant``."""
        return bool(self.amendments) and self.amendments[-1].recorded_at > instant

    def known_at(self, instant: datetime) -> Calendars:
        """What was known at ``instant``: the amendments recorded at or before it."""
        known = [a for a in self.amendments if a.recorded_at <= instant]
        if len(known) == len(self.amendments):
            return self
        return Calendars(self.policy, known, weeks=self._weeks, _built=self._built, _spans=self._spans)

    def amended(self, amendment: Amendment) -> Calendars:
        """These calendars with one more amendment, the next in the history."""
        if self.amendments and amendment.recorded_at < self.amendments[-1].recorded_at:
            raise InvalidInput(
                "an amendment recorded at {at} comes before the last one, recorded at {last} (rule 16)",
                at=amendment.recorded_at.isoformat(),
                last=self.amendments[-1].recorded_at.isoformat(),
            )
        return Calendars(
            self.policy,
            [*self.amendments, amendment],
            weeks=self._weeks,
            _built=self._built,
            _spans=self._spans,
        )

    def week_of(self, institution: str | None, unit: str | None) -> Week:
        """The working week of a unit (rule 17): its own, if the policy gives it one."""
        if institution is None or unit is None:
            return Week.MONDAY_TO_FRIDAY
        return self._weeks.get((institution, unit), Week.MONDAY_TO_FRIDAY)

    def calendar(
        self, institution: str | None = None, week: Week = Week.MONDAY_TO_FRIDAY, version: int | None = None
    ) -> WorkingCalendar:
        """The calendar of ``institution`` (None: the national one) in ``week``, with the
        amendments up to ``version`` (default: all known) that apply to it."""
        upto = self.version if version is None else version
        applying = tuple(a.version for a in self.amendments[:upto] if a.applies_to(institution))
        return self._calendar(week, applying)

    def of_desk(self, desk: Desk) -> WorkingCalendar:
        """The calendar a desk's target and limit count on (rule 17), with every amendment known."""
        institution = None if desk.kind is DeskKind.NATIONAL else desk.institution
        return self.calendar(institution, self.week_of(desk.institution, desk.unit))

    def due(
        self,
        start: datetime,
        n: int,
        *,
        institution: str | None = None,
        week: Week = Week.MONDAY_TO_FRIDAY,
        final_after: timedelta | None = None,
    ) -> Due:
        """When an n-working-day clock started at ``start`` is due, repaired by the amendments
        recorded after it started (see the module's docstring). ``final_after`` is a finishing
        clock's late-entry grace; None for a desk clock, which stays once it has passed."""
        times, versions = self._applying_to(institution)
        if not times:  # no amendment for this calendar: the common case, kept cheap
            return Due(self._calendar(week, ()).deadline(start, n), 0)
        known = bisect_right(times, start)  # the amendments already known when the clock started
        due = self._calendar(week, tuple(versions[:known])).deadline(start, n)
        set_by = versions[known - 1] if known else 0
        for index in range(known, len(times)):
            recorded_at = times[index]
            settled = due if final_after is None else due + final_after
            if settled <= recorded_at:
                break  # passed, or final: it stays as it was (and so under every later amendment)
            moved = self._calendar(week, tuple(versions[: index + 1])).deadline(start, n)
            if moved != due:
                due, set_by = max(moved, recorded_at), versions[index]
        return Due(due, set_by)

    def reach(self, amendment: Amendment) -> tuple[datetime, datetime]:
        """The due instants an amendment known here can move (rule 16), as [from, before): a
        clock moves only if an amended day lies between its start and its due day, and no
        clock takes longer than the longest stretch its working days can span in the weeks
        the units work (each measured once, and shared with the calendars built from these)."""
        policy = self.policy
        longest = max(
            policy.escalation_working_days,
            policy.auto_close_working_days,
            *(policy.for_level(level).limit for level in SlaLevel),
        )
        if self.amendments[amendment.version - 1] != amendment:
            raise InvalidInput("amendment {version} is not this calendar's", version=amendment.version)
        applying = tuple(
            a.version for a in self.amendments[: amendment.version] if a.applies_to(amendment.institution)
        )
        weeks = {Week.MONDAY_TO_FRIDAY, *self._weeks.values()}  # the weeks some clock counts on
        spans = [
            self._span(week, versions, longest) for week in weeks for versions in (applying[:-1], applying)
        ]
        zone, days = policy.zone, amendment.days
        first = datetime.combine(days[0], time(0), tzinfo=zone)
        last = datetime.combine(days[-1] + timedelta(days=1), time(0), tzinfo=zone)
        return first, last + max(spans)

    def _span(self, week: Week, versions: tuple[int, ...], n: int) -> timedelta:
        key = (week, versions, n)
        found = self._spans.get(key)
        if found is None:
            found = self._spans[key] = self._calendar(week, versions).span(n)
        return found

    def _applying_to(self, institution: str | None) -> tuple[list[datetime], list[int]]:
        found = self._applying.get(institution)
        if found is None:
            mine = [a for a in self.amendments if a.applies_to(institution)]
            found = ([a.recorded_at for a in mine], [a.version for a in mine])
            self._applying[institution] = found
        return found

    def _calendar(self, week: Week, versions: tuple[int, ...]) -> WorkingCalendar:
        key = (week, versions)
        built = self._built.get(key)
        if built is None:
            if versions:
                before = self._calendar(week, versions[:-1])
                amendment = self.amendments[versions[-1] - 1]
                built = before.changed(add=dict(amendment.added), cancel=amendment.cancelled)
            elif week is Week.MONDAY_TO_FRIDAY:
                built = self.policy.calendar
            else:
                built = self.policy.calendar.changed(weekend=week.weekend)
            self._built[key] = built
        return built


def weeks_of(policy: SlaPolicy, units: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], Week]:
    """Each unit's week from the policy's ``working_weeks``, whose keys name a unit
    (``INSTITUTION/UNIT``) or a kind of unit (``puskesmas``); a unit's own entry wins.
    ``units`` are (institution, unit, kind) triples from the organisation directory."""
    wanted = dict(policy.working_weeks)
    weeks: dict[tuple[str, str], Week] = {}
    named: set[str] = set()
    for institution, unit, kind in units:
        key = f"{institution}/{unit}"
        week = wanted.get(key, wanted.get(kind))
        if key in wanted or kind in wanted:
            named.update(k for k in (key, kind) if k in wanted)
        if week is not None and week is not Week.MONDAY_TO_FRIDAY:
            weeks[(institution, unit)] = Week(week)
    if unknown := sorted(set(wanted) - named):
        raise InvalidInput(
            "the policy's working_weeks name no unit or kind of unit in the directory: {names}",
            names=", ".join(unknown),
        )
    return weeks
