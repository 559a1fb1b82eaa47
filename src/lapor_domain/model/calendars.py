"""The calendars the clocks count on, and their history (DOMAIN.md rules 16 and 17).

The base is the policy's calendar: the `holidays` package's national holidays and cuti
bersama, as the store recorded them when it began (``BaseCalendar``), with the policy's own
additions and cancellations. An upgraded package never changes it by itself: where it now
differs (``drift``), an amendment records the change, when it is entered. On top of it sit the
*amendments* recorded since (``CalendarAmended``), each dated by when it was entered,
never earlier: a day added by a late SKB, an election day declared by Keppres, a
cuti bersama cancelled. An amendment is national, or belongs to one institution's
calendar. A unit may keep its own working week (Monday to Saturday) over its
institution's closing days.

Which calendar a clock counts on (rule 17): a desk's target and limit on the calendar of
the unit or institution holding it (the national calendar on the national desk); the
escalation clock on the national calendar; the auto-close clock on the calendar of the
institution whose unit responded.

The policy has a history too (rule 16): each recorded version (``PolicyRecorded``) counts for
the desks entered and the clocks started from its recording on; those already running keep the
version they started under (``policy_at``). A new version may change how many working days a
desk or a clock has, and which units keep which week; never the calendar's zone, day end or
years, nor the late-entry grace (``policy.FIXED_FIELDS``), and not the closing days, which an
amendment changes.

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

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, NamedTuple

from ..errors import InvalidInput, Term
from .calendar import Week, WorkingCalendar, package_closing_days, package_source
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


@dataclass(frozen=True)
class PolicyVersion:
    """One version of the SLA policy: its ``version`` is its place in the policy's history
    (1, 2, ...); 0 is a policy given to a store that records none (read-only, or not yet)."""

    version: int
    policy: SlaPolicy
    recorded_at: datetime | None = None
    basis: str = ""


@dataclass(frozen=True)
class BaseCalendar:
    """The `holidays` package's closing days as a store recorded them when it began (rule 16):
    the base its clocks count on, whatever package is installed later."""

    source: str
    closing_days: tuple[tuple[date, str], ...]
    recorded_at: datetime | None = None

    def calendar(self, policy: SlaPolicy) -> WorkingCalendar:
        """The policy's calendar over these days instead of the installed package's."""
        if self.closing_days == package_closing_days(policy.first_year, policy.last_year):
            return policy.calendar  # the common case: the package has not changed; built once
        return policy.calendar_over(self.closing_days)


class Drift(NamedTuple):
    """Where the installed package now differs from the recorded base calendar on days no
    amendment has settled: what an amendment would add and cancel to follow it."""

    source: str
    recorded_source: str
    added: dict[date, str]
    cancelled: list[date]

    def __bool__(self) -> bool:
        return bool(self.added or self.cancelled)

    @property
    def days(self) -> list[date]:
        return sorted({*self.added, *self.cancelled})


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
        units: Iterable[tuple[str, str, str]] = (),
        policies: Sequence[PolicyVersion] = (),
        base: BaseCalendar | None = None,
        _built: dict[tuple[Week, tuple[int, ...]], WorkingCalendar] | None = None,
        _spans: dict[tuple[Week, tuple[int, ...], int], timedelta] | None = None,
        _weeks: dict[int, dict[tuple[str, str], Week]] | None = None,
    ) -> None:
        self.base_policy = policy
        """The policy the calendars are built from: its zone, day end, years and closing days
        are every version's (``policy.FIXED_FIELDS``)."""
        self.base = base
        """The base calendar the store recorded (None: the installed package's, not recorded)."""
        self.amendments: tuple[Amendment, ...] = tuple(amendments)
        _check_numbered(self.amendments, Term("calendar amendment"))
        self.policies: tuple[PolicyVersion, ...] = tuple(policies) or (PolicyVersion(0, policy),)
        if self.policies[0].version:
            _check_numbered(self.policies, Term("policy version"))
        self._units = tuple(units)
        self._weeks = {} if _weeks is None else _weeks  # per policy version, shared like _built
        if weeks is not None:
            self._weeks[self.policies[0].version] = dict(weeks)
        self._built = {} if _built is None else _built
        self._applying: dict[str | None, tuple[list[datetime], list[int]]] = {}
        self._spans = {} if _spans is None else _spans  # shared like the calendars they measure
        self._policy_times = [pv.recorded_at for pv in self.policies[1:] if pv.recorded_at is not None]
        if self._units:
            self._weeks_of(self.policies[-1])  # its working weeks name units the directory has

    @classmethod
    def of(
        cls,
        policy: SlaPolicy,
        directory: OrganisationDirectory,
        amendments: Sequence[Amendment] = (),
        policies: Sequence[PolicyVersion] = (),
    ) -> Calendars:
        """The calendars of an office: its policy's (or its recorded versions'), each unit's
        week from the directory."""
        units = tuple((i.code, u.code, u.kind.value) for i, u in directory.units())
        return cls(policy, amendments, units=units, policies=policies)

    def _with(self, amendments: Sequence[Amendment], policies: Sequence[PolicyVersion]) -> Calendars:
        return Calendars(
            self.base_policy,
            amendments,
            units=self._units,
            policies=policies,
            base=self.base,
            _built=self._built,
            _spans=self._spans,
            _weeks=self._weeks,
        )

    @property
    def base_source(self) -> str:
        """Where the base closing days come from: the package (and version) the store recorded,
        or the installed one while nothing is recorded."""
        return self.base.source if self.base is not None else package_source()

    def with_base(self, base: BaseCalendar) -> Calendars:
        """These calendars counting on the base calendar a store recorded."""
        return Calendars(
            self.base_policy,
            self.amendments,
            units=self._units,
            policies=self.policies,
            base=base,
            _weeks=self._weeks,  # a unit's week does not depend on the closing days
        )

    def drift(self, source: str, package: Sequence[tuple[date, str]]) -> Drift:
        """How the ``package``'s closing days (``source``: its name and version) differ from the
        recorded base's, on the days where the national calendar, with its amendments and the
        policy's own days, does not already follow the package. Nothing without a recorded base."""
        base = self.base
        if base is None or tuple(package) == base.closing_days:
            return Drift(source, base.source if base else source, {}, [])
        policy, national = self.base_policy, self.calendar()
        recorded, now = dict(base.closing_days), dict(package)
        in_years = range(policy.first_year, policy.last_year + 1)
        added = {
            day: name
            for day, name in now.items()
            if day not in recorded
            and day.year in in_years
            and day not in policy.cancelled_closing_days
            and national.closing_name(day) is None
        }
        cancelled = [
            day
            for day in recorded
            if day not in now
            and day.year in in_years
            and day not in policy.extra_closing_days
            and national.closing_name(day) is not None
        ]
        return Drift(source, base.source, dict(sorted(added.items())), sorted(cancelled))

    @property
    def policy(self) -> SlaPolicy:
        """The policy in force now: the latest version known."""
        return self.policies[-1].policy

    @property
    def policy_version(self) -> int:
        """The latest policy version known (0: none recorded)."""
        return self.policies[-1].version

    def policy_at(self, instant: datetime) -> PolicyVersion:
        """The version a desk entered, or a clock started, at ``instant`` counts by: the latest
        recorded before it; the first for anything up to the second (the store's own). A clock
        started at the very instant a version was recorded was already running when it was
        entered, so it keeps the one before."""
        return self.policies[bisect_left(self._policy_times, instant)]

    @property
    def version(self) -> int:
        """How many amendments this knows: the calendar's version (0 for the base alone)."""
        return len(self.amendments)

    def amended_after(self, instant: datetime) -> bool:
        """Whether an amendment known here was recorded after ``instant``."""
        return bool(self.amendments) and self.amendments[-1].recorded_at > instant

    def known_at(self, instant: datetime) -> Calendars:
        """What was known at ``instant``: the amendments and policy versions recorded at or
        before it (the first policy version, the store's own, always)."""
        known = [a for a in self.amendments if a.recorded_at <= instant]
        policies = [self.policies[0]] + [
            pv for pv in self.policies[1:] if pv.recorded_at is not None and pv.recorded_at <= instant
        ]
        if len(known) == len(self.amendments) and len(policies) == len(self.policies):
            return self
        return self._with(known, policies)

    def amended(self, amendment: Amendment) -> Calendars:
        """These calendars with one more amendment, the next in the history."""
        if self.amendments and amendment.recorded_at < self.amendments[-1].recorded_at:
            raise InvalidInput(
                "an amendment recorded at {at} comes before the last one, recorded at {last} (rule 16)",
                at=amendment.recorded_at.isoformat(),
                last=self.amendments[-1].recorded_at.isoformat(),
            )
        return self._with([*self.amendments, amendment], self.policies)

    def with_policy(self, version: PolicyVersion) -> Calendars:
        """These calendars with one more policy version, the next in the history (the first
        replaces a policy given unrecorded)."""
        last = self.policies[-1]
        if (
            last.recorded_at is not None
            and version.recorded_at is not None
            and version.recorded_at < last.recorded_at
        ):
            raise InvalidInput(
                "a policy recorded at {at} comes before the last one, recorded at {last} (rule 16)",
                at=version.recorded_at.isoformat(),
                last=last.recorded_at.isoformat(),
            )
        recorded = [pv for pv in self.policies if pv.version]
        return self._with(self.amendments, [*recorded, version])

    def week_of(self, institution: str | None, unit: str | None, policy: PolicyVersion | None = None) -> Week:
        """The working week of a unit (rule 17): its own, if the policy (by default the one in
        force now) gives it one."""
        if institution is None or unit is None:
            return Week.MONDAY_TO_FRIDAY
        return self._weeks_of(policy or self.policies[-1]).get((institution, unit), Week.MONDAY_TO_FRIDAY)

    def _weeks_of(self, policy: PolicyVersion) -> dict[tuple[str, str], Week]:
        found = self._weeks.get(policy.version)
        if found is None:
            found = self._weeks[policy.version] = weeks_of(policy.policy, self._units)
        return found

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
        longest = max(
            days
            for pv in self.policies
            for days in (
                pv.policy.escalation_working_days,
                pv.policy.auto_close_working_days,
                *(pv.policy.for_level(level).limit for level in SlaLevel),
            )
        )
        if self.amendments[amendment.version - 1] != amendment:
            raise InvalidInput("amendment {version} is not this calendar's", version=amendment.version)
        applying = tuple(
            a.version for a in self.amendments[: amendment.version] if a.applies_to(amendment.institution)
        )
        weeks = {Week.MONDAY_TO_FRIDAY}  # the weeks some clock counts on, under any version
        for pv in self.policies:
            weeks.update(self._weeks_of(pv).values())
        spans = [
            self._span(week, versions, longest) for week in weeks for versions in (applying[:-1], applying)
        ]
        zone, days = self.base_policy.zone, amendment.days
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
                base = self.base
                built = self.base_policy.calendar if base is None else base.calendar(self.base_policy)
            else:
                built = self._calendar(Week.MONDAY_TO_FRIDAY, ()).changed(weekend=week.weekend)
            self._built[key] = built
        return built


def _check_numbered(history: Sequence[Amendment | PolicyVersion], what: Term) -> None:
    for place, entry in enumerate(history, start=1):
        if entry.version != place:
            raise InvalidInput(
                "{what} {version} is not number {place}", what=what, version=entry.version, place=place
            )


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
