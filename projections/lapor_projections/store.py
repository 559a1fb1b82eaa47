"""The stored read models: one row per complaint, one per desk visit, and the position read.

No row holds a reporter's identity (name, contact, account id): nothing the views answer
needs it, and so a copy of the views, a replay database or the tables of a killed rebuild
hold no personal data. Views written before this held them; ``lapor rebuild`` drops them.

``complaints`` is the queue, the public status and the read side's own fold state
at once; ``visits`` is the SLA view. Both are written with the tracking position in
one transaction, so a crash anywhere leaves them exactly at a batch boundary.
Instants are stored as UTC microseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from lapor_domain import (
    Clock,
    Complaint,
    ComplaintEvent,
    Deadline,
    Desk,
    DeskKind,
    Outcome,
    to_micros,
)

from .db import Cursor, Database, TextDoc
from .fold import Tracked, Visit, public_label, search_text
from .table import FLAG, ID, INSTANT, MAYBE_INSTANT, MICROS, NUMBER, TEXT, Column, Table

COMPLAINTS = "lapor_view_complaints"
VISITS = "lapor_view_visits"
TRACKING = "lapor_view_tracking"
TEXTS = "lapor_view_search"
"""What ``lapor search`` searches: titles, descriptions and responses, never an identity."""
TABLES = (COMPLAINTS, VISITS, TRACKING, TEXTS)
LOG_POSITION = "lapor-views"  # how far the views have read the application's log
AS_OF = "as-of-us"  # for an as-of build: the instant it stands at
LAYOUT = "layout"  # which version of these tables' columns the views were written with
VIEWS_LAYOUT = 3
"""2: each deadline's calendar version; 3: and its policy version (rule 16). Views of an older
layout are rebuilt."""

COMPLAINT_TABLE = Table(
    COMPLAINTS,
    [
        Column("complaint_id", ID, "c.id", "complaint_id"),
        Column("version", NUMBER, "c.version", "version"),
        Column("title", TEXT, "c.title", "title"),
        Column("anonymous", FLAG, "c.anonymous", "anonymous"),
        Column("confidential", FLAG, "c.confidential", "confidential"),
        Column("submitted_us", INSTANT, "c.submitted_at", "submitted_at"),
        Column("last_event_us", INSTANT, "c.last_event_at", "last_event_at"),
        Column("desk", TEXT, "desk.key if desk else None", "desk_key"),
        Column("desk_kind", TEXT, "desk.kind.value if desk else None", "desk_kind"),
        Column("institution", TEXT, "desk.institution if desk else None", "institution"),
        Column("unit", TEXT, "desk.unit if desk else None", "unit"),
        Column("on_desk_us", INSTANT, "c.on_desk_since", "on_desk_since"),
        Column("national_verified", FLAG, "c.national_verified", "national_verified"),
        Column("admin_verified", FLAG, "c.admin_verified", "admin_verified"),
        Column("responded_us", MAYBE_INSTANT, "c.responded_at", "responded_at"),
        Column("replied_us", MAYBE_INSTANT, "c.replied_at", "replied_at"),
        Column("outcome", TEXT, "c.outcome.value if c.outcome else None", "outcome"),
        Column("visit_seq", NUMBER, "visit.seq if visit else None", "visit_seq"),
        Column("target_us", MAYBE_INSTANT, "visit.target if visit else None", "target"),
        Column("limit_us", MAYBE_INSTANT, "visit.limit if visit else None", "limit"),
        Column("clock", TEXT, "deadline.clock.value if deadline else None", "clock"),
        Column("clock_due_us", MAYBE_INSTANT, "deadline.due if deadline else None", "clock_due"),
        Column("clock_calendar", NUMBER, "deadline.calendar_version if deadline else 0", "clock_calendar"),
        Column("desk_calendar", NUMBER, "visit.calendar_version if visit else 0", "desk_calendar"),
        Column("clock_policy", NUMBER, "deadline.policy_version if deadline else 0", "clock_policy"),
        Column("desk_policy", NUMBER, "visit.policy_version if visit else 0", "desk_policy"),
        # For queries only: the public label, and the queue's order (the desk's limit, or on
        # the reporter's turn the auto-close instant).
        Column("label", TEXT, "public_label(c)", None),
        Column("urgency_us", MICROS, "s_limit_us if s_limit_us is not None else s_clock_due_us", None),
    ],
    key=["complaint_id"],
    unpack="c, visit, deadline",
    prelude=["desk = c.desk"],
)
VISIT_TABLE = Table(
    VISITS,
    [
        Column("complaint_id", ID, "complaint_id", "complaint_id"),
        Column("seq", NUMBER, "seq", "seq"),
        Column("desk", TEXT, "desk", "desk"),
        Column("desk_kind", TEXT, "desk_kind", "desk_kind"),
        Column("institution", TEXT, "institution", "institution"),
        Column("unit", TEXT, "unit", "unit"),
        Column("arrived_us", INSTANT, "arrived", "arrived"),
        Column("target_us", MAYBE_INSTANT, "target", "target"),
        Column("limit_us", MAYBE_INSTANT, "limit", "limit"),
        Column("left_us", MAYBE_INSTANT, "left", "left"),
        Column("left_by", TEXT, "left_by", "left_by"),
        Column("calendar_version", NUMBER, "calendar_version", "calendar_version"),
        Column("policy_version", NUMBER, "policy_version", "policy_version"),
    ],
    key=["complaint_id", "seq"],
    unpack=", ".join(Visit._fields),
)
COMPLAINT_COLUMNS = COMPLAINT_TABLE.names
VISIT_COLUMNS = VISIT_TABLE.names
TEXT_COLUMNS = ["complaint_id", "complaint", "responses"]

Row = Sequence[Any]

WITHHELD_PSEUDONYM = ""
"""The views keep no reporter's identity, sealed or not, nor the reporter's pseudonym (rule 14):
a state read back from them carries this pseudonym and no identity (``identity=None``)."""


class PositionMoved(Exception):
    """Another process advanced the same read model: start again from the stored position."""


class ViewStore:
    """The read-model tables in one database, under an optional name prefix (a rebuild's shadow)."""

    def __init__(self, db: Database, prefix: str = "") -> None:
        self.db = db
        self.prefix = prefix
        self.complaints = db.table(prefix + COMPLAINTS)
        self.visits = db.table(prefix + VISITS)
        self.tracking = db.table(prefix + TRACKING)
        self.texts_name = prefix + TEXTS
        self.texts = db.table(self.texts_name)
        self._upsert_complaint = COMPLAINT_TABLE.upsert(self.complaints)
        self._upsert_visit = VISIT_TABLE.upsert(self.visits)
        self._insert_complaint = COMPLAINT_TABLE.insert(self.complaints)
        self._insert_visit = VISIT_TABLE.insert(self.visits)

    def create(self, cur: Cursor, *, indexes: bool = True) -> bool:
        """The tables (and indexes) if missing; several processes may do this at once.

        True when the views were written by an earlier version (a table or a column of
        ``VIEWS_LAYOUT`` missing): they must be rebuilt to hold what those derive. Views that
        are complete are only read: opening them takes no lock another process waits for."""
        wanted = self._wanted(indexes)
        outdated = False
        if self.db.have_all(cur, [self.prefix + TRACKING]):
            read = self._tracked(cur, LOG_POSITION)
            outdated = self._tracked(cur, LAYOUT) != VIEWS_LAYOUT  # written by an earlier version
            outdated = outdated or not self.db.have_all(cur, [self.prefix + t for t in TABLES])
            if outdated and not read:  # they had read nothing: start them afresh
                self.drop(cur)
                outdated = False
        if not self.db.have_all(cur, wanted):
            self.db.serialise_creation(cur)
            # Asked again under the lock: another process may have created them while this one
            # waited. CREATE INDEX IF NOT EXISTS locks its table even then, and holding that
            # lock while waiting for the position row below deadlocks with a catch-up.
            if not self.db.have_all(cur, wanted):
                cur.execute(COMPLAINT_TABLE.create(self.complaints))
                cur.execute(VISIT_TABLE.create(self.visits))
                self.db.create_text_table(cur, self.texts_name)
                tracking = (
                    f"CREATE TABLE IF NOT EXISTS {self.tracking} (name TEXT PRIMARY KEY, position BIGINT)"
                )
                cur.execute(tracking)
                if indexes:
                    self.create_indexes(cur)
        if self._tracked(cur, LOG_POSITION) is None:  # a read waits for no writer; a write might
            self.mark(cur, LOG_POSITION, 0, replace=False)
        if not outdated and self._tracked(cur, LAYOUT) != VIEWS_LAYOUT:
            self.mark(cur, LAYOUT, VIEWS_LAYOUT)
        return outdated

    def ready(self, cur: Cursor) -> bool:
        """Whether every table and index is there, of this version's layout, with a position:
        ``create`` would write nothing. Only reads, so a reader asks it first (on SQLite a
        write transaction would wait for any writer)."""
        return (
            self.db.have_all(cur, self._wanted(indexes=True))
            and self._tracked(cur, LAYOUT) == VIEWS_LAYOUT
            and self._tracked(cur, LOG_POSITION) is not None
        )

    def _wanted(self, indexes: bool) -> list[str]:
        wanted = [self.prefix + t for t in TABLES]
        wanted += [name for _, name, _ in self._indexes()] if indexes else []
        wanted += self.db.text_index_names(self.texts_name) if indexes else []
        return wanted

    def _tracked(self, cur: Cursor, name: str) -> int | None:
        cur.execute(f"SELECT position FROM {self.tracking} WHERE name = ?", (name,))
        found = cur.fetchone()
        return None if found is None else int(found[0])

    def create_indexes(self, cur: Cursor) -> None:
        self.db.serialise_creation(cur)
        for table, name, columns in self._indexes():
            cur.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON {table} ({columns})')
        self.db.create_text_index(cur, self.texts_name)

    def _indexes(self) -> list[tuple[str, str, str]]:
        queue = "desk, urgency_us, on_desk_us, complaint_id"
        return [
            (self.complaints, self.prefix + COMPLAINTS + "_queue", queue),
            (self.visits, self.prefix + VISITS + "_desk", "desk, arrived_us"),
            (self.visits, self.prefix + VISITS + "_left", "left_us"),
        ]

    def mark(self, cur: Cursor, name: str, value: int, *, replace: bool = True) -> None:
        """Set a tracking value outright (or only if absent): a log position or the as-of instant."""
        action = "UPDATE SET position = excluded.position" if replace else "NOTHING"
        cur.execute(
            f"INSERT INTO {self.tracking} (name, position) VALUES (?, ?) ON CONFLICT (name) DO {action}",
            (name, value),
        )

    def exists(self) -> bool:
        return self.db.table_exists(self.prefix + TRACKING)

    def position(self, name: str) -> int:
        rows = self.db.query(f"SELECT position FROM {self.tracking} WHERE name = ?", (name,))
        return int(rows[0][0]) if rows else 0

    def load(self, ids: Iterable[UUID]) -> dict[UUID, Tracked]:
        """The stored state of these complaints (those that have any)."""
        keys = [cid.hex for cid in ids]
        found: dict[UUID, Tracked] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT {COMPLAINT_TABLE.select()} FROM {self.complaints} WHERE complaint_id IN ({marks})"
            for row in self.db.query(sql, chunk):
                tracked = tracked_from_row(row)
                found[tracked.complaint.id] = tracked
        return found

    def open_due_between(self, from_us: int, before_us: int) -> dict[UUID, Tracked]:
        """The open complaints whose desk limit or finishing clock falls in [from, before):
        those a calendar amendment may move (rule 16)."""
        sql = (
            f"SELECT {COMPLAINT_TABLE.select()} FROM {self.complaints} WHERE desk IS NOT NULL AND "
            "((limit_us >= ? AND limit_us < ?) OR (clock_due_us >= ? AND clock_due_us < ?))"
        )
        rows = self.db.query(sql, (from_us, before_us, from_us, before_us))
        return {(t := tracked_from_row(row)).complaint.id: t for row in rows}

    def write(
        self,
        cur: Cursor,
        tracked: Sequence[Tracked],
        visits: Sequence[Visit],
        name: str,
        expected: int,
        position: int,
        texts: Sequence[TextDoc] = (),
    ) -> None:
        """One batch: the touched complaints, the touched visits, what it adds to the searchable
        documents (``text_docs``), and how far the log was read."""
        self.advance(cur, name, expected, position)  # first: another writer's batch is refused before any row
        if tracked:
            cur.executemany(self._upsert_complaint, [complaint_row(t) for t in tracked])
        if visits:
            cur.executemany(self._upsert_visit, [visit_row(v) for v in visits])
        if texts:
            self.db.write_texts(cur, self.texts_name, texts)

    def insert(
        self,
        cur: Cursor,
        complaints: Sequence[Sequence[Any]],
        visits: Sequence[Sequence[Any]],
        texts: Sequence[TextDoc] = (),
    ) -> None:
        """Rows of complaints, visits and documents not stored yet (a build from scratch)."""
        if complaints:
            cur.executemany(self._insert_complaint, complaints)
        if visits:
            cur.executemany(self._insert_visit, visits)
        if texts:
            self.db.write_texts(cur, self.texts_name, texts)

    def advance(self, cur: Cursor, name: str, expected: int, position: int) -> None:
        """Move the position from ``expected`` to ``position``, or refuse if someone else moved it."""
        cur.execute(
            f"UPDATE {self.tracking} SET position = ? WHERE name = ? AND position = ?",
            (position, name, expected),
        )
        if cur.rowcount != 1:
            raise PositionMoved(f"read model {name!r} was advanced by another process")

    def drop(self, cur: Cursor) -> None:
        for table in (self.complaints, self.visits, self.tracking, self.texts):
            cur.execute(f"DROP TABLE IF EXISTS {table}")


def _tracked(
    complaint_id: UUID,
    version: int,
    title: str,
    anonymous: bool,
    confidential: bool,
    submitted_at: datetime,
    last_event_at: datetime,
    desk_key: str | None,
    desk_kind: str | None,
    institution: str | None,
    unit: str | None,
    on_desk_since: datetime,
    national_verified: bool,
    admin_verified: bool,
    responded_at: datetime | None,
    replied_at: datetime | None,
    outcome: str | None,
    visit_seq: int | None,
    target: datetime | None,
    limit: datetime | None,
    clock: str | None,
    clock_due: datetime | None,
    clock_calendar: int,
    desk_calendar: int,
    clock_policy: int,
    desk_policy: int,
) -> Tracked:
    """A complaint's stored state from its decoded columns (the row reader's ``assemble``)."""
    desk = None
    if desk_key and desk_kind:
        desk = Desk.model_construct(kind=DeskKind(desk_kind), institution=institution, unit=unit)
    complaint = Complaint(
        id=complaint_id,
        version=version,
        reporter_pseudonym=WITHHELD_PSEUDONYM,
        identity=None,
        title=title,
        anonymous=anonymous,
        confidential=confidential,
        submitted_at=submitted_at,
        last_event_at=last_event_at,
        desk=desk,
        on_desk_since=on_desk_since,
        national_verified=national_verified,
        admin_verified=admin_verified,
        responded_at=responded_at,
        replied_at=replied_at,
        outcome=Outcome(outcome) if outcome else None,
    )
    visit = None
    if desk_key and desk_kind and visit_seq is not None:
        visit = Visit(
            complaint_id,
            visit_seq,
            desk_key,
            desk_kind,
            institution,
            unit,
            on_desk_since,
            target,
            limit,
            calendar_version=desk_calendar,
            policy_version=desk_policy,
        )
    deadline = None
    if clock and clock_due is not None:
        deadline = Deadline(Clock(clock), clock_due, clock_calendar, clock_policy)
    return Tracked(complaint, visit, deadline)


def views_spanning(db: Database, day_start: datetime, prefix: str = "") -> int:
    """How many open complaints have a deadline spanning the day that starts at ``day_start``: a
    finishing clock or desk limit started before it and due after it began (an amendment of that
    day may move them)."""
    us = to_micros(day_start)
    sql = (
        f"SELECT COUNT(*) FROM {db.table(prefix + COMPLAINTS)} WHERE desk IS NOT NULL AND ("
        "(clock_due_us > ? AND CASE clock WHEN 'auto-close' THEN responded_us ELSE submitted_us END < ?)"
        " OR (limit_us > ? AND on_desk_us < ?))"
    )
    return int(db.query(sql, (us, us, us, us))[0][0])


# The hot paths, generated from the descriptions above (see table.py).
complaint_row: Callable[[Tracked], tuple[Any, ...]] = COMPLAINT_TABLE.row_builder(public_label=public_label)
tracked_from_row: Callable[[Row], Tracked] = COMPLAINT_TABLE.row_reader(_tracked)
visit_row: Callable[[Visit], tuple[Any, ...]] = VISIT_TABLE.row_builder()
visit_from_row: Callable[[Row], Visit] = VISIT_TABLE.row_reader(Visit)


def text_docs(events: Iterable[ComplaintEvent], known: Collection[UUID] = ()) -> list[TextDoc]:
    """What these events add to their complaints' searchable documents (``search_text``): a new
    document where a complaint is submitted, responses added to one of ``known`` (stored)."""
    found: dict[UUID, tuple[str | None, list[str]]] = {}
    for event in events:
        text = search_text(event)
        if text is None:
            continue
        kind, body = text
        _, responses = found.setdefault(event.originator_id, (None, []))
        if kind == "complaint":
            found[event.originator_id] = (body, responses)
        else:
            responses.append(body)
    return [
        TextDoc(cid.hex, complaint if complaint is not None or cid in known else "", tuple(responses))
        for cid, (complaint, responses) in found.items()
    ]


def differences(live: ViewStore, fresh: ViewStore, *, limit: int = 20) -> list[str]:
    """How ``live`` differs from ``fresh`` (the truth), row by row, at most ``limit`` findings.

    Compared one sixteenth of the complaint ids at a time, so memory stays bounded.
    """
    found: list[str] = []
    tables = (
        ("complaints", COMPLAINT_COLUMNS, 1),
        ("visits", VISIT_COLUMNS, 2),
        ("texts", TEXT_COLUMNS, 1),
    )
    for prefix in "0123456789abcdef":
        for table, columns, key in tables:
            select = f"SELECT {', '.join(columns)} FROM {{}} WHERE complaint_id LIKE ?"
            found += _compare(live, fresh, table, select, (f"{prefix}%",), key)
    select = "SELECT name, position FROM {} WHERE name = ?"
    found += _compare(live, fresh, "tracking", select, (LOG_POSITION,), 1)
    return found[:limit]


def _compare(
    live: ViewStore, fresh: ViewStore, table: str, select: str, params: Sequence[Any], key: int
) -> list[str]:
    stored = {tuple(r[:key]): tuple(r) for r in live.db.query(select.format(getattr(live, table)), params)}
    truth = {tuple(r[:key]): tuple(r) for r in fresh.db.query(select.format(getattr(fresh, table)), params)}
    found = []
    for k in sorted(stored.keys() | truth.keys()):
        if stored.get(k) != truth.get(k):
            what = "missing" if k not in stored else "extra" if k not in truth else "differs"
            found.append(f"{table} {'/'.join(map(str, k))}: {what}")
    return found
