"""The base calendar's own version (DOMAIN.md rule 16), on every store.

A store records the `holidays` package's closing days when it begins, and counts on those:
an upgraded package that marks a day differently changes nothing by itself. The difference
is shown (``calendar_drift``) and recorded as an amendment when it is entered
(``follow_package``), with its repair, like any amendment.

The worked example reads like the news: a store began in July 2025 with a package that did
not know the cuti bersama of Monday 18 August 2025 (added by the SKB's amendment of 7 August
2025). A complaint reached its unit on 11 August, its 10-working-day limit spanning that day.
The package is upgraded; the limit stays where the recorded calendar put it until the
national desk records the package's change, and then moves one working day.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_domain import BASE_CALENDAR_STREAM, BaseCalendarRecorded, InvalidInput, NotAllowed, SlaPolicy
from lapor_domain.model import calendar as calendar_module
from lapor_domain.model.calendar import ClosingDays, WorkingCalendar, package_closing_days

from conftest import OfficeApp, Package
from sop import ADMIN, NATIONAL, file_complaint, to_unit, wib

SKB_DAY = date(2025, 8, 18)
INSTALLED = package_closing_days(2010, 2050)
WITHOUT_SKB_DAY = tuple(item for item in INSTALLED if item[0] != SKB_DAY)
BASIS = "SKB 3 Menteri 2025, perubahan, 7 Agustus 2025 (holidays 0.99)"


def fresh_policy() -> SlaPolicy:
    """Kota Cirebon's policy as a new process reads it: its calendar built from the package now."""
    return SlaPolicy.model_validate(SlaPolicy.cirebon().model_dump())


def calendar_over(days: ClosingDays) -> WorkingCalendar:
    return WorkingCalendar(closing_days=dict(days), first_year=2010, last_year=2050)


def base_events(app: OfficeApp) -> list[BaseCalendarRecorded]:
    return [e for e in app.log.events.get(BASE_CALENDAR_STREAM) if isinstance(e, BaseCalendarRecorded)]


def test_a_store_records_its_base_calendar_with_its_first_event(any_target: str) -> None:
    app = OfficeApp(any_target)
    try:
        assert base_events(app) == []  # opened, nothing entered: nothing recorded
        assert not app.calendar_drift()
        complaint = file_complaint(app, wib(2025, 8, 4, 9))
        (event,) = base_events(app)
        assert event.source == calendar_module.package_source()
        assert tuple(sorted(event.closing_days.items())) == INSTALLED
        assert event.at == app.history(complaint.id)[0].recorded_at  # the same transaction
        file_complaint(app, wib(2025, 8, 4, 10))
        assert len(base_events(app)) == 1  # once
    finally:
        app.close()


def test_an_upgraded_package_moves_nothing_until_an_amendment_records_it(
    shared_target: str, package: Package
) -> None:
    target = shared_target
    package(WITHOUT_SKB_DAY, "0.70")  # the package the store began with, in July 2025
    first = OfficeApp(target, policy=fresh_policy())
    complaint = file_complaint(first, wib(2025, 8, 4, 9))
    to_unit(first, complaint.id, wib(2025, 8, 11, 10))
    before = first.desk_deadlines(complaint.id)
    assert before is not None and before.limit == calendar_over(WITHOUT_SKB_DAY).deadline(
        wib(2025, 8, 11, 10), 10
    )
    first.close()

    package(INSTALLED, "0.99")  # upgraded: it knows 18 August now
    app = OfficeApp(target, policy=fresh_policy(), clock=None)
    app.office_clock.follow(wib(2025, 8, 12, 9))
    try:
        assert app.desk_deadlines(complaint.id) == before  # counted on the recorded base
        assert not app.rules.calendars.calendar().closing_name(SKB_DAY)
        drift = app.calendar_drift()
        assert drift.source == "holidays 0.99" and drift.recorded_source == "holidays 0.70"
        assert drift.added == {SKB_DAY: dict(INSTALLED)[SKB_DAY]} and drift.cancelled == []
        # a command entered now still counts on the recorded calendar
        later = file_complaint(app, wib(2025, 8, 12, 9))
        to_unit(app, later.id, wib(2025, 8, 12, 10))
        kept = app.desk_deadlines(later.id)
        assert kept is not None
        assert kept.limit == calendar_over(WITHOUT_SKB_DAY).deadline(wib(2025, 8, 12, 10), 10)

        with pytest.raises(NotAllowed):
            app.follow_package(basis=BASIS, by=ADMIN)  # the national calendar: the national desk
        amended = app.follow_package(basis=BASIS, by=NATIONAL)
        assert amended.amendment.added == ((SKB_DAY, dict(INSTALLED)[SKB_DAY]),)
        assert amended.amendment.recorded_at >= wib(2025, 8, 12, 10)  # entered now, never earlier
        after = app.desk_deadlines(complaint.id)
        assert after is not None
        assert after.limit == calendar_over(INSTALLED).deadline(wib(2025, 8, 11, 10), 10)
        assert after.limit > before.limit
        assert not app.calendar_drift()
        with pytest.raises(InvalidInput, match="nothing to follow"):
            app.follow_package(basis=BASIS, by=NATIONAL)
    finally:
        app.close()
    reopened = OfficeApp(target, policy=fresh_policy())
    try:
        assert not reopened.calendar_drift()
        assert len(base_events(reopened)) == 1  # the base is never rewritten
    finally:
        reopened.close()


def test_a_day_an_amendment_already_added_is_no_difference(tmp_path: Path, package: Package) -> None:
    target = str(tmp_path / "lapor.db")
    package(WITHOUT_SKB_DAY, "0.70")
    app = OfficeApp(target, policy=fresh_policy())
    file_complaint(app, wib(2025, 8, 4, 9))
    app.office_clock.follow(wib(2025, 8, 7, 15))
    app.amend_calendar(add=[SKB_DAY], basis="SKB 3 Menteri 2025, perubahan", by=NATIONAL)
    app.close()
    package(INSTALLED, "0.99")  # the package learnt it later
    app = OfficeApp(target, policy=fresh_policy())
    try:
        assert not app.calendar_drift()
    finally:
        app.close()


def test_a_store_from_before_the_base_was_recorded_records_it_with_its_next_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = str(tmp_path / "lapor.db")
    with monkeypatch.context() as before:
        before.setattr("lapor_domain.base_calendar.BaseCalendarRecord.adopt", lambda self: None)
        app = OfficeApp(target)
        complaint = file_complaint(app, wib(2025, 8, 4, 9))
        assert base_events(app) == []
        app.close()
    app = OfficeApp(target)
    try:
        assert base_events(app) == []  # read only: nothing written
        to_unit(app, complaint.id, wib(2025, 8, 5, 10))
        (event,) = base_events(app)
        assert tuple(sorted(event.closing_days.items())) == INSTALLED
    finally:
        app.close()


def test_a_base_another_process_recorded_first_is_the_one_counted_on(
    shared_target: str, package: Package
) -> None:
    package(WITHOUT_SKB_DAY, "0.70")
    old = OfficeApp(shared_target, policy=fresh_policy())
    package(INSTALLED, "0.99")
    new = OfficeApp(shared_target, policy=fresh_policy())  # opened before anything was recorded
    try:
        package(WITHOUT_SKB_DAY, "0.70")
        file_complaint(old, wib(2025, 8, 4, 9))  # records the old package's days
        package(INSTALLED, "0.99")
        file_complaint(new, wib(2025, 8, 4, 10))  # finds them recorded, and counts on them
        assert len(base_events(new)) == 1
        assert base_events(new)[0].source == "holidays 0.70"
        assert new.calendar_drift().added.keys() == {SKB_DAY}
        assert new.rules.calendars.calendar().closing_name(SKB_DAY) is None
    finally:
        old.close()
        new.close()


DAYS_2025 = [date.fromordinal(o) for o in range(date(2025, 1, 1).toordinal(), date(2026, 1, 1).toordinal())]
WORKING_2025 = [d for d in DAYS_2025 if calendar_over(INSTALLED).is_working_day(d)]
CLOSED_2025 = [d for d, _ in INSTALLED if d.year == 2025 and d.weekday() < 5]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    added=st.sets(st.sampled_from(WORKING_2025), max_size=4),
    dropped=st.sets(st.sampled_from(CLOSED_2025), max_size=3),
    amended=st.sets(st.sampled_from(WORKING_2025), max_size=2),
)
def test_for_any_package_change_the_recorded_base_counts_and_following_it_agrees_with_the_package(
    tmp_path_factory: pytest.TempPathFactory,
    package: Package,
    added: set[date],
    dropped: set[date],
    amended: set[date],
) -> None:
    target = str(tmp_path_factory.mktemp("base") / "lapor.db")
    package(INSTALLED, "0.70")
    app = OfficeApp(target, policy=fresh_policy())
    ids = [file_complaint(app, wib(2025, 1, 6 + n, 9)).id for n in range(3)]
    to_unit(app, ids[0], wib(2025, 1, 13, 10))
    if amended:
        app.office_clock.follow(wib(2025, 1, 14, 9))
        app.amend_calendar(add=sorted(amended), basis="Keppres (uji)", by=NATIONAL)
    pending = {cid: app.pending_deadline(cid) for cid in ids}
    desk = app.desk_deadlines(ids[0])
    app.close()

    upgraded = tuple(sorted({*((d, "baru") for d in added), *(i for i in INSTALLED if i[0] not in dropped)}))
    package(upgraded, "0.99")
    app = OfficeApp(target, policy=fresh_policy())
    try:
        assert {cid: app.pending_deadline(cid) for cid in ids} == pending
        assert app.desk_deadlines(ids[0]) == desk
        drift = app.calendar_drift()
        assert set(drift.added) == added - amended
        assert set(drift.cancelled) == dropped
        if drift:
            app.office_clock.follow(wib(2025, 1, 15, 9))
            app.follow_package(basis=BASIS, by=NATIONAL)
        assert not app.calendar_drift()
        national = app.rules.calendars.calendar()
        followed = calendar_over(upgraded).changed(add=dict.fromkeys(amended, "Keppres (uji)"))
        for day in WORKING_2025 + CLOSED_2025:
            assert national.is_working_day(day) == followed.is_working_day(day), day
    finally:
        app.close()
