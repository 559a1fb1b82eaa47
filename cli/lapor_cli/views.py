"""Looking at complaints: ``queue``, ``show``, ``history``, ``sla``, ``status``.

Queues and the SLA report read the stored views (caught up first); ``show`` and
``history`` fold the complaint's own events, now or as of an instant.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import click

from lapor_domain import Actor, Complaint, ComplaintNotFound, Role, SlaState

from .common import F, at_option, json_option, pass_session, period, period_options
from .errors import CliError
from .helptext import HelpCommand
from .lookup import resolve_desk, resolve_unit
from .output import Column
from .params import (
    instant_option,
    known_at_option,
    purpose_option,
    require_as_of,
    viewer_actor,
    viewer_option,
    viewer_role,
)
from .session import Session
from .timeparse import local_text

if TYPE_CHECKING:  # imported where used: `show` reads no queue and no timeline
    from lapor_projections import ViewReader

QUEUE_COLUMNS = [
    Column("complaint_id", "complaint", "id"),
    Column("title", "title", max_width=40),
    Column("label", "status", optional=True),
    Column("arrived", "arrived", "instant", optional=True),
    Column("target", "target", "deadline"),
    Column("limit", "limit", "deadline"),
    Column("sla", "SLA", "sla"),
    Column("clock", "clock", "term", optional=True),
    Column("clock_due", "clock due", "deadline", optional=True),
    Column("confidential", "confidential", "flag", optional=True),
]
DESK_COLUMNS = [
    Column("desk", "desk", whole=True),
    Column("open", "open", "number"),
    Column("on_track", "on-track", "number"),
    Column("late", "late", "number"),
    Column("breached", "breached", "number"),
]

OFFICERS = (Role.NATIONAL, Role.ADMIN, Role.LIAISON)
"""Who may read a complaint on a replay, whose privacy flags may have changed since (rule 10)."""


@contextmanager
def _reader(
    session: Session, as_of: datetime | None, known_at: datetime | None = None
) -> Iterator[ViewReader]:
    """The live views, or (with ``as_of``) the views rebuilt in memory as they stood then, with
    the calendar known at ``known_at`` (default: then)."""
    if as_of is None:
        require_as_of(known_at, as_of)
        yield session.reader()
        return
    session.require_events("rebuilding a queue as of an instant")
    with session.out.progress("replaying the events") as progress:
        replay = session.read_models().build_as_of(as_of, ":memory:", progress=progress, known_at=known_at)
    try:
        known = session.app().rules_known_at(known_at or as_of).calendars
        from lapor_projections import ViewReader

        yield ViewReader(replay.db, session.policy, known)
    finally:
        replay.close()


@click.command(cls=HelpCommand)
@click.argument("desk", required=False)
@at_option(
    "What is on the desk now, with its SLA judged at this instant: what will be late or breached "
    "by then if nobody acts (nothing is replayed). Example: --at 2026-03-20. Default: now "
    "(on a `lapor replay` database: its instant)."
)
@instant_option(
    "--as-of",
    help="The queue as it stood at this instant: the history replayed up to it, with what was on "
    "the desk then, judged then (an investigator's question). Example: --as-of 2025-03-01.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="Show at most this many, the most urgent (0: all).",
)
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many first (the next page).")
@click.option(
    "--sla",
    type=click.Choice([state.value for state in SlaState]),
    help="Only the complaints in this SLA state (needs DESK; `lapor overdue` looks across desks).",
)
@known_at_option()
@json_option
@pass_session
def queue(
    session: Session,
    desk: str | None,
    at: datetime | None,
    as_of: datetime | None,
    known_at: datetime | None,
    limit: int,
    offset: int,
    sla: str | None,
) -> None:
    """A desk's queue, most urgent first, with SLA state; without DESK, a count per desk.

    DESK is lapor-sp4n, tim-admin:INSTITUTION, unit:INSTITUTION/UNIT or pelapor
    (awaiting the reporter); a unit or institution code alone also does.
    On-track is before the target, late after it, breached at or after the limit;
    a deadline shows the last working day it includes and the working days left.

    --at and --as-of differ: --at T judges today's queue at T (the complaints on
    the desk now, as they will stand at T if nobody acts); --as-of T replays the
    history up to T (the complaints that were on the desk then).

    \b
    Examples:
      lapor queue
      lapor queue unit:kota-cirebon/dinkes --at 2026-03-20
      lapor queue kota-cirebon/dinkes --as-of 2025-03-01
      lapor queue lapor-sp4n --limit 50 --offset 50      # the second page
      lapor queue kota-cirebon/dinkes --sla breached
    """
    _ = session.out._
    key = resolve_desk(desk, session.directory) if desk else None
    if sla is not None and key is None:
        raise CliError("--sla filters one desk's queue: give DESK, or use `lapor overdue` for every desk")
    with _reader(session, as_of, known_at) as reader:
        when = at or as_of or session.default_instant()
        session.out.judged_at = when
        stamp = local_text(when, session.zone)
        if key is None:
            counts = [c.model_dump() for c in reader.desks(when)]
            session.out.rows(
                counts,
                DESK_COLUMNS,
                title=_("Open complaints per desk at {when}").format(when=stamp),
                empty=_("no open complaints at {when}").format(when=stamp),
            )
            return
        entries = reader.queue(key, when, limit=limit or None, offset=offset, sla=sla)
        session.out.rows(
            entries,
            QUEUE_COLUMNS,
            title=_("Queue of {desk} at {when}").format(desk=key, when=stamp),
            caption=_queue_caption(session, entries),
            empty=_empty_queue(session, key, sla),
        )


def _empty_queue(session: Session, desk: str, sla: str | None) -> str:
    _ = session.out._
    if sla is None:
        return _("{desk} holds no complaint").format(desk=desk)
    return _("{desk} holds no complaint that is {state}").format(desk=desk, state=_(sla))


def _queue_caption(session: Session, entries: list[Any]) -> str:
    _ = session.out._
    states = [str(e.sla.value) for e in entries if e.sla is not None]
    parts = [f"{states.count(s)} {_(s)}" for s in ("on-track", "late", "breached") if s in states]
    counted = (_("1 complaint") if len(entries) == 1 else _("{count} complaints")).format(count=len(entries))
    return f"{counted}: {', '.join(parts)}" if parts else counted


@click.command(cls=HelpCommand)
@click.argument("complaint")
@instant_option(
    "--as-of",
    help="The complaint as it stood at this instant: its events up to then, with the deadlines due "
    "by then fired. Example: --as-of 2025-03-01T12:00. Default: now.",
)
@known_at_option()
@viewer_option
@purpose_option
@json_option
@pass_session
def show(
    session: Session,
    complaint: str,
    as_of: datetime | None,
    known_at: datetime | None,
    viewer: str | Actor,
    purpose: str | None,
) -> None:
    """One complaint: its state, the desk holding it, its deadlines and flags, now or as of T.

    The SLA is judged at the as-of instant (default now); deadlines that had
    fallen due by then count as fired, as rule 7 says.

    \b
    Examples:
      lapor show 1a2b3c4d
      lapor show 1a2b3c4d --as-of 2025-03-01T12:00 --viewer tim-admin
      lapor show 1a2b3c4d --as-of 2025-08-06 --known-at now
      lapor --key-file office.keys show 1a2b3c4d --viewer lapor-sp4n:sp4n-ayu --purpose "klarifikasi"
    """
    cid = session.resolve_id(complaint)
    snapshot = session.snapshot_instant()
    if snapshot is not None:
        if as_of is not None:
            session.require_events("show --as-of")
        if viewer_role(viewer) not in OFFICERS:
            session.require_events("show a complaint to the public (its flags may have changed since)")
        state, at = _from_snapshot(session, cid), snapshot
        now = state  # a replay stores the flags as they stood when it was built (rule 10)
    else:
        app = session.app()
        at = as_of or session.now()
        state = now = app.complaint(cid)
        require_as_of(known_at, as_of)
        if as_of is not None or state.last_event_at <= at:
            state = app.complaint(cid, as_of=at, known_at=known_at)
    actor = viewer_actor(viewer)
    identity = None
    if actor is not None and snapshot is None:
        identity = session.app().identity(cid, viewer=actor, purpose=purpose or "show")
    calendars = session.calendars()
    if snapshot is None and as_of is not None:
        calendars = calendars.known_at(known_at or as_of)  # rule 16: as it stood, or as known since
    from .cards import CARD_FIELDS, card_title, complaint_card  # here: the queues show no card

    card = complaint_card(state, calendars, at, viewer_role(viewer), now=now, identity=identity)
    session.out.judged_at = at
    live = snapshot is None and as_of is None
    session.out.record(card, CARD_FIELDS, title=card_title(card, live=live, translate=session.out._))


def _from_snapshot(session: Session, cid: UUID) -> Complaint:
    found = session.read_models().store.load([cid])
    if cid not in found:
        raise ComplaintNotFound("no complaint {complaint} in this replay", complaint=cid)
    return found[cid].complaint


HISTORY_COLUMNS = [
    Column("version", "#", "number"),
    Column("at", "at", "instant"),
    Column("event", "event", "term"),
    Column("by", "by", whole=True),
    Column("desk_after", "desk after", whole=True),
    Column("working_days_since_previous", "wd", "number"),
    Column("deadline", "next deadline", "term", optional=True),
    Column("deadline_at", "due", "deadline", optional=True),
    Column("deadline_amended_by", "moved by amendment", optional=True),
    Column("deadline_policy", "policy", "number", optional=True),
    Column("detail", "detail", max_width=48, optional=True),
]


@click.command(cls=HelpCommand)
@click.argument("complaint")
@instant_option("--as-of", help="Only what had happened by then.")
@known_at_option()
@viewer_option
@purpose_option
@json_option
@pass_session
def history(
    session: Session,
    complaint: str,
    as_of: datetime | None,
    known_at: datetime | None,
    viewer: str | Actor,
    purpose: str | None,
) -> None:
    """The audit timeline of one complaint: every event, who, when, from which desk to which.

    "wd" is the working days since the previous event. With --as-of, a deadline
    that had fallen due by then but was not yet swept shows as "(due)".

    \b
    Examples:
      lapor history 1a2b3c4d
      lapor history 1a2b3c4d --as-of 2025-03-01 --viewer lapor-sp4n --json
    """
    session.require_events("history")
    cid = session.resolve_id(complaint)
    app = session.app()
    if as_of is not None and not app.history(cid, as_of=as_of):
        raise ComplaintNotFound(
            "complaint {complaint} did not exist at {as_of}", complaint=cid, as_of=as_of.isoformat()
        )
    require_as_of(known_at, as_of)
    from lapor_projections import timeline

    entries = timeline(app, cid, as_of=as_of, viewer=viewer_actor(viewer) or viewer_role(viewer),
                       purpose=purpose or "history", known_at=known_at)  # fmt: skip
    rows = [_with_actor(e.model_dump()) for e in entries]
    _ = session.out._
    session.out.rows(
        rows if not session.out.as_json else entries,
        HISTORY_COLUMNS,
        title=(_("History of {complaint} as of {when}") if as_of else _("History of {complaint}")).format(
            complaint=cid, when=local_text(as_of, session.zone) if as_of else ""
        ),
        caption=_("wd: working days since the previous event"),
    )


def _with_actor(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A timeline entry as a table row: the actor in one cell, the detail in brief."""
    scope = "/".join(p for p in (entry["institution"], entry["unit"]) if p)
    by = f"{entry['role']}:{scope + ':' if scope else ''}{entry['person']}"
    event = entry["event"] if entry["recorded_at"] is not None else f"{entry['event']} (due)"
    return {**entry, "by": by, "event": event, "detail": _detail(entry["event"], entry["detail"])}


_SHOWN_ELSEWHERE = {"to", "level", "responded_at", "submitted_at"}


def _detail(event: str, detail: Mapping[str, Any]) -> str:
    """The event's own data, briefly; a flag set or cleared at verification is named either way."""
    parts = []
    for key, value in detail.items():
        if key in _SHOWN_ELSEWHERE or value in (None, "") or (value is False and event != "Verified"):
            continue
        if isinstance(value, bool):
            parts.append(key if value else f"not {key}")
        else:
            text = str(value)
            parts.append(f"{key}: {text[:60] + '…' if len(text) > 60 else text}")
    return "; ".join(parts)


SLA_COLUMNS = [
    Column("desk", "desk", whole=True),
    Column("received", "in", "number"),
    Column("finished", "done", "number"),
    Column("returned", "returned", "number", optional=True),
    Column("median_working_days", "median wd", "number"),
    Column("p90_working_days", "p90 wd", "number", optional=True),
    Column("breaches", "breached", "number"),
    Column("open_past_limit", "open late", "number", optional=True),
    Column("escalations", "escalated", "number", optional=True),
    Column("on_time_rate", "on time", "percent"),
    Column("policy_versions", "policy", optional=True),  # the versions that judged the stays (rule 16)
]


def unit_options(command: F) -> F:
    """``--unit``/``--institution``: which desks an SLA report or export covers (see ``unit_filter``)."""
    command = click.option("--institution", help="Only this institution's desks (its admin team and units).")(
        command
    )
    return click.option("--unit", help="Only this unit's desk: a unit code or INSTITUTION/UNIT.")(command)


def unit_filter(session: Session, unit: str | None, institution: str | None) -> tuple[str | None, str | None]:
    directory = session.directory
    if unit is not None:
        found_institution, unit = resolve_unit(unit, directory)
        institution = institution or found_institution
    if institution is not None:
        directory.institution(institution)
    return unit, institution


@click.command(cls=HelpCommand)
@unit_options
@period_options
@instant_option(
    "--as-of",
    help="The report as it stood then: the history up to that instant replayed (default --to: "
    "then). Example: --as-of 2025-08-06.",
)
@known_at_option()
@json_option
@pass_session
def sla(
    session: Session,
    unit: str | None,
    institution: str | None,
    since: datetime | None,
    until: datetime | None,
    as_of: datetime | None,
    known_at: datetime | None,
) -> None:
    """The SLA report per desk: received, finished, working days, breaches, on-time rate.

    A stay counts as on time when it ended within the desk's SOP limit
    (national 1-3, admin 3-5, unit 5-10 working days by default); stays still
    open past their limit count against it.

    With --as-of the report is the one that could be drawn then; --known-at adds
    what was known at another instant (a calendar amendment recorded since).

    \b
    Examples:
      lapor sla --from 2025-01-01 --to 2025-03-31
      lapor sla --unit kota-cirebon/dinkes --json
      lapor sla --from 2025-08-01 --as-of 2025-08-29 --known-at now
    """
    unit, institution = unit_filter(session, unit, institution)
    start, end = period(session, since, until if until is not None or as_of is None else as_of)
    with _reader(session, as_of, known_at) as reader:
        reports = reader.sla_report(since=start, until=end, unit=unit, institution=institution)
    policy = session.policy
    _ = session.out._
    limits = _("SOP working days target-limit: national {national}, admin {admin}, unit {unit}").format(
        national=f"{policy.national.target}-{policy.national.limit}",
        admin=f"{policy.admin.target}-{policy.admin.limit}",
        unit=f"{policy.unit.target}-{policy.unit.limit}",
    )
    session.out.rows(
        reports,
        SLA_COLUMNS,
        title=_("SLA from {start} to {end}").format(
            start=local_text(start, session.zone), end=local_text(end, session.zone)
        ),
        caption=_(
            "in: arrived in the period; done: left the desk in it; wd: working days; open late: "
            "still there past the limit;\non time: left within the limit."
        )
        + " "
        + limits,
        empty=_("no desk had a complaint in that period"),
    )


STATUS_FIELDS = [
    Column("complaint_id", "complaint"),
    Column("title", "title"),
    Column("label", "status"),
    Column("institution", "institution"),
    Column("submitted", "submitted", "instant"),
    Column("updated", "updated", "instant"),
]


@click.command(cls=HelpCommand)
@click.argument("complaint")
@json_option
@pass_session
def status(session: Session, complaint: str) -> None:
    """What the public and the reporter see: LAPOR!'s status label, no identity.

    A confidential complaint has no public status (exit 3, like an unknown one).

    \b
    Example:
      lapor status 1a2b3c4d
    """
    session.require_events("show a public status (privacy flags may have changed since the replay)")
    cid = session.resolve_id(complaint)
    found = session.reader().public_status(cid)
    if found is None:
        raise ComplaintNotFound("no public complaint {complaint}", complaint=cid)
    session.out.record(found, STATUS_FIELDS)


COMMANDS = [queue, show, history, sla, status]
