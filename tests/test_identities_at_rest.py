"""No reporter's identity at rest in plain text (DOMAIN.md rule 14): not in the log's files
(WAL included), the views, replay files or leftovers, nor in any column of any table on
PostgreSQL; and once erased, not recoverable even by decrypting with every key file held."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from lapor_domain import Actor, IdentityState, LaporApp, Reporter, SealedIdentity, Submitted
from lapor_domain.sealing import crypto
from lapor_projections import ReadModels
from lapor_projections.store import TABLES

from conftest import BACKENDS, OFFICE_KEYS, PG_DSN, OfficeApp, drop_schema, store_target
from sop import DINKES, NATIONAL, to_unit, wib

MARKERS = ("zzname-7f3a", "zzcontact-7f3a", "zzperson-7f3a", "zznik-7f3a")
T0 = wib(2026, 1, 5, 9)


def with_marked_reporters(app: LaporApp) -> list[UUID]:
    ids = []
    for n in range(4):
        c = app.submit(
            by=Actor.reporter(f"{MARKERS[2]}-{n}"), at=T0, title=f"Laporan {n}", description="Keluhan",
            reporter=Reporter(name=f"{MARKERS[0]} {n}", contact=f"{MARKERS[1]}-{n}",
                              id_number=f"{MARKERS[3]}-{n}"),
            anonymous=n % 2 == 0,
        )  # fmt: skip
        ids.append(c.id)
        if n < 3:
            to_unit(app, c.id, T0)
            app.respond(c.id, message="Sudah", by=DINKES, at=T0)
            app.reply(c.id, message="Belum", by=Actor.reporter(f"{MARKERS[2]}-{n}"), at=T0)
            app.respond(c.id, message="Sudah", by=DINKES, at=T0)
    app.verify(c.id, by=NATIONAL, at=T0)
    app.fire_due(wib(2026, 2, 2))
    return ids


def every_value(views: ReadModels) -> str:
    found = []
    for table in TABLES:
        for row in views.db.query(f"SELECT * FROM {views.db.table(table)}"):
            found += [str(value) for value in row]
    return "\n".join(found)


def files_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def leaked(data: bytes | str) -> list[str]:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return [m for m in MARKERS if m in text]


def postgres_columns(*schemas: str) -> str:
    """Every value of every column of every table of these schemas, as text."""
    import psycopg

    found = []
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ANY(%s)",
            (list(schemas),),
        ).fetchall()
        for schema, table in tables:
            for row in conn.execute(f'SELECT * FROM "{schema}"."{table}"'):
                found += [bytes(v).decode("utf-8", "replace") if isinstance(v, bytes | memoryview) else str(v)
                          for v in row]  # fmt: skip
    return "\n".join(found)


def recoverable(log_events: list[Submitted], wraps: dict[UUID, list[tuple[str, str, bytes]]]) -> str:
    """Everything an attacker holding the log, a key store and every key file could decrypt."""
    opened = []
    for event in log_events:
        for reader, kid, blob in wraps.get(event.originator_id, []):
            for key in OFFICE_KEYS:
                try:
                    data_key = crypto.unwrap(key.private, reader, event.originator_id, blob)
                    identity = crypto.open_sealed(data_key, event.originator_id, event.identity)
                    opened.append(identity.to_bytes())
                except crypto.Unreadable:
                    continue
            del kid
    return b"\n".join(opened).decode()


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b.id != "memory"])
def test_no_store_holds_an_identity_and_an_erased_one_is_gone(backend: str, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    target, schema = store_target(backend, folder)
    app = OfficeApp(target, keys=OFFICE_KEYS)
    app.register_reader_keys(OFFICE_KEYS)
    try:
        ids = with_marked_reporters(app)
        with ReadModels(app) as views:
            views.catch_up()
            held = every_value(views)
            assert "Laporan 1" in held and not leaked(held)
            views.rebuild()
            assert not leaked(every_value(views))
            views.build_as_of(wib(2026, 1, 6), str(tmp_path / "then.db")).close()
        assert not leaked(files_under(tmp_path))  # the log, its WAL, the key store, the replay
        if schema:
            assert "Laporan 1" in postgres_columns(schema)
            assert not leaked(postgres_columns(schema, f"{schema}_keys"))
        shown = app.identity(ids[0], viewer=NATIONAL, purpose="test")
        assert shown.identity is not None and MARKERS[0] in shown.identity.reporter.name
        finished = [cid for cid in ids if app.complaint(cid).is_finished]
        assert len(finished) == 3
        destroyed = [w.wrapped for cid in finished for w in app.keystore.wraps(cid)]
        assert destroyed
        before = [e for _, e in app.feed.since() if isinstance(e, Submitted)]  # a copy of the log before
        for cid in finished:
            app.erase(cid, reason="permintaan pelapor", by=NATIONAL, at=wib(2026, 2, 2))
        states = {app.identity(c, viewer=NATIONAL, purpose="t").state for c in finished}
        assert states == {IdentityState.ERASED}
        submitted = [e for _, e in app.feed.since() if isinstance(e, Submitted)]
        assert submitted == before
        wraps = {cid: [(w.reader, w.key_id, w.wrapped) for w in app.keystore.wraps(cid)] for cid in ids}
        opened = recoverable(submitted, wraps)
        assert f"{MARKERS[0]} 3" in opened, "the one not erased still opens with the key files"
        assert not [m for m in (f"{MARKERS[0]} {n}" for n in range(3)) if m in opened]
        if backend == "sqlite":  # no page of the key store's file or its WAL keeps a destroyed wrap
            keys_files = b"".join(p.read_bytes() for p in folder.glob("*.keys*"))
            assert keys_files and not [w for w in destroyed if w in keys_files]
    finally:
        app.close()
        if schema:
            drop_schema(schema)



def test_a_sealed_identity_is_bound_to_its_complaint() -> None:
    key = crypto.new_secret()
    a, b = UUID(int=1), UUID(int=2)
    from lapor_domain import ReporterIdentity

    sealed: SealedIdentity = crypto.seal(key, a, ReporterIdentity(reporter=Reporter(name="x"), account="y"))
    assert crypto.open_sealed(key, a, sealed).account == "y"
    with pytest.raises(crypto.Unreadable):
        crypto.open_sealed(key, b, sealed)  # moved to another complaint: does not open
    k = next(iter(OFFICE_KEYS))
    blob = crypto.wrap(k.public, k.reader, a, key)
    assert crypto.unwrap(k.private, k.reader, a, blob) == key
    for reader, cid in ((k.reader, b), ("tim-admin:other", a)):
        with pytest.raises(crypto.Unreadable):
            crypto.unwrap(k.private, reader, cid, blob)
