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


def pending_deadline(complaint: Complaint, calendars: Calendars) -> Deadline | None:
    """The clock that will fire next, if any: escalation counts on the national calendar, the
    auto-close clock on the calendar of the institution whose unit responded (rule 17)."""
    if complaint.is_finished or complaint.desk is None:
        return None
    policy = calendars.policy
    if complaint.responded_at is None:
        due = calendars.due(
            complaint.submitted_at, policy.escalation_working_days, final_after=policy.late_entry_grace
        )
        return Deadline(Clock.ESCALATION, due.instant, due.calendar_version)
    if complaint.desk.kind is DeskKind.REPORTER:
        due = calendars.due(
            complaint.responded_at,
            policy.auto_close_working_days,
            institution=complaint.desk.institution,
            final_after=policy.late_entry_grace,
        )
        return Deadline(Clock.AUTO_CLOSE, due.instant, due.calendar_version)
    return None


def desk_deadlines(complaint: Complaint, calendars: Calendars) -> DeskDeadlines | None:
    """Target and limit on the current desk, on the calendar of the unit or institution holding
    it (rule 17); none when finished or on the reporter's turn."""
    desk = complaint.desk
    if desk is None or desk.sla_level is None:
        return None
    sla = calendars.policy.for_level(desk.sla_level)
    arrived = complaint.on_desk_since
    institution = None if desk.kind is DeskKind.NATIONAL else desk.institution
    week = calendars.week_of(desk.institution, desk.unit)
    target = calendars.due(arrived, sla.target, institution=institution, week=week)
    limit = calendars.due(arrived, sla.limit, institution=institution, week=week)
    return DeskDeadlines(
        arrived, target.instant, limit.instant, max(target.calendar_version, limit.calendar_version)
    )
