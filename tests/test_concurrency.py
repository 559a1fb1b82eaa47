"""Two writers on one complaint: one wins, the other retries or is told; nothing lost or doubled."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from lapor_domain import LaporApp, LaporError, NotAllowed, NotPossibleInState

from conftest import OfficeApp, drop_schema, store_target
from sop import ADMIN, DINKES, NATIONAL, file_complaint, to_unit, wib

SHARED = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]
T0 = wib(2026, 1, 5, 9)


@pytest.fixture(params=SHARED)
def two_apps(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[LaporApp, LaporApp]]:
    """Two applications (two processes' worth of state) on one store."""
    target, schema = store_target(request.param, tmp_path)
    first, second = OfficeApp(target), OfficeApp(target)
    yield first, second
    first.close()
    second.close()
    if schema:
        drop_schema(schema)


def test_a_stale_writer_retries_against_the_new_state(two_apps: tuple[LaporApp, LaporApp]) -> None:
    a, b = two_apps
    c = file_complaint(a, T0)
    to_unit(a, c.id, T0)
    b.complaint(c.id)  # b caches the complaint at this version

    # Between b's decision and b's write, a responds: b's write conflicts, b reloads and
    # decides again, and its own respond is then refused because the desk moved.
    original = b.log.append
    raced = False

    def race_then_append(events, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal raced
        if not raced:
            raced = True
            a.respond(c.id, message="Jawaban A", by=DINKES, at=T0)
        original(events, **kwargs)

    b.log.append = race_then_append  # type: ignore[method-assign]
    with pytest.raises(NotAllowed):
        b.respond(c.id, message="Jawaban B", by=DINKES, at=T0)
    names = [e.name for e in a.history(c.id)]
    assert names.count("lapor.Responded") == 1
    assert [e.message for e in a.history(c.id) if e.name == "lapor.Responded"] == ["Jawaban A"]  # type: ignore[attr-defined]


def test_racing_threads_verify_each_complaint_once(two_apps: tuple[LaporApp, LaporApp]) -> None:
    a, b = two_apps
    ids = [file_complaint(a, T0).id for _ in range(20)]
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def work(app: LaporApp) -> None:
        barrier.wait()
        for cid in ids:
            try:
                app.verify(cid, by=NATIONAL, at=T0)
                result = "verified"
            except LaporError as exc:
                result = type(exc).__name__
            with lock:
                outcomes[result] += 1

    threads = [threading.Thread(target=work, args=(app,)) for app in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes["verified"] == len(ids)
    assert set(outcomes) <= {"verified", "NotPossibleInState", "ConcurrentUpdate"}
    for cid in ids:
        assert [e.name for e in a.history(cid)].count("lapor.Verified") == 1


def test_two_sweepers_fire_each_deadline_once(two_apps: tuple[LaporApp, LaporApp]) -> None:
    a, b = two_apps
    ids = [file_complaint(a, T0).id for _ in range(15)]
    for cid in ids[:5]:
        a.archive(cid, reason="duplicate", by=NATIONAL, at=T0)
    fired: list[list[object]] = [[], []]
    barrier = threading.Barrier(2)

    def sweep(i: int, app: LaporApp) -> None:
        barrier.wait()
        fired[i] = list(app.fire_due(wib(2026, 12, 31)))

    threads = [threading.Thread(target=sweep, args=(i, app)) for i, app in enumerate((a, b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(fired[0]) + len(fired[1]) == 10
    for cid in ids[5:]:
        assert [e.name for e in b.history(cid)].count("lapor.EscalatedToOmbudsman") == 1
    assert a.fire_due(wib(2026, 12, 31)) == b.fire_due(wib(2026, 12, 31)) == []


def test_a_second_process_sees_the_first_ones_writes(two_apps: tuple[LaporApp, LaporApp]) -> None:
    a, b = two_apps
    c = file_complaint(a, T0)
    b.complaint(c.id)
    a.verify(c.id, by=NATIONAL, at=T0)
    a.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=T0)
    seen = b.complaint(c.id)
    assert seen.desk is not None and seen.desk.key == "tim-admin:kota-cirebon"
    with pytest.raises(NotPossibleInState):
        b.dispose(c.id, to="dinkes", by=ADMIN, at=T0)


def test_a_stale_cache_never_refuses_wrongly(two_apps: tuple[LaporApp, LaporApp]) -> None:
    a, b = two_apps
    c = file_complaint(a, T0)
    b.complaint(c.id)  # b caches it on the national desk
    a.verify(c.id, by=NATIONAL, at=T0)
    a.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=T0)
    # On b's cached state the admin team holds nothing; on the fresh state it does.
    verified = b.verify(c.id, by=ADMIN, at=T0)
    assert verified.admin_verified and verified.version == 4
    assert [e.name for e in a.history(c.id)][-1] == "lapor.Verified"
