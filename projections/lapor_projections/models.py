"""What the read side answers with: typed, documented values (pydantic), stable keys, string ids."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from lapor_domain import SlaState


class VisitOutcome(StrEnum):
    MET = "met"  # left before the target
    LATE = "late"  # left after the target, before the limit
    BREACHED = "breached"  # left at or after the limit
    OPEN = "open"  # still there


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class QueueEntry(_View):
    """One complaint on a desk, with the SOP's clocks judged at the queue's instant."""

    complaint_id: str
    title: str
    desk: str
    label: str
    arrived: datetime
    target: datetime | None
    limit: datetime | None
    sla: SlaState | None  # none on the reporter's turn, which has the auto-close clock instead
    clock: str | None  # the finishing clock running: escalation or auto-close
    clock_due: datetime | None
    confidential: bool


class SearchHit(_View):
    """A complaint a search found: where the words were (its text, a response), and where it is."""

    complaint_id: str
    title: str
    label: str
    desk: str | None
    status: str  # "open", or how it finished
    found_in: list[str]  # "complaint" (title and description), "response"


class ComplaintEntry(_View):
    """A complaint in a list: open or finished, where it is or when it finished."""

    complaint_id: str
    title: str
    label: str
    desk: str | None
    status: str  # "open", or how it finished
    submitted: datetime
    finished: datetime | None
    confidential: bool


class DeskCount(_View):
    """How many complaints a desk holds; SLA counts are none on the reporter's turn (no SLA there)."""

    desk: str
    open: int
    on_track: int | None
    late: int | None
    breached: int | None


class VisitView(_View):
    """One stay on one desk: the SLA view of a complaint."""

    complaint_id: str
    seq: int
    desk: str
    institution: str | None
    unit: str | None
    arrived: datetime
    left: datetime | None
    left_by: str | None
    working_days: int
    target: datetime | None
    limit: datetime | None
    outcome: VisitOutcome | None  # none on the reporter's turn
    sla: SlaState | None  # for an open stay, judged at the report's instant
    policy_version: int = 0  # the SLA policy version that judged the stay (rule 16; 0: none recorded)


class DeskReport(_View):
    """A desk's record over a period; returns count against the desk that returned."""

    desk: str
    institution: str | None
    unit: str | None
    received: int
    finished: int
    returned: int
    median_working_days: float | None
    p90_working_days: float | None
    breaches: int
    escalations: int
    open_past_limit: int
    finished_within_limit: int
    on_time_rate: float | None  # finished within limit / (finished + open past limit)
    policy_versions: list[int] = []  # the SLA policy versions that judged these stays (rule 16)


class PublicStatus(_View):
    """What the public and the reporter see: no identity, and nothing of confidential complaints."""

    complaint_id: str
    title: str
    label: str
    institution: str | None
    submitted: datetime
    updated: datetime


class TimelineEntry(_View):
    """One event in an audit timeline."""

    version: int
    event: str
    role: str
    institution: str | None
    unit: str | None
    person: str
    at: datetime
    recorded_at: datetime | None  # none for a deadline that was due by then but not yet swept
    desk_before: str | None
    desk_after: str | None
    working_days_since_previous: int | None
    deadline: str | None  # the deadline in force after the event, e.g. "limit unit 2026-04-07T00:00+07:00"
    deadline_at: datetime | None
    deadline_amended_by: str | None = None  # the calendar amendment that moved it (rule 16), and why
    deadline_policy: int | None = None  # the SLA policy version whose days set it (rule 16)
    detail: dict[str, str | bool | None]
