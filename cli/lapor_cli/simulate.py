"""``lapor simulate``: a realistic, seeded history to try the tool or an investigation on."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date
from typing import Any

import click

from lapor_projections.simulation import PER_YEAR, Workload, simulate

from . import params
from .common import json_option, pass_session
from .errors import CliError
from .helptext import HelpCommand
from .output import Column
from .session import Session

DEFAULT_START = date(2025, 1, 6)

SUMMARY_FIELDS = [
    Column("complaints", "complaints", "number"),
    Column("events", "events", "number"),
    Column("first_at", "first event", "instant"),
    Column("last_at", "last event", "instant"),
    Column("by_outcome", "outcomes"),
    Column("seed", "seed", "number"),
    Column("db", "database"),
]


@click.command("simulate", cls=HelpCommand)
@click.option(
    "--complaints",
    "count",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="How many complaints to submit.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed gives the same history.")
@click.option(
    "--from",
    "start",
    callback=params.day,
    default=DEFAULT_START.isoformat(),
    show_default=True,
    metavar="DATE",
    help="The first day of arrivals.",
)
@click.option(
    "--scale",
    type=click.Choice(sorted(PER_YEAR)),
    default="city",
    show_default=True,
    help="city: about 600 complaints a year (Kota Cirebon); national: about 100,000.",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Replace the SQLite file named by --db with the new history (kept as it was if anything fails).",
)
@json_option
@pass_session
def simulate_command(session: Session, count: int, seed: int, start: date, scale: Any, replace: bool) -> None:
    """Generate a realistic history with the simulator, into an empty database.

    Every complaint is played to its end by the SOP's people: verified,
    disposed, sometimes returned, answered or escalated, with late and breached
    desks in realistic shares, all through the domain's rules.

    \b
    Example:
      lapor --db demo.db simulate --complaints 300 --seed 7 --from 2025-01-06
      lapor --db demo.db simulate --replace      # again, from scratch
    """
    workload = Workload(complaints=count, start=start, seed=seed, scale=scale)
    workload.require_calendar(session.policy.calendar)  # before any database is touched
    with session.replacing() if replace else nullcontext():
        result = _simulate_into_empty(session, workload)
    result["db"] = session.target
    session.out.record(result, SUMMARY_FIELDS, title=session.out._("Simulated history"))


def _simulate_into_empty(session: Session, workload: Workload) -> dict[str, Any]:
    app = session.app(create=True)
    session.require_events("simulate")
    recorded = app.feed.head()
    if recorded:
        raise CliError(
            "{target} already holds {recorded} events: simulate into a new database",
            target=session.target,
            recorded=recorded,
        )
    with session.out.progress("simulating complaints") as progress:
        summary = simulate(app, workload, progress=progress)
    session.views()  # caught up now, with its own progress bar
    return {
        "complaints": summary.complaints,
        "events": summary.events,
        "first_at": summary.first_at,
        "last_at": summary.last_at,
        "by_outcome": summary.by_outcome,
        "by_event": {k.removeprefix("lapor."): v for k, v in summary.by_event.items()},
        "seed": workload.seed,
    }


COMMANDS = [simulate_command]
