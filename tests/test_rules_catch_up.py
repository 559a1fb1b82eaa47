"""Each command decides on the rules as recorded by now (rule 16). On a SQLite file the write
checks them: a head the writer moved itself from the head it last wrote means no one else
appended, so the calendar's and the policy's stream heads reach where they did; after another
writer's append the heads are read in the write's own transaction, and a decision made on
rules that moved is made again. A command therefore reads nothing before it decides. These
tests hold that to the same answers as reading the heads before every command."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_domain import Clock, Complaint, Deadline, DeskSla, LaporApp, SlaPolicy

from conftest import OfficeApp, StepClock
from sop import ADMIN, DINKES, NATIONAL, REPORTER, file_complaint, take_next_step, to_unit, wib

TESTS = Path(__file__).resolve().parent
PERWALI = SlaPolicy.cirebon().model_copy(update={"unit": DeskSla(target=5, limit=7)})
BASIS = "Perwali Kota Cirebon 12/2025 (contoh)"
HEADS_QUERY = "MAX(originator_version)"


def traced(app: OfficeApp) -> list[str]:
    """The statements the app's writer connection runs from now on."""
    recorder = app.log.recorder._recorder  # type: ignore[attr-defined]
    writer = recorder._writer or recorder._open_writer()
    seen: list[str] = []
    writer.set_trace_callback(seen.append)
    return seen


def in_transactions(statements: list[str]) -> list[str]:
    """The statements run between a BEGIN IMMEDIATE and its COMMIT or ROLLBACK."""
    inside, found = False, []
    for statement in statements:
        if statement == "BEGIN IMMEDIATE":
            inside = True
        elif statement in ("COMMIT", "ROLLBACK"):
            inside = False
        elif inside:
            found.append(statement)
    return found


def test_commands_with_nothing_recorded_elsewhere_read_nothing_before_they_decide(tmp_path: Path) -> None:
    with OfficeApp(str(tmp_path / "lapor.db")) as app:
        c = file_complaint(app, wib(2025, 8, 4, 9))  # with the store's first policy version
        app.verify(c.id, by=NATIONAL, at=wib(2025, 8, 4, 10))  # checks the heads it moved
        seen = traced(app)
        app.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=wib(2025, 8, 4, 11))
        app.verify(c.id, by=ADMIN, at=wib(2025, 8, 5, 9))
        app.dispose(c.id, to="dinkes", by=ADMIN, at=wib(2025, 8, 5, 10))
        assert not [s for s in seen if "data_version" in s or HEADS_QUERY in s]
        assert sum(s == "COMMIT" for s in seen) == 3  # one transaction a command
        assert len(seen) == 3 * 4  # BEGIN, the tree head, the event, COMMIT: nothing else


def test_another_writers_append_makes_the_next_write_read_the_heads_once(tmp_path: Path) -> None:
    target = str(tmp_path / "lapor.db")
    with OfficeApp(target) as app, OfficeApp(target) as other:
        c = file_complaint(app, wib(2025, 8, 4, 9))
        app.verify(c.id, by=NATIONAL, at=wib(2025, 8, 4, 10))
        file_complaint(other, wib(2025, 8, 4, 11))  # an append that touches no rule
        seen = traced(app)
        app.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=wib(2025, 8, 5, 9))
        app.verify(c.id, by=ADMIN, at=wib(2025, 8, 5, 10))
        heads = [s for s in seen if HEADS_QUERY in s]
        assert len(heads) == 1 and heads == [s for s in in_transactions(seen) if HEADS_QUERY in s]
        assert "ROLLBACK" not in seen and sum(s == "COMMIT" for s in seen) == 2


def test_an_amendment_another_writer_recorded_after_the_last_command_is_decided_on(
    tmp_path: Path,
) -> None:
    # The app decides the disposal to the unit on the calendar it knows; the write finds the
    # calendar's stream moved, writes nothing, and the disposal is decided again on the amended
    # calendar: the unit's deadline, and the index row beside the event, count the new closing day.
    target = str(tmp_path / "lapor.db")
    with OfficeApp(target) as app, OfficeApp(target) as other:
        c = file_complaint(app, wib(2025, 8, 4, 9))
        app.verify(c.id, by=NATIONAL, at=wib(2025, 8, 4, 10))
        app.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=wib(2025, 8, 4, 11))
        app.verify(c.id, by=ADMIN, at=wib(2025, 8, 5, 9))
        before = app.rules.calendars
        other.office_clock.follow(wib(2025, 8, 5, 9, 30))
        amendment, _ = other.amend_calendar(add=[wib(2025, 8, 7).date()], basis=BASIS, by=NATIONAL)
        assert app.rules.calendars is before  # nothing read yet
        seen = traced(app)
        app.dispose(c.id, to="dinkes", by=ADMIN, at=wib(2025, 8, 5, 10))
        assert seen.count("ROLLBACK") == 1 and seen.count("COMMIT") == 1
        assert app.rules.calendars.version == amendment.version
        sla = app.desk_deadlines(c.id)
        assert sla is not None and sla.calendar_version == amendment.version
        with OfficeApp(target) as fresh:  # a process opened after it all decides alike
            assert app.pending_deadline(c.id) == fresh.pending_deadline(c.id)
            assert app.log.deadline_index.select_clocks_between(0, 2**62) == (
                fresh.log.deadline_index.select_clocks_between(0, 2**62)
            )


def answered(app: OfficeApp) -> tuple[Complaint, Deadline]:
    """A complaint Dinkes answered on Wednesday 23 July 2025, with its auto-close clock."""
    c = file_complaint(app, wib(2025, 7, 21, 9))
    to_unit(app, c.id, wib(2025, 7, 22, 9))
    app.respond(c.id, message="Sudah ditangani.", by=DINKES, at=wib(2025, 7, 23, 9))
    due = app.pending_deadline(c.id)
    assert due is not None and due.clock is Clock.AUTO_CLOSE
    return c, due


INSIDE_ITS_WAIT = wib(2025, 7, 28).date()
"""A Monday among the ten working days the reporter has after that response."""


def test_a_refusal_decided_on_rules_not_read_is_asked_again_of_the_rules_read(tmp_path: Path) -> None:
    # As the last test below, with the closing day added by another writer: the reply, entered
    # after the old auto-close became final, is refused on the calendar this app knew, then
    # accepted on the one recorded (rule 13 judged on the calendars now).
    target = str(tmp_path / "lapor.db")
    with OfficeApp(target) as app, OfficeApp(target) as other:
        c, due = answered(app)
        other.office_clock.follow(wib(2025, 7, 24, 10))
        other.amend_calendar(add=[INSIDE_ITS_WAIT], basis=BASIS, by=NATIONAL)
        app.office_clock.follow(due.due + app.policy.late_entry_grace + timedelta(hours=1))
        app.states.forget(c.id)  # no cached state to ask again of: the rules alone
        after = app.reply(c.id, message="Belum selesai.", by=REPORTER, at=due.due - timedelta(hours=1))
        assert after.is_finished is False and after.version == c.version + 6


def test_a_policy_another_writer_recorded_turns_a_future_dated_refusal_into_a_command(
    tmp_path: Path,
) -> None:
    # Rule 13's clock skew is the policy's: a command dated 20 minutes ahead of its entry is
    # refused on the skew this app knew (5 minutes), and accepted once the version another
    # writer recorded (30 minutes) is read.
    target = str(tmp_path / "lapor.db")
    entered = StepClock(wib(2025, 8, 11, 9, 59))  # the app's own clock, not following the dates
    with OfficeApp(target) as other, LaporApp(target, clock=entered) as app:
        c = file_complaint(other, wib(2025, 8, 11, 9))
        app.verify(c.id, by=NATIONAL, at=wib(2025, 8, 11, 9, 30))
        wider = app.policy.model_copy(update={"clock_skew": timedelta(minutes=30)})
        other.office_clock.follow(wib(2025, 8, 11, 9, 40))
        other.record_policy(wider, basis=BASIS, by=NATIONAL)
        at = wib(2025, 8, 11, 10, 20)
        after = app.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=at)
        assert after.last_event_at == at and app.policy.clock_skew == timedelta(minutes=30)


def test_a_policy_another_process_recorded_counts_for_the_next_command(tmp_path: Path) -> None:
    target = str(tmp_path / "lapor.db")
    with OfficeApp(target) as app:
        c = file_complaint(app, wib(2025, 8, 11, 9))
        to_unit(app, c.id, wib(2025, 8, 11, 9, 30))
        child = f"""
            import sys
            sys.path.insert(0, {str(TESTS)!r})
            from conftest import OfficeApp
            from test_rules_catch_up import PERWALI, BASIS
            from sop import NATIONAL, wib
            with OfficeApp({target!r}) as other:
                other.office_clock.follow(wib(2025, 8, 11, 10))
                other.record_policy(PERWALI, basis=BASIS, by=NATIONAL)
        """
        subprocess.run([sys.executable, "-c", textwrap.dedent(child)], check=True, timeout=60)
        later = file_complaint(app, wib(2025, 8, 12, 9))
        to_unit(app, later.id, wib(2025, 8, 12, 10))
        sla = app.desk_deadlines(later.id)
        assert sla is not None and sla.policy_version == 2
        assert app.rules.calendars.policy_version == 2


def test_this_processes_own_amendment_is_known_and_read_once(tmp_path: Path) -> None:
    with OfficeApp(str(tmp_path / "lapor.db")) as app:
        c = file_complaint(app, wib(2025, 8, 4, 9))
        app.verify(c.id, by=NATIONAL, at=wib(2025, 8, 4, 10))
        app.office_clock.follow(wib(2025, 8, 4, 11))
        closed = wib(2025, 8, 7).date()  # a Thursday the desks after it count past
        amendment, _ = app.amend_calendar(add=[closed], basis="Keppres (contoh)", by=NATIONAL)
        seen = traced(app)
        app.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=wib(2025, 8, 5, 9))
        # The amendment this log appended moved the heads: read once before the next command.
        assert len([s for s in seen if HEADS_QUERY in s]) == 1
        assert app.calendar_record.seen == app.log.rules_heads()
        del seen[:]
        app.verify(c.id, by=ADMIN, at=wib(2025, 8, 5, 10))
        app.dispose(c.id, to="dinkes", by=ADMIN, at=wib(2025, 8, 5, 11))
        assert not [s for s in seen if HEADS_QUERY in s or s == "ROLLBACK"]
        sla = app.desk_deadlines(c.id)
        assert sla is not None and sla.calendar_version == amendment.version


@pytest.mark.parametrize(
    ("target", "keystore"),
    [("memory", None), ("file:lapor-catch-up?mode=memory&cache=shared", "memory")],
    ids=["memory", "sqlite-in-memory"],
)
def test_stores_without_a_second_connection_still_catch_up(target: str, keystore: str | None) -> None:
    with OfficeApp(target, keystore=keystore) as app:  # an in-memory SQLite database: no writer of its own
        c = file_complaint(app, wib(2025, 8, 4, 9))
        to_unit(app, c.id, wib(2025, 8, 5, 10))
        assert app.calendar_record.seen == app.log.rules_heads() == (0, 1)


def test_an_amendment_moves_the_clock_the_next_command_of_a_cached_complaint_judges_by(
    tmp_path: Path,
) -> None:
    # The state cached after the response remembers its auto-close due on the calendars of
    # then; a closing day added since moves it a day later. A reply dated before the old due
    # and entered after it became final is in time by the moved one (rule 13 judged on the
    # calendars now, not on a remembered due).
    with OfficeApp(str(tmp_path / "lapor.db")) as app:
        c, due = answered(app)
        app.office_clock.follow(wib(2025, 7, 24, 10))
        app.amend_calendar(add=[INSIDE_ITS_WAIT], basis="Keppres (contoh)", by=NATIONAL)
        moved = app.pending_deadline(c.id)
        grace = app.policy.late_entry_grace
        assert moved is not None and moved.due > due.due + grace + timedelta(hours=2)
        app.office_clock.follow(due.due + grace + timedelta(hours=1))  # entered late
        after = app.reply(c.id, message="Belum selesai.", by=REPORTER, at=due.due - timedelta(hours=1))
        assert after.is_finished is False and after.version == c.version + 6


ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("step"), st.integers(0, 1)),  # this app moves complaint k on
        st.tuples(st.just("step"), st.integers(0, 1)),
        st.tuples(st.just("foreign"), st.integers(0, 1)),  # the other writer does
        st.tuples(st.just("amend"), st.integers(0, 9)),  # it closes a day this many days ahead
        st.tuples(st.just("policy"), st.integers(0, 1)),  # it records one of two unit limits
    ),
    min_size=1,
    max_size=16,
)
"""What two writers do, in turn: a complaint reaches its unit in three steps and the
unit's response starts the auto-close clock, whose row an amendment ahead moves."""


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_checking_the_rules_at_the_write_decides_as_reading_them_first_would(
    tmp_path_factory: pytest.TempPathFactory, actions: list[tuple[str, int]]
) -> None:
    # Two writers on one file: this app never reads the rules before it decides, the other
    # records amendments, policy versions and commands of its own between this app's commands.
    # Whatever the interleaving, each complaint's finishing clock and desk deadlines, and the
    # deadline index beside the events, are those a process opened afterwards computes.
    target = str(tmp_path_factory.mktemp("rules") / "lapor.db")
    units = (DeskSla(target=5, limit=7), DeskSla(target=3, limit=4))
    now = wib(2025, 8, 4, 8)
    with OfficeApp(target) as app, OfficeApp(target) as other:
        ids = [file_complaint(app, now).id for _ in range(2)]
        for kind, k in actions:
            now += timedelta(hours=2)
            other.office_clock.follow(now)
            if kind == "step":
                take_next_step(app, ids[k], now)
            elif kind == "foreign":
                take_next_step(other, ids[k], now)
            elif kind == "amend":
                day = (now + timedelta(days=k)).date()
                if other.rules.calendars.calendar().is_working_day(day):
                    other.amend_calendar(add=[day], basis=BASIS, by=NATIONAL)
            else:
                wanted = PERWALI.model_copy(update={"unit": units[k]})
                if other.policy.unit != wanted.unit:
                    other.record_policy(wanted, basis=BASIS, by=NATIONAL)
        with OfficeApp(target) as fresh:
            for cid in ids:
                assert app.pending_deadline(cid) == fresh.pending_deadline(cid)
                assert app.desk_deadlines(cid) == fresh.desk_deadlines(cid)
            index = app.log.deadline_index.select_clocks_between(0, 2**62)
            fresh.rebuild_deadline_index()
            assert index == fresh.log.deadline_index.select_clocks_between(0, 2**62)
