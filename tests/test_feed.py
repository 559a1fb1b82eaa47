"""The public event feed (``LaporApp.feed``) on every store: positions, pages, complaints, waiting."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lapor_domain import ComplaintEvent, InvalidInput, LaporApp, RecordedEvent
from lapor_projections import ReadModels, ViewReader
from lapor_projections.db import open_database
from lapor_projections.store import LOG_POSITION, ViewStore

from conftest import OfficeApp, drop_schema, store_target
from sop import file_complaint, to_unit, wib
from walk import random_walk

T0 = wib(2026, 1, 5, 9)


def test_positions_pages_and_complaints_agree(app: LaporApp) -> None:
    assert app.feed.head() == 0 and app.feed.after(0) == []
    random_walk(app, 11, complaints=6)
    everything = list(app.feed.since())
    assert all(isinstance(r, RecordedEvent) for r in everything)
    positions = [r.position for r in everything]
    assert positions == sorted(set(positions)) and positions[-1] == app.feed.head()
    paged: list[RecordedEvent] = []
    while page := app.feed.after(paged[-1].position if paged else 0, limit=4):
        assert len(page) <= 4
        paged += page
    assert paged == everything
    middle = positions[len(positions) // 2]
    assert list(app.feed.since(middle)) == [r for r in everything if r.position > middle]
    grouped = list(app.feed.by_complaint(until=middle))
    assert sorted(e.originator_version for g in grouped for e in g) == sorted(
        r.event.originator_version
        for r in everything
        if r.position <= middle and isinstance(r.event, ComplaintEvent)  # the policy's stream: not one
    )
    for group in grouped:
        assert [e.originator_version for e in group] == list(range(1, len(group) + 1))
        assert app.history(group[0].originator_id)[: len(group)] == group


@pytest.mark.parametrize("call", [
    lambda f: f.after(-1), lambda f: f.after(0, limit=0), lambda f: f.since(batch=0).__next__(),
    lambda f: f.by_complaint(until=-5), lambda f: f.wait(-1), lambda f: f.after("3"),  # type: ignore[arg-type]
])  # fmt: skip
def test_the_feed_refuses_nonsense_as_invalid_input(memory_app: LaporApp, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput):
        call(memory_app.feed)


@pytest.fixture
def two_writers(backend: str, tmp_path: Path) -> Iterator[tuple[LaporApp, LaporApp]]:
    """A follower's application and another process's (a second LaporApp on the same store)."""
    target, schema = store_target(backend, tmp_path)
    reader = OfficeApp(target)
    writer = reader if backend == "memory" else OfficeApp(target)
    try:
        yield reader, writer
    finally:
        for app in {reader, writer}:
            app.close()
        if schema:
            drop_schema(schema)


def test_wait_is_woken_by_the_store_where_it_notifies(
    two_writers: tuple[LaporApp, LaporApp], backend: str
) -> None:
    reader, writer = two_writers
    assert reader.feed.notifies == (backend != "sqlite")
    assert reader.feed.wait(0.05) is False  # nothing recorded meanwhile
    threading.Timer(0.3, lambda: file_complaint(writer, T0)).start()
    timeout = 2 if backend == "sqlite" else 20
    started = time.monotonic()
    woken = reader.feed.wait(timeout)
    waited = time.monotonic() - started
    if backend == "sqlite":
        assert woken is False and waited >= timeout - 0.2  # no notifications: it waits out the time
    else:
        assert woken is True and waited < 10, waited


def test_wait_returns_when_stopped(memory_app: LaporApp) -> None:
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    assert memory_app.feed.wait(30, stop) is False
    assert time.monotonic() - started < 5


@pytest.mark.postgres
def test_a_follower_on_postgresql_is_woken_at_once_not_at_its_poll(tmp_path: Path) -> None:
    """With a 60 s poll, a new complaint reaches the followed views within seconds: notified."""
    target, schema = store_target("postgres", tmp_path)
    assert schema is not None
    follower_app, writer = OfficeApp(target), OfficeApp(target)
    views = ReadModels(follower_app)
    stop = threading.Event()
    following = threading.Thread(target=views.follow, args=(stop,), kwargs={"poll_seconds": 60})
    try:
        following.start()
        time.sleep(0.5)  # the follower has caught up and waits
        c = file_complaint(writer, T0)
        to_unit(writer, c.id, T0)
        reading = open_database(target)  # the follower's connection is its own thread's
        try:
            deadline = time.monotonic() + 10
            while ViewStore(reading).position(LOG_POSITION) < writer.feed.head():
                assert time.monotonic() < deadline, "the follower was not woken by the notification"
                time.sleep(0.05)
            queue = ViewReader(reading, writer.policy).queue("unit:kota-cirebon/dinkes", at=T0)
        finally:
            reading.close()
        assert [entry.complaint_id for entry in queue] == [str(c.id)]
    finally:
        stop.set()
        following.join(timeout=10)
        views.close()
        follower_app.close()
        writer.close()
        drop_schema(schema)


def test_an_append_between_listening_and_waiting_is_not_missed(
    two_writers: tuple[LaporApp, LaporApp], backend: str
) -> None:
    """A follower listens before it reads: what is recorded after its read, before its wait,
    wakes that wait at once instead of after the poll."""
    reader, writer = two_writers
    reader.feed.listen()
    assert reader.feed.after(reader.feed.head()) == []
    file_complaint(writer, T0)  # between the read and the wait
    started = time.monotonic()
    woken = reader.feed.wait(3)
    if backend == "sqlite":
        assert woken is False  # no notifications there: it polls
    else:
        assert woken is True and time.monotonic() - started < 1.5
