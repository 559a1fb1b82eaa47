"""``lapor export events|sla|timeline``: JSON Lines or CSV, to stdout or a file.

Rows have stable keys, string ids and ISO-8601 instants in the policy's zone; in
CSV a nested value (an event's data, a timeline entry's detail) is a JSON string.
Text comes from the public: JSON keeps it exact, with control characters spelled as
``\\u`` escapes (``json_for_terminal``); a CSV cell is rendered ``for_spreadsheet``, so
no formula runs and no control character lands in the sheet, while numbers stay numbers.
A file given with --out is written whole or not at all.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from uuid import UUID

import click

from lapor_domain import (
    Actor,
    ComplaintEvent,
    ComplaintNotFound,
    IdentityView,
    LaporApp,
    LogEvent,
    Reporter,
    Role,
    Submitted,
    can_see_complaint,
    event_classes,
)
from lapor_projections import HIDDEN, DeskReport, TimelineEntry, event_label, json_for_terminal, timeline

from . import sheets
from .common import check_writable, pass_session, period, period_options
from .errors import CliError
from .helptext import HelpGroup
from .output import plain
from .params import instant_option, purpose_option, viewer_actor, viewer_option, viewer_role
from .paths import FilePath
from .session import Session
from .views import unit_filter, unit_options

_BASE = {"originator_id", "originator_version", "at", "recorded_at", "actor"}


def _format_options(command: Any) -> Any:
    command = click.option(
        "--excel",
        is_flag=True,
        help="CSV as Excel opens it in an Indonesian locale: a byte-order mark, ';' between cells, "
        "local times, decimal commas.",
    )(command)
    command = click.option(
        "--out", type=FilePath(dir_okay=False, writable=True, path_type=Path), help="Write to this file."
    )(command)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["jsonl", "csv", "xlsx"]),
        default="jsonl",
        show_default=True,
        help="JSON Lines (one object a line), CSV with a header, or an XLSX workbook (needs --out): "
        "one column per field, instants as dates.",
    )(command)


def _check_format(fmt: str, out: Path | None, excel: bool) -> None:
    """Refused before any work: an XLSX to the terminal, --excel on anything but CSV."""
    if fmt == "xlsx" and out is None:
        raise CliError("--format xlsx writes a workbook: give --out FILE.xlsx")
    if fmt == "xlsx" and out is not None and out.suffix.lower() != ".xlsx":
        raise CliError("{out} should end in .xlsx: --format xlsx writes an Excel workbook", out=out)
    if excel and fmt != "csv":
        raise CliError("--excel shapes a CSV: use it with --format csv")


@click.group(cls=HelpGroup)
def export() -> None:
    """Export events, the SLA report or timelines as JSON Lines or CSV.

    \b
    Examples:
      lapor export events --out events.jsonl
      lapor export sla --format csv --from 2025-01-01 --to 2025-12-31 > sla.csv
      lapor export timeline 1a2b3c4d --format csv
    """


@contextmanager
def _sink(out: Path | None, *, binary: bool = False) -> Iterator[Any]:
    """stdout, or a temporary file beside ``out`` renamed over it only when all went well
    (with ``binary``, the temporary file's path, for a writer that opens it itself)."""
    if out is None:
        yield sys.stdout
        return
    check_writable(out)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent if str(out.parent) else ".")
    except OSError as exc:  # a name too long for the file system, and the like
        raise CliError("cannot write {out}: {reason}", out=out, reason=str(exc.strerror or exc)) from None
    try:
        if binary:
            os.close(handle)
            yield Path(name)
        else:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                yield stream
        os.replace(name, out)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def write_rows(
    rows: Iterable[Mapping[str, Any]],
    fmt: str,
    out: Path | None,
    zone: tzinfo,
    *,
    columns: sheets.Columns,
    excel: bool = False,
    sheet: str = "lapor",
) -> int:
    """Write the rows; returns how many. JSON Lines keep each row as it is; CSV and XLSX are
    flat, under ``columns``."""
    if fmt == "xlsx":
        assert out is not None
        with _sink(out, binary=True) as path:
            return sheets.write_xlsx(rows, columns, path, zone, sheet=sheet)
    count = 0
    with _sink(out) as stream:
        if fmt == "csv":
            return sheets.write_csv(rows, columns, stream, zone, excel=excel)
        for row in rows:
            values = plain(row, zone)
            stream.write(_json_text(values) + "\n")
            count += 1
    return count


def _json_text(value: Any) -> str:
    return json_for_terminal(json.dumps(value, ensure_ascii=False))


def event_row(
    position: int | None, event: LogEvent, *, identity: IdentityView | None, flat: bool = False
) -> dict[str, Any]:
    """An event as an export row. The log names the reporter by a pseudonym and holds the
    identity sealed: neither is exported; the identity (and the account in ``person``) only
    from ``identity``, when it was shown to the viewer. ``flat`` keeps instants as datetimes
    (for a spreadsheet)."""
    actor = event.actor
    data = event.model_dump(mode="python" if flat else "json", exclude=_BASE | {"identity"})
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
    excel: bool,
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
    _check_format(fmt, out, excel)
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
            raise ComplaintNotFound("no complaint whose id starts with {complaint!r}", complaint=complaint)
        recorded: Iterable[tuple[int | None, LogEvent]] = ((None, e) for e in app.history(cid))
    else:
        recorded = app.feed.since()
    flat = fmt != "jsonl"
    rows = (
        event_row(position, e, identity=privacy.identity(e.originator_id), flat=flat)
        if isinstance(e, ComplaintEvent)
        else event_row(position, e, identity=None, flat=flat)  # the calendar's history (rule 16)
        for position, e in recorded
        if not isinstance(e, ComplaintEvent) or privacy.shows(e.originator_id)
    )
    write_rows(rows, fmt, out, session.zone, columns=EVENT_COLUMNS, excel=excel, sheet="events")


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
    excel: bool,
) -> None:
    """The SLA report per desk (as `lapor sla`), one row per desk, with the period on each row.

    \b
    Example:
      lapor export sla --format csv --from 2025-01-01 --to 2025-06-30 --out h1.csv
    """
    _check_format(fmt, out, excel)
    unit, institution = unit_filter(session, unit, institution)
    start, end = period(session, since, until)
    reports = session.reader().sla_report(since=start, until=end, unit=unit, institution=institution)
    rows = ({"since": start, "until": end, **r.model_dump()} for r in reports)
    write_rows(rows, fmt, out, session.zone, columns=SLA_COLUMNS, excel=excel, sheet="sla")


@export.command("timeline")
@click.argument("complaints", nargs=-1)
@instant_option("--as-of", help="Only what had happened by then.")
@viewer_option
@click.option(
    "--identities",
    is_flag=True,
    help="Show reporters' identities where the --viewer actor may see them and a key opens them "
    "(each showing recorded); without it, exports are redacted.",
)
@purpose_option
@_format_options
@pass_session
def export_timeline(
    session: Session,
    complaints: tuple[str, ...],
    as_of: datetime | None,
    viewer: str | Actor,
    identities: bool,
    purpose: str | None,
    fmt: str,
    out: Path | None,
    excel: bool,
) -> None:
    """The audit timelines of these complaints (default: all), one row per event.

    Reporters' identities are left out unless --identities is given with a viewer
    actor rule 10 entitles (and a key file that opens them).

    \b
    Example:
      lapor export timeline 1a2b3c4d 9f8e7d6c --viewer tim-admin --format csv
    """
    _check_format(fmt, out, excel)
    session.require_events("export timeline")
    app = session.app()
    ids = [session.resolve_id(c) for c in complaints] or _all_ids(session)
    role, actor = viewer_role(viewer), viewer_actor(viewer)
    if identities and actor is None:
        raise CliError("--identities needs a --viewer actor who may see reporters, e.g. lapor-sp4n:ayu")
    if not identities:
        actor = None  # redacted by default: a role alone is shown no identity
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

    write_rows(rows(), fmt, out, session.zone, columns=TIMELINE_COLUMNS, excel=excel, sheet="timeline")


def _all_ids(session: Session) -> list[Any]:
    seen: dict[Any, None] = {}
    for _, event in session.app().feed.since():
        if isinstance(event, ComplaintEvent):  # the rules' streams (calendar, policy) are no complaints
            seen.setdefault(event.originator_id, None)
    return list(seen)


def _event_columns() -> sheets.Columns:
    names = ["position", "complaint_id", "version", "event", "at", "recorded_at", "actor", "role"]
    base = sheets.Columns([*names, "institution", "unit", "person"], instants=["at", "recorded_at"])
    base = base + sheets.Columns.of_model(Reporter, prefix="data.reporter.")  # as shown, never the ciphertext
    for cls in event_classes().values():
        base = base + sheets.Columns.of_model(cls, prefix="data.", exclude=_BASE | {"identity"})
    return base


def _detail_columns() -> sheets.Columns:
    """A timeline entry's detail: one column per field any event has (nested values are text)."""
    fields = [n for cls in event_classes().values() for n in cls.model_fields if n not in _BASE]
    names = ["detail.reporter", *(f"detail.{n}" for n in fields if n != "identity")]
    return sheets.Columns(names)


EVENT_COLUMNS = _event_columns()
SLA_COLUMNS = sheets.Columns(["since", "until"], instants=["since", "until"]) + sheets.Columns.of_model(
    DeskReport
)
TIMELINE_COLUMNS = (
    sheets.Columns(["complaint_id"])
    + sheets.Columns.of_model(TimelineEntry, exclude={"detail"})
    + _detail_columns()
)

COMMANDS = [export]
