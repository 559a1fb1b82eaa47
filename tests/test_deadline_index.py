"""The deadline index is derived data: written with the events, rebuildable from them."""

from __future__ import annotations

from uuid import UUID

from lapor_domain import LaporApp
from lapor_domain.adapters.recorders import DeadlineRow
from lapor_domain.model.instants import to_micros

from sop import DINKES, NATIONAL, REPORTER, file_complaint, to_unit, wib

T0 = wib(2026, 2, 2, 9)


def index_rows(app: LaporApp) -> list[tuple[object, int]]:
    return app.log.deadline_index.select_due(2**62, 10_000)


def populate(app: LaporApp) -> list[object]:
    waiting = file_complaint(app, T0)  # escalation clock
    responded = file_complaint(app, T0)
    to_unit(app, responded.id, T0)
    app.respond(responded.id, message="Sudah.", by=DINKES, at=wib(2026, 2, 3, 9))  # auto-close clock
    replied = file_complaint(app, T0)
    to_unit(app, replied.id, T0)
    app.respond(replied.id, message="Sudah.", by=DINKES, at=wib(2026, 2, 3, 9))
    app.reply(replied.id, message="Belum.", by=REPORTER, at=wib(2026, 2, 4, 9))  # no clock
    archived = file_complaint(app, T0)
    app.archive(archived.id, reason="duplicate", by=NATIONAL, at=T0)  # finished: no clock
    return [waiting.id, responded.id]


def test_the_index_holds_exactly_the_running_clocks(app: LaporApp) -> None:
    waiting, responded = populate(app)
    rows = dict(index_rows(app))
    assert set(rows) == {waiting, responded}
    for cid in (waiting, responded):
        deadline = app.pending_deadline(cid)  # type: ignore[arg-type]
        assert deadline is not None
        assert rows[cid] == int(deadline.due.timestamp()) * 1_000_000
    assert app.log.deadline_index.count_deadlines() == 2


def test_each_row_keeps_what_its_clock_counts_from(app: LaporApp) -> None:
    """An amendment's repair recomputes a deadline from its row alone (rule 16)."""
    waiting, responded = populate(app)
    index = app.log.deadline_index
    rows = {row.complaint_id: row for row in index.select_clocks_between(0, 2**62)}
    assert [(row.complaint_id, row.due_us) for row in rows.values()] == index.select_due(2**62, 100)
    w, r = app.complaint(waiting), app.complaint(responded)  # type: ignore[arg-type]
    assert r.responded_at is not None and r.desk is not None
    assert rows[w.id][2:] == ("escalation", to_micros(w.submitted_at), None)  # the national calendar
    assert rows[r.id][2:] == ("auto-close", to_micros(r.responded_at), "kota-cirebon")  # its institution's
    auto_close, escalation = rows[r.id].due_us, rows[w.id].due_us
    assert auto_close is not None and escalation is not None and auto_close < escalation
    assert index.select_clocks_between(auto_close, escalation) == [rows[r.id]]  # from, and before
    app.rebuild_deadline_index()
    assert index.select_clocks_between(0, 2**62) == list(rows.values())


def test_a_rebuild_from_the_log_equals_the_incremental_index(app: LaporApp) -> None:
    populate(app)
    incremental = sorted(index_rows(app), key=str)
    app.log.deadline_index.replace_deadlines([DeadlineRow(file_complaint(app, T0).id, 1, "escalation")])
    assert app.rebuild_deadline_index() == 3
    rebuilt = {cid for cid, _ in index_rows(app)}
    assert {cid for cid, _ in incremental} < rebuilt
    assert len(rebuilt) == 3


def test_the_log_reads_back_in_recorded_order(app: LaporApp) -> None:
    populate(app)
    positions = [position for position, _ in app.feed.since(batch=3)]
    assert positions == sorted(positions) and len(positions) == len(set(positions)) == 18  # rules first
    tail = [position for position, _ in app.feed.since(positions[9])]
    assert tail == positions[10:]


def test_a_sweep_repairs_an_index_row_out_of_step_with_its_complaint(app: LaporApp) -> None:
    archived = file_complaint(app, T0)
    app.archive(archived.id, reason="duplicate", by=NATIONAL, at=T0)
    waiting = file_complaint(app, T0)
    ghost = DeadlineRow(UUID(int=1), 1, "escalation")  # an index row without a complaint
    app.log.deadline_index.replace_deadlines(
        [DeadlineRow(archived.id, 1, "escalation"), DeadlineRow(waiting.id, 1, "escalation"), ghost]
    )
    assert app.fire_due(wib(2026, 2, 3)) == []
    rows = dict(index_rows(app))
    assert archived.id not in rows and ghost.complaint_id not in rows
    deadline = app.pending_deadline(waiting.id)
    assert deadline is not None and rows[waiting.id] == int(deadline.due.timestamp()) * 1_000_000
