"""Every read model, on every store: the contract, and the properties that make it trustworthy."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lapor_domain import (
    Actor,
    ConcurrentUpdate,
    LaporApp,
    LaporError,
    SlaPolicy,
    SlaState,
    StoreCorrupt,
    kota_cirebon,
)
from lapor_domain.model import decisions
from lapor_domain.model.complaint import fold
from lapor_projections import (
    ReadModels,
    ViewReader,
    VisitOutcome,
    build,
    fold_views,
    public_label,
    readside,
    timeline,
)
from lapor_projections.build import Share, _Job, _work, build_views, shares
from lapor_projections.db import open_database
from lapor_projections.fold import Views
from lapor_projections.store import (
    COMPLAINT_COLUMNS,
    LAYOUT,
    LOG_POSITION,
    VIEWS_LAYOUT,
    VISIT_COLUMNS,
    WITHHELD_PSEUDONYM,
    ViewStore,
    complaint_row,
    differences,
    visit_row,
)

from conftest import OFFICE_KEYS, OfficeApp, complaint_events, complaint_ids, drop_schema, store_target
from sop import ADMIN, DINKES, DISHUB, NATIONAL, REPORTER, file_complaint, to_unit, wib
from walk import random_walk


@pytest.fixture
def side(app: LaporApp) -> Iterator[tuple[LaporApp, ReadModels]]:
    """The app with its read models embedded beside its events (in-memory SQLite for the memory store)."""
    read_models = ReadModels(app, batch=7).attach()
    yield app, read_models
    read_models.close()


def stored(read_models: ReadModels) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    store = read_models.store
    complaints = read_models.db.query(
        f"SELECT {', '.join(COMPLAINT_COLUMNS)} FROM {store.complaints} ORDER BY complaint_id"
    )
    visits = read_models.db.query(
        f"SELECT {', '.join(VISIT_COLUMNS)} FROM {store.visits} ORDER BY complaint_id, seq"
    )
    return [tuple(r) for r in complaints], [tuple(r) for r in visits]


def as_rows(views: Views) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    complaints = sorted(complaint_row(t) for t in views.complaints.values())
    visits = sorted(visit_row(v) for v in views.visits.values())
    return complaints, visits


def reference(app: LaporApp, as_of: datetime | None = None) -> Views:
    """A pure fold over the log (up to ``as_of``, with the deadlines due by then fired, and the
    privacy flags as they stand now: rule 10 in every past view)."""
    events = [e for _, e in app.feed.since() if as_of is None or e.at <= as_of]
    views = fold_views(events, app.rules.calendars)
    if as_of is not None:
        for tracked in list(views.complaints.values()):
            for event in decisions.fire_due(tracked.complaint, app.rules, as_of, as_of):
                views.apply(event, app.rules.calendars)
        for cid, tracked in list(views.complaints.items()):
            now = app.complaint(cid)
            flags = {"anonymous": now.anonymous, "confidential": now.confidential}
            views.complaints[cid] = tracked._replace(complaint=tracked.complaint.changed(**flags))
    return views


# -- the contract ------------------------------------------------------------------------


def test_a_desk_queue_holds_its_complaints_most_urgent_first(side: tuple[LaporApp, ReadModels]) -> None:
    app, rm = side
    older = file_complaint(app, wib(2026, 1, 5, 9))
    newer = file_complaint(app, wib(2026, 1, 7, 9))
    moved = file_complaint(app, wib(2026, 1, 6, 9))
    to_unit(app, moved.id, wib(2026, 1, 6, 10))
    reader = ViewReader(rm.db, app.policy)
    queue = reader.queue("lapor-sp4n", wib(2026, 1, 7, 12))
    assert [q.complaint_id for q in queue] == [str(older.id), str(newer.id)]
    # Mon 5 Jan: target end of Tue 6, limit end of Thu 8; Wed 7: target end of Thu 8.
    assert [q.sla for q in queue] == [SlaState.LATE, SlaState.ON_TRACK]
    assert queue[0].target == wib(2026, 1, 7) and queue[0].limit == wib(2026, 1, 9)
    pages = [reader.queue("lapor-sp4n", wib(2026, 1, 7, 12), limit=1, offset=n) for n in (0, 1, 2)]
    assert [[q.complaint_id for q in page] for page in pages] == [[str(older.id)], [str(newer.id)], []]
    unit_queue = reader.queue("unit:kota-cirebon/dinkes", wib(2026, 1, 7, 12))
    assert [q.complaint_id for q in unit_queue] == [str(moved.id)]
    counts = {d.desk: (d.open, d.on_track, d.late, d.breached) for d in reader.desks(wib(2026, 1, 9))}
    assert counts == {"lapor-sp4n": (2, 0, 1, 1), "unit:kota-cirebon/dinkes": (1, 1, 0, 0)}


def test_a_command_recorded_while_its_views_could_not_follow_is_recorded_and_they_follow_later(
    side: tuple[LaporApp, ReadModels], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The views follow a command after it is recorded; their failure (a lost race on the view
    tables) must not make the recorded command look refused: a caller would try it again."""
    app, rm = side
    failing = ConcurrentUpdate("the views' tables were busy; try again")
    follow = ReadModels._catch_up

    def lost_race(*args: Any, **kwargs: Any) -> int:
        raise failing

    monkeypatch.setattr(ReadModels, "_catch_up", lost_race)
    filed = file_complaint(app, wib(2026, 1, 5, 9))  # returns: it is recorded
    assert len(app.history(filed.id)) == 1
    assert rm.lagging is failing
    monkeypatch.setattr(ReadModels, "_catch_up", follow)
    later = file_complaint(app, wib(2026, 1, 5, 10))
    assert rm.lagging is None
    reader = ViewReader(rm.db, app.policy)
    queue = reader.queue("lapor-sp4n", wib(2026, 1, 5, 12))
    assert {q.complaint_id for q in queue} == {str(filed.id), str(later.id)}


def test_damaged_views_found_after_a_command_are_not_kept_quiet(
    side: tuple[LaporApp, ReadModels], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, rm = side

    def damaged(*args: Any, **kwargs: Any) -> int:
        raise StoreCorrupt("the views are damaged")

    monkeypatch.setattr(ReadModels, "_catch_up", damaged)
    with pytest.raises(StoreCorrupt):
        file_complaint(app, wib(2026, 1, 5, 9))
    assert rm.lagging is None


def test_every_open_complaint_is_on_exactly_one_desk_and_finished_on_none(
    side: tuple[LaporApp, ReadModels],
) -> None:
    app, rm = side
    random_walk(app, seed=7, complaints=8)
    reader = ViewReader(rm.db, app.policy)
    at = wib(2030, 1, 1)
    on_desks = [q.complaint_id for d in reader.desks(at) for q in reader.queue(d.desk, at)]
    assert len(on_desks) == len(set(on_desks))
    ids = complaint_ids(app)
    open_ids = {str(cid) for cid in ids if not app.complaint(cid).is_finished}
    assert set(on_desks) == open_ids


def test_visits_record_each_stay_and_returns_count_against_the_returning_desk(
    side: tuple[LaporApp, ReadModels],
) -> None:
    app, rm = side
    c = file_complaint(app, wib(2026, 3, 13, 9))
    to_unit(app, c.id, wib(2026, 3, 16, 10), unit="dishub")
    app.return_up(c.id, reason="Bukan wewenang", by=DISHUB, at=wib(2026, 4, 2, 9))
    app.dispose(c.id, to="dinkes", by=ADMIN, at=wib(2026, 4, 2, 10))
    app.respond(c.id, message="Sudah", by=DINKES, at=wib(2026, 4, 6, 10))
    reader = ViewReader(rm.db, app.policy)
    visits = reader.visits(c.id, wib(2026, 4, 6, 12))
    assert [(v.desk, v.left_by) for v in visits] == [
        ("lapor-sp4n", "Disposed"),
        ("tim-admin:kota-cirebon", "Disposed"),
        ("unit:kota-cirebon/dishub", "Returned"),
        ("tim-admin:kota-cirebon", "Disposed"),
        ("unit:kota-cirebon/dinkes", "Responded"),
        ("pelapor", None),
    ]
    dishub = visits[2]
    # 16 Mar -> 2 Apr 2026 across Idul Fitri (18-24 Mar closed): 25,26,27,30,31 Mar, 1,2 Apr.
    assert dishub.working_days == 8 and dishub.outcome is VisitOutcome.LATE
    report = {r.desk: r for r in reader.sla_report(since=wib(2026, 3, 1), until=wib(2026, 5, 1))}
    assert report["unit:kota-cirebon/dishub"].returned == 1
    assert report["unit:kota-cirebon/dishub"].finished == 1
    assert report["unit:kota-cirebon/dinkes"].on_time_rate == 1.0
    assert report["tim-admin:kota-cirebon"].received == 2


def test_the_on_time_rate_does_not_flatter(side: tuple[LaporApp, ReadModels]) -> None:
    app, rm = side
    quick = file_complaint(app, wib(2026, 1, 5, 9))
    app.verify(quick.id, by=NATIONAL, at=wib(2026, 1, 5, 10))
    app.dispose(quick.id, to="kota-cirebon", by=NATIONAL, at=wib(2026, 1, 5, 10))
    file_complaint(app, wib(2026, 1, 5, 9))  # never touched: open past its limit by February
    reader = ViewReader(rm.db, app.policy)
    report = {r.desk: r for r in reader.sla_report(since=wib(2026, 1, 1), until=wib(2026, 2, 1))}
    national = report["lapor-sp4n"]
    assert (national.finished, national.open_past_limit, national.finished_within_limit) == (1, 1, 1)
    assert national.on_time_rate == 0.5 and national.breaches == 1


def test_public_status_labels_privacy_and_confidentiality(side: tuple[LaporApp, ReadModels]) -> None:
    app, rm = side
    reader = ViewReader(rm.db, app.policy)
    c = file_complaint(app, wib(2026, 1, 5, 9), anonymous=True)
    labels = [reader.public_status(c.id).label]  # type: ignore[union-attr]
    app.verify(c.id, by=NATIONAL, at=wib(2026, 1, 5, 10))
    labels.append(reader.public_status(c.id).label)  # type: ignore[union-attr]
    app.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=wib(2026, 1, 5, 11))
    app.verify(c.id, by=ADMIN, at=wib(2026, 1, 5, 11))
    app.dispose(c.id, to="dinkes", by=ADMIN, at=wib(2026, 1, 5, 11))
    app.respond(c.id, message="Sudah", by=DINKES, at=wib(2026, 1, 6, 9))
    labels.append(reader.public_status(c.id).label)  # type: ignore[union-attr]
    app.fire_due(wib(2026, 2, 1))
    labels.append(reader.public_status(c.id).label)  # type: ignore[union-attr]
    assert labels == ["Belum Terverifikasi", "Belum Ditindaklanjuti", "Proses", "Selesai"]
    archived = file_complaint(app, wib(2026, 1, 5, 9))
    app.archive(archived.id, reason="duplicate", by=NATIONAL, at=wib(2026, 1, 5, 10))
    escalated = file_complaint(app, wib(2026, 1, 5, 9))
    app.fire_due(wib(2026, 6, 1))
    assert reader.public_status(archived.id).label == "Diarsipkan"  # type: ignore[union-attr]
    assert reader.public_status(escalated.id).label == "Diteruskan ke Ombudsman"  # type: ignore[union-attr]
    secret = file_complaint(app, wib(2026, 1, 5, 9), confidential=True)
    assert reader.public_status(secret.id) is None
    listed = reader.public_statuses(limit=100)
    assert str(secret.id) not in {p.complaint_id for p in listed}
    shown = repr([p.model_dump(exclude={"complaint_id"}) for p in listed])  # an id's hex may hold 0812
    assert "Siti" not in shown and "0812" not in shown


def test_the_timeline_shows_identity_only_to_roles_allowed_to_see_it(
    side: tuple[LaporApp, ReadModels],
) -> None:
    app, _ = side
    app.register_reader_keys(OFFICE_KEYS)
    c = file_complaint(app, wib(2026, 1, 5, 9))
    app.verify(c.id, by=NATIONAL, at=wib(2026, 1, 5, 10), anonymous=True)
    app.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=wib(2026, 1, 6, 9))
    app.verify(c.id, by=ADMIN, at=wib(2026, 1, 6, 9))
    app.dispose(c.id, to="dinkes", by=ADMIN, at=wib(2026, 1, 6, 9))
    app.respond(c.id, message="Sudah", by=DINKES, at=wib(2026, 1, 7, 9))
    app.reply(c.id, message="Belum", by=REPORTER, at=wib(2026, 1, 8, 9))
    unit_officer = Actor.liaison("kota-cirebon", "dinkes", "x")
    for viewer in (None, unit_officer.role, unit_officer, NATIONAL.role):  # a bare role names no one
        text = repr(timeline(app, c.id, viewer=viewer))
        assert "Siti" not in text and "0812" not in text and "warga-123" not in text
    assert timeline(app, c.id, viewer=NATIONAL)[0].detail["reporter"] == "(dirahasiakan)", "no key at hand"
    app.hold_keys(OFFICE_KEYS)
    national_view = timeline(app, c.id, viewer=NATIONAL)
    assert national_view[0].detail["reporter"].startswith("Siti Aminah <0812")  # type: ignore[union-attr]
    assert national_view[-1].person == "warga-123"
    first, verified = national_view[0], national_view[1]
    assert (first.desk_before, first.desk_after, verified.working_days_since_previous) == (
        None,
        "lapor-sp4n",
        0,
    )
    assert first.deadline == "national desk limit" and first.deadline_at == wib(2026, 1, 9)


def test_timeline_as_of_shows_a_due_deadline_that_was_not_yet_swept(
    side: tuple[LaporApp, ReadModels],
) -> None:
    app, _ = side
    c = file_complaint(app, wib(2025, 3, 27, 10))
    to_unit(app, c.id, wib(2025, 4, 8, 9))
    app.respond(c.id, message="Sudah", by=DINKES, at=wib(2025, 4, 16, 14))
    before = timeline(app, c.id, as_of=wib(2025, 4, 10))
    assert [t.event for t in before][-1] == "Disposed"
    after = timeline(app, c.id, as_of=wib(2025, 5, 5))
    assert after[-1].event == "AutoClosed" and after[-1].recorded_at is None
    assert after[-1].at == wib(2025, 5, 3) and after[-1].working_days_since_previous == 10


# -- the properties ------------------------------------------------------------------------


@settings(max_examples=8)
@given(seed=st.integers(0, 10_000))
def test_incremental_equals_rebuilt_equals_a_pure_fold(
    tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    path = tmp_path_factory.mktemp("prop") / "lapor.db"
    app = OfficeApp(str(path))
    rm = ReadModels(app, batch=5).attach()
    try:
        random_walk(app, seed, complaints=6)
        incremental = stored(rm)
        assert incremental == as_rows(reference(app))
        rm.rebuild()
        assert stored(rm) == incremental
    finally:
        rm.close()
        app.close()


@settings(max_examples=8)
@given(seed=st.integers(0, 10_000), cut=st.integers(1, 120))
def test_as_of_replay_equals_the_views_built_from_the_events_up_to_then(
    tmp_path_factory: pytest.TempPathFactory, seed: int, cut: int
) -> None:
    folder = tmp_path_factory.mktemp("asof")
    app = OfficeApp(str(folder / "lapor.db"))
    live = ReadModels(app).attach()
    try:
        random_walk(app, seed, complaints=5)
        as_of = wib(2025, 3, 3) + (wib(2025, 3, 4) - wib(2025, 3, 3)) * cut
        before = stored(live)
        replay = live.build_as_of(as_of, str(folder / "as-of.db"))
        assert stored(replay) == as_rows(reference(app, as_of))
        assert stored(live) == before  # the live views are untouched
        reader = ViewReader(replay.db, app.policy)
        for cid in complaint_ids(app):
            status = reader.public_status(cid)
            if app.history(cid)[0].at > as_of:
                assert status is None  # not yet submitted then
                continue
            then = app.complaint(cid, as_of=as_of)
            assert (status is None) == app.complaint(cid).confidential  # rule 10: the flag as it is now
            assert status is None or status.label == public_label(then)
        replay.close()
    finally:
        live.close()
        app.close()


def test_two_catch_ups_racing_apply_each_event_once(tmp_path: Path) -> None:
    import threading

    app = OfficeApp(str(tmp_path / "lapor.db"))
    random_walk(app, 3, complaints=10)
    first, second = ReadModels(app, batch=3), ReadModels(app, batch=3)
    failures: list[BaseException] = []

    def run(rm: ReadModels) -> None:
        try:
            rm.catch_up()
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(rm,)) for rm in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert stored(first) == stored(second) == as_rows(reference(app))
    first.close()
    second.close()
    app.close()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("left", ["an earlier layout", "an index missing"])
def test_views_an_earlier_version_left_are_not_taken_as_complete(
    backend: str, left: str, tmp_path: Path
) -> None:
    """Opening complete views only reads (``ViewStore.ready``). Views of an earlier layout are
    rebuilt at the first catch-up; views without one of their indexes get it at opening."""
    target, schema = store_target(backend, tmp_path)
    app = OfficeApp(target)
    try:
        random_walk(app, 5, complaints=8)
        with ReadModels(app) as views:
            views.catch_up()
            table, index, _ = views.store._indexes()[0]
            with views.db.transaction() as cur:
                if left == "an earlier layout":
                    views.store.mark(cur, LAYOUT, VIEWS_LAYOUT - 1)
                    cur.execute(f"UPDATE {table} SET title = 'derived otherwise'")
                else:
                    cur.execute(f"DROP INDEX {views.db.table(index)}")
        with ReadModels(app) as views:
            with views.db.reading() as cur:
                assert views.db.have_all(cur, [index])
            views.catch_up()
            assert stored(views) == as_rows(reference(app))
            with views.db.reading() as cur:
                assert views.store.ready(cur)
    finally:
        app.close()
        if schema:
            drop_schema(schema)


def test_states_in_the_views_equal_the_domain_fold(side: tuple[LaporApp, ReadModels]) -> None:
    app, rm = side
    random_walk(app, 11, complaints=6)
    for cid in complaint_ids(app):
        assert fold(app.history(cid)) == app.complaint(cid)
        # the views keep no identity, sealed or not, no pseudonym, no last institution
        withheld = {"reporter_pseudonym": WITHHELD_PSEUDONYM, "identity": None, "last_institution": None}
        assert rm.store.load([cid])[cid].complaint == app.complaint(cid).changed(**withheld)


def test_a_rebuild_equals_the_incremental_views_and_the_pure_fold(side: tuple[LaporApp, ReadModels]) -> None:
    app, rm = side
    random_walk(app, 23, complaints=7)
    incremental = stored(rm)
    assert incremental == as_rows(reference(app))
    assert rm.rebuild() == len(complaint_events(app))
    assert stored(rm) == incremental and rm.position() == rm.head()


def test_a_first_catch_up_of_a_long_log_builds_and_gives_the_same_views(
    side: tuple[LaporApp, ReadModels], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, live = side
    random_walk(app, 17, complaints=6)
    monkeypatch.setattr(readside, "BUILD_FROM", 10)  # "long": a test-sized log
    fresh = ReadModels(app, ":memory:" if not app.target.is_persistent else None, batch=7)
    built = []
    rebuild = fresh.rebuild
    monkeypatch.setattr(fresh, "rebuild", lambda **kw: built.append(kw) or rebuild(**kw))
    if fresh.target == live.target:  # beside the events: start that store's views from nothing
        with fresh.db.transaction() as cur:
            fresh.store.drop(cur)
            fresh.store.create(cur)
    expected = as_rows(reference(app))
    assert fresh.catch_up() == len(complaint_events(app)) and len(built) == 1
    assert stored(fresh) == expected and fresh.position() == fresh.head()
    assert fresh.catch_up() == 0 and len(built) == 1  # caught up: nothing more, no second build
    fresh.close()


def test_a_build_up_to_a_position_then_caught_up_equals_the_live_views(
    side: tuple[LaporApp, ReadModels],
) -> None:
    """What a rebuild does when commands arrive while it builds: the rest comes by catch-up."""
    app, rm = side
    random_walk(app, 5, complaints=4)
    middle = rm.head()
    random_walk(app, 6, complaints=4, start=wib(2025, 9, 1, 8))
    beside = ViewStore(rm.db, prefix="test_beside_")
    with rm.db.transaction() as cur:
        beside.create(cur)
    applied = build_views(app, beside, until=middle)
    assert beside.position(LOG_POSITION) == middle
    assert applied == len(complaint_events(app)) - len(complaint_events(app, middle))
    assert rm._catch_up(beside, OrderedDict()) == len(complaint_events(app, middle))
    assert differences(rm.store, beside) == []


@pytest.mark.parametrize("as_of", [None, wib(2025, 4, 15, 12)], ids=["now", "as-of"])
@pytest.mark.parametrize(
    "kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)  # the in-memory store cannot be read from another process: it always builds in one
def test_a_build_in_several_processes_equals_one_in_a_single_process(
    kind: str, tmp_path: Path, as_of: datetime | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    target, schema = store_target(kind, tmp_path)
    # Closing days of its own (every Wednesday of the walk): a worker that lost the app's
    # policy would count other deadlines.
    wednesdays = {date(2025, 3, 5) + timedelta(weeks=w): "hari libur uji" for w in range(30)}
    policy = SlaPolicy.model_validate({**SlaPolicy.cirebon().model_dump(), "extra_closing_days": wednesdays})
    app = OfficeApp(target, policy=policy)
    split = []
    in_processes = build._build_in_processes
    monkeypatch.setattr(build, "_build_in_processes", lambda *a: split.append(a) or in_processes(*a))
    try:
        random_walk(app, 31, complaints=12)
        head = app.feed.head()
        views = target if kind == "postgres" else str(tmp_path / "views.db")
        single, parallel = (
            ViewStore(open_database(views), "single_"),
            ViewStore(open_database(views), "split_"),
        )
        for store in (single, parallel):
            with store.db.transaction() as cur:
                store.create(cur, indexes=False)
        told: list[tuple[int, int]] = []
        one = build_views(app, single, until=head, as_of=as_of)
        three = build_views(
            app, parallel, until=head, as_of=as_of, workers=3, views_target=views, parallel_from=0,
            progress=lambda done, total: told.append((done, total)),
        )  # fmt: skip
        assert len(split) == 1  # it did split
        assert one == three and differences(single, parallel) == []
        assert told[-1] == (head, head) and [d for d, _ in told] == sorted(d for d, _ in told)
        assert parallel.position(LOG_POSITION) == head
        single.db.close()
        parallel.db.close()
    finally:
        app.close()
        if schema:
            drop_schema(schema)


def test_the_key_space_shares_cover_every_id_once() -> None:
    for count in (1, 2, 3, 4, 7):
        cut = shares(count)
        assert cut[0].start is None and cut[-1].before is None and len(cut) == count
        assert all(a.before == b.start for a, b in itertools.pairwise(cut))


def test_a_worker_that_fails_says_why_instead_of_dying_silently(tmp_path: Path) -> None:
    job = _Job(
        events=str(tmp_path / "no-such-dir" / "lapor.db"), policy=SlaPolicy.cirebon().model_dump_json(),
        directory=kota_cirebon().model_dump_json(), views=str(tmp_path / "views.db"), prefix="", until=10,
        as_of=None, batch=10,
    )  # fmt: skip
    with pytest.raises(LaporError, match="cannot open"):
        _work(job, Share(None, None))


def test_a_failing_worker_s_error_reaches_the_caller_of_a_parallel_build(tmp_path: Path) -> None:
    app = OfficeApp(str(tmp_path / "lapor.db"))
    try:
        random_walk(app, 5, complaints=4)
        head = app.feed.head()
        store = ViewStore(open_database(str(tmp_path / "views.db")))
        with store.db.transaction() as cur:
            store.create(cur, indexes=False)
        unreachable = str(tmp_path / "no-such-dir" / "views.db")  # the workers' views: they cannot open it
        with pytest.raises(LaporError, match="cannot open"):
            build_views(app, store, until=head, workers=3, views_target=unreachable, parallel_from=0)
        store.db.close()
    finally:
        app.close()


def test_check_finds_nothing_on_healthy_views_and_names_a_tampered_row(
    side: tuple[LaporApp, ReadModels],
) -> None:
    app, rm = side
    random_walk(app, 4, complaints=5)
    assert rm.check() == []
    victim = next(iter(complaint_ids(app)))
    with rm.db.transaction() as cur:
        cur.execute(
            f"UPDATE {rm.store.complaints} SET label = ? WHERE complaint_id = ?", ("Palsu", victim.hex)
        )
        cur.execute(f"DELETE FROM {rm.store.visits} WHERE complaint_id = ? AND seq = 0", (victim.hex,))
    assert rm.check() == [f"complaints {victim.hex}: differs", f"visits {victim.hex}/0: missing"]
