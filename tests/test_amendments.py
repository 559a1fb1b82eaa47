"""Calendar amendments and their repair (DOMAIN.md rule 16), on every store.

The worked example is the news of 7 August 2025: the SKB 3 Menteri was amended to add
Monday 18 August 2025 as cuti bersama. The policy here stands for what an office knew
before: its base calendar lacks that day (the installed `holidays` package has it since).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as seen
from hypothesis import strategies as st

from lapor_domain import (
    CALENDAR_STREAM,
    AutoClosed,
    CalendarAmended,
    Clock,
    EscalatedToOmbudsman,
    InvalidInput,
    LaporApp,
    LaporError,
    NotAllowed,
    SlaPolicy,
)
from lapor_domain.adapters.recorders import DeadlineRow
from lapor_domain.model.instants import to_micros
from lapor_projections import ReadModels

from conftest import BACKENDS, PG_DSN, SHARED, OfficeApp, drop_schema, store_target
from sop import ADMIN, DINKES, NATIONAL, WIB, file_complaint, take_next_step, to_unit, wib

AUGUST_18 = date(2025, 8, 18)
BEFORE_THE_SKB = SlaPolicy(cancelled_closing_days=frozenset({AUGUST_18}))
SKB = "SKB 3 Menteri 2025, perubahan, 7 Agustus 2025"


@pytest.fixture(params=BACKENDS)
def office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OfficeApp]:
    target, schema = store_target(request.param, tmp_path)
    app = OfficeApp(target, policy=BEFORE_THE_SKB)
    try:
        yield app
    finally:
        app.close()
        if schema:
            drop_schema(schema)


def whole_index(app: LaporApp) -> list[DeadlineRow]:
    """Every row of the deadline index with all its columns, by complaint."""
    return sorted(app.log.deadline_index.select_clocks_between(0, 2**62))


def test_the_18_august_2025_amendment_moves_an_open_unit_limit_by_one_day(office: OfficeApp) -> None:
    # Tuesday 5 August: the complaint reaches Dinas Kesehatan; ten working days to respond.
    c = file_complaint(office, wib(2025, 8, 4, 9))
    to_unit(office, c.id, wib(2025, 8, 5, 10))
    before = office.desk_deadlines(c.id)
    escalation_before = office.pending_deadline(c.id)
    assert before is not None and escalation_before is not None
    assert before.limit == wib(2025, 8, 20)  # ends with Tuesday 19 August: 18 August was a working day

    # Thursday 7 August: the amendment is entered, and with it the repair.
    office.office_clock.follow(wib(2025, 8, 7, 10))
    amendment, moved_count = office.amend_calendar(
        add={AUGUST_18: "Cuti Bersama Hari Kemerdekaan"}, basis=SKB, by=NATIONAL
    )
    assert moved_count == 1  # its escalation clock (desk clocks are the views')
    assert amendment.version == 1 and amendment.recorded_at > wib(2025, 8, 7, 10)

    after = office.desk_deadlines(c.id)
    assert after is not None
    assert after.limit == wib(2025, 8, 21)  # now ends with Wednesday 20 August
    assert after.target == before.target  # five working days from 5 August end before the 18th
    assert after.calendar_version == 1
    escalation = office.pending_deadline(c.id)
    assert escalation is not None and escalation.clock is Clock.ESCALATION
    assert escalation.due == escalation_before.due + timedelta(days=1)  # 60 working days span it too
    assert escalation.calendar_version == 1
    # The deadline index moved in the same transaction: it equals a rebuild from the events.
    stored = sorted(office.log.deadline_index.all_deadlines())  # type: ignore[attr-defined]
    office.rebuild_deadline_index()
    assert sorted(office.log.deadline_index.all_deadlines()) == stored  # type: ignore[attr-defined]

    # Two questions about 6 August: as it stood then, and as we know it now.
    assert office.desk_deadlines(c.id, as_of=wib(2025, 8, 6)) == before
    now = office.desk_deadlines(c.id, as_of=wib(2025, 8, 6), known_at=wib(2025, 8, 8))
    assert now is not None and now.limit == after.limit

    # The amendment is in the log, in the calendar's own stream, chained like every event.
    [recorded] = office.calendar_history()
    assert isinstance(recorded, CalendarAmended) and recorded.originator_id == CALENDAR_STREAM
    assert recorded.at == recorded.recorded_at == amendment.recorded_at  # never backdated
    assert recorded.added == {AUGUST_18: "Cuti Bersama Hari Kemerdekaan"} and recorded.basis == SKB
    assert office.ledger.verify().ok


def test_a_store_opened_again_knows_its_amendments(tmp_path: Path) -> None:
    target = str(tmp_path / "lapor.db")
    with OfficeApp(target, policy=BEFORE_THE_SKB) as app:
        c = file_complaint(app, wib(2025, 8, 4, 9))
        to_unit(app, c.id, wib(2025, 8, 5, 10))
        app.office_clock.follow(wib(2025, 8, 7, 10))
        app.amend_calendar(add=[AUGUST_18], basis=SKB, by=NATIONAL)
        moved = app.desk_deadlines(c.id)
    with OfficeApp(target, policy=BEFORE_THE_SKB) as again:
        assert again.rules.calendars.version == 1
        assert again.desk_deadlines(c.id) == moved
        assert again.rules.calendars.calendar().closing_name(AUGUST_18) == SKB  # named after its basis


def test_an_amendment_another_process_recorded_reaches_the_sweep(tmp_path: Path) -> None:
    target = str(tmp_path / "lapor.db")
    with OfficeApp(target, policy=BEFORE_THE_SKB) as app, OfficeApp(target, policy=BEFORE_THE_SKB) as other:
        c = file_complaint(app, wib(2025, 8, 4, 9))
        to_unit(app, c.id, wib(2025, 8, 5, 10))
        app.respond(c.id, message="Sudah ditangani.", by=DINKES, at=wib(2025, 8, 6, 9))
        auto_close = app.pending_deadline(c.id)
        assert auto_close is not None and auto_close.clock is Clock.AUTO_CLOSE
        other.office_clock.follow(wib(2025, 8, 7, 10))
        other.amend_calendar(add=[AUGUST_18], basis=SKB, by=NATIONAL)
        assert app.fire_due(auto_close.due) == []  # moved one day: not due at the old instant
        [fired] = app.fire_due(auto_close.due + timedelta(days=1))
        assert fired.due == auto_close.due + timedelta(days=1)


def test_a_deadline_moved_into_the_past_falls_due_when_the_amendment_is_recorded(
    office: OfficeApp,
) -> None:
    # A reporter silent after a response on 1 August; a closing day inside the ten days is
    # cancelled once the instant the cancelled count gives has passed.
    policy_days = sorted(d for d, _ in office.policy.calendar.closing_days(2025) if d.month == 8)
    assert AUGUST_18 not in policy_days  # this office's base: 17 August is a Sunday, nothing else
    c = file_complaint(office, wib(2025, 7, 21, 9))
    to_unit(office, c.id, wib(2025, 7, 22, 9))
    office.amend_calendar(add=[date(2025, 8, 11)], basis="Keppres (contoh)", by=NATIONAL)
    office.respond(c.id, message="Sudah ditangani.", by=DINKES, at=wib(2025, 8, 1, 9))
    due = office.pending_deadline(c.id)
    assert due is not None and due.due == wib(2025, 8, 19)  # ten working days, 11 August closed
    # Recorded on Sunday 17 August: the cancellation puts the instant at 16 August 00:00, past.
    office.office_clock.follow(wib(2025, 8, 17, 10))
    amendment, _ = office.amend_calendar(cancel=[date(2025, 8, 11)], basis="Keppres dibatalkan", by=NATIONAL)
    moved = office.pending_deadline(c.id)
    assert moved is not None and moved.due == amendment.recorded_at  # never before it was known
    [fired] = office.fire_due(amendment.recorded_at + timedelta(seconds=1))
    assert fired.due == amendment.recorded_at


def test_a_deadline_final_before_the_amendment_stays_as_it_was(office: OfficeApp) -> None:
    c = file_complaint(office, wib(2025, 7, 21, 9))
    to_unit(office, c.id, wib(2025, 7, 22, 9))
    office.respond(c.id, message="Sudah ditangani.", by=DINKES, at=wib(2025, 7, 23, 9))
    due = office.pending_deadline(c.id)
    assert due is not None and due.due == wib(2025, 8, 7)  # Wednesday 6 August ends it
    office.office_clock.follow(wib(2025, 8, 7, 10))  # final, though no sweep recorded it yet
    office.amend_calendar(add=[date(2025, 7, 31)], basis="Keppres (contoh)", by=NATIONAL)
    assert office.pending_deadline(c.id) == due
    [fired] = office.fire_due(wib(2025, 8, 7, 11))
    assert fired.due == due.due


def test_the_views_move_with_the_amendment_and_equal_a_rebuild(office: OfficeApp) -> None:
    with ReadModels(office) as views:
        views.attach()
        c = file_complaint(office, wib(2025, 8, 4, 9))
        to_unit(office, c.id, wib(2025, 8, 5, 10))
        office.office_clock.follow(wib(2025, 8, 7, 10))
        office.amend_calendar(add=[AUGUST_18], basis=SKB, by=NATIONAL)
        views.catch_up()
        [row] = views.store.load([c.id]).values()
        assert row.visit is not None and row.visit.limit == wib(2025, 8, 21)
        assert row.visit.calendar_version == 1
        assert row.deadline is not None and row.deadline.calendar_version == 1
        assert views.check() == []


def test_who_may_amend_which_calendar(memory_app: LaporApp) -> None:
    with pytest.raises(NotAllowed, match="national calendar"):
        memory_app.amend_calendar(add=[date(2026, 3, 2)], basis="x", by=ADMIN)
    with pytest.raises(NotAllowed, match="calendar of kota-cirebon"):
        memory_app.amend_calendar(add=[date(2026, 3, 2)], basis="x", by=DINKES, institution="kota-cirebon")
    regional, _ = memory_app.amend_calendar(
        add={date(2026, 3, 2): "Hari Jadi (contoh)"},
        basis="Perwali (contoh)",
        by=ADMIN,
        institution="kota-cirebon",
    )
    assert regional.institution == "kota-cirebon"
    cals = memory_app.rules.calendars
    assert cals.calendar("kota-cirebon").closing_name(date(2026, 3, 2)) == "Hari Jadi (contoh)"
    assert cals.calendar().closing_name(date(2026, 3, 2)) is None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "at least one closing day"),
        ({"add": [date(2026, 1, 1)]}, "already a closing day"),
        ({"cancel": [date(2026, 3, 3)]}, "not a closing day"),
        ({"add": [date(2026, 3, 3)], "cancel": [date(2026, 3, 3)]}, "both added and cancelled"),
        ({"add": [date(2051, 3, 3)]}, "outside the calendar's years"),
        ({"add": ["2026-03-03"]}, "must be a date"),
        ({"add": "2026-03-03"}, "not text"),
        ({"add": [date(2026, 3, 3)], "basis": "  "}, "must not be empty"),
        ({"add": [date(2026, 3, 3)], "institution": "kota-atlantis"}, "kota-atlantis"),
    ],
)
def test_a_bad_amendment_is_refused_and_records_nothing(
    memory_app: LaporApp, arguments: dict[str, object], message: str
) -> None:
    head = memory_app.feed.head()
    with pytest.raises(InvalidInput, match=message):
        memory_app.amend_calendar(**{"basis": "Keppres (contoh)", "by": NATIONAL, **arguments})  # type: ignore[arg-type]
    assert memory_app.feed.head() == head and memory_app.rules.calendars.version == 0


# --- for any history: the repair is the rule, computed naively -------------------------

FIRST_DAY, LAST_DAY = date(2025, 7, 1), date(2025, 12, 31)
INSTITUTION = "kota-cirebon"


def naive_due(start: datetime, n: int, closed: set[date]) -> datetime:
    """The instant the n-th working day after start's local date ends, walking day by day."""
    day, counted = start.astimezone(WIB).date(), 0
    while counted < n:
        day += timedelta(days=1)
        counted += day.weekday() < 5 and day not in closed
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=WIB)


def reference_due(
    start: datetime, n: int, scope: str | None, base: set[date], amendments: list[CalendarAmended]
) -> datetime:
    """DOMAIN.md rule 16 read literally: the calendar known when the clock started, then each
    later amendment of its calendar in turn, unless the deadline was final when it came; a
    moved deadline never falls before the amendment was recorded."""
    closed = set(base)
    mine = [a for a in amendments if a.institution in (None, scope)]

    def apply(a: CalendarAmended) -> None:
        closed.update(a.added)
        closed.difference_update(a.cancelled)

    for a in (a for a in mine if a.at <= start):
        apply(a)
    due = naive_due(start, n, closed)
    for a in (a for a in mine if a.at > start):
        if due <= a.at:  # final (no late-entry grace in this policy): it stays
            break
        apply(a)
        moved = naive_due(start, n, closed)
        if moved != due:
            due = max(moved, a.at)
    return due


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_for_any_history_and_amendments_every_deadline_is_the_rules(data: st.DataObject) -> None:
    app = OfficeApp(policy=BEFORE_THE_SKB)
    base = {d for d in app.policy.calendar._closing if FIRST_DAY <= d <= LAST_DAY + timedelta(days=200)}
    now = wib(2025, 7, 1, 8)
    ids = []
    with ReadModels(app) as views:
        views.attach()
        for _ in range(data.draw(st.integers(6, 24), label="steps")):
            now += timedelta(hours=data.draw(st.integers(1, 24 * 12), label="hours later"))
            if now.date() > LAST_DAY:
                break
            app.office_clock.follow(now)
            action = data.draw(st.sampled_from(["file", "step", "amend", "amend", "sweep"]), label="action")
            try:
                if action == "file" or not ids:
                    ids.append(file_complaint(app, now).id)
                elif action == "step":
                    take_next_step(app, data.draw(st.sampled_from(ids), label="complaint"), now)
                elif action == "amend":
                    _amend(app, data, now)
                else:
                    app.fire_due(now)
            except LaporError:
                pass  # refused (finished, not its turn): records nothing
        app.fire_due(now)
        amendments = app.calendar_history()
        policy = app.policy
        for cid in ids:
            state = app.complaint(cid)
            for event in app.history(cid):  # every deadline fired where the rule puts it
                if isinstance(event, EscalatedToOmbudsman):
                    want = reference_due(
                        state.submitted_at, policy.escalation_working_days, None, base, amendments
                    )
                    assert event.at == want
                elif isinstance(event, AutoClosed):
                    want = reference_due(
                        event.responded_at, policy.auto_close_working_days, INSTITUTION, base, amendments
                    )
                    assert event.at == want
            running = app.pending_deadline(cid)
            if running is not None:  # every open one, too
                if running.clock is Clock.ESCALATION:
                    start, n, scope = state.submitted_at, policy.escalation_working_days, None
                else:
                    assert state.responded_at is not None
                    start, n, scope = state.responded_at, policy.auto_close_working_days, INSTITUTION
                assert running.due == reference_due(start, n, scope, base, amendments)
                if (
                    running.calendar_version
                    and running.calendar_version > app.rules.calendars.known_at(start).version
                ):
                    seen("a running clock repaired")
            sla = app.desk_deadlines(cid)
            if sla is not None and state.desk is not None and state.desk.sla_level is not None:
                limit = policy.for_level(state.desk.sla_level).limit
                scope = None if state.desk.institution is None else INSTITUTION
                want_limit = reference_due(sla.arrived, limit, scope, base, amendments)
                assert sla.limit == want_limit or (
                    sla.limit <= min(a.at for a in amendments if a.at > sla.arrived)
                )
        # The index the repair kept equals one rebuilt from the events, and the views a rebuild.
        stored = sorted(app.log.deadline_index.all_deadlines())  # type: ignore[attr-defined]
        app.rebuild_deadline_index()
        assert sorted(app.log.deadline_index.all_deadlines()) == stored  # type: ignore[attr-defined]
        views.catch_up()
        assert views.check() == []
    app.close()


def _amend(app: LaporApp, data: st.DataObject, at: datetime) -> None:
    scope = data.draw(st.sampled_from([None, None, INSTITUTION]), label="whose calendar")
    day = data.draw(st.dates(at.date() - timedelta(days=40), at.date() + timedelta(days=90)), label="day")
    calendar = app.rules.calendars.calendar(scope)
    if day.weekday() >= 5:
        return
    if calendar.closing_name(day) is None:
        app.amend_calendar(add=[day], basis="Keppres (contoh)", by=NATIONAL, institution=scope)
    else:
        app.amend_calendar(cancel=[day], basis="SKB (perubahan)", by=NATIONAL, institution=scope)


def spanning_the_18th(office: OfficeApp) -> list[UUID]:
    """A complaint waiting for a response and one waiting for its reporter, both clocks spanning
    18 August 2025 (60 working days from 4 August; 10 from 8 August)."""
    waiting = file_complaint(office, wib(2025, 8, 4, 9))
    responded = file_complaint(office, wib(2025, 8, 4, 9))
    to_unit(office, responded.id, wib(2025, 8, 5, 10))
    office.respond(responded.id, message="Sudah ditangani.", by=DINKES, at=wib(2025, 8, 6, 10))
    return [waiting.id, responded.id]


def test_a_row_without_its_clocks_start_is_repaired_from_its_complaint(office: OfficeApp) -> None:
    """An index written before the rows kept their clocks' starts is still repaired whole."""
    spanning_the_18th(office)
    written = whole_index(office)
    assert len(written) == 2 and all(row.start_us is not None for row in written)
    office.log.deadline_index.replace_deadlines([DeadlineRow(*row[:3]) for row in written])  # no starts

    office.office_clock.follow(wib(2025, 8, 7, 10))
    office.amend_calendar(add={AUGUST_18: "Cuti Bersama Hari Kemerdekaan"}, basis=SKB, by=NATIONAL)
    repaired = whole_index(office)
    assert [row.due_us for row in repaired] != [row.due_us for row in written]
    assert all(new.due_us > old.due_us for new, old in zip(repaired, written, strict=True))  # type: ignore[operator]
    office.rebuild_deadline_index()
    assert whole_index(office) == repaired  # the starts are back, and every due is a rebuild's


@pytest.mark.parametrize("store", SHARED)
def test_an_index_from_before_the_clocks_starts_opens_and_is_repaired(store: str, tmp_path: Path) -> None:
    """A store whose deadline index has no start columns gets them on opening (``ADD COLUMN``);
    its old rows have none, and the repair reads their complaints instead."""
    target, schema = store_target(store, tmp_path)
    office = OfficeApp(target, policy=BEFORE_THE_SKB)
    try:
        ids = spanning_the_18th(office)
        written = whole_index(office)
        office.close()
        drop = "ALTER TABLE {} DROP COLUMN start_us, DROP COLUMN institution"
        if schema is None:
            import sqlite3

            with sqlite3.connect(target) as db:
                db.execute("ALTER TABLE lapor_deadlines DROP COLUMN start_us")
                db.execute("ALTER TABLE lapor_deadlines DROP COLUMN institution")
        else:
            import psycopg

            with psycopg.connect(PG_DSN, autocommit=True) as db:
                db.execute(drop.format(f'"{schema}".lapor_deadlines'))  # type: ignore[arg-type]

        office = OfficeApp(target, policy=BEFORE_THE_SKB)
        assert whole_index(office) == [DeadlineRow(*row[:3]) for row in written]
        office.office_clock.follow(wib(2025, 8, 7, 10))
        office.amend_calendar(add={AUGUST_18: "Cuti Bersama Hari Kemerdekaan"}, basis=SKB, by=NATIONAL)
        repaired = whole_index(office)
        assert all(new.due_us > old.due_us for new, old in zip(repaired, written, strict=True))  # type: ignore[operator]
        waiting = office.complaint(ids[0])
        assert repaired[[r.complaint_id for r in repaired].index(waiting.id)].start_us == to_micros(
            waiting.submitted_at
        )
        office.rebuild_deadline_index()
        assert whole_index(office) == repaired
    finally:
        office.close()
        if schema:
            drop_schema(schema)
