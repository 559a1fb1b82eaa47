"""The managers' report: its numbers (read side) on every store, and the page that shows them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lapor_cli.report_html import render_report
from lapor_cli.report_terms import TERMS, rate_class
from lapor_domain import ArchiveReason, AutoClosed, ComplaintEvent, InvalidInput, LaporApp, Submitted
from lapor_projections import (
    FINISHED_BAND,
    FLOW_BANDS,
    RECAP_EVENTS,
    DeskReport,
    ManagerReport,
    ReadModels,
    ViewReader,
    manager_report,
    unit_records,
)
from lapor_projections.simulation import Workload, simulate

from conftest import OfficeApp
from sop import ADMIN, DINKES, NATIONAL, WIB, file_complaint, to_unit, wib


def numbers(app: LaporApp, since: datetime, until: datetime) -> ManagerReport:
    views = ReadModels(app)
    views.catch_up()
    try:
        events = [recorded.event for recorded in app.feed.since(0)]
        return manager_report(ViewReader(views.db, app.policy), events, since=since, until=until)
    finally:
        views.close()


def test_the_recap_counts_each_step_once_per_complaint_in_its_month(app: LaporApp) -> None:
    answered = file_complaint(app, wib(2025, 3, 10, 9)).id
    to_unit(app, answered, wib(2025, 3, 10, 10))  # verified twice, disposed twice: once each
    app.respond(answered, message="Sudah ditangani", by=DINKES, at=wib(2025, 3, 11, 9))
    dropped = file_complaint(app, wib(2025, 3, 12, 9)).id
    app.verify(dropped, by=NATIONAL, at=wib(2025, 3, 12, 10))
    app.dispose(dropped, to="kota-cirebon", by=NATIONAL, at=wib(2025, 3, 12, 10))
    app.return_up(dropped, reason="bukan wewenang kota", by=ADMIN, at=wib(2025, 3, 13, 9))
    app.archive(dropped, reason=ArchiveReason.OUT_OF_SCOPE, by=NATIONAL, at=wib(2025, 4, 2, 9))
    app.fire_due(wib(2025, 4, 30))
    closed = next(e.at for e in app.history(answered) if isinstance(e, AutoClosed)).astimezone(WIB)

    report = numbers(app, wib(2025, 3, 1), wib(2025, 5, 1))

    march, april = report.months
    assert (march.month, april.month) == (date(2025, 3, 1), date(2025, 4, 1))
    assert (march.since, march.until, april.until) == (wib(2025, 3, 1), wib(2025, 4, 1), wib(2025, 5, 1))
    steps = {column: (getattr(march, column), getattr(april, column)) for column in RECAP_EVENTS}
    assert steps == {
        "received": (2, 0),
        "verified": (2, 0),
        "disposed": (2, 0),
        "responded": (1, 0),
        "finished": (1, 0) if closed.month == 3 else (0, 1),
        "escalated": (0, 0),
        "archived": (0, 1),
        "returned": (1, 0),
    }
    (dinkes,) = report.units
    assert (dinkes.desk, dinkes.judged, dinkes.within_limit, dinkes.on_time_rate) == (
        "unit:kota-cirebon/dinkes",
        1,
        1,
        1.0,
    )
    assert report.policy == app.policy.name and report.stays >= 6


def test_a_report_period_must_not_end_before_it_starts(memory_app: LaporApp) -> None:
    with pytest.raises(InvalidInput, match="ends before it starts"):
        numbers(memory_app, wib(2025, 3, 1), wib(2025, 3, 1))


# -- properties over a simulated city ---------------------------------------------------------


class City(NamedTuple):
    app: LaporApp
    events: list[ComplaintEvent]
    reader: ViewReader

    def __repr__(self) -> str:  # Hypothesis prints the arguments of a failing example
        return f"City({len(self.events)} events)"

    def report(self, since: datetime, until: datetime) -> ManagerReport:
        return manager_report(self.reader, self.events, since=since, until=until)


@pytest.fixture(scope="module")
def city() -> Iterator[City]:
    app = OfficeApp()
    simulate(app, Workload(complaints=150, start=date(2025, 1, 6), seed=3))
    views = ReadModels(app)
    views.catch_up()
    yield City(app, [recorded.event for recorded in app.feed.since(0)], ViewReader(views.db, app.policy))
    views.close()
    app.close()


periods = st.tuples(st.integers(0, 330), st.integers(1, 200)).map(
    lambda p: (wib(2025, 1, 1) + timedelta(days=p[0], hours=p[0] % 24), timedelta(days=p[1], hours=p[1] % 7))
)


@settings(max_examples=25, deadline=None)
@given(period=periods)
def test_the_report_agrees_with_the_events_and_the_stays(
    city: City, period: tuple[datetime, timedelta]
) -> None:
    since, until = period[0], period[0] + period[1]
    report = city.report(since, until)
    # The months tile the period exactly, in order.
    assert report.months[0].since == since and report.months[-1].until == until
    for before, after in zip(report.months, report.months[1:], strict=False):
        assert before.until == after.since and after.since.day == 1 and after.since.hour == 0
    # Received: every submission in the period, in its own month.
    submitted = [e for e in city.events if isinstance(e, Submitted) and since <= e.at < until]
    assert sum(m.received for m in report.months) == len(submitted)
    for m in report.months:
        assert m.received == sum(m.since <= e.at < m.until for e in submitted)
        assert m.on_time_rate == (m.within_limit / m.judged if m.judged else None)
    # Units: worst first, those not judged last; every unit desk of the SLA report is there.
    rates = [u.on_time_rate for u in report.units]
    judged = [r for r in rates if r is not None]
    assert judged == sorted(judged) and rates == judged + [None] * (len(rates) - len(judged))
    desks = {r.desk for r in city.reader.sla_report(since=since, until=until) if r.desk.startswith("unit:")}
    assert {u.desk for u in report.units} == desks
    # The flow: at each sample, the desk bands hold exactly the stays open then.
    stays = city.reader.stays(since=since, until=until)
    flow = report.flow
    assert flow.instants[0] == since and flow.instants[-1] == until
    for k in (0, len(flow.instants) // 2, len(flow.instants) - 1):
        t = flow.instants[k]
        open_then = sum(s.arrived <= t and (s.left is None or s.left > t) for s in stays)
        assert sum(flow.counts[band][k] for band in FLOW_BANDS if band != FINISHED_BAND) == open_then


def desk_report(desk: str, finished: int, within: int, past_limit: int = 0) -> DeskReport:
    judged = finished + past_limit
    return DeskReport(
        desk=desk, institution=desk.split(":")[1].split("/")[0], unit=desk.split("/")[-1], received=judged,
        finished=finished, returned=0, median_working_days=None, p90_working_days=None,
        breaches=finished - within + past_limit, escalations=0, open_past_limit=past_limit,
        finished_within_limit=within, on_time_rate=within / judged if judged else None,
    )  # fmt: skip


@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 2)).map(
            lambda t: (t[0], min(t[0], t[1]), t[2])
        ),
        max_size=12,
    )
)
def test_units_are_ordered_worst_first_and_the_busier_first_among_equals(
    counts: list[tuple[int, int, int]],
) -> None:
    reports = [desk_report(f"unit:kota-cirebon/u{k}", *c) for k, c in enumerate(counts)]
    reports.append(desk_report("tim-admin:kota-cirebon", 3, 0))  # not a unit: left out
    records = unit_records(reports)
    assert len(records) == len(counts)
    keys = [(r.on_time_rate is None, r.on_time_rate or 0.0, -r.judged) for r in records]
    assert keys == sorted(keys)


# -- the page ---------------------------------------------------------------------------------


def test_the_page_shows_counts_and_unit_names_only_and_escapes_them(city: City) -> None:
    report = city.report(wib(2025, 1, 1), wib(2025, 12, 31))
    hostile = '<script>alert("x")</script>&'
    names = {report.units[0].desk: hostile}
    page = render_report(report.model_copy(update={"policy": hostile}), WIB, names)
    assert "<script" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in page
    outside = page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not any(link in outside for link in ("://", "src=", "href=", "url(", "@import"))  # offline
    for event in city.events:  # rule 10: no complaint text, no reporter, on a page for managers
        if isinstance(event, Submitted):
            assert event.title not in page
    for column in RECAP_EVENTS:
        indonesian, english = TERMS[column]
        assert indonesian in page and english in page
    assert render_report(report, WIB, {}) == render_report(report, WIB, {})  # no clock on it


def test_rate_colours_have_edges_where_the_legend_says() -> None:
    assert [rate_class(r) for r in (None, 0.0, 0.6999, 0.70, 0.8999, 0.90, 1.0)] == [
        None,
        "rate:poor",
        "rate:poor",
        "rate:fair",
        "rate:fair",
        "rate:good",
        "rate:good",
    ]
