"""Rule 15: the tamper-evident log. Digests chain each complaint's events, the tree head
covers every digest in log order, signed heads and kept checkpoints cover what a tamperer who
recomputes everything could rewrite; `verify` names the first place affected every time.

Tampering is done with raw SQL on a copy of one log, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import itertools
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_domain import (
    GENESIS,
    Actor,
    AuditReport,
    Checkpoint,
    InvalidInput,
    LaporApp,
    LogNotUpgraded,
    Reporter,
    SigningKey,
    event_digest,
    fold,
)
from lapor_domain.merkle import Frontier, leaf_hash, root

from conftest import PG_DSN, SHARED, OfficeApp, complaint_events, complaint_ids, drop_schema, store_target
from sop import wib
from walk import random_walk

TABLES = ("stored_events", "lapor_deadlines", "lapor_tree_head", "lapor_signed_heads", "lapor_overrides")


class Store:
    """Raw access to one store's tables, as a tamperer with the database has it."""

    def __init__(self, kind: str, target: str, schema: str | None) -> None:
        self.kind, self.target, self.schema = kind, target, schema
        self.position = "rowid" if kind == "sqlite" else "notification_id"

    def sql(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.kind == "sqlite":
            with sqlite3.connect(self.target) as conn:
                rows = conn.execute(statement, params).fetchall()
            conn.close()
            return rows
        import psycopg

        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f'SET search_path TO "{self.schema}"')
            cursor = conn.execute(statement.replace("?", "%s"), params)
            return list(cursor.fetchall()) if cursor.description else []

    def rows(self) -> list[tuple[Any, ...]]:
        """(position, complaint id as stored, version, topic, state) in log order."""
        return self.sql(
            f"SELECT {self.position}, originator_id, originator_version, topic, state FROM stored_events "
            f"ORDER BY {self.position}"
        )

    def copy(self, tmp: Path) -> Store:
        """A copy of the whole store (a fresh file, or a fresh schema), to tamper with."""
        if self.kind == "sqlite":
            target = tmp / f"copy-{uuid.uuid4().hex[:8]}.db"
            with sqlite3.connect(self.target) as source, sqlite3.connect(target) as dest:
                source.backup(dest)
            return Store("sqlite", str(target), None)
        schema = f"lapor_copy_{uuid.uuid4().hex[:12]}"
        copy = Store("postgres", f"{PG_DSN}?schema={schema}", schema)
        self.sql(f'CREATE SCHEMA "{schema}"')
        for table in TABLES:
            self.sql(f'CREATE TABLE "{schema}".{table} (LIKE "{self.schema}".{table} INCLUDING ALL)')
            self.sql(f'INSERT INTO "{schema}".{table} SELECT * FROM "{self.schema}".{table}')
        return copy

    def drop(self) -> None:
        if self.schema:
            drop_schema(self.schema)

    def audit(self, **kwargs: Any) -> AuditReport:
        app = LaporApp(self.target, clock=lambda: wib(2026, 11, 27))
        try:
            return app.ledger.verify(**kwargs)
        finally:
            app.close()


@dataclass
class Log:
    store: Store
    key: SigningKey
    checkpoint: Checkpoint


@pytest.fixture(scope="module", params=SHARED)
def log(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Log]:
    """A log of a dozen complaints, a third of the way signed, then signed at its end."""
    kind = request.param
    target, schema = store_target(kind, tmp_path_factory.mktemp("ledger"))
    app = OfficeApp(target)
    key = SigningKey.generate()
    try:
        random_walk(app, 15, complaints=4)
        app.ledger.sign(key)
        last = random_walk(app, 16, complaints=8, start=wib(2025, 9, 1, 8))
        for n in range(2):  # complaints whose escalation clock still runs
            who = Actor.reporter(f"r{n}")
            app.submit(by=who, at=last, reporter=Reporter(name=f"R{n}"), title="Laporan", description="d")
        kept = app.ledger.checkpoint(key)
    finally:
        app.close()
    store = Store(kind, target, schema)
    yield Log(store, key, kept)
    store.drop()


@pytest.fixture
def copy(log: Log, tmp_path: Path) -> Iterator[Store]:
    store = log.store.copy(tmp_path)
    yield store
    store.drop()


def hex_of(cid: Any) -> str:
    return cid if isinstance(cid, str) else cid.hex


def uuid_of(cid: Any) -> uuid.UUID:
    return uuid.UUID(hex_of(cid))


# -- an untouched log ------------------------------------------------------------------


def test_an_untouched_log_passes_every_check(log: Log) -> None:
    report = log.store.audit(trust=[log.key.public], checkpoint=log.checkpoint)
    assert report.ok, report.failures
    assert [c.name for c in report.checks] == [
        "chains",
        "tree head",
        "signatures",
        "checkpoint",
        "deadline index",
    ]
    events = len(log.store.rows())
    assert report.events == events == log.checkpoint.size
    assert report.check("signatures").covers == events
    assert report.check("checkpoint").covers == events
    assert report.trusted == (log.key.public.fingerprint,)


def test_without_a_trusted_key_signatures_are_not_counted(log: Log) -> None:
    report = log.store.audit()
    assert report.ok
    assert report.check("signatures").status == "skipped" and report.check("signatures").covers == 0


def test_the_digests_follow_the_rule_and_the_head_is_their_tree(log: Log) -> None:
    """Recomputed here from the raw rows with the one public digest rule and RFC 9162."""
    last: dict[str, bytes] = {}
    leaves = []
    for _, cid, version, topic, state in log.store.rows():
        previous = last.get(hex_of(cid), GENESIS)
        digest = event_digest(hex_of(cid), version, topic, bytes(state), previous)
        last[hex_of(cid)] = digest
        leaves.append(leaf_hash(digest))
    (size, frontier), *_ = log.store.sql("SELECT size, frontier FROM lapor_tree_head")
    assert size == len(leaves) and Frontier.from_bytes(bytes(frontier)).root() == root(leaves)


# -- tampering, each kind, named --------------------------------------------------------


def failing(report: AuditReport) -> dict[str, Any]:
    assert not report.ok, "tampering went unnoticed"
    return {c.name: c.first for c in report.failures}


def middle(store: Store) -> tuple[Any, ...]:
    """An event in the middle of the log whose complaint has a later event."""
    rows = store.rows()
    later = {hex_of(r[1]) for r in rows[len(rows) // 2 + 1 :]}
    return next(r for r in rows[len(rows) // 2 :] if hex_of(r[1]) in later)


def test_a_flipped_byte_is_named(copy: Store) -> None:
    position, cid, version, _, state = middle(copy)
    flipped = bytearray(state)
    flipped[len(flipped) // 2] ^= 0x01
    copy.sql(f"UPDATE stored_events SET state = ? WHERE {copy.position} = ?", (bytes(flipped), position))
    first = failing(copy.audit(deadlines=False))["chains"]
    assert (first.position, first.complaint_id, first.version) == (position, uuid_of(cid), version)


def test_a_deleted_event_is_named(copy: Store) -> None:
    position, cid, version, _, _ = middle(copy)
    rows = copy.rows()
    after = next(r for r in rows if r[0] > position)
    copy.sql(f"DELETE FROM stored_events WHERE {copy.position} = ?", (position,))
    found = failing(copy.audit(deadlines=False))
    assert found["tree head"].position == after[0]  # the leaf numbering breaks where it was
    chained = next(r for r in rows if hex_of(r[1]) == hex_of(cid) and r[2] == version + 1)
    assert (found["chains"].complaint_id, found["chains"].version) == (uuid_of(cid), chained[2])


def test_a_forged_event_is_named_with_or_without_a_digest(copy: Store) -> None:
    position, cid, _, topic, state = copy.rows()[-1]
    versions = [r[2] for r in copy.rows() if hex_of(r[1]) == hex_of(cid)]
    forged = (cid, max(versions) + 1, topic, bytes(state))
    copy.sql(
        "INSERT INTO stored_events (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
        forged,
    )
    first = failing(copy.audit(deadlines=False))["chains"]
    assert (first.complaint_id, first.version) == (uuid_of(cid), max(versions) + 1)
    # A tamperer who knows the rule chains it properly, but cannot move the head unnoticed:
    where = "WHERE originator_id = ? AND originator_version = ?"
    (previous,), *_ = copy.sql(f"SELECT digest FROM stored_events {where}", (cid, max(versions)))
    digest = event_digest(hex_of(cid), max(versions) + 1, topic, bytes(state), bytes(previous))
    (size,), *_ = copy.sql("SELECT size FROM lapor_tree_head")
    copy.sql(
        f"UPDATE stored_events SET leaf = ?, digest = ?, previous = ? {where}",
        (size, digest, bytes(previous), cid, max(versions) + 1),
    )
    found = failing(copy.audit(deadlines=False))
    assert list(found) == ["tree head"] and found["tree head"].position > position


def test_two_swapped_events_are_named(copy: Store) -> None:
    rows = copy.rows()
    a, b = rows[3], rows[len(rows) // 2]
    temporary = uuid.uuid4().hex if copy.kind == "sqlite" else uuid.uuid4()
    set_content = (
        f"UPDATE stored_events SET originator_id = ?, originator_version = ?, topic = ?, state = ? "
        f"WHERE {copy.position} = ?"
    )
    copy.sql(set_content, (temporary, 1, a[3], a[4], a[0]))
    copy.sql(set_content, (*a[1:], b[0]))
    copy.sql(set_content, (*b[1:], a[0]))
    first = failing(copy.audit(deadlines=False))["chains"]
    assert first.position == a[0]


def test_a_truncated_tail_is_named(copy: Store) -> None:
    rows = copy.rows()
    copy.sql(f"DELETE FROM stored_events WHERE {copy.position} > ?", (rows[-4][0],))
    first = failing(copy.audit(deadlines=False))["tree head"]
    assert first.position == rows[-4][0]  # the last event left; the three after it are missing


@pytest.mark.parametrize("change", ["changed", "restarted", "deleted", "added"])
def test_a_tampered_deadline_row_is_named(copy: Store, change: str) -> None:
    rows = copy.sql("SELECT complaint_id FROM lapor_deadlines ORDER BY complaint_id")
    assert rows, "the walk leaves some clock running"
    (cid,) = rows[0]
    if change == "changed":
        copy.sql("UPDATE lapor_deadlines SET due_us = due_us + 1 WHERE complaint_id = ?", (cid,))
    elif change == "restarted":  # an amendment's repair would count from the wrong start
        copy.sql("UPDATE lapor_deadlines SET start_us = start_us - 1 WHERE complaint_id = ?", (cid,))
    elif change == "deleted":
        copy.sql("DELETE FROM lapor_deadlines WHERE complaint_id = ?", (cid,))
    else:
        cid = uuid.UUID(int=1)
        copy.sql(
            "INSERT INTO lapor_deadlines (complaint_id, due_us, clock) VALUES (?, 1, 'auto-close')",
            (cid.hex if copy.kind == "sqlite" else cid,),
        )
    found = failing(copy.audit())
    assert list(found) == ["deadline index"] and found["deadline index"].complaint_id == uuid_of(cid)


def test_rows_kept_before_the_index_held_their_clocks_starts_pass(copy: Store) -> None:
    """An index from before is judged by due and clock; an amendment reads those complaints."""
    copy.sql("UPDATE lapor_deadlines SET start_us = NULL, institution = NULL")
    report = copy.audit()
    assert report.ok, report.failures


# -- a tamperer who recomputes every digest and the tree head -----------------------------


def rewrite_everything(store: Store, change: Callable[[list[list[Any]]], list[list[Any]]]) -> None:
    """Change the rows, then recompute every digest, leaf and the tree head, as the rule says."""
    rows = change([list(r) for r in store.rows()])
    store.sql("DELETE FROM stored_events")
    last: dict[str, bytes] = {}
    frontier = Frontier()
    for leaf, (position, cid, version, topic, state) in enumerate(rows):
        previous = last.get(hex_of(cid), GENESIS)
        digest = event_digest(hex_of(cid), version, topic, bytes(state), previous)
        last[hex_of(cid)] = digest
        frontier = frontier.append(leaf_hash(digest))
        store.sql(
            f"INSERT INTO stored_events ({store.position}, originator_id, originator_version, topic, state, "
            "leaf, digest, previous) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (position, cid, version, topic, bytes(state), leaf, digest, previous),
        )
    store.sql("UPDATE lapor_tree_head SET size = ?, frontier = ?", (frontier.size, frontier.to_bytes()))


def test_a_recomputed_log_passes_its_own_head_but_not_a_signature_or_the_checkpoint(
    log: Log, copy: Store
) -> None:
    def edit_early_event(rows: list[list[Any]]) -> list[list[Any]]:
        rows[2][4] = bytes(rows[2][4]).replace(b"Laporan", b"Lap0ran")
        return rows

    before = copy.rows()
    assert b"Laporan" in bytes(before[2][4])
    rewrite_everything(copy, edit_early_event)
    assert copy.audit(deadlines=False).ok  # its own digests and head agree: nothing to see alone
    found = failing(copy.audit(trust=[log.key.public], deadlines=False))
    assert list(found) == ["signatures"]
    signed = copy.audit(trust=[log.key.public], deadlines=False).check("signatures")
    assert signed.covers == 0 and "first" in signed.summary
    found = failing(copy.audit(checkpoint=log.checkpoint, deadlines=False))
    assert set(found) == {"signatures", "checkpoint"}


def test_a_recomputed_truncation_is_caught_by_the_checkpoint(log: Log, copy: Store) -> None:
    rewrite_everything(copy, lambda rows: rows[:-2])
    report = copy.audit(checkpoint=log.checkpoint, deadlines=False)
    assert "checkpoint" in failing(report)
    assert "holds only" in report.check("checkpoint").summary


def test_a_replaced_public_key_in_the_database_is_not_trusted(log: Log, copy: Store) -> None:
    rewrite_everything(copy, lambda rows: rows[:-1])
    forger = SigningKey.generate()
    app = LaporApp(copy.target, clock=lambda: wib(2026, 11, 27))
    try:
        app.ledger.sign(forger)  # signed with the forger's key, stored beside the log
    finally:
        app.close()
    signed = copy.audit(trust=[log.key.public], deadlines=False).check("signatures")
    assert signed.failed and "other keys not checked" in signed.summary


# -- random tampering --------------------------------------------------------------------

TAMPERING = st.sampled_from(["flip", "delete", "swap", "truncate", "duplicate-version"])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=TAMPERING, where=st.floats(0, 1, exclude_max=True), byte=st.integers(0, 10_000), data=st.data())
def test_any_tampering_fails_and_names_a_place(
    log: Log, tmp_path: Path, kind: str, where: float, byte: int, data: st.DataObject
) -> None:
    store = log.store.copy(tmp_path)
    try:
        rows = store.rows()
        index = int(where * len(rows))
        position, cid, version, topic, state = rows[index]
        pos = store.position
        if kind == "flip":
            changed = bytearray(state)
            changed[byte % len(changed)] ^= 1 << (byte % 8)
            store.sql(f"UPDATE stored_events SET state = ? WHERE {pos} = ?", (bytes(changed), position))
        elif kind == "delete":
            store.sql(f"DELETE FROM stored_events WHERE {pos} = ?", (position,))
        elif kind == "swap":
            other = rows[data.draw(st.integers(0, len(rows) - 1).filter(lambda i: i != index))]
            store.sql(
                f"UPDATE stored_events SET topic = ?, state = ? WHERE {pos} = ?",
                (other[3], other[4], position),
            )
            store.sql(
                f"UPDATE stored_events SET topic = ?, state = ? WHERE {pos} = ?", (topic, state, other[0])
            )
            if (other[3], bytes(other[4])) == (topic, bytes(state)):
                return  # the same bytes swapped: nothing changed
        elif kind == "truncate":
            store.sql(f"DELETE FROM stored_events WHERE {pos} >= ?", (position,))
        else:  # an event of another complaint is given this one's id and a new version
            store.sql(
                f"UPDATE stored_events SET originator_id = ?, originator_version = ? WHERE {pos} = ?",
                (cid, 1000 + version, rows[(index + 1) % len(rows)][0]),
            )
        report = store.audit(trust=[log.key.public], deadlines=False)
        assert not report.ok
        places = [c.first for c in report.failures if c.first is not None]
        assert places, report.failures
        assert any(p.position is not None or p.complaint_id is not None or p.leaf == 0 for p in places)
        if kind == "flip":
            assert report.check("chains").first.position == position
    finally:
        store.drop()


# -- writing, upgrading, signing ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["memory", *(p.id for p in SHARED)])
def test_commands_and_bulk_imports_chain_alike_on_every_store(kind: str, tmp_path: Path) -> None:
    """The same events, imported in batches, give the same digests and tree head everywhere."""
    source = OfficeApp()
    random_walk(source, 3, complaints=5)
    events = complaint_events(source)
    source.close()
    target, schema = store_target(kind, tmp_path)
    app = OfficeApp(target)
    reference = OfficeApp()
    try:
        for into in (app, reference):
            for start in range(0, len(events), 7):  # batches that cut complaints in two
                batch = events[start : start + 7]
                states = {}
                for event in batch:
                    cid, version = event.originator_id, event.originator_version
                    states[cid] = fold(
                        e for e in events if e.originator_id == cid and e.originator_version <= version
                    )
                into.import_events(batch, {cid: state for cid, state in states.items() if state is not None})
        # each store records its policy and base calendar with its first event (rule 16)
        assert app.ledger.head() == reference.ledger.head() and app.ledger.head().size == len(events) + 2
        assert app.ledger.verify().ok
        first = events[0].originator_id
        assert [link.digest for link in app.ledger.chain(first)] == [
            link.digest for link in reference.ledger.chain(first)
        ]
    finally:
        app.close()
        reference.close()
        if schema:
            drop_schema(schema)


def strip_ledger(store: Store) -> None:
    """The store as a version before rule 15 left it: no digests, no tree head."""
    store.sql("UPDATE stored_events SET leaf = NULL, digest = NULL, previous = NULL")
    store.sql("DELETE FROM lapor_tree_head")


def test_an_old_log_refuses_writes_until_upgraded_and_the_upgrade_gives_the_same_digests(
    log: Log, copy: Store
) -> None:
    before = copy.sql(f"SELECT digest FROM stored_events ORDER BY {copy.position}")
    head = copy.sql("SELECT size, frontier FROM lapor_tree_head")
    strip_ledger(copy)
    assert copy.audit().check("upgrade").failed
    app = OfficeApp(copy.target)
    try:
        with pytest.raises(LogNotUpgraded, match="lapor upgrade"):
            app.submit(
                by=Actor.reporter("x"),
                at=wib(2026, 1, 5, 9),
                reporter=Reporter(name="x"),
                title="t",
                description="d",
            )
        assert app.upgrade() == {"identities sealed": 0, "events chained": len(before)}
        assert app.upgrade() == {"identities sealed": 0, "events chained": 0}  # idempotent
        assert app.ledger.upgrade(batch=7) == 0
    finally:
        app.close()
    assert copy.sql(f"SELECT digest FROM stored_events ORDER BY {copy.position}") == before
    assert copy.sql("SELECT size, frontier FROM lapor_tree_head") == head
    after = copy.audit(trust=[log.key.public], checkpoint=log.checkpoint)
    assert after.ok, after.failures


def test_an_upgrade_in_small_batches_resumes_where_it_stopped(copy: Store) -> None:
    strip_ledger(copy)
    app = OfficeApp(copy.target)
    try:
        seen: list[int] = []
        total = app.ledger.upgrade(batch=5, progress=seen.append)
        assert seen[-1] == total == len(copy.rows()) and len(seen) >= total // 5
    finally:
        app.close()
    assert copy.audit().ok


def test_a_file_written_before_the_ledger_columns_existed_is_upgraded(tmp_path: Path) -> None:
    """The library's own table as an earlier version created it on SQLite: no ledger columns."""
    source = OfficeApp(str(tmp_path / "new.db"))
    random_walk(source, 21, complaints=4)
    key = SigningKey.generate()
    kept = source.ledger.checkpoint(key)
    source.close()
    rows = Store("sqlite", str(tmp_path / "new.db"), None).rows()
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:
        conn.execute(
            "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, topic TEXT, "
            "state BLOB, PRIMARY KEY (originator_id, originator_version))"
        )
        conn.executemany("INSERT INTO stored_events VALUES (?, ?, ?, ?)", [r[1:] for r in rows])
    conn.close()
    app = OfficeApp(str(old))
    try:
        assert app.upgrade()["events chained"] == len(rows)
        app.rebuild_deadline_index()
        report = app.ledger.verify(checkpoint=kept)
        assert report.ok, report.failures
    finally:
        app.close()


def test_an_empty_log_without_its_tree_head_starts_one_at_opening(tmp_path: Path) -> None:
    """Opening reads whether everything is there, the tree head included: an empty log whose
    head row is gone gets a new one, so its first command is chained."""
    path = tmp_path / "lapor.db"
    OfficeApp(str(path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM lapor_tree_head")
    conn.close()
    app = OfficeApp(str(path))
    try:
        random_walk(app, 3, complaints=2)
        assert app.ledger.verify().ok
    finally:
        app.close()


def test_chain_and_inclusion_proofs_verify_for_a_dossier(log: Log) -> None:
    app = LaporApp(log.store.target, clock=lambda: wib(2026, 11, 27))
    try:
        cid = next(cid for _, cid, *_ in log.store.rows() if uuid_of(cid) in complaint_ids(app))
        links = app.ledger.chain(uuid_of(cid))
        assert [link.version for link in links] == list(range(1, len(links) + 1))
        assert all(link.verifies() for link in links)
        assert links[0].previous == GENESIS and all(
            b.previous == a.digest for a, b in itertools.pairwise(links)
        )
        for link in links:
            proof = app.ledger.inclusion_proof(link.leaf, log.checkpoint.size)
            assert proof.root == log.checkpoint.root and proof.verifies(link.digest)
            assert not proof.verifies(links[0].digest if link is not links[0] else links[-1].digest)
        with pytest.raises(InvalidInput):
            app.ledger.inclusion_proof(log.checkpoint.size)
    finally:
        app.close()


def test_a_checkpoint_round_trips_and_a_forged_one_is_refused(log: Log) -> None:
    text = log.checkpoint.to_json()
    assert Checkpoint.from_json(text) == log.checkpoint
    forged = text.replace(log.checkpoint.root.hex(), bytes(32).hex())
    with pytest.raises(InvalidInput, match="signature"):
        Checkpoint.from_json(forged)
    with pytest.raises(InvalidInput):
        Checkpoint.from_json("{}")


def test_a_signing_key_file_is_private_and_never_overwritten(tmp_path: Path) -> None:
    key = SigningKey.generate()
    path = tmp_path / "signing.pem"
    key.save(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert SigningKey.load(path).public == key.public
    with pytest.raises(InvalidInput, match="never overwritten"):
        key.save(path)
    path.chmod(0o644)
    with pytest.raises(InvalidInput, match="chmod 600"):
        SigningKey.load(path)


def test_the_sweep_signs_only_a_head_that_moved(memory_app: LaporApp) -> None:
    key = SigningKey.generate()
    random_walk(memory_app, 4, complaints=2)
    assert memory_app.ledger.sign_if_moved(key) is not None
    assert memory_app.ledger.sign_if_moved(key) is None
    assert len(memory_app.ledger.signed_heads()) == 1


def test_two_writers_on_one_store_keep_one_chain_and_one_head(shared_target: str) -> None:
    """Each writer continues the head the other moved (its remembered head is then stale)."""
    first, second = OfficeApp(shared_target), OfficeApp(shared_target)
    try:
        for n in range(6):
            app = (first, second)[n % 2]
            c = app.submit(
                by=Actor.reporter(f"w{n}"), at=wib(2025, 3, 3, 9 + n), reporter=Reporter(name="x"),
                title="Jalan", description="d",
            )  # fmt: skip
            (second, first)[n % 2].verify(c.id, by=Actor.national("ayu"), at=wib(2025, 3, 3, 10 + n))
        assert (
            first.ledger.head() == second.ledger.head() and first.ledger.head().size == 12 + 2
        )  # the policy and the base calendar
        report = first.ledger.verify()
        assert report.ok, report.failures
    finally:
        first.close()
        second.close()
