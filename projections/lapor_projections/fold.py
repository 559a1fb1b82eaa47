"""The read side's pure fold: each event moves a complaint, and its desk visits with it.

``step`` is the only place the read models learn from an event; the stored views
(``store``) and the reference fold (``fold_views``) both run it, so "incremental
equals rebuilt equals a pure fold" tests the storage and catch-up, not two copies
of the rules.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from lapor_domain import (
    Archived,
    AutoClosed,
    Calendars,
    Complaint,
    ComplaintEvent,
    Deadline,
    DeskDeadlines,
    DeskKind,
    EscalatedToOmbudsman,
    IdentityErased,
    LogEvent,
    Outcome,
    ReporterReplied,
    Responded,
    Submitted,
    Verified,
    desk_deadlines,
    event_class,
    evolve,
    pending_deadline,
)

BELUM_TERVERIFIKASI = "Belum Terverifikasi"
BELUM_DITINDAKLANJUTI = "Belum Ditindaklanjuti"
PROSES = "Proses"
SELESAI = "Selesai"
DITERUSKAN_KE_OMBUDSMAN = "Diteruskan ke Ombudsman"
DIARSIPKAN = "Diarsipkan"

_FINISHED_LABELS = {
    Outcome.AUTO_CLOSED: SELESAI,
    Outcome.ESCALATED: DITERUSKAN_KE_OMBUDSMAN,
    Outcome.ARCHIVED: DIARSIPKAN,
}


def public_label(c: Complaint) -> str:
    """DOMAIN.md's table of LAPOR! labels, as the reporter sees them."""
    if c.outcome is not None:
        return _FINISHED_LABELS[c.outcome]
    if c.responded_at is not None:
        return PROSES
    if c.desk is not None and c.desk.kind is DeskKind.NATIONAL and not c.national_verified:
        return BELUM_TERVERIFIKASI
    return BELUM_DITINDAKLANJUTI


class Visit(NamedTuple):
    """One stay of a complaint on one desk: the unit of SLA accounting.

    Named tuples, not frozen dataclasses: a fold makes two per move, and a frozen
    dataclass's ``__init__`` cost three times as much.
    """

    complaint_id: UUID
    seq: int
    desk: str
    desk_kind: str
    institution: str | None
    unit: str | None
    arrived: datetime
    target: datetime | None
    limit: datetime | None
    left: datetime | None = None
    left_by: str | None = None  # what ended the stay (``event_label``): Disposed, Returned, ...
    calendar_version: int = 0  # the calendar that set target and limit (rule 16; 0: the base)
    policy_version: int = 0  # the policy version that judged the stay (rule 16; 0: none recorded)


class Tracked(NamedTuple):
    """What the read side keeps per complaint: its state and the stay on its current desk."""

    complaint: Complaint
    visit: Visit | None
    deadline: Deadline | None  # the finishing clock running after the latest event


def _open_visit(c: Complaint, seq: int, calendars: Calendars) -> Visit | None:
    desk = c.desk
    if desk is None:
        return None
    sla = desk_deadlines(c, calendars)
    return Visit(
        c.id,
        seq,
        desk.key,
        desk.kind.value,
        desk.institution,
        desk.unit,
        c.on_desk_since,
        sla.target if sla else None,
        sla.limit if sla else None,
        calendar_version=sla.calendar_version if sla else 0,
        policy_version=sla.policy_version if sla else calendars.policy_at(c.on_desk_since).version,
    )


def step(before: Tracked | None, event: ComplaintEvent, calendars: Calendars) -> tuple[Tracked, list[Visit]]:
    """The complaint after ``event``, and the visits it closed or opened.

    An erasure changes nothing the views keep (they keep no identity, rule 14): every view
    stays as it was, its stored version included."""
    if before is not None and type(event) is IdentityErased:
        return before, []
    complaint = evolve(before.complaint if before else None, event)
    if before is not None and type(event) is Verified:
        return Tracked(complaint, before.visit, before.deadline), []
    changed: list[Visit] = []
    seq = 0
    if before is not None and before.visit is not None:
        closed = _close(_settled(before, event, calendars), event)
        changed.append(closed)
        seq = closed.seq + 1
    opened = _open_visit(complaint, seq, calendars)
    if opened is not None:
        changed.append(opened)
    if before is None or type(event) in _CLOCK_CHANGERS:
        return Tracked(complaint, opened, pending_deadline(complaint, calendars)), changed
    return Tracked(complaint, opened, before.deadline), changed


def _settled(before: Tracked, event: ComplaintEvent, calendars: Calendars) -> Visit:
    """The stay that ``event`` ends, with the deadlines it was judged by when it ended: an
    amendment recorded after that moves no stay already over (rule 16), so the stay is
    counted on the calendars known when the event was recorded, wherever it is folded."""
    visit = before.visit
    assert visit is not None
    if visit.target is None or not calendars.amended_after(visit.arrived):
        return visit
    return _judged(visit, desk_deadlines(before.complaint, calendars.known_at(event.recorded_at)))


def _judged(visit: Visit, sla: DeskDeadlines | None) -> Visit:
    """The stay with these desk deadlines (none: as it was)."""
    if sla is None:
        return visit
    return visit._replace(
        target=sla.target,
        limit=sla.limit,
        calendar_version=sla.calendar_version,
        policy_version=sla.policy_version,
    )


def repaired(tracked: Tracked, calendars: Calendars) -> tuple[Tracked, list[Visit]]:
    """A complaint's open stay and finishing clock counted again on amended calendars
    (rule 16: ``Calendars.due`` decides what moves); the visit changed, if it did."""
    c, visit = tracked.complaint, tracked.visit
    deadline = pending_deadline(c, calendars)
    changed: list[Visit] = []
    if visit is not None:
        moved = _judged(visit, desk_deadlines(c, calendars))
        if moved != visit:
            visit = moved
            changed.append(moved)
    return Tracked(c, visit, deadline), changed


# Only these start, stop or move a finishing clock (escalation or auto-close).
_CLOCK_CHANGERS = frozenset(
    {Submitted, Responded, ReporterReplied, AutoClosed, EscalatedToOmbudsman, Archived}
)


def _close(visit: Visit, event: ComplaintEvent) -> Visit:
    return Visit(
        visit.complaint_id,
        visit.seq,
        visit.desk,
        visit.desk_kind,
        visit.institution,
        visit.unit,
        visit.arrived,
        visit.target,
        visit.limit,
        event.at,
        event_label(type(event)),
        visit.calendar_version,
        visit.policy_version,
    )


@functools.cache
def event_label(event_class: type[LogEvent]) -> str:
    """How the read side names an event class (a visit's ``left_by``, a timeline, an export):
    its stored name without ``lapor.``. Shown and stored only; to tell events apart, use
    ``labelled_event`` and compare classes."""
    return event_class.stored_name.removeprefix("lapor.")


@functools.cache
def labelled_event(label: str | None) -> type[LogEvent] | None:
    """The event class a label names, under its current stored name or a former one (a
    visit stored before a rename keeps the old label); None for no label or an unknown one."""
    if label is None:
        return None
    for stored_name in ("lapor." + label, label):
        try:
            return event_class(stored_name)
        except LookupError:
            continue
    return None


def search_text(event: ComplaintEvent) -> tuple[str, str] | None:
    """What ``lapor search`` may find in an event, as (kind, text): a complaint's title and
    description, a unit's response. Never an identity (rule 10), never a reporter's reply."""
    if isinstance(event, Submitted):
        return "complaint", f"{event.title}\n{event.description}"
    if isinstance(event, Responded):
        return "response", event.message
    return None


@dataclass
class Views:
    """The read models as plain values: what any store must equal."""

    complaints: dict[UUID, Tracked] = field(default_factory=dict)
    visits: dict[tuple[UUID, int], Visit] = field(default_factory=dict)
    texts: dict[tuple[UUID, int], tuple[str, str]] = field(default_factory=dict)

    def apply(self, event: ComplaintEvent, calendars: Calendars) -> None:
        tracked, changed = step(self.complaints.get(event.originator_id), event, calendars)
        self.complaints[event.originator_id] = tracked
        for visit in changed:
            self.visits[(visit.complaint_id, visit.seq)] = visit
        if (text := search_text(event)) is not None:
            self.texts[(event.originator_id, event.originator_version)] = text


def fold_views(events: Iterable[LogEvent], calendars: Calendars) -> Views:
    """The reference: every read model from scratch, in memory, from the log's events (the
    complaints'; the calendar's and the policy's history are in ``calendars``)."""
    views = Views()
    for event in events:
        if isinstance(event, ComplaintEvent):
            views.apply(event, calendars)
    return views
