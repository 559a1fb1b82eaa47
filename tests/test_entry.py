"""DOMAIN.md rule 13: when a command may be entered; rule 12's order when several refusals apply.

Two instants belong to every command: when it happened (``at``) and when it was
entered (the application's clock). These tests set the clock by hand.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_domain import (
    DatedBeforeLastEvent,
    InvalidInput,
    LaporApp,
    LaporError,
    NotAllowed,
    NotPossibleInState,
    SlaPolicy,
    TooLate,
)

from conftest import StepClock
from sop import DINKES, DISHUB, file_complaint, to_unit, wib

SUBMITTED = wib(2026, 1, 5, 9)  # a Monday
AT_UNIT = wib(2026, 1, 6, 9)
ESCALATION = SlaPolicy.cirebon().calendar.deadline(SUBMITTED, 60)
HOUR = timedelta(hours=1)


def office(clock: StepClock, policy: SlaPolicy | None = None) -> tuple[LaporApp, UUID]:
    """A complaint at Dinas Kesehatan since AT_UNIT, entered as it happened; its escalation runs."""
    app = LaporApp.in_memory(clock=clock, policy=policy)
    clock.now = SUBMITTED
    c = file_complaint(app, SUBMITTED)
    clock.now = AT_UNIT
    to_unit(app, c.id, AT_UNIT)
    return app, c.id


def entered_at(clock: StepClock, instant: datetime) -> None:
    clock.now = instant - timedelta(seconds=1)  # the clock steps a second per reading


def test_a_command_dated_in_the_future_is_invalid_and_locks_nothing() -> None:
    clock = StepClock()
    app, cid = office(clock)
    entered_at(clock, AT_UNIT + HOUR)
    with pytest.raises(InvalidInput, match="future"):
        app.respond(cid, message="Sudah", by=DINKES, at=wib(2027, 1, 6, 9))  # a typo in the year
    assert len(app.history(cid)) == 5
    entered_at(clock, AT_UNIT + HOUR)
    assert app.respond(cid, message="Sudah", by=DINKES, at=AT_UNIT + HOUR).responded_at == AT_UNIT + HOUR


def test_within_the_clock_skew_a_command_may_run_a_little_ahead() -> None:
    clock = StepClock()
    app, cid = office(clock)
    entered_at(clock, AT_UNIT + HOUR)
    app.respond(cid, message="Sudah", by=DINKES, at=AT_UNIT + HOUR + timedelta(minutes=5))


def test_a_late_entry_before_the_deadline_is_accepted_until_the_deadline_falls_due() -> None:
    clock = StepClock()
    app, cid = office(clock)
    entered_at(clock, ESCALATION - HOUR)  # entered today, it happened last week: fine
    app.respond(cid, message="Sudah", by=DINKES, at=ESCALATION - timedelta(days=7))


@pytest.mark.parametrize("swept", [False, True], ids=["unswept", "swept"])
def test_entered_after_the_escalation_fell_due_it_is_too_late_whether_or_not_a_sweep_ran(swept: bool) -> None:
    clock = StepClock()
    app, cid = office(clock)
    entered_at(clock, ESCALATION + HOUR)
    if swept:
        assert len(app.fire_due(ESCALATION + HOUR)) == 1
    recorded = len(app.history(cid))
    entered_at(clock, ESCALATION + HOUR)
    with pytest.raises(TooLate) as caught:
        app.respond(cid, message="Sudah", by=DINKES, at=ESCALATION - timedelta(days=7))
    assert len(app.history(cid)) == recorded
    error = caught.value
    assert (error.due, error.final_at, error.at) == (ESCALATION, ESCALATION, ESCALATION - timedelta(days=7))
    assert "escalation to Ombudsman RI was due at" in str(error)
    assert ESCALATION.strftime("%Y-%m-%d %H:%M WIB") in str(error)


def test_a_late_entry_grace_keeps_the_deadline_open_and_the_sweep_waits_for_it() -> None:
    clock = StepClock()
    policy = SlaPolicy(late_entry_grace=timedelta(days=2))
    app, cid = office(clock, policy)
    entered_at(clock, ESCALATION + timedelta(days=1))
    assert app.fire_due(ESCALATION + timedelta(days=1)) == [], "not final yet: the sweep waits"
    assert app.complaint(cid, as_of=ESCALATION + timedelta(days=1)).outcome is None
    entered_at(clock, ESCALATION + timedelta(days=1))
    app.respond(cid, message="Sudah, dari arsip kertas", by=DINKES, at=ESCALATION - HOUR)
    assert app.pending_deadline(cid).clock.value == "auto-close"

    other, late = office(StepClock(), policy)
    other_clock = other._clock
    assert isinstance(other_clock, StepClock)
    entered_at(other_clock, ESCALATION + timedelta(days=2))
    assert [f.due for f in other.fire_due(ESCALATION + timedelta(days=2))] == [ESCALATION]
    entered_at(other_clock, ESCALATION + timedelta(days=2))
    with pytest.raises(TooLate) as caught:
        other.respond(late, message="Sudah", by=DINKES, at=ESCALATION - HOUR)
    assert caught.value.final_at == ESCALATION + timedelta(days=2)


def test_a_refusal_of_a_finished_complaint_says_what_finished_it_and_when() -> None:
    clock = StepClock()
    app, cid = office(clock)
    entered_at(clock, ESCALATION + HOUR)
    app.fire_due(ESCALATION + HOUR)
    entered_at(clock, ESCALATION + HOUR)
    with pytest.raises(NotPossibleInState) as caught:
        app.respond(cid, message="Sudah", by=DINKES, at=ESCALATION + HOUR)
    message = str(caught.value)
    assert f"escalated to Ombudsman RI at {ESCALATION:%Y-%m-%d %H:%M} WIB" in message, message
    assert "no response within 60 working days of its submission at 2026-01-05 09:00 WIB" in message


def test_dated_before_the_last_event_names_both_instants() -> None:
    clock = StepClock()
    app, cid = office(clock)
    entered_at(clock, AT_UNIT + HOUR)
    with pytest.raises(DatedBeforeLastEvent) as caught:
        app.respond(cid, message="Sudah", by=DINKES, at=AT_UNIT - HOUR)
    assert (caught.value.at, caught.value.last_event_at) == (AT_UNIT - HOUR, AT_UNIT)
    assert "2026-01-06 09:00 WIB" in str(caught.value)


def test_a_sweep_dated_in_the_future_is_invalid_and_counts_as_no_later_than_its_clock() -> None:
    clock = StepClock()
    app, _ = office(clock)
    entered_at(clock, ESCALATION - HOUR)
    with pytest.raises(InvalidInput):
        app.fire_due(ESCALATION + HOUR)
    entered_at(clock, ESCALATION - timedelta(minutes=2))
    assert app.fire_due(ESCALATION + timedelta(minutes=2)) == [], "its instant is never after its clock's"


def test_imported_history_is_marked_as_imported() -> None:
    source = LaporApp.in_memory(clock=StepClock())
    target = LaporApp.in_memory(clock=StepClock(wib(2010, 1, 1)))
    clock = source._clock
    assert isinstance(clock, StepClock)
    clock.now = SUBMITTED
    c = file_complaint(source, SUBMITTED)
    target.import_events(source.history(c.id), {c.id: source.complaint(c.id)})
    assert [e.imported for e in target.history(c.id)] == [True]
    assert [e.imported for e in source.history(c.id)] == [False]


# -- rule 12's order when several refusals apply at once ----------------------------------

WHEN = {
    # name: (business instant, recording instant) relative to the complaint at the unit
    "in time": (AT_UNIT + HOUR, AT_UNIT + HOUR),
    "naive": (AT_UNIT.replace(tzinfo=None) + HOUR, AT_UNIT + HOUR),
    "future": (AT_UNIT + 3 * HOUR, AT_UNIT + HOUR),
    "late but in order": (ESCALATION - HOUR, ESCALATION + HOUR),
    "before the last event, entered in time": (SUBMITTED + HOUR, AT_UNIT + HOUR),
    "before the last event, entered too late": (SUBMITTED + HOUR, ESCALATION + HOUR),
    "after the escalation": (ESCALATION + HOUR, ESCALATION + HOUR),
}


def first_refusal(when: str, blank: bool, stranger: bool) -> type[LaporError] | None:
    """What DOMAIN.md rule 12 says wins: invalid input; too late; dated before; finished; not allowed."""
    if when in ("naive", "future") or blank:
        return InvalidInput
    if when in ("late but in order", "before the last event, entered too late"):
        return TooLate
    if when == "before the last event, entered in time":
        return DatedBeforeLastEvent
    if when == "after the escalation":
        return NotPossibleInState
    return NotAllowed if stranger else None


@given(when=st.sampled_from(sorted(WHEN)), blank=st.booleans(), stranger=st.booleans(), swept=st.booleans(),
       missing=st.booleans())  # fmt: skip
def test_when_several_refusals_apply_the_first_in_rule_12s_order_wins(
    when: str, blank: bool, stranger: bool, swept: bool, missing: bool
) -> None:
    clock = StepClock()
    app, cid = office(clock)
    at, recorded = WHEN[when]
    if swept and recorded >= ESCALATION:
        entered_at(clock, recorded)
        app.fire_due(recorded)  # whether a sweep ran changes no answer (rule 13)
    entered_at(clock, recorded)
    before = app.history(cid)
    expected = first_refusal(when, blank, stranger)
    command = app.respond
    target = uuid4() if missing else cid
    if missing:
        expected = LookupError  # type: ignore[assignment]  # not found comes first of all
    actor = DISHUB if stranger else DINKES
    if expected is None:
        command(target, message="Sudah ditangani", by=actor, at=at)
        return
    with pytest.raises(expected):
        command(target, message="  " if blank else "Sudah ditangani", by=actor, at=at)
    assert app.history(cid) == before, "a refused command records nothing"
