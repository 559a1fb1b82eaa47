"""The typed query API over the stored views (and, for timelines, over the complaint's events)."""

from __future__ import annotations

import functools
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timezone, tzinfo
from typing import Any
from uuid import UUID

from pydantic import TypeAdapter

from lapor_domain import (
    Calendars,
    Desk,
    DeskDeadlines,
    DeskKind,
    EscalatedToOmbudsman,
    InvalidInput,
    Outcome,
    Returned,
    SlaPolicy,
    SlaState,
    WorkingCalendar,
    from_micros,
    id_prefix,
    judge,
    parse_complaint_id,
    to_micros,
)

from .db import Database
from .fold import Visit, labelled_event
from .models import (
    ComplaintEntry,
    DeskCount,
    DeskReport,
    PublicStatus,
    QueueEntry,
    SearchHit,
    VisitOutcome,
    VisitView,
)
from .store import COMPLAINTS, TEXTS, VISIT_COLUMNS, VISITS, visit_from_row

_REPORTER_DESK = DeskKind.REPORTER.value  # the reporter's turn: its kind and its desk key alike
_QUEUE = TypeAdapter(list[QueueEntry])
_HITS = TypeAdapter(list[SearchHit])
_COMPLAINTS = TypeAdapter(list[ComplaintEntry])
_WORD = re.compile(r"[^\W_]+")
MOST_TERMS = 16


def _holds(text: str, terms: Sequence[str]) -> bool:
    """Whether ``text`` holds any of the terms as a word or a word's beginning."""
    words = [word.casefold() for word in _WORD.findall(text)]
    return any(word.startswith(term) for term in terms for word in words)


def search_terms(text: str) -> list[str]:
    """The words of a search, lower-cased: runs of letters and digits (what both indexes call
    words); anything else in ``text`` only separates them."""
    terms = list(dict.fromkeys(word.casefold() for word in _WORD.findall(text)))
    if not terms:
        raise InvalidInput("nothing to search for in {text!r}: give a word of letters or digits", text=text)
    if len(terms) > MOST_TERMS:
        raise InvalidInput(
            "a search takes at most {most} words, got {count}", most=MOST_TERMS, count=len(terms)
        )
    return terms


def _sla_filter(sla: SlaState | str | None, now: int) -> tuple[str, list[Any]]:
    """The SQL that keeps only complaints in this SLA state at ``now`` (as ``judge`` says)."""
    if sla is None:
        return "", []
    try:
        state = SlaState(sla)
    except ValueError:
        known = ", ".join(s.value for s in SlaState)
        raise InvalidInput("an SLA state is one of {known}, not {sla!r}", known=known, sla=sla) from None
    if state is SlaState.BREACHED:
        return " AND limit_us <= ?", [now]
    if state is SlaState.LATE:
        return " AND target_us <= ? AND limit_us > ?", [now, now]
    return " AND target_us > ?", [now]


class ViewReader:
    """Queries against one view database, with SLA states judged at a given instant."""

    def __init__(self, db: Database, policy: SlaPolicy, calendars: Calendars | None = None) -> None:
        """``calendars``: what a stay's working days count on (rule 17: its desk's calendar, with
        the amendments known); by default the policy's own."""
        self.db = db
        self.policy = policy
        self.calendars = calendars
        self.zone = policy.zone
        self._fixed = _fixed_offset(self.zone, policy.first_year, policy.last_year)
        self._local = functools.lru_cache(maxsize=1 << 16)(self._to_local)  # type: ignore[method-assign]
        self._complaints = db.table(COMPLAINTS)
        self._visits = db.table(VISITS)
        self._texts_name = TEXTS

    def _local(self, us: int) -> datetime:
        return self._to_local(us)

    def _to_local(self, us: int) -> datetime:
        if self._fixed is not None:  # the zone's offset never changes in the calendar's years
            return datetime.fromtimestamp(us / 1_000_000, self._fixed)
        return from_micros(us).astimezone(self.zone)

    def _local_or_none(self, us: int | None) -> datetime | None:
        return None if us is None else self._local(us)

    def queue(
        self,
        desk: str,
        at: datetime,
        *,
        limit: int | None = None,
        offset: int = 0,
        sla: SlaState | str | None = None,
    ) -> list[QueueEntry]:
        """The complaints on ``desk`` now, most urgent first (the earliest limit or clock).

        ``limit`` and ``offset`` page through a long queue in that order, straight from the
        queue index: the first page of a desk holding 10,000 costs what a short queue does.
        ``sla`` keeps only the complaints in that state at ``at`` (on-track, late, breached).
        """
        at = self.policy.business_instant(at, "at")
        _text(desk, "desk")
        now = to_micros(at)
        where, params = _sla_filter(sla, now)
        return self._entries(f"desk = ?{where}", [desk, *params], now, limit, offset)

    def overdue(
        self,
        at: datetime,
        *,
        institution: str | None = None,
        unit: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[QueueEntry]:
        """Every open complaint past its desk's target or limit at ``at``, on any desk, the one
        whose limit passed first at the top; only an institution's or a unit's with those."""
        now = to_micros(self.policy.business_instant(at, "at"))
        _text(institution, "institution", optional=True)
        _text(unit, "unit", optional=True)
        where = "target_us <= ?"
        params: list[Any] = [now]
        if institution is not None:
            where, params = where + " AND institution = ?", [*params, institution]
        if unit is not None:
            where, params = where + " AND unit = ?", [*params, unit]
        return self._entries(where, params, now, limit, offset, order="limit_us, target_us, complaint_id")

    def _entries(
        self,
        where: str,
        params: Sequence[Any],
        now: int,
        limit: int | None,
        offset: int,
        *,
        order: str = "urgency_us, on_desk_us, complaint_id",
    ) -> list[QueueEntry]:
        limit, offset = _page(limit, offset)
        rows = self.db.query(
            f"SELECT complaint_id, title, desk, label, on_desk_us, target_us, limit_us, clock, "
            f"clock_due_us, confidential FROM {self._complaints} WHERE {where} "
            f"ORDER BY {order} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        local = self._local_or_none
        # One validation call for the whole list: pydantic-core builds the values three
        # times faster than a model_construct per entry (a queue may hold 10,000).
        return _QUEUE.validate_python(
            [
                {
                    "complaint_id": _dashed(cid),
                    "title": title,
                    "desk": desk_key,
                    "label": label,
                    "arrived": self._local(arrived),
                    "target": local(target),
                    "limit": local(limit),
                    "sla": _sla(target, limit, now),
                    "clock": clock,
                    "clock_due": local(due),
                    "confidential": bool(confidential),
                }
                for cid, title, desk_key, label, arrived, target, limit, clock, due, confidential in rows
            ]
        )

    def search(self, text: str, *, public: bool, limit: int | None = 50) -> list[SearchHit]:
        """Complaints whose title, description or a response holds every word of ``text`` (a
        word or a word's beginning, case and diacritics aside), the best matches first.

        The database's own full-text index answers (SQLite FTS5, PostgreSQL's text search).
        Identities are never searched; a ``public`` search finds no confidential complaint.
        """
        _text(text, "the words to search for")
        terms = search_terms(text)
        limit, _ = _page(limit, 0)
        sql, params = self.db.search_texts(self._texts_name, self._complaints, terms)
        sql = sql.replace("{filter}", "c.confidential = 0" if public else "1 = 1")
        # The best documents are read first; only where a public search filters some out are
        # more read (a confidential complaint is rare), until the page is full or none are left.
        looked = min(max(limit, 1) * 2, LONGEST_PAGE)
        while True:
            rows = self.db.query(sql, [*params, looked, limit])
            if len(rows) >= limit or looked >= LONGEST_PAGE or not public:
                break
            looked = min(looked * 8, LONGEST_PAGE)
        return _HITS.validate_python(
            [
                {
                    "complaint_id": _dashed(cid),
                    "title": title,
                    "label": label,
                    "desk": desk,
                    "status": outcome or "open",
                    "found_in": [
                        kind
                        for kind, body in (("complaint", complaint), ("response", responses))
                        if _holds(body, terms)
                    ],
                }
                for cid, complaint, responses, title, label, desk, outcome in rows
            ]
        )

    def complaints(
        self,
        *,
        status: str | None = None,
        institution: str | None = None,
        unit: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ComplaintEntry]:
        """Complaints by status (``open``, ``finished`` or how one finished), by a unit or an
        institution that held them at any time, and by a period: for an open complaint, when it
        was submitted; for a finished one, when it finished. Newest first."""
        statuses = {"open", "finished", *(o.value for o in Outcome)}
        if status is not None and status not in statuses:
            raise InvalidInput(
                "status is one of {known}, not {status!r}", known=", ".join(sorted(statuses)), status=status
            )
        _text(institution, "institution", optional=True)
        _text(unit, "unit", optional=True)
        limit, offset = _page(limit, offset)
        when = "CASE WHEN outcome IS NULL THEN submitted_us ELSE last_event_us END"
        where: list[str] = ["1 = 1"]
        params: list[Any] = []
        if status == "open":
            where.append("outcome IS NULL")
        elif status == "finished":
            where.append("outcome IS NOT NULL")
        elif status is not None:
            where, params = [*where, "outcome = ?"], [*params, status]
        if unit is not None or institution is not None:
            held = "SELECT complaint_id FROM " + self._visits + " WHERE 1 = 1"
            if institution is not None:
                held, params = held + " AND institution = ?", [*params, institution]
            if unit is not None:
                held, params = held + " AND unit = ?", [*params, unit]
            where.append(f"complaint_id IN ({held})")
        for instant, what, compare in ((since, "since", ">="), (until, "until", "<")):
            if instant is not None:
                where.append(f"{when} {compare} ?")
                params.append(to_micros(self.policy.business_instant(instant, what)))
        rows = self.db.query(
            f"SELECT complaint_id, title, label, desk, outcome, submitted_us, last_event_us, confidential "
            f"FROM {self._complaints} WHERE {' AND '.join(where)} ORDER BY {when} DESC, complaint_id "
            "LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return _COMPLAINTS.validate_python(
            [
                {
                    "complaint_id": _dashed(cid),
                    "title": title,
                    "label": label,
                    "desk": desk,
                    "status": outcome or "open",
                    "submitted": self._local(submitted),
                    "finished": self._local(last) if outcome else None,
                    "confidential": bool(confidential),
                }
                for cid, title, label, desk, outcome, submitted, last, confidential in rows
            ]
        )

    def desks(self, at: datetime) -> list[DeskCount]:
        """How many complaints each desk holds, and how many of them are late or breached."""
        now = to_micros(self.policy.business_instant(at, "at"))
        rows = self.db.query(
            f"SELECT desk, COUNT(*), SUM(CASE WHEN limit_us <= ? THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN target_us <= ? AND limit_us > ? THEN 1 ELSE 0 END) "
            f"FROM {self._complaints} WHERE desk IS NOT NULL GROUP BY desk ORDER BY desk",
            (now, now, now),
        )
        return [_desk_count(d, n, b or 0, late or 0) for d, n, b, late in rows]

    def visits(self, complaint_id: UUID | str, at: datetime) -> list[VisitView]:
        """Every stay of one complaint on a desk, in order, judged at ``at`` if still open."""
        now = to_micros(self.policy.business_instant(at, "at"))
        rows = self.db.query(
            f"SELECT {', '.join(VISIT_COLUMNS)} FROM {self._visits} WHERE complaint_id = ? ORDER BY seq",
            (parse_complaint_id(complaint_id).hex,),
        )
        return [self._visit_view(row, now) for row in rows]

    def _calendar_of(self, v: Visit) -> WorkingCalendar:
        if self.calendars is None:
            return self.policy.calendar
        return self.calendars.of_desk(Desk.of(v.desk_kind, v.institution, v.unit))

    def _visit_view(self, row: Sequence[Any], now: int) -> VisitView:
        v = visit_from_row(row)
        until = v.left if v.left is not None else from_micros(now)
        judged = DeskDeadlines(v.arrived, v.target, v.limit) if v.target and v.limit else None
        outcome: VisitOutcome | None = None
        if judged is not None:
            outcome = VisitOutcome.OPEN if v.left is None else _outcome(judged.state_at(v.left))
        return VisitView(
            complaint_id=str(v.complaint_id),
            seq=v.seq,
            desk=v.desk,
            institution=v.institution,
            unit=v.unit,
            arrived=v.arrived.astimezone(self.zone),
            left=v.left.astimezone(self.zone) if v.left else None,
            left_by=v.left_by,
            working_days=max(0, self._calendar_of(v).working_days_between(v.arrived, until)),
            target=v.target.astimezone(self.zone) if v.target else None,
            limit=v.limit.astimezone(self.zone) if v.limit else None,
            outcome=outcome,
            sla=judged.state_at(from_micros(now)) if judged and v.left is None else None,
            policy_version=v.policy_version,
        )

    def sla_report(
        self, *, since: datetime, until: datetime, unit: str | None = None, institution: str | None = None
    ) -> list[DeskReport]:
        """Per desk over [since, until): received, finished, working days, breaches, on-time rate."""
        lo, hi = self._period(since, until)
        _text(unit, "unit", optional=True)
        _text(institution, "institution", optional=True)
        if hi <= lo:
            raise InvalidInput("the report's period ends before it starts")
        sql = (
            f"SELECT {', '.join(VISIT_COLUMNS)} FROM {self._visits} WHERE desk_kind <> ? "
            "AND arrived_us < ? AND (left_us IS NULL OR left_us >= ?)"
        )
        params: list[Any] = [_REPORTER_DESK, hi, lo]
        if unit is not None:
            sql, params = sql + " AND unit = ?", [*params, unit]
        if institution is not None:
            sql, params = sql + " AND institution = ?", [*params, institution]
        by_desk: dict[str, list[VisitView]] = defaultdict(list)
        for row in self.db.query(sql, params):
            view = self._visit_view(row, hi)
            by_desk[view.desk].append(view)
        return [_desk_report(desk, views, lo, hi) for desk, views in sorted(by_desk.items())]

    def _period(self, since: datetime, until: datetime) -> tuple[int, int]:
        """A period's ends as stored (UTC microseconds), each in the policy's years."""
        business = self.policy.business_instant
        return to_micros(business(since, "since")), to_micros(business(until, "until"))

    def count(self) -> int:
        """How many complaints the views hold."""
        return int(self.db.query(f"SELECT COUNT(*) FROM {self._complaints}")[0][0])

    def ids_starting(self, prefix: str, *, limit: int = 4) -> list[UUID]:
        """Complaint ids whose hex form starts with ``prefix`` (as tables abbreviate them)."""
        clean = id_prefix(prefix)
        limit, _ = _page(limit, 0)
        rows = self.db.query(
            f"SELECT complaint_id FROM {self._complaints} WHERE complaint_id LIKE ? "
            "ORDER BY complaint_id LIMIT ?",
            (clean + "%", limit),
        )
        return [UUID(row[0]) for row in rows]

    def stays(self, *, since: datetime, until: datetime) -> list[Visit]:
        """Every stay on any desk that overlaps [since, until), for charts and exports."""
        lo, hi = self._period(since, until)
        rows = self.db.query(
            f"SELECT {', '.join(VISIT_COLUMNS)} FROM {self._visits} "
            "WHERE arrived_us < ? AND (left_us IS NULL OR left_us >= ?) ORDER BY arrived_us",
            (hi, lo),
        )
        return [visit_from_row(row) for row in rows]

    def span(self) -> tuple[datetime | None, datetime | None, int]:
        """The first arrival and the last move on any desk, and how many stays on an SLA desk are open."""
        first, last, open_stays = self.db.query(
            f"SELECT MIN(arrived_us), MAX(COALESCE(left_us, arrived_us)), "
            f"SUM(CASE WHEN left_us IS NULL AND desk_kind <> ? THEN 1 ELSE 0 END) FROM {self._visits}",
            (_REPORTER_DESK,),
        )[0]
        return self._local_or_none(first), self._local_or_none(last), int(open_stays or 0)

    def public_status(self, complaint_id: UUID | str) -> PublicStatus | None:
        """The public label, or None when there is no such complaint or it is confidential."""
        rows = self.db.query(
            f"SELECT complaint_id, title, label, institution, submitted_us, last_event_us "
            f"FROM {self._complaints} WHERE complaint_id = ? AND confidential = 0",
            (parse_complaint_id(complaint_id).hex,),
        )
        return self._public(rows[0]) if rows else None

    def public_statuses(self, *, limit: int = 100, offset: int = 0) -> list[PublicStatus]:
        limit, offset = _page(limit, offset)
        rows = self.db.query(
            f"SELECT complaint_id, title, label, institution, submitted_us, last_event_us "
            f"FROM {self._complaints} WHERE confidential = 0 ORDER BY submitted_us, complaint_id "
            "LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [self._public(row) for row in rows]

    def _public(self, row: Sequence[Any]) -> PublicStatus:
        cid, title, label, institution, submitted, updated = row
        return PublicStatus(
            complaint_id=str(UUID(cid)),
            title=title,
            label=label,
            institution=institution,
            submitted=self._local(submitted),
            updated=self._local(updated),
        )


LONGEST_PAGE = 2**62  # "no limit": below every database's largest integer


def _page(limit: object, offset: object) -> tuple[int, int]:
    """A page's size (None: all) and its offset: whole numbers from 0 to ``LONGEST_PAGE``."""
    limit = LONGEST_PAGE if limit is None else limit
    for value, what in ((limit, "limit"), (offset, "offset")):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= LONGEST_PAGE:
            raise InvalidInput(
                "a page's {what} is a whole number from 0 to {longest}, not {value!r}",
                what=what,
                longest=LONGEST_PAGE,
                value=value,
            )
    assert isinstance(limit, int) and isinstance(offset, int)
    return limit, offset


def _text(value: object, what: str, *, optional: bool = False) -> None:
    if optional and value is None:
        return
    if not isinstance(value, str):
        raise InvalidInput("{what} must be text, not {kind}", what=what, kind=type(value).__name__)
    try:
        value.encode()
    except UnicodeEncodeError:  # a lone surrogate: no database stores it
        raise InvalidInput("{what} {value!r} is not valid Unicode text", what=what, value=value) from None


def _desk_count(desk: str, held: int, breached: int, late: int) -> DeskCount:
    if desk == _REPORTER_DESK:  # the reporter's turn has no SLA, only the auto-close clock
        return DeskCount(desk=desk, open=held, on_track=None, late=None, breached=None)
    return DeskCount(desk=desk, open=held, on_track=held - breached - late, late=late, breached=breached)


def _dashed(hex_id: str) -> str:
    """A stored hex id in the usual dashed form, without building a UUID."""
    return f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}"


def _fixed_offset(zone: tzinfo, first_year: int, last_year: int) -> timezone | None:
    """A fixed-offset stand-in for ``zone`` if its offset is the same all through these years
    (true of WIB, WITA and WIT since 1964); local times then need no zone lookups."""
    years = range(first_year, last_year + 1)
    probes = [datetime(year, month, 1, 12, tzinfo=zone) for year in years for month in (1, 7)]
    offsets = {probe.utcoffset() for probe in probes}
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    name = datetime(first_year, 1, 1, tzinfo=zone).tzname()
    return timezone(offset, name) if offset is not None and name else None


def _sla(target: int | None, limit: int | None, now: int) -> SlaState | None:
    return None if target is None or limit is None else judge(target, limit, now)


def _outcome(state: SlaState) -> VisitOutcome:
    return {SlaState.ON_TRACK: VisitOutcome.MET, SlaState.LATE: VisitOutcome.LATE}.get(
        state, VisitOutcome.BREACHED
    )


def _desk_report(desk: str, views: list[VisitView], lo: int, hi: int) -> DeskReport:
    start, end = from_micros(lo), from_micros(hi)
    received = [v for v in views if v.arrived >= start]
    finished = [v for v in views if v.left is not None and start <= v.left < end]
    open_past_limit = [v for v in views if v.left is None and v.limit is not None and v.limit <= end]
    within = [v for v in finished if v.outcome in (VisitOutcome.MET, VisitOutcome.LATE)]
    days = sorted(v.working_days for v in finished)
    denominator = len(finished) + len(open_past_limit)
    first = views[0]
    return DeskReport(
        desk=desk,
        institution=first.institution,
        unit=first.unit,
        received=len(received),
        finished=len(finished),
        returned=sum(labelled_event(v.left_by) is Returned for v in finished),
        median_working_days=statistics.median(days) if days else None,
        p90_working_days=_percentile(days, 0.9),
        breaches=sum(v.outcome is VisitOutcome.BREACHED for v in finished) + len(open_past_limit),
        escalations=sum(labelled_event(v.left_by) is EscalatedToOmbudsman for v in finished),
        open_past_limit=len(open_past_limit),
        finished_within_limit=len(within),
        on_time_rate=len(within) / denominator if denominator else None,
        policy_versions=sorted({v.policy_version for v in views if v.policy_version}),
    )


def _percentile(values: list[int], q: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least q of the values at or below it."""
    if not values:
        return None
    rank = max(1, -(-len(values) * q // 1))
    return float(values[int(rank) - 1])
