"""One workflow step each: submit, verify, dispose, return, respond, reply, archive.

Each names the actor with ``--as`` and the business instant with ``--at`` (default
now), records one event (after any deadline due by then, rule 7), and prints where
the complaint stands. A refused step records nothing and exits 1.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import click
from pydantic import ValidationError

from lapor_domain import Actor, ArchiveReason, Complaint, InvalidInput, Reporter, Role, WorkingCalendar

from . import params
from .cards import CARD_FIELDS, complaint_card
from .common import at_option, json_option, pass_session
from .helptext import HelpCommand
from .output import SLA_STYLES
from .session import Session

AT_HELP = (
    "When it happened (business time). Default: now. It may lie in the past (entered late), but "
    "not in the future (beyond the policy's clock skew, 5 minutes), nor so far back that a deadline "
    "running then (escalation, auto-close) has fallen due since (rule 13)."
)


def _actor_option(example: str) -> Callable[[Any], Any]:
    return click.option(
        "--as",
        "actor",
        callback=params.actor,
        required=True,
        metavar=params.ACTOR_METAVAR,
        help=f"Who acts, e.g. {example}.",
    )


VERBS = {
    "verify": "verified",
    "dispose": "disposed",
    "return_up": "returned",
    "respond": "responded",
    "reply": "replied",
    "archive": "archived",
}


def _step(
    session: Session, complaint: str, actor: Actor, at: datetime | None, command: str, **args: Any
) -> None:
    """Call ``LaporApp.<command>`` on the complaint as ``actor`` at ``at`` (default now), and report."""
    session.attached_views()
    cid = session.resolve_id(complaint)
    when = at or session.now()
    after: Complaint = getattr(session.app(), command)(cid, by=actor, at=when, **args)
    _report(session, after, when, actor.role, VERBS[command])


def _report(session: Session, c: Complaint, at: datetime, viewer: Role, verb: str) -> None:
    """The complaint after the step: a line for people, its card in JSON."""
    # The acting reporter is the complaint's own (rule 9 let them act): they may see it.
    card = complaint_card(c, session.calendars(), at, viewer=viewer, own=viewer is Role.REPORTER)
    if session.out.as_json:
        session.out.record(card, CARD_FIELDS)
        return
    _ = session.out._
    said = {"id": card.complaint_id[:8], "verb": _(verb), "desk": card.desk, "label": card.label}
    calendars = session.calendars()
    if c.desk is None:
        line = _("{id} {verb}: finished ({outcome}, {label})").format(**said, outcome=_(str(card.outcome)))
    elif card.target is not None and card.limit is not None:
        calendar = calendars.of_desk(c.desk)
        line = _("{id} {verb}: on {desk} ({label}), target {target}, limit {limit}").format(
            **said,
            target=_by(session, card.target, at, calendar),
            limit=_by(session, card.limit, at, calendar),
        )
    else:
        due = card.clock_due
        line = _("{id} {verb}: on {desk} ({label}), {clock} {due}").format(
            **said,
            clock=_(str(card.clock)),
            due=_by(session, due, at, calendars.calendar()) if due is not None else "-",
        )
    sla = f", {_(card.sla.value)}" if card.sla else ""
    session.out.line(f"{line}{sla}", style=SLA_STYLES.get(str(card.sla)))


def _by(session: Session, deadline: datetime, at: datetime, calendar: WorkingCalendar) -> str:
    """``s.d. Jumat, 14 Feb 2025 (3 hari kerja lagi)``: the last working day a deadline includes
    and what is left of it at the step's instant."""
    return session.out.deadline(deadline, at=at, calendar=calendar, sep=" ")


@click.command(cls=HelpCommand)
@_actor_option("pelapor:warga-123")
@at_option(AT_HELP)
@click.option("--title", required=True, help="A short title of the complaint.")
@click.option("--description", help="What happened. Default: the title.")
@click.option("--reporter-name", help="The reporter's name. Default: the person in --as.")
@click.option("--contact", help="How to reach the reporter (phone, e-mail).")
@click.option("--id-number", help="The reporter's ID number (NIK), if given.")
@click.option("--anonymous", is_flag=True, help="Hide the reporter's identity from units and the public.")
@click.option("--confidential", is_flag=True, help="Keep the whole complaint out of public views.")
@click.option("--id", "complaint_id", type=click.UUID, help="Give the new complaint this id.")
@json_option
@pass_session
def submit(
    session: Session,
    actor: Actor,
    at: datetime | None,
    title: str,
    description: str | None,
    reporter_name: str | None,
    contact: str | None,
    id_number: str | None,
    anonymous: bool,
    confidential: bool,
    complaint_id: UUID | None,
) -> None:
    """File a complaint; it lands on the national desk. Prints the new id.

    \b
    Example:
      lapor submit --as pelapor:warga-123 --title "Jalan berlubang" \\
        --description "Lubang besar di Jl. Kesambi"
    """
    session.attached_views(create=True)
    try:
        reporter = Reporter(name=reporter_name or actor.person, contact=contact, id_number=id_number)
    except ValidationError as exc:
        raise InvalidInput("reporter: {said}", said=exc.errors()[0]["msg"]) from None
    when = at or session.now()
    c = session.app().submit(
        by=actor,
        at=when,
        reporter=reporter,
        title=title,
        description=description or title,
        anonymous=anonymous,
        confidential=confidential,
        complaint_id=complaint_id,
    )
    if session.app().identities.sealing_for_no_one and session.app().keystore.count()[0] == 1:  # once
        note = session.out._(
            "no reader key is registered (lapor keys init), so this reporter's identity "
            "is sealed for no one and can never be read"
        )
        click.echo(f"lapor: note: {note}", err=True)
    if session.out.as_json:
        _report(session, c, when, actor.role, "submitted")
    else:
        click.echo(str(c.id))


@click.command(cls=HelpCommand)
@click.argument("complaint")
@_actor_option("lapor-sp4n:sp4n-ayu or tim-admin:kota-cirebon:dodi")
@at_option(AT_HELP)
@click.option(
    "--anonymous",
    is_flag=True,
    default=None,
    help="Hide the reporter's identity from units (audited; never cleared).",
)
@click.option(
    "--confidential", is_flag=True, default=None, help="Keep it out of public views (audited; never cleared)."
)
@click.option("--note", default="", help="A note for the record.")
@json_option
@pass_session
def verify(
    session: Session,
    complaint: str,
    actor: Actor,
    at: datetime | None,
    anonymous: bool | None,
    confidential: bool | None,
    note: str,
) -> None:
    """Verify a complaint on your desk (national desk or an institution's admin team).

    \b
    Example:
      lapor verify 1a2b3c4d --as lapor-sp4n:sp4n-ayu --confidential --note "data lengkap"
    """
    flags = {"anonymous": anonymous, "confidential": confidential}
    _step(session, complaint, actor, at, "verify", note=note, **flags)


@click.command(cls=HelpCommand)
@click.argument("complaint")
@click.option("--to", required=True, metavar="CODE", help="An institution (from national) or a unit code.")
@_actor_option("tim-admin:kota-cirebon:dodi")
@at_option(AT_HELP)
@click.option("--note", default="", help="A note for the record.")
@json_option
@pass_session
def dispose(session: Session, complaint: str, to: str, actor: Actor, at: datetime | None, note: str) -> None:
    """Route a verified complaint down: to an institution, or to one of its units (disposisi).

    --to is an institution code when the national desk disposes, and a unit code
    (or INSTITUTION/UNIT, or unit:INSTITUTION/UNIT) when an admin team does.

    \b
    Example:
      lapor dispose 1a2b3c4d --to kota-cirebon --as lapor-sp4n:sp4n-ayu
      lapor dispose 1a2b3c4d --to dinkes --as tim-admin:kota-cirebon:dodi
    """
    _step(session, complaint, actor, at, "dispose", to=_unit_code(to, actor), note=note)


def _unit_code(to: str, actor: Actor) -> str:
    """``unit:INST/UNIT`` or ``INST/UNIT`` of the admin team's own institution is its unit code."""
    institution, slash, unit = to.removeprefix("unit:").partition("/")
    return unit if slash and institution == actor.institution else to


@click.command("return", cls=HelpCommand)
@click.argument("complaint")
@click.option("--reason", required=True, help="Why it is not this desk's authority (bukan wewenang).")
@_actor_option("pejabat-penghubung:kota-cirebon/dinkes:sari")
@at_option(AT_HELP)
@json_option
@pass_session
def return_up(session: Session, complaint: str, reason: str, actor: Actor, at: datetime | None) -> None:
    """Send a complaint back up to the desk above: not our authority (dikembalikan).

    \b
    Example:
      lapor return 1a2b3c4d --reason "bukan wewenang Dinkes" \\
        --as pejabat-penghubung:kota-cirebon/dinkes:sari
    """
    _step(session, complaint, actor, at, "return_up", reason=reason)


@click.command(cls=HelpCommand)
@click.argument("complaint")
@click.option("--message", required=True, help="The unit's answer (tindak lanjut).")
@_actor_option("pejabat-penghubung:kota-cirebon/dputr:eko")
@at_option(AT_HELP)
@json_option
@pass_session
def respond(session: Session, complaint: str, message: str, actor: Actor, at: datetime | None) -> None:
    """Answer a complaint on your unit's desk; the reporter's turn begins.

    \b
    Example:
      lapor respond 1a2b3c4d --message "Sudah ditambal" --as pejabat-penghubung:kota-cirebon/dputr:eko
    """
    _step(session, complaint, actor, at, "respond", message=message)


@click.command(cls=HelpCommand)
@click.argument("complaint")
@click.option("--message", required=True, help="The reporter's answer to the response.")
@_actor_option("pelapor:warga-123")
@at_option(AT_HELP)
@json_option
@pass_session
def reply(session: Session, complaint: str, message: str, actor: Actor, at: datetime | None) -> None:
    """The reporter answers a response; the complaint goes back to the same unit.

    \b
    Example:
      lapor reply 1a2b3c4d --message "Masih berlubang" --as pelapor:warga-123
    """
    _step(session, complaint, actor, at, "reply", message=message)


@click.command(cls=HelpCommand)
@click.argument("complaint")
@click.option(
    "--reason",
    required=True,
    type=click.Choice([r.value for r in ArchiveReason]),
    help="Why it is not a complaint to handle.",
)
@click.option("--note", default="", help="A note for the record.")
@_actor_option("lapor-sp4n:sp4n-ayu")
@at_option(AT_HELP)
@json_option
@pass_session
def archive(
    session: Session, complaint: str, reason: str, note: str, actor: Actor, at: datetime | None
) -> None:
    """Drop a report that is not a complaint (national desk only): finished.

    \b
    Example:
      lapor archive 1a2b3c4d --reason duplicate --note "sama dengan 9f8e7d6c" --as lapor-sp4n:sp4n-ayu
    """
    _step(session, complaint, actor, at, "archive", reason=reason, note=note)


COMMANDS = [submit, verify, dispose, return_up, respond, reply, archive]
