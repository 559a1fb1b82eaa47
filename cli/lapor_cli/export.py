"""``lapor export events|sla|timeline``: JSON Lines or CSV, to stdout or a file.

Rows have stable keys, string ids and ISO-8601 instants in the policy's zone; in
CSV a nested value (an event's data, a timeline entry's detail) is a JSON string.
Text comes from the public: JSON keeps it exact, with control characters spelled as
``\\u`` escapes (``json_for_terminal``); a CSV cell is rendered ``for_spreadsheet``, so
no formula runs and no control character lands in the sheet, while numbers stay numbers.
A file given with --out is written whole or not at all.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, tzinfo
from pathlib import Path
from typing import IO, Any
from uuid import UUID

import click

from lapor_domain import (
    Actor,
    ComplaintEvent,
    ComplaintNotFound,
    IdentityView,
    LaporApp,
    Role,
    Submitted,
    can_see_complaint,
)
from lapor_projections import HIDDEN, event_label, for_spreadsheet, json_for_terminal, timeline

from .common import check_writable, pass_session, period, period_options
from .errors import CliError
from .output import plain
from .params import FilePath, instant_option, purpose_option, viewer_actor, viewer_option, viewer_role
from .session import Session
from .views import unit_filter, unit_options

_BASE = {"originator_id", "originator_version", "at", "recorded_at", "actor"}


def _format_options(command: Any) -> Any:
    command = click.option(
        "--out", type=FilePath(dir_okay=False, writable=True, path_type=Path), help="Write to this file."
    )(command)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["jsonl", "csv"]),
        default="jsonl",
        show_default=True,
        help="JSON Lines (one object a line) or CSV with a header.",
    )(command)


@click.group()
def export() -> None:
    """Export events, the SLA report or timelines as JSON Lines or CSV.

    \b
    Examples:
      lapor export events --out events.jsonl
      lapor export sla --format csv --from 2025-01-01 --to 2025-12-31 > sla.csv
      lapor export timeline 1a2b3c4d --format csv
    """


@contextmanager
def _sink(out: Path | None) -> Iterator[IO[str]]:
    """stdout, or a temporary file beside ``out`` renamed over it only when all went well."""
    if out is None:
        yield sys.stdout
        return
    check_writable(out)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent if str(out.parent) else ".")
    except OSError as exc:  # a name too long for the file system, and the like
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
        os.replace(name, out)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def write_rows(rows: Iterable[Mapping[str, Any]], fmt: str, out: Path | None, zone: tzinfo) -> int:
    """Write the rows; returns how many."""
    count = 0
    with _sink(out) as stream:
        writer: csv.DictWriter[str] | None = None
        for row in rows:
            values = plain(row, zone)
            if fmt == "jsonl":
                stream.write(_json_text(values) + "\n")
            else:
                if writer is None:
                    writer = csv.DictWriter(stream, fieldnames=list(values), lineterminator="\n")
                    writer.writeheader()
                writer.writerow({k: _csv_cell(v) for k, v in values.items()})
            count += 1
    return count


def _json_text(value: Any) -> str:
    return json_for_terminal(json.dumps(value, ensure_ascii=False))


def _csv_cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        value = _json_text(value)
    return "" if value is None else for_spreadsheet(value)


def event_row(
    position: int | None, event: ComplaintEvent, *, identity: IdentityView | None
) -> dict[str, Any]:
    """An event as an export row. The log names the reporter by a pseudonym and holds the
    identity sealed: neither is exported; the identity (and the account in ``person``) only
    from ``identity``, when it was shown to the viewer."""
    actor = event.actor
    data = event.model_dump(mode="json", exclude=_BASE | {"identity"})
    shown = identity.identity if identity is not None else None
    hide = shown is None and actor.role is Role.REPORTER
    if isinstance(event, Submitted):
        reporter = (
            shown.reporter.model_dump() if shown else {"name": HIDDEN, "contact": None, "id_number": None}
        )
        data = {"reporter": reporter, **data}
    person = shown.account if shown is not None and actor.role is Role.REPORTER else actor.person
    return {
        "position": position,
        "complaint_id": str(event.originator_id),
        "version": event.originator_version,
        "event": event_label(type(event)),
        "at": event.at,
        "recorded_at": event.recorded_at,
        "actor": f"{actor.role.value}:{HIDDEN if hide else person}",
        "role": actor.role.value,
        "institution": actor.institution,
        "unit": actor.unit,
        "person": HIDDEN if hide else person,
        "data": data,
    }


class _Privacy:
    """Rule 10 for an export: each complaint's flags as they stand now, looked up once; and,
    when identities are asked for, each identity asked of ``LaporApp.identity`` once (which
    records its showing in the disclosure register)."""

    def __init__(self, app: LaporApp, viewer: Role | None, actor: Actor | None, purpose: str) -> None:
        self.app, self.viewer, self.actor, self.purpose = app, viewer, actor, purpose
        self._flags: dict[UUID, tuple[bool, bool]] = {}
        self._identities: dict[UUID, IdentityView] = {}

    def _now(self, cid: UUID) -> tuple[bool, bool]:
        if cid not in self._flags:
            now = self.app.complaint(cid)
            self._flags[cid] = (now.anonymous, now.confidential)
        return self._flags[cid]

    def shows(self, cid: UUID) -> bool:
        return can_see_complaint(self.viewer, self._now(cid)[1])

    def identity(self, cid: UUID) -> IdentityView | None:
        if self.actor is None:
            return None
        if cid not in self._identities:
            self._identities[cid] = self.app.identity(cid, viewer=self.actor, purpose=self.purpose)
        return self._identities[cid]


@export.command()
@click.option("--complaint", help="Only this complaint's events.")
@viewer_option
@click.option(
    "--identities",
    is_flag=True,
    help="Show reporters' names, contacts, ID numbers and account ids where --viewer (an actor) may see "
    "them (rule 10) and --key-file opens them; each is recorded (lapor disclosures).",
)
@purpose_option
@_format_options
@pass_session
def events(
    session: Session,
    complaint: str | None,
    viewer: str | Actor,
    identities: bool,
    purpose: str | None,
    fmt: str,
    out: Path | None,
) -> None:
    """Every recorded event in log order: who, when, what (the audit log itself).

    Reporters' identities are left out unless --identities is given with a viewer
    actor who may see them (the national desk, the admin team of the institution
    holding the complaint; its units only where the reporter is not anonymous) and
    a --key-file that opens them; a public viewer gets no confidential complaint.

    \b
    Examples:
      lapor export events --out events.jsonl
      lapor --key-file office.keys export events --viewer lapor-sp4n:sp4n-ayu --identities \\
        --complaint 1a2b3c4d --purpose "permintaan Ombudsman"
    """
    session.require_events("export events")
    app = session.app()
    role, actor = viewer_role(viewer), viewer_actor(viewer)
    if identities and (actor is None or role not in (Role.NATIONAL, Role.ADMIN, Role.LIAISON)):
        raise CliError(
            "--identities needs a --viewer actor who may see reporters, e.g. lapor-sp4n:PERSON or "
            "tim-admin:INSTITUTION:PERSON (pejabat-penghubung for complaints that are not anonymous)"
        )
    privacy = _Privacy(app, role, actor if identities else None, purpose or "export events")
    if complaint is not None:
        cid = session.resolve_id(complaint)
        if not privacy.shows(cid):
            raise ComplaintNotFound(f"no complaint whose id starts with {complaint!r}")
        recorded: Iterable[tuple[int | None, ComplaintEvent]] = ((None, e) for e in app.history(cid))
    else:
        recorded = app.feed.since()
    rows = (
        event_row(position, e, identity=privacy.identity(e.originator_id))
        for position, e in recorded
        if privacy.shows(e.originator_id)
    )
    write_rows(rows, fmt, out, session.zone)


@export.command("sla")
@unit_options
@period_options
@_format_options
@pass_session
def export_sla(
    session: Session,
    unit: str | None,
    institution: str | None,
    since: datetime | None,
    until: datetime | None,
    fmt: str,
    out: Path | None,
) -> None:
    """The SLA report per desk (as `lapor sla`), one row per desk, with the period on each row.

    \b
    Example:
      lapor export sla --format csv --from 2025-01-01 --to 2025-06-30 --out h1.csv
    """
    unit, institution = unit_filter(session, unit, institution)
    start, end = period(session, since, until)
    reports = session.reader().sla_report(since=start, until=end, unit=unit, institution=institution)
    rows = ({"since": start, "until": end, **r.model_dump()} for r in reports)
    write_rows(rows, fmt, out, session.zone)


@export.command("timeline")
@click.argument("complaints", nargs=-1)
@instant_option("--as-of", help="Only what had happened by then.")
@viewer_option
@purpose_option
@_format_options
@pass_session
def export_timeline(
    session: Session,
    complaints: tuple[str, ...],
    as_of: datetime | None,
    viewer: str | Actor,
    purpose: str | None,
    fmt: str,
    out: Path | None,
) -> None:
    """The audit timelines of these complaints (default: all), one row per event.

    \b
    Example:
      lapor export timeline 1a2b3c4d 9f8e7d6c --viewer tim-admin --format csv
    """
    session.require_events("export timeline")
    app = session.app()
    ids = [session.resolve_id(c) for c in complaints] or _all_ids(session)
    role, actor = viewer_role(viewer), viewer_actor(viewer)
    privacy = _Privacy(app, role, None, "")

    def rows() -> Iterator[dict[str, Any]]:
        for cid in ids:
            if as_of is not None and not app.history(cid, as_of=as_of):
                continue  # not yet submitted then
            if not privacy.shows(cid) and not complaints:
                continue  # a public export of everything leaves confidential complaints out
            for entry in timeline(
                app, cid, as_of=as_of, viewer=actor or role, purpose=purpose or "export timeline"
            ):
                yield {"complaint_id": str(cid), **entry.model_dump()}

    write_rows(rows(), fmt, out, session.zone)


def _all_ids(session: Session) -> list[Any]:
    seen: dict[Any, None] = {}
    for _, event in session.app().feed.since():
        seen.setdefault(event.originator_id, None)
    return list(seen)


COMMANDS = [export]
