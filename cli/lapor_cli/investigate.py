"""For auditors and investigators: ``replay`` history as of an instant, ``rebuild`` and ``check`` views."""

from __future__ import annotations

import shlex
from datetime import datetime
from pathlib import Path
from uuid import UUID

import click

from lapor_domain import Actor, parse_target
from lapor_projections import ReadModels, ViewReader
from lapor_projections.db import open_database
from lapor_projections.store import TRACKING

from . import params
from .audit import refuse_damage, trusted_keys
from .common import check_writable, json_option, pass_session
from .errors import CliError, ExitCode
from .helptext import HelpCommand
from .output import Column
from .params import instant_option
from .session import Session
from .timeparse import file_stamp, local_text

REPLAY_FIELDS = [
    Column("as_of", "as of", "instant"),
    Column("out", "written to"),
    Column("log_position", "events read up to position", "number"),
    Column("complaints", "complaints by then", "number"),
    Column("open", "open then", "number"),
    Column("next", "next"),
]


@click.command(cls=HelpCommand)
@instant_option("--as-of", required=True, help="The instant to stand at (a bare date: 00:00 that day).")
@click.option(
    "--out",
    help="Where to write the views: a SQLite file (default lapor-as-of-<T>.db) "
    "or a postgresql:// URL with its own schema.",
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@json_option
@pass_session
def replay(session: Session, as_of: datetime, out: str | None, force: bool) -> None:
    """Rebuild the read models as they stood at T into a separate database; the live views are untouched.

    Events up to T are applied and every deadline due by T fires at its instant,
    as a sweep at T would have recorded it. Query the result with --db: queues,
    counts, SLA report, public status and `show` work on it (judged at T by
    default); `history` needs the live database.

    \b
    Example: where was everything on 1 March 2025?
      lapor replay --as-of 2025-03-01 --out march.db
      lapor --db march.db queue
      lapor --db march.db queue unit:kota-cirebon/dinkes
    """
    session.require_events("replay")
    target = out or f"lapor-as-of-{file_stamp(as_of, session.zone)}.db"
    _make_room(session, target, force)
    live = ReadModels(session.app())  # not caught up: the live views stay exactly as they are
    try:
        with session.out.progress("replaying the events") as progress:
            built = live.build_as_of(as_of, target, progress=progress)
        try:
            reader = ViewReader(built.db, session.policy, session.app().rules_known_at(as_of).calendars)
            counts = reader.desks(as_of)
            total = reader.count()
            position = built.position()
        finally:
            built.close()
    finally:
        live.close()
    stamp = as_of.astimezone(session.zone).isoformat()
    result = {
        "as_of": as_of,
        "out": target,
        "log_position": position,
        "complaints": int(total),
        "open": sum(c.open for c in counts),
        "next": f"lapor --db {shlex.quote(target)} queue --at {stamp}",
    }
    session.out.record(
        result,
        REPLAY_FIELDS,
        title=session.out._("Views as of {instant}").format(instant=local_text(as_of, session.zone)),
    )


def _make_room(session: Session, target: str, force: bool) -> None:
    """Refuse to overwrite an existing database unless forced; never the live one."""
    store = parse_target(target)
    live = parse_target(session.target)
    if store.kind == "memory":
        raise CliError("replay needs a file or a postgresql:// URL to write to")
    if store.kind == "sqlite":
        path = Path(store.env["SQLITE_DBNAME"])
        check_writable(path)
        if live.kind == "sqlite" and path.resolve() == Path(live.env["SQLITE_DBNAME"]).resolve():
            raise CliError("replay writes to a separate database, not the live one: give another --out")
        if path.exists() and not force:
            raise CliError("{target} exists; give --force to overwrite it", target=target)
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return
    if target == session.target:
        raise CliError("replay writes to a separate database, not the live one: give another --out")
    db = open_database(target)
    try:
        if db.table_exists(TRACKING) and not force:
            raise CliError("{target} already holds views; give --force to overwrite them", target=target)
    finally:
        db.close()


REBUILT_FIELDS = [
    Column("views_events", "events applied to the views", "number"),
    Column("deadline_rows", "deadlines in the index", "number"),
    Column("complaints_left_out", "damaged complaints left out", "number"),
]


WORKERS = click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes a build from scratch may use on a big log, ~100 MB each  [default: 2; 1 on one core].",
)


@click.command(cls=HelpCommand)
@click.argument("view", type=click.Choice(["all", "views", "deadlines"]), default="all")
@WORKERS
@click.option(
    "--accept-damage",
    "reason",
    metavar="REASON",
    help="Rebuild from what verifies although the log fails verification; recorded, with --as.",
)
@click.option(
    "--as", "actor", callback=params.actor, metavar=params.ACTOR_METAVAR, help="Who accepts the damage."
)
@click.option(
    "--trust",
    multiple=True,
    metavar="FINGERPRINT|FILE",
    help="A signing key whose signed heads the verification checks (as `audit --trust`).",
)
@json_option
@pass_session
def rebuild(
    session: Session,
    view: str,
    workers: int | None,
    reason: str | None,
    actor: Actor | None,
    trust: tuple[str, ...],
) -> None:
    """Rebuild live read models from the event log, with a progress bar.

    VIEW is `views` (desk queues, SLA stays and public status, which share one
    log position and are rebuilt together, beside the live ones, then switched
    in one transaction), `deadlines` (the index the sweep uses), or `all`.

    The log is verified first (its chains, tree head and trusted signatures, rule 15):
    a log that fails is refused (exit 6, naming the place). With --accept-damage
    REASON --as ACTOR the read models are rebuilt from the complaints whose chains
    verify, and the override is recorded (`lapor audit` lists it).

    \b
    Example:
      lapor rebuild views
      lapor rebuild views --workers 1     # one process only
      lapor rebuild --accept-damage "restored from backup 2026-11-30" --as lapor-sp4n:admin-ika
    """
    session.require_events("rebuild")
    if reason is not None and actor is None:
        raise CliError("--accept-damage needs --as: who accepts the damage")
    app = session.app()
    with session.out.progress("verifying the log") as progress:
        report = app.ledger.verify(
            trust=trusted_keys(session, trust, None), deadlines=False, progress=progress
        )
    skip: frozenset[UUID] = frozenset()
    if reason is None:
        refuse_damage(report)
    elif not report.ok:
        app.ledger.accept_damage(report, reason=reason, actor=str(actor))
        skip = report.damaged
    result: dict[str, int | None] = {
        "views_events": None,
        "deadline_rows": None,
        "complaints_left_out": len(skip),
    }
    if view in ("all", "views"):
        views = session.read_models()
        views.workers = workers or views.workers
        with session.out.progress("rebuilding the views") as progress:
            result["views_events"] = views.rebuild(progress=progress, skip=skip)
    if view in ("all", "deadlines"):
        result["deadline_rows"] = app.rebuild_deadline_index(skip=skip)
    session.out.record(result, REBUILT_FIELDS, title=session.out._("Rebuilt {view}").format(view=view))


@click.command(cls=HelpCommand)
@click.option("--limit", default=20, show_default=True, help="Name at most this many differences.")
@WORKERS
@json_option
@pass_session
def check(session: Session, limit: int, workers: int | None) -> None:
    """Recompute every read model from the events and report any difference from the stored views.

    Exits 5 when a stored view differs (then `lapor rebuild views` repairs it).

    \b
    Example:
      lapor check || lapor rebuild views
    """
    session.require_events("check")
    views = session.read_models()
    views.workers = workers or views.workers
    with session.out.progress("recomputing the views") as progress:
        found = views.check(progress=progress, limit=limit)
    result = {"ok": not found, "position": views.position(), "differences": found}
    if session.out.as_json:
        session.out.json(result)
    elif found:
        for difference in found:
            click.echo(difference)
        said = session.out._("{count} difference(s) between the stored views and the events")
        click.echo(said.format(count=len(found)), err=True)
    else:
        said = session.out._("The views match the events (read up to position {position}).")
        session.out.line(said.format(position=views.position()))
    if found:
        raise click.exceptions.Exit(ExitCode.DIFFERENCES)


COMMANDS = [replay, rebuild, check]
