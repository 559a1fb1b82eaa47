"""Finding complaints: full-text search (each database's own index), overdue across desks, lists.

The same contract on SQLite (FTS5) and PostgreSQL (text search): for any texts and any
words, a search finds exactly the complaints a plain reference finds (every word is a word
of the title, description or a response, or a word's beginning, case aside), never by an
identity, and a public search never finds a confidential complaint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_domain import Actor, InvalidInput, LaporApp, Reporter, SlaState
from lapor_projections import ReadModels, ViewReader

from conftest import OfficeApp

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=WIB)
NATIONAL = Actor.national("ayu")
ADMIN = Actor.admin("kota-cirebon", "dodi")
LIAISON = Actor.liaison("kota-cirebon", "dinkes", "pp")
WORDS = ["jalan", "jalanan", "lampu", "Lampu", "sampah", "puskesmas", "air", "banjir", "rt05", "Kebersihan"]


def words_of(text: str) -> list[str]:
    return [w.casefold() for w in re.findall(r"[^\W_]+", text)]


def reference(texts: dict[UUID, list[str]], query: str) -> set[UUID]:
    terms = words_of(query)
    return {
        cid
        for cid, bodies in texts.items()
        if all(any(w.startswith(t) for body in bodies for w in words_of(body)) for t in terms)
    }


@pytest.fixture
def side(app: LaporApp) -> Iterator[tuple[LaporApp, ReadModels]]:
    read_models = ReadModels(app, batch=3).attach()
    yield app, read_models
    read_models.close()


def file(
    app: LaporApp, title: str, description: str, *, confidential: bool = False, name: str = "Siti"
) -> UUID:
    c = app.submit(
        by=Actor.reporter("warga-rahasia"),
        at=T0,
        reporter=Reporter(name=name, contact="0812-777"),
        title=title,
        description=description,
        confidential=confidential,
    )
    return c.id


def to_unit_and_respond(app: LaporApp, cid: UUID, message: str, at: datetime) -> None:
    app.verify(cid, by=NATIONAL, at=at)
    app.dispose(cid, to="kota-cirebon", by=NATIONAL, at=at + timedelta(minutes=1))
    app.verify(cid, by=ADMIN, at=at + timedelta(minutes=2))
    app.dispose(cid, to="dinkes", by=ADMIN, at=at + timedelta(minutes=3))
    app.respond(cid, message=message, by=LIAISON, at=at + timedelta(minutes=4))


sentence = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    complaints=st.lists(
        st.tuples(sentence, sentence, st.none() | sentence, st.booleans()), min_size=1, max_size=5
    ),
    query=st.lists(st.sampled_from([*WORDS, "jal", "lam", "Sam"]), min_size=1, max_size=3).map(" ".join),
)
def test_search_finds_what_the_reference_finds_on_every_database(
    side: tuple[LaporApp, ReadModels], complaints: list[tuple[str, str, str | None, bool]], query: str
) -> None:
    app, read_models = side
    texts: dict[UUID, list[str]] = {}
    confidential: set[UUID] = set()
    at = T0 + timedelta(hours=1)
    for title, description, response, secret in complaints:
        cid = file(app, title, description, confidential=secret)
        texts[cid] = [title, description]
        if secret:
            confidential.add(cid)
        if response is not None:
            to_unit_and_respond(app, cid, response, at)
            texts[cid].append(response)
            at += timedelta(minutes=10)
    reader = ViewReader(read_models.db, app.policy)
    everyone = reader.search(query, public=False, limit=None)
    public = reader.search(query, public=True, limit=None)
    assert {UUID(h.complaint_id) for h in everyone} >= reference(texts, query)  # earlier examples too
    assert {UUID(h.complaint_id) for h in everyone} & texts.keys() == reference(texts, query)
    assert {UUID(h.complaint_id) for h in public} & texts.keys() == reference(texts, query) - confidential
    assert len({h.complaint_id for h in everyone}) == len(everyone)  # one hit per complaint


def test_search_never_finds_an_identity_and_knows_where_it_found(side: tuple[LaporApp, ReadModels]) -> None:
    app, read_models = side
    cid = file(app, "Lampu jalan mati", "Sudah dua minggu gelap", name="Zulkarnaen")
    to_unit_and_respond(app, cid, "Petugas memasang lampu baru", T0 + timedelta(hours=1))
    reader = ViewReader(read_models.db, app.policy)
    assert reader.search("Zulkarnaen", public=False) == []
    assert reader.search("warga", public=False) == []  # the reporter's account
    assert reader.search("0812", public=False) == []  # the contact
    (hit,) = reader.search("lampu", public=False)
    assert hit.found_in == ["complaint", "response"] and hit.title == "Lampu jalan mati"
    (hit,) = reader.search("petugas", public=False)
    assert hit.found_in == ["response"]


@pytest.mark.parametrize("text", ["", "   ", "!!! ---", "_"])
def test_a_search_without_a_word_is_invalid_input(memory_app: LaporApp, text: str) -> None:
    with ReadModels(memory_app) as read_models, pytest.raises(InvalidInput, match="nothing to search for"):
        ViewReader(read_models.db, memory_app.policy).search(text, public=True)


@settings(max_examples=200)
@given(st.text())
def test_any_text_searches_or_is_refused_cleanly(text: str) -> None:
    app = OfficeApp()
    file(app, "Jalan rusak", "Berlubang dalam")
    with ReadModels(app).attach() as read_models:
        reader = ViewReader(read_models.db, app.policy)
        try:
            hits = reader.search(text, public=True)
        except InvalidInput:
            return
        assert all(h.title == "Jalan rusak" for h in hits)


def test_the_search_index_is_rebuilt_and_checked_with_the_views(side: tuple[LaporApp, ReadModels]) -> None:
    app, read_models = side
    cid = file(app, "Banjir di RT05", "Air masuk rumah")
    read_models.rebuild()
    reader = ViewReader(read_models.db, app.policy)
    assert [h.complaint_id for h in reader.search("banjir", public=True)] == [str(cid)]
    assert read_models.check() == []
    with read_models.db.transaction() as cur:
        cur.execute(f"DELETE FROM {read_models.store.texts}")
    assert any(finding.startswith("texts ") for finding in read_models.check())


def test_overdue_lists_late_and_breached_across_desks_most_overdue_first(
    side: tuple[LaporApp, ReadModels],
) -> None:
    app, read_models = side
    early = file(app, "Sampah menumpuk", "Di pasar")
    later = file(app, "Jalan berlubang", "Di depan sekolah")
    app.verify(later, by=NATIONAL, at=T0 + timedelta(days=1))
    reader = ViewReader(read_models.db, app.policy)
    far = T0 + timedelta(days=60)
    found = reader.overdue(far)
    assert {e.complaint_id for e in found} == {str(early), str(later)}
    assert all(e.sla in (SlaState.LATE, SlaState.BREACHED) for e in found)
    limits = [e.limit for e in found]
    assert limits == sorted(limits)
    assert reader.overdue(T0) == []
    for state in SlaState:
        queue = reader.queue("lapor-sp4n", far, sla=state)
        assert all(e.sla is state for e in queue)
        assert len(queue) == sum(1 for e in reader.queue("lapor-sp4n", far) if e.sla is state)
    with pytest.raises(InvalidInput, match="SLA state"):
        reader.queue("lapor-sp4n", far, sla="overdue")


def test_list_by_unit_status_and_period(side: tuple[LaporApp, ReadModels]) -> None:
    app, read_models = side
    answered = file(app, "Puskesmas tutup", "Jam buka tidak sesuai")
    to_unit_and_respond(app, answered, "Jam buka sudah diperbaiki", T0 + timedelta(hours=1))
    waiting = file(app, "Air keruh", "Sudah seminggu")
    reader = ViewReader(read_models.db, app.policy)
    assert {e.complaint_id for e in reader.complaints(unit="dinkes")} == {str(answered)}
    assert {e.complaint_id for e in reader.complaints(status="open")} == {str(answered), str(waiting)}
    assert reader.complaints(status="finished") == []
    assert {e.complaint_id for e in reader.complaints(since=T0, until=T0 + timedelta(days=1))} == {
        str(answered),
        str(waiting),
    }
    assert reader.complaints(since=T0 + timedelta(days=1)) == []
    with pytest.raises(InvalidInput, match="status"):
        reader.complaints(status="closed")


def test_the_commands(tmp_path: Any) -> None:
    from lapor_cli.main import cli

    db = str(tmp_path / "s.db")
    runner = CliRunner()
    made = runner.invoke(cli, ["--db", db, "simulate", "--replace", "--complaints", "40", "--seed", "5"])
    assert made.exit_code == 0, made.output
    found = runner.invoke(cli, ["--db", db, "--json", "search", "jalan"])
    assert found.exit_code == 0, found.output
    assert {place for hit in json.loads(found.output) for place in hit["found_in"]} == {"complaint"}
    shown = runner.invoke(cli, ["--db", db, "--lang", "id", "search", "jalan"])  # where, in Indonesian
    assert shown.exit_code == 0 and "pengaduan" in shown.output and "complaint" not in shown.output
    nothing = runner.invoke(cli, ["--db", db, "search", "!!!"])
    assert nothing.exit_code == 2 and "nothing to search for" in nothing.output
    for args in (["overdue"], ["list", "--status", "finished"], ["queue", "lapor-sp4n", "--sla", "late"]):
        done = runner.invoke(cli, ["--db", db, *args])
        assert done.exit_code == 0, (args, done.output)
    refused = runner.invoke(cli, ["--db", db, "queue", "--sla", "late"])
    assert refused.exit_code == 2 and "give DESK" in refused.output


def test_views_written_before_the_search_index_are_rebuilt_with_it(tmp_path: Any) -> None:
    target = str(tmp_path / "old.db")
    app = OfficeApp(target)
    cid = file(app, "Banjir lagi", "Air setinggi lutut")
    with ReadModels(app) as read_models:
        read_models.catch_up()
        with read_models.db.transaction() as cur:
            cur.execute(f"DROP TABLE {read_models.store.texts}")  # as views written before it
    with ReadModels(app) as read_models:
        read_models.catch_up()
        reader = ViewReader(read_models.db, app.policy)
        assert [h.complaint_id for h in reader.search("banjir", public=True)] == [str(cid)]
        assert read_models.check() == []
    app.close()


def test_a_public_page_is_full_even_when_the_best_matches_are_confidential(
    side: tuple[LaporApp, ReadModels],
) -> None:
    app, read_models = side
    secret = [file(app, "Banjir banjir banjir", "banjir", confidential=True) for _ in range(7)]
    public = {file(app, "Banjir", "Air masuk rumah") for _ in range(2)}
    reader = ViewReader(read_models.db, app.policy)
    assert {UUID(h.complaint_id) for h in reader.search("banjir", public=True, limit=2)} == public
    assert len(reader.search("banjir", public=False, limit=3)) == 3
    everything = reader.search("banjir", public=False, limit=None)
    assert {UUID(h.complaint_id) for h in everything} == {*secret, *public}
