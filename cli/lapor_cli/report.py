"""``lapor report``: a picture of the SLA situation, from the stored views."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import click

from lapor_domain import FINISHING_EVENTS
from lapor_projections import ReadModels, ViewReader, Visit, labelled_event

from .charts import BANDS, Flow, UnitRate, draw
from .common import check_writable, json_option, pass_session, period_options
from .errors import CliError
from .output import Column
from .paths import FilePath
from .session import Session
from .timeparse import local_text

MOST_SAMPLES = 400
REPORT_FIELDS = [
    Column("out", "written to"),
    Column("width", "width (px)", "number"),
    Column("height", "height (px)", "number"),
    Column("since", "from", "instant"),
    Column("until", "to", "instant"),
    Column("stays", "desk stays drawn", "number"),
    Column("units", "unit desks", "number"),
]


@click.command()
@click.option(
    "--out", required=True, type=FilePath(dir_okay=False, path_type=Path), help="The PNG file to write."
)
@period_options
@click.option("--top", default=25, show_default=True, help="Show the units that received the most.")
@json_option
@pass_session
def report(session: Session, out: Path, since: datetime | None, until: datetime | None, top: int) -> None:
    """A picture of the SLA situation: a cumulative flow per desk, and each unit's on-time rate.

    Left: how many complaints sat on the national, admin and unit desks, with
    the reporter, or were finished, day by day. Right: each unit desk's share
    of stays finished within the SOP limit. Default period: all of history.

    \b
    Example:
      lapor report --out sla.png --from 2025-01-01 --to 2025-06-30
    """
    if out.suffix.lower() != ".png":
        raise CliError(f"{out} should end in .png: the report is a PNG picture")
    check_writable(out)
    views = session.views()
    start, end = _period(session, since, until)
    stays = _stays(views, start, end)
    reports = session.reader().sla_report(since=start, until=end)
    units = [
        UnitRate(r.desk, r.on_time_rate, r.finished, r.open_past_limit)
        for r in sorted(reports, key=lambda r: -r.received)
        if r.desk.startswith("unit:") and r.on_time_rate is not None
    ][:top]
    title = (
        f"LAPOR!-SP4N SLA, {local_text(start, session.zone)} to {local_text(end, session.zone)} "
        f"({session.policy.name})"
    )
    flow = _flow(stays, start, end)
    width, height = draw(flow, units, out, title=title, limit_days=session.policy.unit.limit)
    result = {
        "out": str(out),
        "width": width,
        "height": height,
        "since": start,
        "until": end,
        "stays": len(stays),
        "units": len(units),
    }
    session.out.record(result, REPORT_FIELDS, title="SLA report written")


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


def _stays(views: ReadModels, start: datetime, end: datetime) -> list[Visit]:
    return ViewReader(views.db, views.policy).stays(since=start, until=end)


def _flow(stays: list[Visit], start: datetime, end: datetime) -> Flow:
    """Counts per band at evenly spaced instants: on a desk kind, or finished since ``start``."""
    arrived: dict[str, list[datetime]] = defaultdict(list)
    left: dict[str, list[datetime]] = defaultdict(list)
    for stay in stays:
        arrived[stay.desk_kind].append(stay.arrived)
        if stay.left is not None:
            left[stay.desk_kind].append(stay.left)
            if labelled_event(stay.left_by) in FINISHING_EVENTS:
                arrived["finished"].append(stay.left)
    for moments in (*arrived.values(), *left.values()):
        moments.sort()
    steps = min(MOST_SAMPLES, max(2, (end - start).days + 1))
    step = (end - start) / (steps - 1)
    instants = [start + step * k for k in range(steps)]
    counts = {
        key: [bisect_right(arrived[key], t) - bisect_right(left[key], t) for t in instants]
        for key, _, _ in BANDS
    }
    return Flow(instants, counts)


COMMANDS = [report]
