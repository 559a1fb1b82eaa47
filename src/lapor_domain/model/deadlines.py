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

from .complaint import Complaint
from .desks import DeskKind
from .policy import SlaPolicy


class Clock(StrEnum):
    ESCALATION = "escalation"
    AUTO_CLOSE = "auto-close"


class Deadline(NamedTuple):
    """A clock that will finish the complaint at `due` unless something happens first."""

    clock: Clock
    due: datetime


class SlaState(StrEnum):
    ON_TRACK = "on-track"
    LATE = "late"
    BREACHED = "breached"


class DeskDeadlines(NamedTuple):
    """The SOP's range for the desk holding the complaint, counted from its arrival (rule 4)."""

    arrived: datetime
    target: datetime
    limit: datetime

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


def pending_deadline(complaint: Complaint, policy: SlaPolicy) -> Deadline | None:
    """The clock that will fire next, if any."""
    if complaint.is_finished or complaint.desk is None:
        return None
    calendar = policy.calendar
    if complaint.responded_at is None:
        due = calendar.deadline(complaint.submitted_at, policy.escalation_working_days)
        return Deadline(Clock.ESCALATION, due)
    if complaint.desk.kind is DeskKind.REPORTER:
        due = calendar.deadline(complaint.responded_at, policy.auto_close_working_days)
        return Deadline(Clock.AUTO_CLOSE, due)
    return None


def desk_deadlines(complaint: Complaint, policy: SlaPolicy) -> DeskDeadlines | None:
    """Target and limit on the current desk; none when finished or on the reporter's turn."""
    if complaint.desk is None or complaint.desk.sla_level is None:
        return None
    sla = policy.for_level(complaint.desk.sla_level)
    arrived = complaint.on_desk_since
    calendar = policy.calendar
    day = calendar.local_date(arrived)
    return DeskDeadlines(arrived, calendar.deadline(day, sla.target), calendar.deadline(day, sla.limit))
