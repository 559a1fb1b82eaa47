"""The stored read models: one row per complaint, one per desk visit, and the position read.

``complaints`` is the queue, the public status and the read side's own fold state
at once; ``visits`` is the SLA view. Both are written with the tracking position in
one transaction, so a crash anywhere leaves them exactly at a batch boundary.
Instants are stored as UTC microseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from lapor_domain import (
    EPOCH,
    MICROSECOND,
    Complaint,
    Desk,
    Outcome,
    Reporter,
    from_micros,
    from_micros_or_none,
    to_micros,
    to_micros_or_none,
)
from lapor_domain.model.deadlines import Clock, Deadline
from lapor_domain.model.desks import DeskKind

from .db import Cursor, Database
from .fold import Tracked, Visit, public_label

COMPLAINTS = "lapor_view_complaints"
VISITS = "lapor_view_visits"
TRACKING = "lapor_view_tracking"
TABLES = (COMPLAINTS, VISITS, TRACKING)
LOG_POSITION = "lapor-views"  # how far the views have read the application's log
AS_OF = "as-of-us"  # for an as-of build: the instant it stands at

COMPLAINT_COLUMNS = (
    "complaint_id",
    "version",
    "reporter_id",
    "reporter_name",
    "reporter_contact",
    "title",
    "anonymous",
    "confidential",
    "submitted_us",
    "last_event_us",
    "desk",
    "desk_kind",
    "institution",
    "unit",
    "on_desk_us",
    "national_verified",
    "admin_verified",
    "responded_us",
    "replied_us",
    "outcome",
    "visit_seq",
    "target_us",
    "limit_us",
    "clock",
    "clock_due_us",
    "label",
    "urgency_us",
)
VISIT_COLUMNS = (
    "complaint_id",
    "seq",
    "desk",
    "desk_kind",
    "institution",
    "unit",
    "arrived_us",
    "target_us",
    "limit_us",
    "left_us",
    "left_by",
)
_SELECT_COMPLAINT = ", ".join(COMPLAINT_COLUMNS)
_INT = {"version", "anonymous", "confidential", "national_verified", "admin_verified", "visit_seq", "seq"}

Row = Sequence[Any]

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
        self._upsert_complaint = _upsert(self.complaints, COMPLAINT_COLUMNS, ("complaint_id",))
        self._upsert_visit = _upsert(self.visits, VISIT_COLUMNS, ("complaint_id", "seq"))
        self._insert_complaint = _insert(self.complaints, COMPLAINT_COLUMNS)
        self._insert_visit = _insert(self.visits, VISIT_COLUMNS)

    def create(self, cur: Cursor, *, indexes: bool = True) -> None:
        big = "BIGINT"
        columns = ", ".join(f"{c} {_type(c, big)}" for c in COMPLAINT_COLUMNS[1:])
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {self.complaints} (complaint_id TEXT PRIMARY KEY, {columns})"
        )
        columns = ", ".join(f"{c} {_type(c, big)}" for c in VISIT_COLUMNS)
        cur.execute(f"CREATE TABLE IF NOT EXISTS {self.visits} ({columns}, PRIMARY KEY (complaint_id, seq))")
        cur.execute(f"CREATE TABLE IF NOT EXISTS {self.tracking} (name TEXT PRIMARY KEY, position {big})")
        self.mark(cur, LOG_POSITION, 0, replace=False)
        if indexes:
            self.create_indexes(cur)

    def create_indexes(self, cur: Cursor) -> None:
        for table, name, columns in (
            (self.complaints, COMPLAINTS + "_queue", "desk, urgency_us, on_desk_us, complaint_id"),
            (self.visits, VISITS + "_desk", "desk, arrived_us"),
            (self.visits, VISITS + "_left", "left_us"),
        ):
            cur.execute(f'CREATE INDEX IF NOT EXISTS "{self.prefix}{name}" ON {table} ({columns})')

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
            sql = f"SELECT {_SELECT_COMPLAINT} FROM {self.complaints} WHERE complaint_id IN ({marks})"
            for row in self.db.query(sql, chunk):
                tracked = tracked_from_row(row)
                found[tracked.complaint.id] = tracked
        return found

    def write(
        self,
        cur: Cursor,
        tracked: Sequence[Tracked],
        visits: Sequence[Visit],
        name: str,
        expected: int,
        position: int,
    ) -> None:
        """One batch: the touched complaints, the touched visits, and how far the log was read."""
        if tracked:
            cur.executemany(self._upsert_complaint, [complaint_row(t) for t in tracked])
        if visits:
            cur.executemany(self._upsert_visit, [visit_row(v) for v in visits])
        self.advance(cur, name, expected, position)

    def insert(
        self, cur: Cursor, complaints: Sequence[Sequence[Any]], visits: Sequence[Sequence[Any]]
    ) -> None:
        """Rows of complaints and visits not stored yet (a build from scratch)."""
        if complaints:
            cur.executemany(self._insert_complaint, complaints)
        if visits:
            cur.executemany(self._insert_visit, visits)

    def advance(self, cur: Cursor, name: str, expected: int, position: int) -> None:
        """Move the position from ``expected`` to ``position``, or refuse if someone else moved it."""
        cur.execute(
            f"UPDATE {self.tracking} SET position = ? WHERE name = ? AND position = ?",
            (position, name, expected),
        )
        if cur.rowcount != 1:
            raise PositionMoved(f"read model {name!r} was advanced by another process")

    def drop(self, cur: Cursor) -> None:
        for table in (self.complaints, self.visits, self.tracking):
            cur.execute(f"DROP TABLE IF EXISTS {table}")


def _type(column: str, big: str) -> str:
    if column in _INT:
        return "INTEGER"
    return big if column.endswith("_us") else "TEXT"


def _insert(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _upsert(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
    )


def complaint_row(t: Tracked) -> tuple[Any, ...]:
    c, visit, deadline = t.complaint, t.visit, t.deadline
    desk = c.desk
    target_us = to_micros_or_none(visit.target) if visit else None
    limit_us = to_micros_or_none(visit.limit) if visit else None
    due_us = to_micros(deadline.due) if deadline else None
    return (
        c.id.hex,
        c.version,
        c.reporter_id,
        c.reporter.name,
        c.reporter.contact,
        c.title,
        int(c.anonymous),
        int(c.confidential),
        to_micros(c.submitted_at),
        to_micros(c.last_event_at),
        desk.key if desk else None,
        desk.kind.value if desk else None,
        desk.institution if desk else None,
        desk.unit if desk else None,
        to_micros(c.on_desk_since),
        int(c.national_verified),
        int(c.admin_verified),
        to_micros_or_none(c.responded_at),
        to_micros_or_none(c.replied_at),
        c.outcome.value if c.outcome else None,
        visit.seq if visit else None,
        target_us,
        limit_us,
        deadline.clock.value if deadline else None,
        due_us,
        public_label(c),
        # The queue's order: the desk's limit, or on the reporter's turn the auto-close instant.
        limit_us if limit_us is not None else due_us,
    )


def tracked_from_row(row: Sequence[Any]) -> Tracked:
    (
        cid,
        version,
        reporter_id,
        reporter_name,
        reporter_contact,
        title,
        anonymous,
        confidential,
        submitted_us,
        last_event_us,
        desk_key,
        desk_kind,
        institution,
        unit,
        on_desk_us,
        national_verified,
        admin_verified,
        responded_us,
        replied_us,
        outcome,
        visit_seq,
        target_us,
        limit_us,
        clock,
        clock_due_us,
        _label,
        _urgency,
    ) = row
    desk = (
        Desk.model_construct(kind=DeskKind(desk_kind), institution=institution, unit=unit)
        if desk_key
        else None
    )
    complaint = Complaint(
        id=UUID(cid),
        version=version,
        reporter_id=reporter_id,
        reporter=Reporter.model_construct(name=reporter_name, contact=reporter_contact),
        title=title,
        anonymous=bool(anonymous),
        confidential=bool(confidential),
        submitted_at=from_micros(submitted_us),
        last_event_at=from_micros(last_event_us),
        desk=desk,
        on_desk_since=from_micros(on_desk_us),
        national_verified=bool(national_verified),
        admin_verified=bool(admin_verified),
        responded_at=from_micros_or_none(responded_us),
        replied_at=from_micros_or_none(replied_us),
        outcome=Outcome(outcome) if outcome else None,
    )
    visit = None
    if desk is not None and visit_seq is not None:
        visit = Visit(
            complaint.id,
            visit_seq,
            desk_key,
            desk_kind,
            institution,
            unit,
            complaint.on_desk_since,
            from_micros_or_none(target_us),
            from_micros_or_none(limit_us),
        )
    deadline = Deadline(Clock(clock), from_micros(clock_due_us)) if clock else None
    return Tracked(complaint, visit, deadline)


def visit_row(v: Visit) -> tuple[Any, ...]:
    cid, seq, desk, desk_kind, institution, unit, arrived, target, limit, left, left_by = v
    return (
        cid.hex,
        seq,
        desk,
        desk_kind,
        institution,
        unit,
        (arrived - EPOCH) // MICROSECOND,
        None if target is None else (target - EPOCH) // MICROSECOND,
        None if limit is None else (limit - EPOCH) // MICROSECOND,
        None if left is None else (left - EPOCH) // MICROSECOND,
        left_by,
    )


def visit_from_row(row: Sequence[Any]) -> Visit:
    cid, seq, desk, desk_kind, institution, unit, arrived, target, limit, left, left_by = row
    return Visit(
        UUID(cid),
        seq,
        desk,
        desk_kind,
        institution,
        unit,
        from_micros(arrived),
        from_micros_or_none(target),
        from_micros_or_none(limit),
        from_micros_or_none(left),
        left_by,
    )


def differences(live: ViewStore, fresh: ViewStore, *, limit: int = 20) -> list[str]:
    """How ``live`` differs from ``fresh`` (the truth), row by row, at most ``limit`` findings.

    Compared one sixteenth of the complaint ids at a time, so memory stays bounded.
    """
    found: list[str] = []
    tables = (("complaints", COMPLAINT_COLUMNS, 1), ("visits", VISIT_COLUMNS, 2))
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
