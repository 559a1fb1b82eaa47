"""What to simulate (``Workload``) and what came out (``SimulationSummary``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Literal

from lapor_domain import InvalidInput, WorkingCalendar

Scale = Literal["city", "national"]

PER_YEAR: dict[str, float] = {"city": 600.0, "national": 100_000.0}
"""Default intake a year: Kota Cirebon 100-1,000, national LAPOR!-SP4N about 100,000 (DOMAIN.md)."""
MOST_COMPLAINTS = 10_000_000
"""A century of national intake: more is a mistake, not a workload."""
MOST_PER_YEAR = 100 * PER_YEAR["national"]
RUN_OUT_DAYS = 120
"""After the last arrival, the last complaints still run to their escalation or auto-close."""


@dataclass(frozen=True, slots=True)
class Workload:
    """A seeded workload: how many complaints, from when, and how the people behave.

    Every share is a probability in [0, 1]. Intake and the archived share follow DOMAIN.md
    "Scale"; the other defaults are this simulator's assumptions, chosen so that every
    path of the lifecycle occurs with a plausible weight (tests/test_simulator.py checks
    the ranges). The calendar of the app's policy must cover the whole run.
    """

    complaints: int
    """How many complaints to submit in all."""
    start: date
    """The first day of arrivals, in the policy's time zone."""
    seed: int = 0
    scale: Scale = "city"
    """city: ~600 a year (Kota Cirebon); national: ~100,000 a year, peaks near 1,000 a day."""
    per_year: float | None = None
    """Overrides the scale's yearly intake."""
    archive_share: float = 0.38
    """Archived at the national desk's first review (incomplete, duplicate, out of scope, not
    a complaint). A complaint an institution returned as not its authority is archived with
    ``rearchive_share`` too, which adds about one percentage point of intake."""
    rearchive_share: float = 0.25
    admin_return_share: float = 0.05
    """The national desk first disposes to the wrong institution, whose admin team returns it up."""
    unit_return_share: float = 0.12
    """The admin team first disposes to the wrong unit, whose liaison officer returns it."""
    reply_share: float = 0.30
    """The reporter answers a response (halved for each further reply) instead of falling silent.
    Replies come in calendar time (mean 2.5 days); one that would come at or after the
    auto-close instant is never made: the complaint auto-closes instead."""
    slow_desk_share: float = 0.20
    """A desk acts after its SLA target but within its limit (late, by ``desk_deadlines``)."""
    late_desk_share: float = 0.06
    """A desk acts after its SLA limit (breached): up to half the limit again in working days."""
    escalation_share: float = 0.015
    """The unit a complaint belongs to never responds: it is escalated to Ombudsman RI 60 working
    days after submission (about 1% of intake; a complaint routed wrong twice and handled
    late everywhere can also run out of time)."""
    anonymous_share: float = 0.12
    confidential_share: float = 0.05
    privacy_change_share: float = 0.02
    """The national desk sets a privacy flag at verification (an audited change, rule 10)."""
    repeat_reporter_share: float = 0.20
    """A complaint comes from someone who reported recently."""
    after_hours_share: float = 0.07
    """A desk acts in the evening (16:00-21:00 local) instead of office hours (07:30-16:00)."""

    def __post_init__(self) -> None:
        if isinstance(self.complaints, bool) or not isinstance(self.complaints, int) or self.complaints < 1:
            raise InvalidInput(
                "complaints must be a whole number >= 1, got {complaints!r}", complaints=self.complaints
            )
        if self.complaints > MOST_COMPLAINTS:
            raise InvalidInput(
                "complaints must be at most {most:,}, got {complaints:,}",
                most=MOST_COMPLAINTS,
                complaints=self.complaints,
            )
        if not isinstance(self.start, date) or isinstance(self.start, datetime):
            raise InvalidInput("start must be a date, got {start!r}", start=self.start)
        if self.scale not in PER_YEAR:
            raise InvalidInput(
                "scale must be one of {known}, got {scale!r}", known=sorted(PER_YEAR), scale=self.scale
            )
        per_year = self.per_year
        if per_year is not None and not (math.isfinite(per_year) and 0 < per_year <= MOST_PER_YEAR):
            raise InvalidInput(
                "per_year must be within (0, {most:,.0f}], got {per_year!r}",
                most=MOST_PER_YEAR,
                per_year=per_year,
            )
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name.endswith("_share") and not 0.0 <= value <= 1.0:
                raise InvalidInput(
                    "{name} must be within [0, 1], got {value!r}", name=field.name, value=value
                )
        if self.slow_desk_share + self.late_desk_share > 1.0:
            raise InvalidInput("slow_desk_share + late_desk_share must not exceed 1")

    @property
    def yearly_intake(self) -> float:
        return self.per_year if self.per_year is not None else PER_YEAR[self.scale]

    def last_day(self) -> date:
        """About when the run ends: the arrivals at the yearly intake, then the last complaints' deadlines.

        Refused with InvalidInput when that is past the last day a ``date`` can hold.
        """
        ordinal = self.start.toordinal() + 365.25 * self.complaints / self.yearly_intake + RUN_OUT_DAYS
        if ordinal > date.max.toordinal():
            raise InvalidInput(
                "{complaints:,} complaints at {yearly_intake:,.0f} a year from {start} run past "
                "the year {year}",
                complaints=self.complaints,
                yearly_intake=self.yearly_intake,
                start=self.start,
                year=date.max.year,
            )
        return date.fromordinal(int(ordinal))

    def require_calendar(self, calendar: WorkingCalendar) -> None:
        """Refuse (InvalidInput) a workload whose arrivals, plus the last deadlines, outrun the calendar.

        Checked before anything is stored, so a caller can validate a workload before it
        touches a database; ``simulate`` checks it again against the app's own policy.
        """
        years = f"the policy calendar's years {calendar.first_year}..{calendar.last_year}"
        if not calendar.first_year <= self.start.year <= calendar.last_year:
            raise InvalidInput(
                "a simulation from {start} starts outside {years}", start=self.start, years=years
            )
        end = self.last_day()
        if end.year > calendar.last_year:
            raise InvalidInput(
                "{complaints:,} complaints at {yearly_intake:,.0f} a year from {start} run to "
                "about {end}, beyond {years}",
                complaints=self.complaints,
                yearly_intake=self.yearly_intake,
                start=self.start,
                end=end,
                years=years,
            )


@dataclass(frozen=True, slots=True)
class SimulationSummary:
    """What a run recorded: counts by outcome (``open`` if any stayed open) and by stored event name."""

    complaints: int
    events: int
    first_at: datetime
    last_at: datetime
    by_outcome: dict[str, int]
    by_event: dict[str, int]
