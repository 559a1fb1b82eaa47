"""Deadlines, from the calendar and the policy only (DOMAIN.md rules 3-7).

Two clocks finish a complaint and so *fire*: escalation to Ombudsman RI (60
working days after submission while no unit has responded) and auto-close (10
working days of reporter silence after the latest response). They exclude each
other: one needs a response, the other its absence. The desk clocks (target and
limit) only judge; they never change the complaint.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import NamedTuple, TypeVar

from .calendars import Calendars
from .complaint import Complaint
from .desks import DeskKind


class Clock(StrEnum):
    ESCALATION = "escalation"
    AUTO_CLOSE = "auto-close"


class Deadline(NamedTuple):
    """A clock that will finish the complaint at `due` unless something happens first."""

    clock: Clock
    due: datetime
    calendar_version: int = 0  # the calendar (0: the base; n: after amendment n) that set it
    policy_version: int = 0  # the policy version its clock counts by (rule 16; 0: none recorded)


class SlaState(StrEnum):
    ON_TRACK = "on-track"
    LATE = "late"
    BREACHED = "breached"


class DeskDeadlines(NamedTuple):
    """The SOP's range for the desk holding the complaint, counted from its arrival (rule 4)."""

    arrived: datetime
    target: datetime
    limit: datetime
    calendar_version: int = 0  # the latest amendment that set either (0: the base calendar)
    policy_version: int = 0  # the policy version in force when the complaint arrived (rule 16)

    def state_at(self, at: datetime) -> SlaState:
        """A deadline is missed at and after its instant (rule 7)."""
        return judge(self.target, self.limit, at)


_Instant = TypeVar("_Instant", datetime, int)


def judge(target: _Instant, limit: _Instant, at: _Instant) -> SlaState:
    """The SLA state at ``at`` of a stay with these desk deadlines (rule 7: missed at and after).

    The same for instants and for their stored form (UTC microseconds), which keeps order.
    """
    if at >= limit:
        return SlaState.BREACHED
    if at >= target:
        return SlaState.LATE
    return SlaState.ON_TRACK


class RunningClock(NamedTuple):
    """What a finishing clock counts from: its kind, its start, and the institution whose
    calendar it counts on (None: the national one). The deadline index keeps it beside the
    due instant, so that an amendment's repair recomputes a deadline without the complaint."""

    clock: Clock
    start: datetime
    institution: str | None = None


def running_clock(complaint: Complaint) -> RunningClock | None:
    """The finishing clock running after the complaint's last event, if any: escalation from
    the submission while no unit has responded, auto-close from the latest response while
    the reporter's turn lasts."""
    if complaint.is_finished or complaint.desk is None:
        return None
    if complaint.responded_at is None:
        return RunningClock(Clock.ESCALATION, complaint.submitted_at)
    if complaint.desk.kind is DeskKind.REPORTER:
        return RunningClock(Clock.AUTO_CLOSE, complaint.responded_at, complaint.desk.institution)
    return None


def finishing_deadline(running: RunningClock, calendars: Calendars) -> Deadline:
    """When a running finishing clock is due: escalation counts on the national calendar, the
    auto-close clock on the calendar of the institution whose unit responded (rule 17); each
    by the policy version in force when it started (rule 16)."""
    version = calendars.policy_at(running.start)
    policy = version.policy
    if running.clock is Clock.ESCALATION:
        days, institution = policy.escalation_working_days, None
    else:
        days, institution = policy.auto_close_working_days, running.institution
    due = calendars.due(running.start, days, institution=institution, final_after=policy.late_entry_grace)
    return Deadline(running.clock, due.instant, due.calendar_version, version.version)


def pending_deadline(complaint: Complaint, calendars: Calendars) -> Deadline | None:
    """The clock that will fire next, if any (``running_clock``, due by ``finishing_deadline``)."""
    running = running_clock(complaint)
    return None if running is None else finishing_deadline(running, calendars)


def desk_deadlines(complaint: Complaint, calendars: Calendars) -> DeskDeadlines | None:
    """Target and limit on the current desk, on the calendar of the unit or institution holding
    it (rule 17), by the policy version in force when it arrived (rule 16); none when finished
    or on the reporter's turn."""
    desk = complaint.desk
    if desk is None or desk.sla_level is None:
        return None
    arrived = complaint.on_desk_since
    version = calendars.policy_at(arrived)
    sla = version.policy.for_level(desk.sla_level)
    institution = None if desk.kind is DeskKind.NATIONAL else desk.institution
    week = calendars.week_of(desk.institution, desk.unit, version)
    target = calendars.due(arrived, sla.target, institution=institution, week=week)
    limit = calendars.due(arrived, sla.limit, institution=institution, week=week)
    return DeskDeadlines(
        arrived,
        target.instant,
        limit.instant,
        max(target.calendar_version, limit.calendar_version),
        version.version,
    )
