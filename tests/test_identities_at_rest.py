"""The read models keep no reporter's identity: not in any view table, not in a replay file.

(The event log still holds identities in plain text until they are sealed: DOMAIN.md rule 14.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lapor_domain import Actor, LaporApp, Reporter
from lapor_projections import ReadModels
from lapor_projections.store import TABLES

from conftest import BACKENDS, OfficeApp, drop_schema, store_target
from sop import NATIONAL, to_unit, wib

MARKERS = ("zzname-7f3a", "zzcontact-7f3a", "zzperson-7f3a")
T0 = wib(2026, 1, 5, 9)


def with_marked_reporters(app: LaporApp) -> None:
    for n in range(4):
        c = app.submit(
            by=Actor.reporter(f"{MARKERS[2]}-{n}"), at=T0, title=f"Laporan {n}", description="Keluhan",
            reporter=Reporter(name=f"{MARKERS[0]} {n}", contact=f"{MARKERS[1]}-{n}"), anonymous=n % 2 == 0,
        )  # fmt: skip
        if n < 3:
            to_unit(app, c.id, T0)
    app.verify(c.id, by=NATIONAL, at=T0)


def every_value(views: ReadModels) -> str:
    found = []
    for table in TABLES:
        for row in views.db.query(f"SELECT * FROM {views.db.table(table)}"):
            found += [str(value) for value in row]
    return "\n".join(found)


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b.id != "memory"])
def test_no_view_table_holds_an_identity(backend: str, tmp_path: Path) -> None:
    target, schema = store_target(backend, tmp_path)
    app = OfficeApp(target)
    try:
        with_marked_reporters(app)
        with ReadModels(app) as views:
            views.catch_up()
            assert views.store.load([e.originator_id for _, e in app.feed.since()])
            held = every_value(views)
            assert "Laporan 1" in held  # the views do hold the complaints
            assert not [m for m in MARKERS if m in held]
            views.rebuild()
            assert not [m for m in MARKERS if m in every_value(views)]
    finally:
        app.close()
        if schema:
            drop_schema(schema)


def test_a_replay_file_holds_no_identity_byte(tmp_path: Path) -> None:
    app = OfficeApp(str(tmp_path / "live.db"))
    try:
        with_marked_reporters(app)
        with ReadModels(app) as views:
            views.catch_up()
            replay = views.build_as_of(wib(2026, 1, 6), str(tmp_path / "then.db"))
            replay.close()
        written = b"".join(p.read_bytes() for p in tmp_path.glob("then.db*"))
        assert b"Laporan 1" in written
        assert not [m for m in MARKERS if m.encode() in written]
    finally:
        app.close()
