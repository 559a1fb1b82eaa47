"""``lapor tick``: the sweep that fires every deadline due (auto-close, escalation to Ombudsman)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from .audit import load_key, signing_key_option
from .common import at_option, json_option, pass_session
from .helptext import HelpCommand
from .output import Column
from .session import Session
from .timeparse import local_text

FIRED_COLUMNS = [
    Column("complaint_id", "complaint", "id"),
    Column("clock", "deadline", "term"),
    Column("outcome", "outcome", "term"),
    Column("due", "due (fired at)", "instant"),
]
OUTCOMES = {"escalation": "escalated to Ombudsman RI", "auto-close": "auto-closed (reporter silent)"}


@click.command(cls=HelpCommand)
@at_option("Fire what is due at or before this instant. Default: now.")
@signing_key_option(required=False, help_text="Sign the tree head afterwards with this key (rule 15).")
@json_option
@pass_session
def tick(session: Session, at: datetime | None, signing_key: Path | None) -> None:
    """Fire every deadline due by --at; prints what fired. Running it twice does nothing more.

    Each deadline fires at its own due instant, not at --at (rule 7), so the
    history is the same whenever, or however often, the sweep runs. Run it from
    cron, e.g. every hour. With --signing-key (or LAPOR_SIGNING_KEY) it then signs
    the log's tree head, unless that key already signed it at this size.

    \b
    Example:
      lapor tick --at 2026-06-01
    """
    session.attached_views()
    when = at or session.now()
    key = load_key(signing_key)  # a bad key file is refused before anything fires
    fired = session.app().fire_due(when)
    session.app().maintain_keys()  # the key store's catch-up: holders, pending wraps, orphans
    signed = session.app().ledger.sign_if_moved(key) if key is not None else None
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
        title=session.out._("Deadlines fired, due by {when}").format(when=local_text(when, session.zone)),
        empty=session.out._("nothing was due by {when}").format(when=local_text(when, session.zone)),
    )
    if signed is not None:
        said = session.out._("Signed the tree head: {size} events, key {key}")
        session.out.line(said.format(size=signed.size, key=signed.fingerprint[:16]))


COMMANDS = [tick]
