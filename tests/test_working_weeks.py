"""Units with their own working week (DOMAIN.md rule 17), from the shipped example policy."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_domain import Actor, Clock, InvalidInput, LaporApp, SlaPolicy, Week, WorkingCalendar

from conftest import OfficeApp
from sop import DINKES, file_complaint, to_unit, wib

EXAMPLE = Path(__file__).parent.parent / "examples" / "policy-saturday-units.toml"
PUSKESMAS = Actor.liaison("kota-cirebon", "pkm-pulasaren", "pp-rina")


@pytest.fixture
def saturdays() -> LaporApp:
    return OfficeApp(policy=SlaPolicy.from_toml_file(EXAMPLE))


def test_the_example_policy_gives_the_hospital_and_the_puskesmas_saturdays(saturdays: LaporApp) -> None:
    cals = saturdays.rules.calendars
    assert cals.week_of("kota-cirebon", "rsud-gunung-jati") is Week.MONDAY_TO_SATURDAY
    assert cals.week_of("kota-cirebon", "pkm-pulasaren") is Week.MONDAY_TO_SATURDAY
    assert cals.week_of("kota-cirebon", "dinkes") is Week.MONDAY_TO_FRIDAY
    assert cals.week_of("kabupaten-cirebon", "pkm-watubelah") is Week.MONDAY_TO_SATURDAY  # a kind


def test_a_puskesmas_limit_counts_saturdays_and_the_escalation_does_not(saturdays: LaporApp) -> None:
    cirebon = OfficeApp()  # the default: every unit Monday to Friday
    found = {}
    for app in (saturdays, cirebon):
        c = file_complaint(app, wib(2026, 3, 2, 9))
        to_unit(app, c.id, wib(2026, 3, 2, 10), unit="pkm-pulasaren")  # Monday 2 March 2026
        found[app] = (app.desk_deadlines(c.id), app.pending_deadline(c.id))
    (sat_desk, sat_clock), (week_desk, week_clock) = found[saturdays], found[cirebon]
    assert sat_desk is not None and week_desk is not None and sat_clock and week_clock
    # Five working days from Monday: Tue-Sat with Saturdays (ends Saturday 7 March), Tue-Mon without.
    assert sat_desk.target == wib(2026, 3, 8)
    assert week_desk.target == wib(2026, 3, 10)
    assert sat_desk.limit < week_desk.limit
    assert sat_clock.clock is Clock.ESCALATION and sat_clock.due == week_clock.due  # national calendar


def test_a_unit_without_its_own_week_is_unchanged(saturdays: LaporApp) -> None:
    c = file_complaint(saturdays, wib(2026, 3, 2, 9))
    to_unit(saturdays, c.id, wib(2026, 3, 2, 10), unit="dinkes")
    desk = saturdays.desk_deadlines(c.id)
    assert desk is not None and desk.target == wib(2026, 3, 10)
    saturdays.respond(c.id, message="Sudah ditangani.", by=DINKES, at=wib(2026, 3, 3, 9))


def test_a_policy_naming_no_unit_is_refused() -> None:
    policy = SlaPolicy.model_validate({"working_weeks": {"kota-cirebon/no-such-unit": "mon-sat"}})
    with pytest.raises(InvalidInput, match="no-such-unit"):
        OfficeApp(policy=policy)


MON_SAT = WorkingCalendar.indonesia().changed(weekend=Week.MONDAY_TO_SATURDAY.weekend)


@given(st.dates(date(2024, 1, 1), date(2027, 12, 31)), st.integers(1, 60))
def test_a_monday_to_saturday_calendar_counts_every_day_but_sundays_and_closing_days(
    start: date, n: int
) -> None:
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        counted += day.weekday() != 6 and MON_SAT.closing_name(day) is None
    assert MON_SAT.add_working_days(start, n) == day
    assert MON_SAT.deadline(start, n) == datetime.combine(
        day + timedelta(days=1), datetime.min.time(), tzinfo=MON_SAT.timezone
    )


def test_the_working_days_a_stay_took_count_on_its_units_week(saturdays: LaporApp) -> None:
    """The timeline's days since the previous event and a stay's working days count on the
    calendar of the desk the complaint was on (rule 17), not on Monday to Friday."""
    from lapor_projections import ReadModels, ViewReader, timeline

    c = file_complaint(saturdays, wib(2026, 3, 2, 9))
    to_unit(saturdays, c.id, wib(2026, 3, 2, 10), unit="pkm-pulasaren")  # Monday 2 March 2026
    saturdays.respond(c.id, message="Sudah ditangani.", by=PUSKESMAS, at=wib(2026, 3, 9, 10))
    week = saturdays.rules.calendars.calendar("kota-cirebon", Week.MONDAY_TO_SATURDAY)
    monday_to_friday = saturdays.rules.calendars.calendar("kota-cirebon")
    spent = week.working_days_between(wib(2026, 3, 2, 10), wib(2026, 3, 9, 10))
    assert spent == monday_to_friday.working_days_between(wib(2026, 3, 2, 10), wib(2026, 3, 9, 10)) + 1
    responded = timeline(saturdays, c.id)[-1]
    assert responded.event == "Responded" and responded.working_days_since_previous == spent
    views = ReadModels(saturdays)
    views.catch_up()
    reader = ViewReader(views.db, saturdays.policy, saturdays.rules.calendars)
    stay = next(v for v in reader.visits(c.id, wib(2026, 3, 10)) if v.unit == "pkm-pulasaren")
    assert stay.working_days == spent
    views.close()
