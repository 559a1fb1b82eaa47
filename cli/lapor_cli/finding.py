"""Finding complaints: ``search`` by words, ``overdue`` across desks, ``list`` by unit, status and period.

All three read the stored views (caught up first), as queues do.
"""

from __future__ import annotations

from datetime import datetime

import click

from lapor_domain import Outcome, can_see_complaint

from .common import at_option, json_option, pass_session, period_options
from .helptext import HelpCommand
from .output import Column
from .params import viewer_option, viewer_role
from .session import Session
from .timeparse import local_text
from .views import QUEUE_COLUMNS, unit_filter, unit_options

SEARCH_COLUMNS = [
    Column("complaint_id", "complaint", "id"),
    Column("title", "title", max_width=48),
    Column("found_in", "found in"),
    Column("label", "status"),
    Column("desk", "desk", optional=True),
]
LIST_COLUMNS = [
    Column("complaint_id", "complaint", "id"),
    Column("title", "title", max_width=44),
    Column("status", "status", "term"),
    Column("desk", "desk", optional=True),
    Column("submitted", "submitted", "instant"),
    Column("finished", "finished", "instant", optional=True),
    Column("confidential", "confidential", "flag", optional=True),
]
OVERDUE_COLUMNS = [Column("desk", "desk", whole=True), *[c for c in QUEUE_COLUMNS if c.key != "label"]]
STATUSES = ["open", "finished", *(outcome.value for outcome in Outcome)]
_LIMIT = click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="Show at most this many (0: all).",
)


@click.command(cls=HelpCommand)
@click.argument("words", nargs=-1, required=True)
@viewer_option
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Show at most this many, the best matches (0: all).",
)
@json_option
@pass_session
def search(session: Session, words: tuple[str, ...], viewer: str, limit: int) -> None:
    """Complaints whose title, description or a response holds every one of WORDS.

    A word matches a word of the text or its beginning ("jalan" finds "jalanan"),
    whatever its case. The reporter's identity is never searched, and a public
    viewer finds no confidential complaint (rule 10). Best matches first.

    \b
    Examples:
      lapor search jalan berlubang
      lapor search lampu --viewer tim-admin --json
    """
    text = " ".join(words)
    public = not can_see_complaint(viewer_role(viewer), True)
    hits = session.reader().search(text, public=public, limit=limit or None)
    _ = session.out._  # where it was found, in the operator's words (JSON keeps the values)
    rows = [{**hit.model_dump(), "found_in": ", ".join(_(place) for place in hit.found_in)} for hit in hits]
    session.out.rows(
        rows if not session.out.as_json else hits,
        SEARCH_COLUMNS,
        title=session.out._("Complaints with {words}").format(words=repr(text)),
        empty=session.out._("no complaint holds {words}").format(words=repr(text)),
    )


@click.command(cls=HelpCommand)
@at_option("Judge the SLA at this instant. Default: now.")
@unit_options
@_LIMIT
@json_option
@pass_session
def overdue(
    session: Session, at: datetime | None, unit: str | None, institution: str | None, limit: int
) -> None:
    """Every open complaint past its desk's target or limit, on any desk, most overdue first.

    Late is past the target, breached at or after the limit (the SOP's range for the desk).

    \b
    Examples:
      lapor overdue
      lapor overdue --institution kota-cirebon --at 2025-06-30
      lapor overdue --unit kota-cirebon/dinkes --json
    """
    unit, institution = unit_filter(session, unit, institution)
    when = at or session.default_instant()
    session.out.judged_at = when
    entries = session.reader().overdue(when, institution=institution, unit=unit, limit=limit or None)
    stamp = local_text(when, session.zone)
    breached = sum(1 for e in entries if e.sla is not None and e.sla.value == "breached")
    session.out.rows(
        entries,
        OVERDUE_COLUMNS,
        title=session.out._("Overdue at {when}").format(when=stamp),
        caption=session.out._("{count} overdue: {breached} breached, {late} late").format(
            count=len(entries), breached=breached, late=len(entries) - breached
        ),
        empty=session.out._("nothing overdue at {when}").format(when=stamp),
    )


@click.command(cls=HelpCommand, name="list")
@click.option("--status", type=click.Choice(STATUSES), help="open, finished, or how it finished.")
@unit_options
@period_options
@_LIMIT
@json_option
@pass_session
def list_command(
    session: Session,
    status: str | None,
    unit: str | None,
    institution: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> None:
    """Complaints by status, by a unit or institution that held them, and by period, newest first.

    The period is when an open complaint was submitted, or when a finished one finished.

    \b
    Examples:
      lapor list --unit kota-cirebon/dinkes --status finished --from 2025-01-01 --to 2025-03-31
      lapor list --status escalated-to-ombudsman --json
    """
    unit, institution = unit_filter(session, unit, institution)
    entries = session.reader().complaints(
        status=status, institution=institution, unit=unit, since=since, until=until, limit=limit or None
    )
    _ = session.out._
    session.out.rows(entries, LIST_COLUMNS, title=_("Complaints"), empty=_("no complaint matches"))


COMMANDS = [search, overdue, list_command]
