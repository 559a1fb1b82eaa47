"""The dossier: one complaint's printable record for the archive (the SOP's hard copy).

A dossier is one self-contained HTML page (no external assets; it prints on A4): the
institution, the complaint, its status at the instant it was made, the audit timeline
(who, when, which desk, working days, the deadline in force), the reporter's identity as
the viewer may see it (rule 10), and an appendix for a later check (rule 15). The
appendix is the evidence the caller gives (the stored bytes the digests cover, the
chain, a checkpoint and inclusion proofs) twice: as a table a person can read, and as a
JSON document in a ``<script type="application/json">`` element a program can read back
(``evidence_of``).

Every text from the public (title, description, messages, names) is escaped for HTML
with its control characters shown (``for_html``); the JSON is written so that no
``</script>`` or markup can close its element.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape as html_unescape
from html.parser import HTMLParser
from typing import Any
from uuid import UUID

from lapor_domain import Actor, ComplaintEvent, Disposed, LaporApp, Role, Submitted, event_class

from . import readable
from .audit_timeline import HIDDEN, timeline
from .card import ComplaintCard, complaint_card
from .fold import event_label
from .models import TimelineEntry
from .safe_text import for_html

EVIDENCE_ID = "lapor-evidence"
_SCRIPT_UNSAFE = re.compile(r"[<>&\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class Dossier:
    """What a dossier page shows; ``evidence`` is the machine-readable appendix (JSON-ready)."""

    card: ComplaintCard
    description: str
    institution: str | None  # "Pemerintah Kota Cirebon (kota-cirebon)"
    timeline: Sequence[TimelineEntry]
    identity: str  # as this viewer may see it: a name, or why not ("dirahasiakan", "sealed", "erased")
    viewer: str
    generated_at: datetime
    evidence: Mapping[str, Any] | None = None
    notes: Sequence[str] = field(default_factory=tuple)


def render_html(dossier: Dossier) -> str:
    """The dossier as one HTML page; every value from the public escaped."""
    card = dossier.card
    e = for_html
    status = card.status
    facts = [
        ("Nomor pengaduan / complaint", card.complaint_id),
        ("Instansi / institution", dossier.institution or "-"),
        ("Judul / title", card.title),
        ("Status", status),
        ("Status publik / public label", card.label),
        ("Meja / desk holding it", card.desk or "-"),
        ("Dirahasiakan / confidential", _yes(card.confidential)),
        ("Anonim / anonymous", _yes(card.anonymous)),
        ("Pelapor / reporter", dossier.identity),
        ("Diajukan / submitted", _when(card.submitted)),
        ("Batas meja / desk limit", _deadline(card.limit) or "-"),
        ("Jam berjalan / finishing clock", f"{card.clock or '-'} {_deadline(card.clock_due)}".strip()),
    ]
    rows = "\n".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in facts)
    timeline = "\n".join(_timeline_row(entry) for entry in dossier.timeline)
    notes = "".join(f"<p class=note>{e(n)}</p>" for n in dossier.notes)
    return _PAGE.format(
        title=e(f"Dossier {card.complaint_id}"),
        heading=e(card.title),
        generated=e(_when(dossier.generated_at)),
        as_of=e(_when(card.as_of)),
        viewer=e(dossier.viewer),
        facts=rows,
        description=e(dossier.description),
        timeline=timeline,
        notes=notes,
        appendix=_appendix(dossier.evidence),
        evidence_id=EVIDENCE_ID,
        evidence=_script_json(dossier.evidence),
    )


def evidence_of(page: str) -> dict[str, Any] | None:
    """The machine-readable appendix of a dossier page (None if it carries none).

    Raises ValueError when the page holds no appendix element or one that is not JSON.
    """
    finder = _EvidenceFinder()
    finder.feed(page)
    finder.close()
    if finder.text is None:
        raise ValueError("this page is not a lapor dossier: it holds no evidence appendix")
    try:
        found = json.loads(finder.text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the dossier's evidence appendix is not JSON: {exc}") from None
    if found is not None and not isinstance(found, dict):
        raise ValueError("the dossier's evidence appendix is not a JSON object")
    return found


class _EvidenceFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.text: str | None = None
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and ("id", EVIDENCE_ID) in attrs and self.text is None:
            self._inside, self.text = True, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside and self.text is not None:
            self.text += data


def readable_differs(page: str) -> list[str]:
    """Where the part of a dossier page people read does not say what its appendix's stored
    bytes say: the title (heading and row), the description, and the timeline's events (one
    row per recorded event, in order). The appendix is what the digests prove; this ties the
    printed words to it, so an edited printout fails too."""
    evidence = evidence_of(page)
    if evidence is None:
        return []
    parts = _Readable()
    parts.feed(page)
    parts.close()
    found: list[str] = []
    try:
        states = [json.loads(base64.b64decode(e["state"])) for e in evidence.get("events", [])]
        topics = [str(e["topic"]) for e in evidence.get("events", [])]
    except (KeyError, TypeError, ValueError) as exc:
        return [f"the appendix's stored bytes do not read as events ({exc})"]
    first = states[0] if states else {}
    title = for_html(str(first.get("title", "")))
    description = for_html(str(first.get("description", "")))
    if html_unescape(title) != parts.heading or html_unescape(title) != parts.title_row:
        found.append("the page's title is not the title its stored bytes hold")
    if html_unescape(description) != parts.description:
        found.append("the page's description is not the description its stored bytes hold")
    recorded = [row for row in parts.timeline if "(jatuh tempo / due)" not in row[1]]
    if [row[0] for row in recorded] != [str(n) for n in range(1, len(states) + 1)]:
        shown, held = len(recorded), len(states)
        found.append(f"the page's timeline shows {shown} recorded events; its stored bytes hold {held}")
    else:
        for (version, event), topic in zip(recorded, topics, strict=True):
            if event_label(event_class(topic)) != event:
                found.append(f"the page's event {version} reads {event!r}; its stored bytes hold {topic!r}")
    return found


class _Readable(HTMLParser):
    """The readable facts of a dossier page: its heading, title row, description and timeline
    (version and event of each row)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.heading = self.title_row = self.description = ""
        self.timeline: list[tuple[str, str]] = []
        self._in: str | None = None
        self._cells: list[str] | None = None
        self._row_header = ""
        self._section = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h1":
            self._in = "h1"
        elif tag == "h2":
            self._in = "h2"
            self._section = ""
        elif tag == "div" and ("class", "description") in attrs:
            self._in = "description"
        elif tag == "tr":
            self._cells = []
        elif tag in ("td", "th") and self._cells is not None:
            self._cells.append("")
            self._in = "cell"

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._cells is not None:
            cells, self._cells = self._cells, None
            if self._section.startswith("Pengaduan") and len(cells) == 2 and cells[0].startswith("Judul"):
                self.title_row = cells[1]
            if self._section.startswith("Riwayat") and len(cells) >= 3 and cells[0].isdigit():
                self.timeline.append((cells[0], cells[2]))
        if tag in ("h1", "h2", "div", "td", "th"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "h1":
            self.heading += data
        elif self._in == "h2":
            self._section += data
        elif self._in == "description":
            self.description += data
        elif self._in == "cell" and self._cells is not None:
            self._cells[-1] += data


def _script_json(evidence: Mapping[str, Any] | None) -> str:
    """JSON that cannot end its <script> element: <, >, & and JS line separators as \\u escapes."""
    text = json.dumps(evidence, ensure_ascii=False, sort_keys=True, indent=1)
    return _SCRIPT_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _timeline_row(entry: TimelineEntry) -> str:
    e = for_html
    scope = "/".join(p for p in (entry.institution, entry.unit) if p)
    who = f"{entry.role}{':' + scope if scope else ''}:{entry.person}"
    detail = "; ".join(
        f"{k}: {v}" for k, v in entry.detail.items() if v not in (None, "", False) and k not in _SHOWN_ABOVE
    )
    event = entry.event if entry.recorded_at is not None else f"{entry.event} (jatuh tempo / due)"
    cells = [
        str(entry.version),
        _when(entry.at) + (f"\n(dicatat {_when(entry.recorded_at)})" if _late(entry) else ""),
        event,
        who,
        entry.desk_after or "-",
        "-" if entry.working_days_since_previous is None else str(entry.working_days_since_previous),
        f"{entry.deadline or '-'}\n{_deadline(entry.deadline_at)}".strip(),
        detail,
    ]
    return "<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>"


def _appendix(evidence: Mapping[str, Any] | None) -> str:
    if not evidence:
        return "<p>Tidak ada bukti kriptografis / no cryptographic evidence in this copy.</p>"
    e = for_html
    parts = []
    for link in evidence.get("events", []):
        parts.append(
            "<tr>"
            + "".join(
                f"<td>{e(str(link.get(k, '')))}</td>"
                for k in ("version", "position", "leaf_index", "topic", "previous", "digest")
            )
            + "</tr>"
        )
    head = evidence.get("tree_head") or {}
    checkpoint = evidence.get("checkpoint") or {}
    summary = [
        ("tree head", f"size {head.get('size', '-')}, root {head.get('root', '-')}"),
        ("checkpoint", f"size {checkpoint.get('size', '-')}, root {checkpoint.get('root', '-')}"),
        ("checkpoint key", str(checkpoint.get("public_key", "-"))),
    ]
    table = "\n".join(f"<tr><th>{e(k)}</th><td><code>{e(v)}</code></td></tr>" for k, v in summary)
    return (
        f"<table class=facts>{table}</table>"
        "<table class=chain><tr><th>#</th><th>position</th><th>leaf</th><th>topic</th>"
        "<th>previous digest</th><th>digest</th></tr>" + "\n".join(parts) + "</table>"
    )


def _when(instant: datetime | None) -> str:
    return instant.strftime("%Y-%m-%d %H:%M %Z").strip() if instant is not None else ""


def _deadline(instant: datetime | None) -> str:
    """The last working day a deadline includes, as the tables show it (Indonesian first)."""
    if instant is None or instant.tzinfo is None:
        return ""
    return readable.deadline_text(instant, instant.tzinfo, "id")


def _late(entry: TimelineEntry) -> bool:
    """Whether the event was entered well after it happened (an hour or more): then both show."""
    return entry.recorded_at is not None and (entry.recorded_at - entry.at).total_seconds() >= 3600


_SHOWN_ABOVE = {"imported", "title", "description", "reporter", "level", "to"}  # the page shows these


def _yes(flag: bool) -> str:
    return "ya / yes" if flag else "tidak / no"


_PAGE = """<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
@page {{ size: A4; margin: 16mm; }}
body {{ font: 11pt/1.4 system-ui, sans-serif; color: #111; max-width: 72em; margin: 1em auto;
  padding: 0 1em; }}
h1 {{ font-size: 15pt; margin: 0 0 .2em; }}
h2 {{ font-size: 12pt; border-bottom: 1px solid #999; margin-top: 1.4em; }}
table {{ border-collapse: collapse; width: 100%; margin: .5em 0; font-size: 9.5pt; }}
th, td {{ border: 1px solid #bbb; padding: .2em .4em; text-align: left; vertical-align: top;
  white-space: pre-line; overflow-wrap: break-word; }}
th {{ background: #eee; }}
table.facts th {{ width: 16em; }}
.chain td, code {{ font: 8pt ui-monospace, monospace; word-break: break-all; }}
.description {{ white-space: pre-wrap; border: 1px solid #bbb; padding: .5em; }}
.meta, .note {{ color: #444; font-size: 9pt; }}
@media print {{ h2 {{ break-after: avoid; }} tr {{ break-inside: avoid; }} }}
</style>
</head>
<body>
<p class=meta>LAPOR!-SP4N &middot; SOP 025/SOP-PIP/2018 &middot; berkas pengaduan (complaint dossier)</p>
<h1>{heading}</h1>
<p class=meta>Dibuat / made {generated}; keadaan per / state as of {as_of};
dilihat sebagai / viewer {viewer}</p>
<h2>Pengaduan / complaint</h2>
<table class=facts>
{facts}
</table>
<h2>Uraian / description</h2>
<div class=description>{description}</div>
<h2>Riwayat / timeline</h2>
<table>
<tr><th>#</th><th>waktu / at</th><th>kejadian / event</th><th>oleh / by</th>
<th>meja sesudah / desk after</th><th>hari kerja / wd</th><th>batas berlaku / deadline in force</th>
<th>rincian / detail</th></tr>
{timeline}
</table>
{notes}
<h2>Lampiran: bukti / appendix: evidence (DOMAIN.md rule 15)</h2>
{appendix}
<script type="application/json" id="{evidence_id}">
{evidence}
</script>
</body>
</html>
"""


def build_dossier(
    app: LaporApp,
    complaint_id: UUID | str,
    *,
    viewer: Role | Actor | None,
    at: datetime,
    purpose: str = "dossier",
    evidence: Mapping[str, Any] | None = None,
) -> Dossier:
    """The dossier of one complaint as it stands at ``at`` (rule 7: what was due by then has fired),
    as ``viewer`` may see it (rule 10: a public viewer is refused a confidential complaint).

    The reporter's identity comes only from ``LaporApp.identity`` for a viewer *actor* (which
    records the showing, for ``purpose``); a role alone names no one: withheld. ``evidence``
    is the appendix (the log's chain and proofs)."""
    role = viewer.role if isinstance(viewer, Actor) else viewer
    now = app.complaint(complaint_id)
    state = app.complaint(complaint_id, as_of=at) if now.last_event_at <= at else now
    calendars = app.rules.calendars
    complaint_card(state, calendars, at, role, now=now)  # rule 10 first: no showing for a refused viewer
    identity = app.identity(now.id, viewer=viewer, purpose=purpose) if isinstance(viewer, Actor) else None
    card = complaint_card(state, calendars, at, role, now=now, identity=identity)
    events = app.history(complaint_id)
    submitted = events[0]
    description = submitted.description if isinstance(submitted, Submitted) else ""
    return Dossier(
        card=card,
        description=description,
        institution=_institution(app, events),
        # The identity is shown once, above (one showing, one record); the timeline names the
        # reporter's events by role.
        timeline=timeline(app, complaint_id, viewer=role),
        identity=identity.label if identity is not None else HIDDEN,  # a role alone: withheld
        viewer=str(viewer) if isinstance(viewer, Actor) else (role.value if role is not None else "public"),
        generated_at=at,
        evidence=evidence,
    )


def _institution(app: LaporApp, events: Sequence[ComplaintEvent]) -> str | None:
    """The institution the complaint was last disposed to, by its official name."""
    code = None
    for event in events:
        if isinstance(event, Disposed) and event.to.institution:
            code = event.to.institution
    if code is None or not app.directory.has_institution(code):
        return code
    return f"{app.directory.institution(code).name} ({code})"
