"""The SLA policy's versions (DOMAIN.md rule 16), on every store.

The worked example: a new Perwali, entered on Monday 11 August 2025, sets the unit limit to
7 working days, the escalation to Ombudsman RI to 40 and the auto-close to 5. A complaint
already at its unit keeps the 10 days it arrived with; one that reaches a unit after the
Perwali counts 7, and a clock that starts after it counts by it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_domain import (
    Clock,
    DeskSla,
    InvalidInput,
    LaporError,
    NotAllowed,
    PolicyDiffers,
    SlaPolicy,
)
from lapor_projections import ReadModels, ViewReader

from conftest import BACKENDS, OfficeApp, drop_schema, store_target
from sop import DINKES, NATIONAL, REPORTER, file_complaint, take_next_step, to_unit, wib

CIREBON = SlaPolicy.cirebon()
PERWALI = CIREBON.model_copy(
    update={
        "unit": DeskSla(target=5, limit=7),
        "escalation_working_days": 40,
        "auto_close_working_days": 5,
    }
)
BASIS = "Perwali Kota Cirebon 12/2025 (contoh)"
CALENDAR = CIREBON.calendar


@pytest.fixture(params=BACKENDS)
def office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OfficeApp]:
    target, schema = store_target(request.param, tmp_path)
    app = OfficeApp(target)
    try:
        yield app
    finally:
        app.close()
        if schema:
            drop_schema(schema)


def test_a_new_perwali_counts_for_desks_entered_and_clocks_started_after_it(office: OfficeApp) -> None:
    before = file_complaint(office, wib(2025, 8, 4, 9))
    to_unit(office, before.id, wib(2025, 8, 5, 10))
    office.office_clock.follow(wib(2025, 8, 11, 10))
    version = office.record_policy(PERWALI, basis=BASIS, by=NATIONAL)
    assert version.version == 2 and version.recorded_at is not None
    assert version.recorded_at >= wib(2025, 8, 11, 10)  # when entered, never earlier
    after = file_complaint(office, wib(2025, 8, 12, 9))
    to_unit(office, after.id, wib(2025, 8, 12, 10))

    running = office.desk_deadlines(before.id)
    assert running is not None and running.policy_version == 1
    assert running.limit == CALENDAR.deadline(wib(2025, 8, 5, 10), 10)  # it keeps its ten days
    new = office.desk_deadlines(after.id)
    assert new is not None and new.policy_version == 2
    assert new.limit == CALENDAR.deadline(wib(2025, 8, 12, 10), 7)
    old_clock, new_clock = office.pending_deadline(before.id), office.pending_deadline(after.id)
    assert old_clock is not None and old_clock.clock is Clock.ESCALATION and old_clock.policy_version == 1
    assert old_clock.due == CALENDAR.deadline(wib(2025, 8, 4, 9), 60)
    assert new_clock is not None and new_clock.policy_version == 2
    assert new_clock.due == CALENDAR.deadline(wib(2025, 8, 12, 9), 40)

    # A clock that starts after the Perwali counts by it, on a complaint that began before it.
    office.respond(before.id, message="Sudah ditangani.", by=DINKES, at=wib(2025, 8, 13, 9))
    auto_close = office.pending_deadline(before.id)
    assert auto_close is not None and auto_close.clock is Clock.AUTO_CLOSE
    assert auto_close.due == CALENDAR.deadline(wib(2025, 8, 13, 9), 5) and auto_close.policy_version == 2

    # As it stood, before the Perwali: the first version, whatever is known since.
    then = office.desk_deadlines(before.id, as_of=wib(2025, 8, 8), known_at=wib(2025, 8, 14))
    assert then == running
    # The deadline index equals one rebuilt from the events; the views equal a rebuild.
    stored = sorted(office.log.deadline_index.all_deadlines())  # type: ignore[attr-defined]
    office.rebuild_deadline_index()
    assert sorted(office.log.deadline_index.all_deadlines()) == stored  # type: ignore[attr-defined]
    with ReadModels(office) as views:
        views.catch_up()
        assert views.check() == []
        reader = ViewReader(views.db, office.policy)
        august = reader.stays(since=wib(2025, 8, 1), until=wib(2025, 9, 1))
        stays = {(v.complaint_id, v.desk): v.policy_version for v in august}
        assert stays[(before.id, "unit:kota-cirebon/dinkes")] == 1
        assert stays[(after.id, "unit:kota-cirebon/dinkes")] == 2


def test_a_store_keeps_its_versions_and_refuses_a_policy_that_differs(tmp_path: Path) -> None:
    target = str(tmp_path / "lapor.db")
    with OfficeApp(target) as app:
        file_complaint(app, wib(2025, 8, 4, 9))
        app.office_clock.follow(wib(2025, 8, 11, 10))
        app.record_policy(PERWALI, basis=BASIS, by=NATIONAL)
    with OfficeApp(target) as again:  # no policy given: the recorded one
        assert again.policy == PERWALI
        assert [e.originator_version for e in again.policy_history()] == [1, 2]
        assert again.policy_history()[1].basis == BASIS
    with OfficeApp(target, policy=PERWALI) as same:
        assert same.policy == PERWALI
    with pytest.raises(PolicyDiffers) as refused:
        OfficeApp(target, policy=CIREBON)
    assert refused.value.version == 2 and set(refused.value.changes) == {
        "auto_close_working_days",
        "escalation_working_days",
        "unit.limit",
    }


def test_a_store_only_read_records_no_policy(tmp_path: Path) -> None:
    target = str(tmp_path / "lapor.db")
    with OfficeApp(target) as app:
        assert app.policy_history() == [] and app.log.head() == 0
    with OfficeApp(target, policy=PERWALI) as other:  # nothing recorded yet: it may begin with this one
        file_complaint(other, wib(2025, 8, 4, 9))
        assert [e.policy for e in other.policy_history()] == [PERWALI]


def test_a_version_another_process_recorded_counts_for_this_processes_next_command(
    shared_target: str,
) -> None:
    with OfficeApp(shared_target) as app, OfficeApp(shared_target) as other:
        c = file_complaint(app, wib(2025, 8, 11, 9))
        other.office_clock.follow(wib(2025, 8, 11, 10))
        other.record_policy(PERWALI, basis=BASIS, by=NATIONAL)
        to_unit(app, c.id, wib(2025, 8, 12, 10))  # this process knew only version 1 until now
        sla = app.desk_deadlines(c.id)
        assert sla is not None and sla.policy_version == 2
        assert sla.limit == CALENDAR.deadline(wib(2025, 8, 12, 10), 7)
        other.office_clock.follow(wib(2025, 8, 13, 10))
        closed = CALENDAR.add_working_days(wib(2025, 8, 13).date(), 2)
        amendment, _ = other.amend_calendar(add=[closed], basis="Keppres (contoh)", by=NATIONAL)
        later = file_complaint(app, wib(2025, 8, 13, 11))
        to_unit(app, later.id, wib(2025, 8, 13, 12))
        amended = app.desk_deadlines(later.id)
        assert amended is not None and amended.calendar_version == amendment.version


@pytest.mark.parametrize(
    ("policy", "basis", "by", "error", "words"),
    [
        (CIREBON, BASIS, NATIONAL, InvalidInput, "nothing to record"),
        (CIREBON.model_copy(update={"timezone": "Asia/Makassar"}), BASIS, NATIONAL, InvalidInput, "timezone"),
        (CIREBON.model_copy(update={"first_year": 2015}), BASIS, NATIONAL, InvalidInput, "first_year"),
        (CIREBON.model_copy(update={"late_entry_grace": timedelta(hours=1)}), BASIS, NATIONAL, InvalidInput,
         "late_entry_grace"),
        (CIREBON.model_copy(update={"extra_closing_days": {date(2025, 9, 1): "Libur"}}), BASIS, NATIONAL,
         InvalidInput, "calendar amendment"),
        (PERWALI, "", NATIONAL, InvalidInput, "basis"),
        (PERWALI, BASIS, DINKES, NotAllowed, "may not record"),
        (PERWALI, BASIS, REPORTER, NotAllowed, "may not record"),
        ({"unit": {"limit": 7}}, BASIS, NATIONAL, InvalidInput, "SlaPolicy"),
        (PERWALI, BASIS, "lapor-sp4n:ayu", InvalidInput, "Actor"),
    ],
    ids=["unchanged", "zone", "years", "grace", "closing-days", "no-basis", "a-unit", "a-reporter",
         "not-a-policy", "not-an-actor"],
)  # fmt: skip
def test_a_version_that_may_not_be_recorded_is_refused_and_records_nothing(
    office: OfficeApp, policy: object, basis: str, by: object, error: type[LaporError], words: str
) -> None:
    file_complaint(office, wib(2025, 8, 4, 9))
    head, history = office.log.head(), office.policy_history()
    with pytest.raises(error, match=words):
        office.record_policy(policy, basis=basis, by=by)  # type: ignore[arg-type]
    assert office.log.head() == head and office.policy_history() == history
    assert office.policy == CIREBON


# -- for any history --------------------------------------------------------------------------


LIMITS = st.integers(1, 15)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_for_any_history_and_versions_every_deadline_counts_by_the_version_in_force_at_its_start(
    data: st.DataObject,
) -> None:
    """A reference model: each desk's limit and each clock from the version recorded last at or
    before the instant it started, counted on the calendar from scratch."""
    app = OfficeApp()
    now = wib(2025, 7, 1, 8)
    ids: list[UUID] = []
    for _ in range(data.draw(st.integers(4, 20), label="steps")):
        now += timedelta(hours=data.draw(st.integers(1, 24 * 6), label="hours later"))
        app.office_clock.follow(now)
        action = data.draw(st.sampled_from(["file", "step", "step", "policy"]), label="action")
        try:
            if action == "file" or not ids:
                ids.append(file_complaint(app, now).id)
            elif action == "step":
                take_next_step(app, data.draw(st.sampled_from(ids), label="complaint"), now)
            else:
                target = data.draw(st.integers(1, 8), label="unit target")
                new = app.policy.model_copy(update={
                    "unit": DeskSla(target=target, limit=target + data.draw(st.integers(0, 7), label="more")),
                    "escalation_working_days": data.draw(st.integers(20, 70), label="escalation"),
                    "auto_close_working_days": data.draw(LIMITS, label="auto-close"),
                })  # fmt: skip
                app.record_policy(new, basis="Perwali (contoh)", by=NATIONAL)
        except LaporError:
            pass  # refused (finished, not its turn, the same policy): records nothing
    versions = [(e.at, e.policy) for e in app.policy_history()]

    def in_force(at: datetime) -> SlaPolicy:
        chosen = versions[0][1]  # the first counts for anything earlier too
        for recorded, policy in versions:
            if recorded < at:  # a clock started at that very instant was already running
                chosen = policy
        return chosen

    for cid in ids:
        state = app.complaint(cid)
        sla = app.desk_deadlines(cid)
        if sla is not None and state.desk is not None and state.desk.sla_level is not None:
            days = in_force(sla.arrived).for_level(state.desk.sla_level)
            assert sla.limit == CALENDAR.deadline(sla.arrived, days.limit)
            assert sla.target == CALENDAR.deadline(sla.arrived, days.target)
        running = app.pending_deadline(cid)
        if running is not None and running.clock is Clock.ESCALATION:
            start = state.submitted_at
            assert running.due == CALENDAR.deadline(start, in_force(start).escalation_working_days)
        elif running is not None:
            assert state.responded_at is not None
            start = state.responded_at
            assert running.due == CALENDAR.deadline(start, in_force(start).auto_close_working_days)
    stored = sorted(app.log.deadline_index.all_deadlines())  # type: ignore[attr-defined]
    app.rebuild_deadline_index()
    assert sorted(app.log.deadline_index.all_deadlines()) == stored  # type: ignore[attr-defined]
    app.close()
