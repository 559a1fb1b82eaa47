"""One complaint at a glance: where it is, who holds it, its deadlines and flags, judged at an instant."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from lapor_domain import (
    Calendars,
    Complaint,
    ComplaintNotFound,
    IdentityView,
    Role,
    SlaState,
    can_see_complaint,
    desk_deadlines,
    pending_deadline,
)

from .fold import public_label


class ComplaintCard(BaseModel):
    """A complaint's state at an instant, with its desk's SLA judged then."""

    model_config = ConfigDict(frozen=True)

    complaint_id: str
    title: str
    as_of: datetime
    status: str  # "open", or how it finished
    label: str  # the public label (LAPOR!'s words)
    desk: str | None  # the desk holding it, e.g. unit:kota-cirebon/dinkes; none when finished
    on_desk_since: datetime | None
    working_days_on_desk: int | None
    target: datetime | None
    limit: datetime | None
    sla: SlaState | None
    clock: str | None  # the finishing clock running: escalation or auto-close
    clock_due: datetime | None
    anonymous: bool
    confidential: bool
    national_verified: bool
    admin_verified: bool
    reporter: str | None  # name <contact> [ID number] (account): only when shown
    identity: str  # shown, withheld (rule 10), sealed (no key at hand), erased (rule 14)
    submitted: datetime
    last_event: datetime
    responded: datetime | None
    replied: datetime | None
    outcome: str | None
    version: int


def complaint_card(
    c: Complaint,
    calendars: Calendars,
    at: datetime,
    viewer: Role | None,
    *,
    now: Complaint | None = None,
    own: bool = False,
    identity: IdentityView | None = None,
) -> ComplaintCard:
    """The card of ``c`` at ``at``, as ``viewer`` may see it.

    Rule 10 is judged by the flags as they stand ``now`` (the complaint's current state;
    ``c`` itself when it is current): a confidential complaint is not found by a public
    viewer (ComplaintNotFound). The reporter comes only from ``identity``, the answer of
    ``LaporApp.identity`` for this viewer (which records the showing); without it, withheld.
    """
    flags = now if now is not None else c
    if not can_see_complaint(viewer, flags.confidential, own=own):
        raise ComplaintNotFound("no complaint {complaint}", complaint=c.id)
    sla = desk_deadlines(c, calendars)
    clock = pending_deadline(c, calendars)
    calendar = calendars.of_desk(c.desk) if c.desk else calendars.calendar()
    return ComplaintCard(
        complaint_id=str(c.id),
        title=c.title,
        as_of=at,
        status=c.outcome.value if c.outcome else "open",
        label=public_label(c),
        desk=c.desk.key if c.desk else None,
        on_desk_since=c.on_desk_since if c.desk else None,
        working_days_on_desk=(max(0, calendar.working_days_between(c.on_desk_since, at)) if c.desk else None),
        target=sla.target if sla else None,
        limit=sla.limit if sla else None,
        sla=sla.state_at(at) if sla else None,
        clock=clock.clock.value if clock else None,
        clock_due=clock.due if clock else None,
        anonymous=flags.anonymous,
        confidential=flags.confidential,
        national_verified=c.national_verified,
        admin_verified=c.admin_verified,
        reporter=identity.label if identity is not None and identity.shown else None,
        identity=identity.state.value if identity is not None else "withheld",
        submitted=c.submitted_at,
        last_event=c.last_event_at,
        responded=c.responded_at,
        replied=c.replied_at,
        outcome=c.outcome.value if c.outcome else None,
        version=c.version,
    )
