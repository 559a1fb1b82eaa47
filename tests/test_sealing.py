"""Rule 14 through the library: sealed identities, the key store on every backend, erasure,
rotation, the disclosure register and sealing a log written before sealing existed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_domain import (
    NATIONAL_READER,
    Actor,
    IdentityErased,
    IdentityState,
    KeyRing,
    LaporApp,
    NotAllowed,
    NotPossibleInState,
    Reporter,
    admin_reader,
)
from lapor_domain.sealing import crypto
from lapor_domain.sealing.keystore import KeyExists
from lapor_projections import ReadModels, ViewReader, fold_views, timeline

from conftest import OFFICE_KEYS, OfficeApp, complaint_ids, drop_schema, store_target
from sop import ADMIN, DINKES, NATIONAL, REPORTER, STRANGER, file_complaint, to_unit, wib
from walk import random_walk

T0 = wib(2026, 1, 5, 9)
JABAR = Actor.admin("provinsi-jawa-barat", "admin-rina")


def keyed(app: LaporApp, ring: KeyRing = OFFICE_KEYS) -> LaporApp:
    app.register_reader_keys(ring)
    app.hold_keys(ring)
    return app


def finished(app: LaporApp) -> UUID:
    """A complaint answered by Dinkes and auto-closed ten working days later."""
    c = file_complaint(app, T0)
    to_unit(app, c.id, T0)
    app.respond(c.id, message="Sudah", by=DINKES, at=wib(2026, 1, 6, 9))
    app.fire_due(wib(2026, 2, 2))
    assert app.complaint(c.id).is_finished
    return c.id


def test_an_identity_opens_only_with_an_entitled_key(app: LaporApp) -> None:
    keyed(app)
    c = file_complaint(app, T0)
    assert c.identity is not None and not c.identity.is_plaintext and c.reporter_pseudonym.startswith("anon-")
    shown = app.identity(c.id, viewer=NATIONAL, purpose="verifikasi")
    assert shown.state is IdentityState.SHOWN and shown.identity is not None
    assert (shown.identity.reporter.name, shown.identity.account) == ("Siti Aminah", "warga-123")
    assert app.identity(c.id, viewer=ADMIN, purpose="x").state is IdentityState.WITHHELD, "not its desk yet"
    to_unit(app, c.id, T0)
    assert app.identity(c.id, viewer=ADMIN, purpose="x").state is IdentityState.SHOWN
    assert app.identity(c.id, viewer=JABAR, purpose="x").state is IdentityState.WITHHELD
    app.hold_keys(KeyRing())  # the database alone: a unit's officer with a copy of it
    assert app.identity(c.id, viewer=DINKES, purpose="x").state is IdentityState.SEALED
    register = app.disclosures(c.id)
    assert [(d.viewer, d.purpose) for d in register] == [(str(NATIONAL), "verifikasi"), (str(ADMIN), "x")]


def test_a_key_row_left_by_a_crashed_submission_gives_way_to_the_submission_entered_again(
    app: LaporApp,
) -> None:
    # A submission under its own id stores its key row, then its event: a crash between leaves
    # an orphan row. Entered again, the submission replaces it (new data key, new pseudonym
    # secret); a row whose complaint has events is never replaced.
    from lapor_domain.model.identity import ReporterIdentity

    keyed(app)
    cid = UUID("00000000-0000-4000-8000-00000000c0de")
    orphan = app.identities.seal(cid, ReporterIdentity(reporter=Reporter(name="Lama"), account="x"), T0)
    app.identities.store_sealed([orphan])
    secret = app.keystore.pseudonym_secret(cid)
    c = file_complaint(app, T0, complaint_id=cid)
    assert app.keystore.pseudonym_secret(cid) not in (None, secret)
    shown = app.identity(c.id, viewer=NATIONAL, purpose="verifikasi")
    assert shown.identity is not None and shown.identity.reporter.name == "Siti Aminah"
    assert len({w.reader for w in app.keystore.wraps(cid)}) == len(app.keystore.wraps(cid)) >= 1
    again = app.identities.seal(cid, ReporterIdentity(reporter=Reporter(name="Lain"), account="y"), T0)
    with pytest.raises(KeyExists):
        app.identities.store_sealed([again])
    assert app.identity(c.id, viewer=NATIONAL, purpose="x").identity == shown.identity


def test_the_national_desk_rewraps_for_the_holder_and_the_previous_holder_loses_it(app: LaporApp) -> None:
    keyed(app)
    c = file_complaint(app, T0)
    to_unit(app, c.id, T0)
    readers = {w.reader for w in app.keystore.wraps(c.id)}
    assert readers == {NATIONAL_READER, admin_reader("kota-cirebon")}
    app.return_up(c.id, reason="bukan wewenang", by=DINKES, at=T0)
    app.return_up(c.id, reason="bukan wewenang", by=ADMIN, at=T0)
    jabar = KeyRing.generate([admin_reader("provinsi-jawa-barat")])
    app.register_reader_keys(jabar)
    app.dispose(c.id, to="provinsi-jawa-barat", by=NATIONAL, at=T0)
    readers = {w.reader for w in app.keystore.wraps(c.id)}
    assert readers == {NATIONAL_READER, admin_reader("provinsi-jawa-barat")}
    app.hold_keys(jabar)
    assert app.identity(c.id, viewer=JABAR, purpose="x").state is IdentityState.SHOWN


def test_without_a_key_at_hand_the_rewrap_is_pending_until_a_key_holder_maintains(app: LaporApp) -> None:
    app.register_reader_keys(OFFICE_KEYS)  # an intake process: public keys only
    c = file_complaint(app, T0)
    to_unit(app, c.id, T0)
    assert {w.reader for w in app.keystore.wraps(c.id)} == {NATIONAL_READER}
    assert app.maintain_keys().pending == 0  # nothing it can do: no key at hand
    app.hold_keys(KeyRing(k for k in OFFICE_KEYS if k.reader == NATIONAL_READER))
    done = app.maintain_keys()
    assert (done.rewrapped, done.pending) == (1, 0)
    app.hold_keys(KeyRing(k for k in OFFICE_KEYS if k.reader != NATIONAL_READER))
    assert app.identity(c.id, viewer=ADMIN, purpose="x").state is IdentityState.SHOWN
    assert app.maintain_keys().rewrapped == 0  # idempotent


def test_no_reader_key_seals_for_no_one_and_everything_else_works(app: LaporApp) -> None:
    c = finished(app)
    assert app.identity(c, viewer=NATIONAL, purpose="x").state is IdentityState.SEALED
    assert app.keystore.wraps(c) == []
    keyed(app)  # keys registered later cannot open what was sealed for no one
    assert app.maintain_keys().rewrapped == 0
    assert app.identity(c, viewer=NATIONAL, purpose="x").state is IdentityState.SEALED


def test_only_the_complaints_own_reporter_replies_by_pseudonym(app: LaporApp) -> None:
    c = file_complaint(app, T0)
    to_unit(app, c.id, T0)
    app.respond(c.id, message="Sudah", by=DINKES, at=T0)
    with pytest.raises(NotAllowed):
        app.reply(c.id, message="Belum", by=STRANGER, at=T0)
    app.reply(c.id, message="Belum", by=REPORTER, at=T0)
    persons = {e.actor.person for e in app.history(c.id) if e.actor.role is REPORTER.role}
    assert persons == {c.reporter_pseudonym} and "warga-123" not in persons


def test_erasure_is_for_a_finished_complaint_by_its_desks_and_destroys_the_key(app: LaporApp) -> None:
    keyed(app)
    open_one = file_complaint(app, T0)
    with pytest.raises(NotPossibleInState):
        app.erase(open_one.id, reason="permintaan", by=NATIONAL, at=T0)
    cid = finished(app)
    for who in (JABAR, DINKES, REPORTER):
        with pytest.raises(NotAllowed):
            app.erase(cid, reason="permintaan", by=who, at=wib(2026, 2, 2))
    before = app.complaint(cid)
    after = app.erase(cid, reason="permintaan pelapor", by=ADMIN, at=wib(2026, 2, 2))
    assert after.identity_erased and after.version == before.version + 1
    assert after.last_event_at == before.last_event_at, "moves no business instant"
    assert isinstance(app.history(cid)[-1], IdentityErased)
    assert app.keystore.wraps(cid) == [] and not app.keystore.has_data_key(cid)
    assert app.identity(cid, viewer=NATIONAL, purpose="x").state is IdentityState.ERASED
    with pytest.raises(NotPossibleInState):
        app.erase(cid, reason="lagi", by=NATIONAL, at=wib(2026, 2, 2))


def test_erasure_leaves_every_view_as_it_was_but_the_identity(app: LaporApp) -> None:
    keyed(app)
    random_walk(app, 5, complaints=6, start=wib(2025, 3, 3, 8))
    at = wib(2025, 12, 1)
    app.fire_due(at)
    with ReadModels(app) as views:
        views.catch_up()
        reader = ViewReader(views.db, app.policy)
        ids = sorted(complaint_ids(app))

        def everything() -> object:
            return (reader.desks(at=at), reader.sla_report(since=wib(2025, 1, 1), until=at),
                    [reader.visits(cid, at=at) for cid in ids], [reader.public_status(cid) for cid in ids],
                    views.store.load(ids))  # fmt: skip

        before = everything()
        lines_before = {cid: timeline(app, cid, viewer=NATIONAL) for cid in ids}
        erased = [cid for cid in ids if app.complaint(cid).is_finished]
        assert erased
        for cid in erased:
            app.erase(cid, reason="retensi", by=NATIONAL, at=at)
        views.catch_up()
        assert everything() == before
        assert views.check() == []
        for cid in erased:
            after = timeline(app, cid, viewer=NATIONAL)
            assert after[-1].event == "IdentityErased" and len(after) == len(lines_before[cid]) + 1
            strip = {"person", "detail"}
            assert [e.model_dump(exclude=strip) for e in after[:-1]] == [
                e.model_dump(exclude=strip) for e in lines_before[cid]
            ]
            assert after[0].detail["reporter"] == "(dirahasiakan)"
        views = fold_views([r.event for r in app.feed.since()], app.rules.calendars)
        assert views.complaints.keys() == set(ids)


def test_erase_expired_erases_what_the_retention_has_passed(app: LaporApp) -> None:
    cid = finished(app)
    finished_at = app.complaint(cid).last_event_at
    retention = app.policy.identity_retention
    assert app.erase_expired(by=NATIONAL, at=wib(2026, 2, 3)) == []
    late = finished_at + retention
    app.office_clock.follow(late)  # type: ignore[attr-defined]
    assert app.erase_expired(by=NATIONAL, at=late) == [cid]
    assert app.erase_expired(by=NATIONAL, at=late) == []


def test_a_racing_erase_erases_once(shared_target: str) -> None:
    first = keyed(OfficeApp(shared_target))
    second = keyed(OfficeApp(shared_target))
    try:
        cid = finished(first)
        second.office_clock.follow(wib(2026, 2, 2))
        outcomes: list[object] = []

        def erase(app: LaporApp) -> None:
            try:
                outcomes.append(app.erase(cid, reason="race", by=NATIONAL, at=wib(2026, 2, 2)))
            except NotPossibleInState as exc:
                outcomes.append(exc)

        threads = [threading.Thread(target=erase, args=(a,)) for a in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(isinstance(o, NotPossibleInState) for o in outcomes) == 1
        assert [type(e) for e in first.history(cid)].count(IdentityErased) == 1
        assert not first.keystore.has_data_key(cid) and first.keystore.wraps(cid) == []
        # a re-wrap racing the erasure cannot bring a wrap back: a wrap is kept only with its data key
        first.keystore.add_wraps([crypto_wrap(cid)])
        assert first.keystore.wraps(cid) == []
    finally:
        first.close()
        second.close()


def crypto_wrap(cid: UUID):  # type: ignore[no-untyped-def]
    from lapor_domain.sealing.keystore import Wrap

    k = next(iter(OFFICE_KEYS))
    return Wrap(cid, k.key_id, k.reader, crypto.wrap(k.public, k.reader, cid, crypto.new_secret()))


def test_rotation_rewraps_every_key_and_an_old_key_store_copy_is_useless(tmp_path: Path) -> None:
    key_file = tmp_path / "office.keys"
    OFFICE_KEYS.save(key_file)
    app = keyed(OfficeApp(str(tmp_path / "lapor.db")))
    try:
        ids = [finished(app), file_complaint(app, wib(2026, 2, 3)).id]
        old_copy = (tmp_path / "lapor.db.keys").read_bytes()
        done = app.rotate_keys(key_file)
        assert sorted(done.readers) == sorted(OFFICE_KEYS.readers)
        assert done.rewrapped >= 3  # and the rows reserved ahead
        new = KeyRing.load(key_file)
        assert {k.key_id for k in new}.isdisjoint({k.key_id for k in OFFICE_KEYS})
        assert not (tmp_path / "office.keys.next").exists()
        for cid in ids:
            assert app.identity(cid, viewer=NATIONAL, purpose="x").state is IdentityState.SHOWN
            assert {w.key_id for w in app.keystore.wraps(cid)} <= {k.key_id for k in new}
        assert {k.key_id for k in app.reader_keys()} == {k.key_id for k in new}
    finally:
        app.close()
    (tmp_path / "restored.db.keys").write_bytes(old_copy)  # an old backup of the key store
    restored = str(tmp_path / "restored.db.keys")
    new_keys = KeyRing.load(key_file)
    old = LaporApp(str(tmp_path / "lapor.db"), clock=app.office_clock, keystore=restored, keys=new_keys)
    try:
        assert all(old.identity(c, viewer=NATIONAL, purpose="x").state is IdentityState.SEALED for c in ids)
    finally:
        old.close()


def test_identities_recorded_before_sealing_are_sealed_in_place_once(tmp_path: Path) -> None:
    import sqlite3

    app = OfficeApp(str(tmp_path / "old.db"))
    try:
        c = file_complaint(app, T0)
        to_unit(app, c.id, T0)
        app.respond(c.id, message="Sudah", by=DINKES, at=T0)
        app.reply(c.id, message="Belum", by=REPORTER, at=T0)
    finally:
        app.close()
    conn = sqlite3.connect(tmp_path / "old.db")  # as an earlier version wrote them: in plain text
    with conn:
        conn.execute(
            "UPDATE stored_events SET state = ? WHERE topic = 'lapor.Submitted'",
            (b'{"at":"2026-01-05T09:00:00+07:00","recorded_at":"2026-01-05T09:00:00+07:00",'
             b'"actor":{"role":"pelapor","person":"warga-123","institution":null,"unit":null},'
             b'"reporter":{"name":"Siti Aminah","contact":"0812"},"title":"t","description":"d",'
             b'"anonymous":false,"confidential":false}',),
        )  # fmt: skip
        conn.execute(
            "UPDATE stored_events SET state = CAST(replace(CAST(state AS TEXT), ?, 'warga-123') AS BLOB) "
            "WHERE topic = 'lapor.ReporterReplied'",
            (c.reporter_pseudonym,),
        )
    conn.close()
    (tmp_path / "old.db.keys").unlink()
    app = keyed(OfficeApp(str(tmp_path / "old.db")))
    try:
        old = app.identity(c.id, viewer=NATIONAL, purpose="x")
        assert old.state is IdentityState.SHOWN and old.reader == "plaintext"
        assert app.seal_plaintext_identities() == 1
        assert app.seal_plaintext_identities() == 0
        sealed = app.identity(c.id, viewer=ADMIN, purpose="x")
        assert sealed.state is IdentityState.SHOWN and sealed.reader != "plaintext"
        assert sealed.identity is not None and sealed.identity.account == "warga-123"
        persons = {e.actor.person for e in app.history(c.id) if e.actor.role is REPORTER.role}
        assert persons == {app.complaint(c.id).reporter_pseudonym}
    finally:
        app.close()
    log = (tmp_path / "old.db").read_bytes()
    assert b"Siti" not in log and b"warga-123" not in log


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), erase_share=st.floats(0, 1))
def test_every_identity_opens_to_what_was_submitted_until_it_is_erased(
    fresh_store: Callable[[], tuple[str, str | None]], seed: int, erase_share: float
) -> None:
    """Random histories with the key store on the backend: the identity each viewer gets is
    rule 10's answer, opened to exactly what was submitted, and erased ones stay erased."""
    target, schema = fresh_store()
    app = keyed(OfficeApp(target))
    try:
        last = random_walk(app, seed, complaints=4, start=wib(2025, 3, 3, 8))
        app.fire_due(last)
        ids = sorted(complaint_ids(app))
        erased = set()
        for n, cid in enumerate(ids):
            c = app.complaint(cid)
            shown = app.identity(cid, viewer=NATIONAL, purpose="property")
            assert shown.identity is not None
            index = int(shown.identity.account.removeprefix("warga-"))
            assert shown.identity.reporter == Reporter(name=f"Warga {index}")
            unit = Actor.liaison("kota-cirebon", "dinkes", "x")
            may = not c.anonymous and c.entitled_institution == "kota-cirebon"
            assert (app.identity(cid, viewer=unit, purpose="p").state is IdentityState.SHOWN) == may
            if c.is_finished and n / len(ids) < erase_share:
                app.erase(cid, reason="property", by=NATIONAL, at=last)
                erased.add(cid)
        for cid in ids:
            state = app.identity(cid, viewer=NATIONAL, purpose="property").state
            assert (state is IdentityState.ERASED) == (cid in erased)
    finally:
        app.close()
        if schema:
            drop_schema(schema)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[], tuple[str, str | None]]:
    """A fresh store per example: the log and its key store on SQLite or PostgreSQL."""
    return lambda: store_target(request.param, tmp_path_factory.mktemp("seal"))


def test_a_batch_of_wraps_shares_one_key_agreement_and_each_opens_only_as_its_own() -> None:
    from uuid import uuid4

    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    private = X25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    wrapper = crypto.Wrapper(public)
    ids, data_keys = [uuid4() for _ in range(5)], [crypto.new_secret() for _ in range(5)]
    wraps = [wrapper(NATIONAL_READER, cid, key) for cid, key in zip(ids, data_keys, strict=True)]
    assert len({w[:32] for w in wraps}) == 1  # one ephemeral key for the batch
    assert len({w[32:44] for w in wraps}) == 5  # a nonce of its own each
    for cid, key, wrapped in zip(ids, data_keys, wraps, strict=True):
        assert crypto.unwrap(private, NATIONAL_READER, cid, wrapped) == key
    with pytest.raises(crypto.Unreadable):
        crypto.unwrap(private, NATIONAL_READER, ids[1], wraps[0])  # moved to another complaint
