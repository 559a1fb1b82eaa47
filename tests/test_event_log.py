"""The log read complaint by complaint (what a rebuild folds), on every store."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from uuid import UUID

import pytest

from lapor_domain import ComplaintEvent, InvalidInput, LaporApp, StoreUnavailable

from conftest import OfficeApp, StepClock
from sop import NATIONAL, file_complaint, wib
from walk import random_walk


def by_complaint_up_to(app: LaporApp, until: int) -> dict[UUID, list[ComplaintEvent]]:
    expected: dict[UUID, list[ComplaintEvent]] = defaultdict(list)
    for position, event in app.feed.since():
        if position <= until and isinstance(event, ComplaintEvent):  # the rules' streams: not complaints
            expected[event.originator_id].append(event)
    return expected


def test_each_complaint_comes_once_with_its_events_in_order_whatever_the_page_size(app: LaporApp) -> None:
    random_walk(app, 3, complaints=6)
    head = app.feed.head()
    expected = by_complaint_up_to(app, head)
    for batch in (1, 2, 3, 7, 1000):
        groups = list(app.feed.by_complaint(until=head, batch=batch))
        assert {g[0].originator_id: g for g in groups} == expected
        assert len(groups) == len(expected)  # no complaint split or repeated across pages
        assert all(len({e.originator_id for e in g}) == 1 for g in groups)


def test_only_positions_up_to_until_are_read(app: LaporApp) -> None:
    random_walk(app, 8, complaints=4)
    middle = app.feed.head()
    random_walk(app, 9, complaints=4, start=wib(2025, 9, 1, 8))
    groups = list(app.feed.by_complaint(until=middle, batch=4))
    assert {g[0].originator_id: g for g in groups} == by_complaint_up_to(app, middle)
    assert list(app.feed.by_complaint(until=0)) == []


def test_complaints_come_in_key_order(app: LaporApp) -> None:
    """Rows then land in the views' primary-key order (appends, not scattered inserts)."""
    random_walk(app, 4, complaints=6)
    ids = [g[0].originator_id for g in app.feed.by_complaint(until=10**9, batch=5)]
    assert ids == sorted(ids) and len(ids) == 6


def test_each_store_constructor_takes_only_its_own_kind_of_target(tmp_path: Path) -> None:
    """``LaporApp.postgres("x.db")`` once opened a SQLite file: a trap for an embedding service."""
    with pytest.raises(InvalidInput, match="postgresql://"):
        LaporApp.postgres(str(tmp_path / "x.db"), clock=StepClock())
    with pytest.raises(InvalidInput, match="SQLite file"):
        LaporApp.sqlite("postgresql://postgres@127.0.0.1/test", clock=StepClock())
    with pytest.raises(InvalidInput, match="SQLite file"):
        LaporApp.sqlite("memory", clock=StepClock())
    assert not (tmp_path / "x.db").exists()
    LaporApp.sqlite(tmp_path / "y.db", clock=StepClock()).close()  # a Path is a path


def test_a_closed_application_refuses_reads_and_writes_as_unavailable(tmp_path: Path) -> None:
    """A write after close once reopened a connection (and leaked it); a read raised the library's
    untyped ConnectionPoolClosedError."""
    app = OfficeApp(str(tmp_path / "closed.db"))
    c = file_complaint(app, wib(2026, 1, 5, 9))
    app.close()
    with pytest.raises(StoreUnavailable):
        app.history(c.id)
    with pytest.raises(StoreUnavailable):
        app.verify(c.id, by=NATIONAL, at=wib(2026, 1, 5, 10))


def test_a_store_that_cannot_be_opened_leaves_no_connection_pool_behind() -> None:
    """An embedding service retrying an unreachable PostgreSQL must not gather a pool and its
    worker threads at every try."""
    import threading

    before = set(threading.enumerate())
    for _ in range(2):
        with pytest.raises(StoreUnavailable):
            LaporApp("postgresql://postgres@127.0.0.1:9/lapor?connect_timeout=1", clock=StepClock())
    left = [t.name for t in set(threading.enumerate()) - before if t.is_alive()]
    assert left == []
