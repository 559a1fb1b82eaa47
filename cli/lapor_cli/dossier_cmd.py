"""``lapor dossier``: one complaint's printable record for the archive (the SOP's hard copy)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from lapor_projections import build_dossier, render_html

from .common import check_writable, json_option, pass_session
from .errors import CliError
from .output import Column
from .params import instant_option, viewer_option, viewer_role
from .paths import FilePath
from .session import Session

DOSSIER_FIELDS = [
    Column("complaint_id", "complaint"),
    Column("out", "written to"),
    Column("events", "events", "number"),
    Column("viewer", "viewer"),
]


@click.command()
@click.argument("complaint")
@click.option(
    "--out",
    required=True,
    type=FilePath(dir_okay=False, path_type=Path),
    help="The HTML file to write (one self-contained page; print it from a browser).",
)
@instant_option("--as-of", help="The state as it stood then. Default: now.")
@viewer_option
@json_option
@pass_session
def dossier(session: Session, complaint: str, out: Path, as_of: datetime | None, viewer: str) -> None:
    """One complaint's record for the archive: a printable HTML page.

    It holds the institution, the complaint, its status, the timeline (who, when,
    desk, working days, the deadline in force) and the reporter's identity as
    --viewer may see it (rule 10), with an appendix for checking the copy later.

    \b
    Example:
      lapor dossier 1a2b3c4d --out dossier.html --viewer tim-admin
    """
    if out.suffix.lower() not in (".html", ".htm"):
        raise CliError(f"{out} should end in .html: the dossier is an HTML page")
    check_writable(out)
    session.require_events("dossier")
    cid = session.resolve_id(complaint)
    app = session.app()
    made = build_dossier(app, cid, viewer=viewer_role(viewer), at=as_of or session.now())
    out.write_text(render_html(made), encoding="utf-8")
    result = {"complaint_id": str(cid), "out": str(out), "events": len(made.timeline), "viewer": made.viewer}
    session.out.record(result, DOSSIER_FIELDS, title="Dossier written")


COMMANDS = [dossier]
