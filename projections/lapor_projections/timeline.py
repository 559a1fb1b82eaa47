"""The audit timeline of one complaint, folded on demand from its own event stream.

A complaint's stream is already stored and indexed by complaint, so the timeline is
computed from it at the moment of asking: always exactly the events, never behind.
As of an instant T it shows the events up to T and any deadline that had fallen due
by T but was not yet swept (``recorded_at`` is then empty), as rule 7 says it happened.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from lapor_domain import (
    Complaint,
    ComplaintEvent,
    ComplaintNotFound,
    LaporApp,
    Role,
    Submitted,
    can_see_complaint,
    can_see_identity,
    decisions,
    desk_deadlines,
    evolve,
    fold,
    pending_deadline,
)

from .fold import event_label
from .models import TimelineEntry

HIDDEN = "(dirahasiakan)"
_BASE_FIELDS = {"originator_id", "originator_version", "at", "recorded_at", "actor"}


def timeline(
    app: LaporApp, complaint_id: UUID | str, *, as_of: datetime | None = None, viewer: Role | None = None
) -> list[TimelineEntry]:
    """Every event of the complaint in order: who, when, from which desk to which, and the clock.

    Rule 10 is judged by the privacy flags as they stand now, whatever ``as_of``: a
    complaint made anonymous later hides its reporter in every past view too, and a
    confidential one is not found by a public viewer.
    """
    now = app.complaint(complaint_id)
    if not can_see_complaint(viewer, now.confidential):
        raise ComplaintNotFound(f"no complaint {complaint_id}")  # its existence is not public either
    events = app.history(complaint_id, as_of=as_of)
    final = fold(events)
    if final is None:
        raise ComplaintNotFound(f"complaint {complaint_id} was not yet submitted at {as_of}")
    pending: list[ComplaintEvent] = []
    if as_of is not None:
        pending = decisions.fire_final(final, app.rules, as_of, as_of)
        final = fold(pending, final) or final
    show_identity = can_see_identity(viewer, now.anonymous)
    recorded = len(events)
    entries: list[TimelineEntry] = []
    state: Complaint | None = None
    for index, event in enumerate([*events, *pending]):
        after = evolve(state, event)
        entries.append(_entry(app, state, after, event, show_identity, was_recorded=index < recorded))
        state = after
    return entries


def _entry(
    app: LaporApp,
    before: Complaint | None,
    after: Complaint,
    event: ComplaintEvent,
    show_identity: bool,
    *,
    was_recorded: bool,
) -> TimelineEntry:
    calendar = app.policy.calendar
    deadline, deadline_at = _deadline_in_force(app, after)
    actor = event.actor
    person = actor.person if show_identity or actor.role is not Role.REPORTER else HIDDEN
    return TimelineEntry(
        version=event.originator_version,
        event=event_label(type(event)),
        role=actor.role.value,
        institution=actor.institution,
        unit=actor.unit,
        person=person,
        at=event.at.astimezone(calendar.timezone),
        recorded_at=event.recorded_at if was_recorded else None,
        desk_before=before.desk.key if before and before.desk else None,
        desk_after=after.desk.key if after.desk else None,
        working_days_since_previous=(
            calendar.working_days_between(before.last_event_at, event.at) if before else None
        ),
        deadline=deadline,
        deadline_at=deadline_at,
        detail=_detail(event, show_identity),
    )


def _deadline_in_force(app: LaporApp, c: Complaint) -> tuple[str | None, datetime | None]:
    """The earliest deadline facing the complaint after the event: its desk's limit or a finishing clock."""
    options: list[tuple[datetime, str]] = []
    sla = desk_deadlines(c, app.policy)
    if sla is not None and c.desk is not None and c.desk.sla_level is not None:
        options.append((sla.limit, f"{c.desk.sla_level.value} desk limit"))
    clock = pending_deadline(c, app.policy)
    if clock is not None:
        options.append((clock.due, clock.clock.value))
    if not options:
        return None, None
    due, what = min(options)
    return what, due.astimezone(app.policy.zone)


def _detail(event: ComplaintEvent, show_identity: bool) -> dict[str, Any]:
    detail: dict[str, Any] = {}
    for name, value in event.model_dump(mode="json", exclude=_BASE_FIELDS).items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items() if v is not None)
        detail[name] = value
    if isinstance(event, Submitted) and not show_identity:
        detail["reporter"] = HIDDEN
    return detail
