"""``lapor tick``: the sweep that fires every deadline due (auto-close, escalation to Ombudsman)."""

from __future__ import annotations

from datetime import datetime

import click

from .common import at_option, json_option, pass_session
from .output import Column
from .session import Session
from .timeparse import local_text

FIRED_COLUMNS = [
    Column("complaint_id", "complaint", "id"),
    Column("clock", "deadline"),
    Column("outcome", "outcome"),
    Column("due", "due (fired at)", "instant"),
]
OUTCOMES = {"escalation": "escalated to Ombudsman RI", "auto-close": "auto-closed (reporter silent)"}


@click.command()
@at_option("Fire what is due at or before this instant. Default: now.")
@json_option
@pass_session
def tick(session: Session, at: datetime | None) -> None:
    """Fire every deadline due by --at; prints what fired. Running it twice does nothing more.

    Each deadline fires at its own due instant, not at --at (rule 7), so the
    history is the same whenever, or however often, the sweep runs. Run it from
    cron, e.g. every hour.

    \b
    Example:
      lapor tick --at 2026-06-01
    """
    session.attached_views()
    when = at or session.now()
    fired = session.app().fire_due(when)
    session.app().maintain_keys()  # the key store's catch-up: holders, pending wraps, orphans
    rows = [
        {
            "complaint_id": str(f.complaint_id),
            "clock": f.clock.value,
            "outcome": OUTCOMES[f.clock.value],
            "due": f.due,
        }
        for f in fired
    ]
    session.out.rows(
        rows,
        FIRED_COLUMNS,
        title=f"Deadlines fired, due by {local_text(when, session.zone)}",
        empty=f"nothing was due by {local_text(when, session.zone)}",
    )


COMMANDS = [tick]
