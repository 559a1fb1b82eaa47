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
    Actor,
    Calendars,
    Complaint,
    ComplaintEvent,
    ComplaintNotFound,
    IdentityView,
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
_NOT_DETAIL = _BASE_FIELDS | {"identity"}


def timeline(
    app: LaporApp,
    complaint_id: UUID | str,
    *,
    as_of: datetime | None = None,
    viewer: Role | Actor | None = None,
    purpose: str = "history",
    known_at: datetime | None = None,
) -> list[TimelineEntry]:
    """Every event of the complaint in order: who, when, from which desk to which, and the clock.

    Rule 10 is judged by the privacy flags as they stand now, whatever ``as_of``: a
    complaint made anonymous later hides its reporter in every past view too, and a
    confidential one is not found by a public viewer. The reporter's identity comes only
    from ``LaporApp.identity``, asked when ``viewer`` is an ``Actor`` rule 10 may entitle
    (a bare role names no one to record in the disclosure register: withheld).
    Deadlines count on the calendar as it was known at ``known_at`` (rule 16; default: the
    as-of instant, as it stood; now when there is no as-of); one an amendment moved names it.
    """
    role = viewer.role if isinstance(viewer, Actor) else viewer
    now = app.complaint(complaint_id)
    if not can_see_complaint(role, now.confidential):
        raise ComplaintNotFound(
            "no complaint {complaint}", complaint=complaint_id
        )  # its existence is not public either
    events = app.history(complaint_id, as_of=as_of)
    final = fold(events)
    if final is None:
        raise ComplaintNotFound(
            "complaint {complaint} was not yet submitted at {as_of}", complaint=complaint_id, as_of=as_of
        )
    pending: list[ComplaintEvent] = []
    rules = app.rules
    if as_of is not None:
        rules = app.rules_known_at(known_at or as_of)
        pending = decisions.fire_final(final, rules, as_of, as_of)
        final = fold(pending, final) or final
    identity = None
    if isinstance(viewer, Actor) and can_see_identity(role, now.anonymous):
        identity = app.identity(now.id, viewer=viewer, purpose=purpose)
    recorded = len(events)
    entries: list[TimelineEntry] = []
    state: Complaint | None = None
    every = [*events, *pending]
    for index, event in enumerate(every):
        after = evolve(state, event)
        # Each row's deadline as it stood until the next event: an amendment recorded after that
        # moved no stay already over (rule 16), so it counts on what was known by then.
        calendars = rules.calendars
        if index + 1 < recorded:
            calendars = calendars.known_at(every[index + 1].recorded_at)
        entries.append(_entry(app, calendars, state, after, event, identity, was_recorded=index < recorded))
        state = after
    return entries


def _entry(
    app: LaporApp,
    calendars: Calendars,
    before: Complaint | None,
    after: Complaint,
    event: ComplaintEvent,
    identity: IdentityView | None,
    *,
    was_recorded: bool,
) -> TimelineEntry:
    calendar = app.policy.calendar
    held = before.desk if before is not None else None  # the desk the days were spent on (rule 17)
    spent = calendars.of_desk(held) if held is not None else calendars.calendar()
    deadline, deadline_at, version, policy = _deadline_in_force(app, calendars, after)
    actor = event.actor
    person = actor.person
    if actor.role is Role.REPORTER:  # the log names the reporter by a pseudonym only
        person = identity.account if identity is not None and identity.account else HIDDEN
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
            spent.working_days_between(before.last_event_at, event.at) if before else None
        ),
        deadline=deadline,
        deadline_at=deadline_at,
        deadline_amended_by=_amendment(calendars, version, event.at),
        deadline_policy=policy,
        detail=_detail(event, identity),
    )


def _deadline_in_force(
    app: LaporApp, calendars: Calendars, c: Complaint
) -> tuple[str | None, datetime | None, int, int | None]:
    """The earliest deadline facing the complaint after the event: its desk's limit or a finishing
    clock, with the calendar version and the policy version that set it."""
    options: list[tuple[datetime, str, int, int]] = []
    sla = desk_deadlines(c, calendars)
    if sla is not None and c.desk is not None and c.desk.sla_level is not None:
        level = c.desk.sla_level.value
        options.append((sla.limit, f"{level} desk limit", sla.calendar_version, sla.policy_version))
    clock = pending_deadline(c, calendars)
    if clock is not None:
        options.append((clock.due, clock.clock.value, clock.calendar_version, clock.policy_version))
    if not options:
        return None, None, 0, None
    due, what, version, policy = min(options)
    return what, due.astimezone(app.policy.zone), version, policy or None


def _amendment(calendars: Calendars, version: int, since: datetime) -> str | None:
    """Which amendment moved a deadline running since ``since``, and on what basis; None when
    it stands as the calendar known when it started put it."""
    if not version:
        return None
    amendment = calendars.amendments[version - 1]
    return f"{version}: {amendment.basis}" if amendment.recorded_at > since else None


def _detail(event: ComplaintEvent, identity: IdentityView | None) -> dict[str, Any]:
    detail: dict[str, Any] = {}
    if isinstance(event, Submitted):  # the sealed identity itself is never shown
        detail["reporter"] = identity.label if identity is not None and identity.shown else HIDDEN
    for name, value in event.model_dump(mode="json", exclude=_NOT_DETAIL).items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items() if v is not None)
        detail[name] = value
    return detail
