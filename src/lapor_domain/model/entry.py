"""When a command may be entered (DOMAIN.md rules 1, 8 and 13), checked before any decision.

Every command has two instants: when it happened (its business instant, ``at``) and
when the application received it (its recording instant, from the clock the
embedding service passes in). A command may be entered late, but not dated in the
future beyond the policy's clock skew, not before the complaint's last event, and
not after a finishing deadline that was still running at its business instant has
become final (the deadline's due instant plus the policy's late-entry grace).
The checks run in rule 12's order: future-dated (invalid input), too late, dated
before the last event, finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ..errors import DatedBeforeLastEvent, InvalidInput, NotPossibleInState, Term, TooLate
from .actors import Actor
from .calendars import Calendars
from .complaint import Complaint, Outcome
from .deadlines import Clock, Deadline, pending_deadline
from .policy import SlaPolicy


@dataclass(frozen=True, slots=True)
class Stamp:
    """Who, the business instant, and when the application recorded it."""

    actor: Actor
    at: datetime
    recorded_at: datetime


def check_entered_in_time(stamp: Stamp, policy: SlaPolicy) -> None:
    """Rule 13: a business instant may not lie after its recording instant, beyond the skew."""
    if stamp.at > stamp.recorded_at + policy.clock_skew:
        raise InvalidInput(
            "dated {at}, later than it was entered ({recorded_at}) by more than the allowed "
            "clock skew of {clock_skew}: a command cannot be dated in the future (rule 13)",
            at=_when(stamp.at, policy),
            recorded_at=_when(stamp.recorded_at, policy),
            clock_skew=policy.clock_skew,
        )


def check_not_too_late(standing: Complaint | None, stamp: Stamp, calendars: Calendars) -> None:
    """Rule 13: refuse a command dated before a finishing deadline but entered after it became final.

    ``standing`` is the complaint as it stood at the command's business instant, so the
    answer is the same whether or not a sweep has recorded the deadline.
    """
    if standing is not None:
        clock = pending_deadline(standing, calendars)
        check_clock_not_final(standing.id, clock, stamp, calendars.policy)


def check_clock_not_final(
    complaint_id: UUID, clock: Deadline | None, stamp: Stamp, policy: SlaPolicy
) -> None:
    """Rule 13 for the finishing clock running at the command's business instant."""
    if clock is None or clock.due <= stamp.at:
        return  # nothing was running, or it fell due by then: rule 8 answers
    final_at = clock.due + policy.late_entry_grace
    if stamp.recorded_at < final_at:
        return
    template = (
        "too late for complaint {complaint}: as it stood at {dated}, when this command is "
        "dated, its {clock} was due at {due_at}, before the command was entered at "
        "{entered} (rule 13)"
    )
    if final_at != clock.due:
        template = (
            "too late for complaint {complaint}: as it stood at {dated}, when this command is "
            "dated, its {clock} was due at {due_at} and became final at {final}, before the "
            "command was entered at {entered} (rule 13)"
        )
    raise TooLate(
        template,
        at=stamp.at,
        recorded_at=stamp.recorded_at,
        due=clock.due,
        final_at=final_at,
        complaint=complaint_id,
        dated=_when(stamp.at, policy),
        clock=_CLOCK_NAMES[clock.clock],
        due_at=_when(clock.due, policy),
        entered=_when(stamp.recorded_at, policy),
        final=_when(final_at, policy),
    )


def check_in_order(c: Complaint, at: datetime, policy: SlaPolicy) -> None:
    """Rule 1: nothing is dated before the complaint's last recorded event."""
    if at < c.last_event_at:
        raise DatedBeforeLastEvent(
            "complaint {complaint} has an event at {last}; a command dated {dated} comes before it (rule 1)",
            at=at,
            last_event_at=c.last_event_at,
            complaint=c.id,
            last=_when(c.last_event_at, policy),
            dated=_when(at, policy),
        )


def check_open(c: Complaint, calendars: Calendars) -> None:
    """Rule 8: a finished complaint accepts nothing; the refusal says what finished it and when
    (with the working days of the policy version its clock counted by)."""
    if c.outcome is None:
        return
    policy = calendars.policy
    when = _when(c.last_event_at, policy)
    if c.outcome is Outcome.ESCALATED:
        raise NotPossibleInState(
            "complaint {complaint} is finished, escalated to Ombudsman RI at {when}: no response "
            "within {days} working days of its submission at {submitted}; nothing more can be "
            "done (rule 8)",
            complaint=c.id,
            when=when,
            days=calendars.policy_at(c.submitted_at).policy.escalation_working_days,
            submitted=_when(c.submitted_at, policy),
        )
    if c.outcome is Outcome.AUTO_CLOSED:
        raise NotPossibleInState(
            "complaint {complaint} is finished, closed automatically at {when}: the reporter did "
            "not answer the response of {responded} within {days} working days; nothing more "
            "can be done (rule 8)",
            complaint=c.id,
            when=when,
            responded=_when(c.responded_at, policy) if c.responded_at else "?",
            days=calendars.policy_at(c.responded_at or c.last_event_at).policy.auto_close_working_days,
        )
    raise NotPossibleInState(
        "complaint {complaint} is finished, archived by the national desk at {when}; nothing "
        "more can be done (rule 8)",
        complaint=c.id,
        when=when,
    )


_CLOCK_NAMES = {
    Clock.ESCALATION: Term("escalation to Ombudsman RI"),
    Clock.AUTO_CLOSE: Term("automatic closing"),
}


def _when(instant: datetime, policy: SlaPolicy) -> str:
    """An instant as the policy's office reads it: ``2026-04-08 00:00 WIB``."""
    local = instant.astimezone(policy.zone)
    return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "")
