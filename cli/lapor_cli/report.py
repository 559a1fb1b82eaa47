"""``lapor report``: the SLA situation from the stored views, as a PNG picture or an HTML page."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import click

from lapor_domain import ComplaintEvent
from lapor_projections import UnitRecord, cumulative_flow, manager_report, unit_records

from .common import check_writable, json_option, pass_session, period_options
from .errors import CliError
from .helptext import HelpCommand
from .output import Column
from .paths import FilePath
from .session import Session
from .timeparse import local_text

FORMATS = (".png", ".html")
FIELDS = [
    Column("out", "written to"),
    Column("since", "from", "instant"),
    Column("until", "to", "instant"),
    Column("stays", "desk stays counted", "number"),
    Column("units", "unit desks shown", "number"),
]
PAGE_FIELDS = [*FIELDS, Column("months", "months recapitulated", "number")]
PICTURE_FIELDS = [*FIELDS, Column("width", "width (px)", "number"), Column("height", "height (px)", "number")]


@click.command(cls=HelpCommand)
@click.option(
    "--out",
    required=True,
    type=FilePath(dir_okay=False, path_type=Path),
    help="The file to write: FILE.html (the managers' page) or FILE.png (a picture).",
)
@period_options
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=25,
    show_default=True,
    help="The picture shows this many units, the worst on-time rate first (the page shows them all).",
)
@json_option
@pass_session
def report(session: Session, out: Path, since: datetime | None, until: datetime | None, top: int) -> None:
    """The SLA situation, for managers: a page (.html) or a picture (.png), chosen by --out's suffix.

    The page is one self-contained HTML file that opens offline: a cumulative
    flow per desk, every unit's on-time rate sorted worst first with its count,
    breaches and escalations, and the monthly recapitulation (rekapitulasi
    bulanan) in the SOP's terms. Counts and unit names only, no reporter and no
    complaint text (rule 10). The picture shows the flow and the worst units'
    on-time rates, its colours explained. Default period: all of history.

    \b
    Examples:
      lapor report --out kinerja.html --from 2025-01-01 --to 2025-12-31
      lapor report --out sla.png --from 2025-01-01 --to 2025-06-30 --top 30
    """
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise CliError("{out} should end in .html (the page) or .png (the picture)", out=out)
    check_writable(out)
    if suffix == ".html":
        session.require_events("the report page's monthly recapitulation")
    start, end = _period(session, since, until)
    if suffix == ".html":
        result, fields, title = _page(session, out, start, end), PAGE_FIELDS, "Report page written"
    else:
        result, fields, title = _picture(session, out, start, end, top), PICTURE_FIELDS, "SLA picture written"
    session.out.record({"out": str(out), "since": start, "until": end, **result}, fields, title=title)


def _page(session: Session, out: Path, start: datetime, end: datetime) -> dict[str, object]:
    from .report_html import render_report

    events = (r.event for r in session.app().feed.since(0) if isinstance(r.event, ComplaintEvent))
    numbers = manager_report(session.reader(), events, since=start, until=end)
    names = {f"unit:{i.code}/{u.code}": u.name for i, u in session.directory.units()}
    _write(out, render_report(numbers, session.zone, names))
    return {"stays": numbers.stays, "units": len(numbers.units), "months": len(numbers.months)}


def _picture(session: Session, out: Path, start: datetime, end: datetime, top: int) -> dict[str, object]:
    from .charts import draw

    reader = session.reader()
    stays = reader.stays(since=start, until=end)
    units = unit_records(reader.sla_report(since=start, until=end))
    judged: list[UnitRecord] = [u for u in units if u.on_time_rate is not None]
    shown = judged[:top]
    title = (
        f"LAPOR!-SP4N SLA, {local_text(start, session.zone)} to {local_text(end, session.zone)} "
        f"({session.policy.name})"
    )
    width, height = draw(
        cumulative_flow(stays, start, end),
        shown,
        out,
        title=title,
        limit_days=session.policy.unit.limit,
        judged_units=len(judged),
    )
    return {"width": width, "height": height, "stays": len(stays), "units": len(shown)}


def _write(out: Path, text: str) -> None:
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError("cannot write {out}: {reason}", out=out, reason=str(exc.strerror or exc)) from None


def _period(session: Session, since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    """The period asked for; by default from the first arrival to the last move (or now, if any is open)."""
    first, last, open_stays = session.history_span()
    start = since or first
    if start is None:
        raise CliError("nothing to draw: the database holds no complaint (try `lapor simulate`)")
    if until is not None:
        end = until
    elif open_stays or last is None:
        end = session.default_instant()
    else:
        end = last + timedelta(days=1)
    if end <= start:
        raise CliError("the report's period ends before it starts")
    return start, end


COMMANDS = [report]
