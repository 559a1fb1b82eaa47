"""``lapor dossier``: one complaint's printable record for the archive (the SOP's hard copy)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import click

from lapor_domain import Actor, Checkpoint, dossier_evidence
from lapor_projections import build_dossier, render_html

from .audit import load_key, signing_key_option
from .common import check_writable, json_option, pass_session
from .errors import CliError
from .helptext import HelpCommand
from .output import Column
from .params import instant_option, purpose_option, viewer_actor, viewer_option, viewer_role
from .paths import FilePath
from .session import Session

DOSSIER_FIELDS = [
    Column("complaint_id", "complaint"),
    Column("out", "written to"),
    Column("events", "events", "number"),
    Column("viewer", "viewer"),
]


@click.command(cls=HelpCommand)
@click.argument("complaint")
@click.option(
    "--out",
    required=True,
    type=FilePath(dir_okay=False, path_type=Path),
    help="The HTML file to write (one self-contained page; print it from a browser).",
)
@instant_option("--as-of", help="The state as it stood then. Default: now.")
@viewer_option
@purpose_option
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=FilePath(exists=True, dir_okay=False, path_type=Path),
    help="Prove the events against this kept checkpoint (`lapor audit checkpoint`).",
)
@signing_key_option(
    required=False,
    help_text="Without --checkpoint: sign the log's tree head now and prove against that checkpoint.",
)
@json_option
@pass_session
def dossier(
    session: Session,
    complaint: str,
    out: Path,
    as_of: datetime | None,
    viewer: str | Actor,
    purpose: str | None,
    checkpoint_file: Path | None,
    signing_key: Path | None,
) -> None:
    """One complaint's record for the archive: a printable HTML page.

    It holds the institution, the complaint, its status, the timeline (who, when,
    desk, working days, the deadline in force) and the reporter's identity as
    --viewer may see it (rule 10), with an appendix for checking the copy later:
    the stored bytes of every event, its digest chain, a checkpoint and an
    inclusion proof of every event in that checkpoint's tree (rule 15). Check a
    copy with `lapor audit proof FILE --checkpoint C`, no database needed.

    \b
    Examples:
      lapor dossier 1a2b3c4d --out dossier.html --viewer tim-admin --checkpoint cp.json
      lapor dossier 1a2b3c4d --out dossier.html --signing-key signing.pem
    """
    if out.suffix.lower() not in (".html", ".htm"):
        raise CliError("{out} should end in .html: the dossier is an HTML page", out=out)
    check_writable(out)
    session.require_events("dossier")
    cid = session.resolve_id(complaint)
    app = session.app()
    key = load_key(signing_key)
    if checkpoint_file is not None:
        checkpoint: Checkpoint | None = Checkpoint.load(checkpoint_file)
    else:
        checkpoint = app.ledger.checkpoint(key) if key is not None else None
    at = as_of or session.now()
    who = viewer_actor(viewer) or viewer_role(viewer)
    made = build_dossier(app, cid, viewer=who, at=at, purpose=purpose or "dossier")  # rule 10 first
    # The stored bytes hold what the log holds: identities sealed (rule 14), so any viewer may.
    made = replace(made, evidence=dossier_evidence(app.ledger, cid, checkpoint))
    out.write_text(render_html(made), encoding="utf-8")
    result = {"complaint_id": str(cid), "out": str(out), "events": len(made.timeline), "viewer": made.viewer}
    session.out.record(result, DOSSIER_FIELDS, title=session.out._("Dossier written"))


COMMANDS = [dossier]
