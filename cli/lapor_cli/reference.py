"""``lapor units``: the institutions and units a complaint can be disposed to."""

from __future__ import annotations

import click

from .common import json_option, pass_session
from .helptext import HelpCommand
from .output import Column
from .session import Session

UNIT_COLUMNS = [
    Column("institution", "institution"),
    Column("unit", "unit"),
    Column("kind", "kind", "term"),
    Column("name", "name"),
    Column("desk", "desk"),
]


@click.command(cls=HelpCommand)
@click.argument("institution", required=False)
@json_option
@pass_session
def units(session: Session, institution: str | None) -> None:
    """The institutions and their units (the codes `dispose --to`, `queue` and `sla --unit` take).

    \b
    Examples:
      lapor units
      lapor units kota-cirebon --json
    """
    rows = [
        {
            "institution": holder.code,
            "unit": unit.code,
            "kind": unit.kind.value,
            "name": unit.name,
            "desk": f"unit:{holder.code}/{unit.code}",
        }
        for holder, unit in session.directory.units(institution)
    ]
    session.out.rows(rows, UNIT_COLUMNS, title=session.out._("Units (pejabat penghubung desks)"))


COMMANDS = [units]
