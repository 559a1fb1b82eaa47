"""The numbers of the managers' report: a cumulative flow, every unit's record, the monthly recap.

Counts and desk names only, never a complaint's text or a reporter (rule 10): the page
is for managers. Built from the stored visits (``ViewReader``) and, for the monthly
recap (rekapitulasi bulanan), from the events themselves, since a verification moves
no complaint and so leaves no visit.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict

from lapor_domain import (
    FINISHING_EVENTS,
    Archived,
    AutoClosed,
    ComplaintEvent,
    DeskKind,
    Disposed,
    EscalatedToOmbudsman,
    InvalidInput,
    Responded,
    Returned,
    Submitted,
    Verified,
)

from .fold import Visit, labelled_event
from .models import DeskReport
from .queries import ViewReader

FINISHED_BAND = "finished"
FLOW_BANDS = (  # bottom to top: finished in the period, then each desk kind, the latest first
    FINISHED_BAND,
    DeskKind.REPORTER.value,
    DeskKind.UNIT.value,
    DeskKind.ADMIN.value,
    DeskKind.NATIONAL.value,
)
MOST_SAMPLES = 400

RECAP_EVENTS: dict[str, type[ComplaintEvent]] = {  # a recap column -> the event it counts
    "received": Submitted,
    "verified": Verified,
    "disposed": Disposed,
    "responded": Responded,
    "finished": AutoClosed,
    "escalated": EscalatedToOmbudsman,
    "archived": Archived,
    "returned": Returned,
}


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True)


class CumulativeFlow(_Value):
    """How many complaints sat in each band (``FLOW_BANDS``) at evenly spaced instants."""

    instants: list[datetime]
    counts: dict[str, list[int]]  # band -> one count per instant


class UnitRecord(_Value):
    """One unit desk over the period: its stays judged against the SOP limit."""

    desk: str
    institution: str | None
    unit: str | None
    received: int  # stays that began in the period
    judged: int  # stays finished in the period, and stays still open past their limit
    within_limit: int
    on_time_rate: float | None  # within_limit / judged; none when nothing could be judged yet
    breaches: int
    escalations: int
    returned: int


class MonthRecap(_Value):
    """One month of the rekapitulasi bulanan: complaints per SOP step, and the on-time share.

    Each step counts complaints, once each however often the step happened to them in
    the month (a complaint disposed to its institution, then to a unit, counts once).
    """

    month: date  # its first day
    since: datetime  # the part of the month inside the report's period
    until: datetime
    received: int
    verified: int
    disposed: int
    responded: int
    finished: int  # selesai: auto-closed after the reporter's silence
    escalated: int
    archived: int
    returned: int
    judged: int  # stays on an SLA desk finished in the month, or open past their limit at its end
    within_limit: int
    on_time_rate: float | None


class ManagerReport(_Value):
    since: datetime
    until: datetime
    policy: str
    stays: int  # desk stays overlapping the period, the flow's material
    flow: CumulativeFlow
    units: list[UnitRecord]  # worst on-time rate first; those not yet judged last
    months: list[MonthRecap]


def manager_report(
    reader: ViewReader, events: Iterable[ComplaintEvent], *, since: datetime, until: datetime
) -> ManagerReport:
    """The report over [since, until): ``events`` is the log (any order), for the monthly recap."""
    if until <= since:
        raise InvalidInput("the report's period ends before it starts")
    desks = reader.sla_report(since=since, until=until)
    stays = reader.stays(since=since, until=until)
    return ManagerReport(
        since=since,
        until=until,
        policy=reader.policy.name,
        stays=len(stays),
        flow=cumulative_flow(stays, since, until),
        units=unit_records(desks),
        months=monthly_recap(reader, events, since=since, until=until),
    )


def unit_records(reports: Iterable[DeskReport]) -> list[UnitRecord]:
    """Every unit desk of ``reports``, worst on-time rate first (the busier first among equals)."""
    records = [
        UnitRecord(
            desk=r.desk,
            institution=r.institution,
            unit=r.unit,
            received=r.received,
            judged=r.finished + r.open_past_limit,
            within_limit=r.finished_within_limit,
            on_time_rate=r.on_time_rate,
            breaches=r.breaches,
            escalations=r.escalations,
            returned=r.returned,
        )
        for r in reports
        if r.desk.startswith(DeskKind.UNIT.value + ":")
    ]
    return sorted(records, key=_worst_first)


def _worst_first(r: UnitRecord) -> tuple[bool, float, int, str]:
    return (r.on_time_rate is None, r.on_time_rate or 0.0, -r.judged, r.desk)


def cumulative_flow(
    stays: Sequence[Visit], since: datetime, until: datetime, *, samples: int = MOST_SAMPLES
) -> CumulativeFlow:
    """Counts per band at evenly spaced instants: on a desk kind, or finished since ``since``."""
    arrived: dict[str, list[datetime]] = defaultdict(list)
    left: dict[str, list[datetime]] = defaultdict(list)
    for stay in stays:
        arrived[stay.desk_kind].append(stay.arrived)
        if stay.left is not None:
            left[stay.desk_kind].append(stay.left)
            if labelled_event(stay.left_by) in FINISHING_EVENTS and stay.left >= since:
                arrived[FINISHED_BAND].append(stay.left)
    for moments in (*arrived.values(), *left.values()):
        moments.sort()
    steps = min(samples, max(2, (until - since).days + 1))
    step = (until - since) / (steps - 1)
    instants = [since + step * k for k in range(steps - 1)] + [until]  # the end exactly, not rounded
    counts = {
        band: [bisect_right(arrived[band], t) - bisect_right(left[band], t) for t in instants]
        for band in FLOW_BANDS
    }
    return CumulativeFlow(instants=instants, counts=counts)


def monthly_recap(
    reader: ViewReader, events: Iterable[ComplaintEvent], *, since: datetime, until: datetime
) -> list[MonthRecap]:
    """One recap per calendar month (local time) that overlaps [since, until)."""
    zone = reader.zone
    lo, hi = since.astimezone(zone), until.astimezone(zone)
    months = _months(lo, hi)
    kinds = {cls: column for column, cls in RECAP_EVENTS.items()}
    seen: dict[tuple[date, str], set[object]] = defaultdict(set)
    for event in events:
        column = kinds.get(type(event))
        if column is not None and since <= event.at < until:
            local = event.at.astimezone(zone)
            seen[(date(local.year, local.month, 1), column)].add(event.originator_id)
    recaps = []
    for first, start, end in months:
        judged, within = _on_time(reader.sla_report(since=start, until=end))
        counts = {column: len(seen[(first, column)]) for column in RECAP_EVENTS}
        recaps.append(
            MonthRecap(
                month=first,
                since=start,
                until=end,
                judged=judged,
                within_limit=within,
                on_time_rate=within / judged if judged else None,
                **counts,
            )
        )
    return recaps


def _months(lo: datetime, hi: datetime) -> list[tuple[date, datetime, datetime]]:
    """Each month's first day and its part of [lo, hi), in lo's zone."""
    found: list[tuple[date, datetime, datetime]] = []
    first = date(lo.year, lo.month, 1)
    while True:
        start = datetime(first.year, first.month, 1, tzinfo=lo.tzinfo)
        if start >= hi:
            return found
        following = (first + timedelta(days=32)).replace(day=1)
        end = datetime(following.year, following.month, 1, tzinfo=lo.tzinfo)
        found.append((first, max(start, lo), min(end, hi)))
        first = following


def _on_time(reports: Iterable[DeskReport]) -> tuple[int, int]:
    """Stays judged and stays within the limit, over every SLA desk (the reporter's turn has none)."""
    judged = within = 0
    for r in reports:
        judged += r.finished + r.open_past_limit
        within += r.finished_within_limit
    return judged, within
