"""The working-day calendar: DOMAIN.md rules 2 and 3 and the calendar invariants.

Three kinds of test: worked examples checked by hand, the official SKB 3 Menteri
lists typed from the decrees (independent of the `holidays` package), and
Hypothesis properties checked against a naive day-by-day reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_domain.errors import InvalidInput
from lapor_domain.model.calendar import ADDED_BY_CONFIGURATION, WorkingCalendar

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
ONE_DAY = timedelta(days=1)


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar.indonesia()


@pytest.fixture(scope="module")
def closes_at_four() -> WorkingCalendar:
    return WorkingCalendar.indonesia(day_ends_at=time(16, 0))


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


# --- the official lists -------------------------------------------------------------
# Typed by hand from SKB 3 Menteri (Menteri Agama, Menteri Ketenagakerjaan, MenPAN-RB):
# 2024: SKB 855/2023, 3/2023, 4/2023, plus Keppres 10/2024 (Pemilu, 14 Feb) and the
#       Keppres for the simultaneous Pilkada (27 Nov);
# 2025: SKB 1017/2024, 2/2024, 2/2024, amended in August 2025 to add cuti bersama on
#       Monday 18 August (Hari Kemerdekaan);
# 2026: the SKB 3 Menteri of September 2025.
# Weekend dates are typed too, as in the decrees; the calendar only lists weekdays.

HOLIDAYS = {
    2024: ["01-01", "02-08", "02-10", "02-14", "03-11", "03-29", "03-31", "04-10", "04-11",
           "05-01", "05-09", "05-23", "06-01", "06-17", "07-07", "08-17", "09-16", "11-27",
           "12-25"],
    2025: ["01-01", "01-27", "01-29", "03-29", "03-31", "04-01", "04-18", "04-20", "05-01",
           "05-12", "05-29", "06-01", "06-06", "06-27", "08-17", "09-05", "12-25"],
    2026: ["01-01", "01-16", "02-17", "03-19", "03-21", "03-22", "04-03", "04-05", "05-01",
           "05-14", "05-27", "05-31", "06-01", "06-16", "08-17", "08-25", "12-25"],
}
CUTI_BERSAMA = {
    2024: ["02-09", "03-12", "04-08", "04-09", "04-12", "04-15", "05-10", "05-24", "06-18",
           "12-26"],
    2025: ["01-28", "03-28", "04-02", "04-03", "04-04", "04-07", "05-13", "05-30", "06-09",
           "08-18",  # the August 2025 amendment
           "12-26"],
    2026: ["02-16", "03-18", "03-20", "03-23", "03-24", "05-15", "05-28", "12-24"],
}


def decreed(year: int, days: Iterable[str]) -> set[date]:
    return {date.fromisoformat(f"{year}-{day}") for day in days}


@pytest.mark.parametrize("year", sorted(HOLIDAYS))
def test_closing_days_match_the_skb_3_menteri(calendar: WorkingCalendar, year: int) -> None:
    official = decreed(year, HOLIDAYS[year]) | decreed(year, CUTI_BERSAMA[year])
    weekdays = {day for day in official if day.weekday() < 5}
    listed = calendar.closing_days(year)
    assert {day for day, _ in listed} == weekdays
    assert [day for day, _ in listed] == sorted(weekdays)
    assert all(name.strip() for _, name in listed)


@pytest.mark.parametrize("year", sorted(HOLIDAYS))
def test_every_decreed_day_is_closed(calendar: WorkingCalendar, year: int) -> None:
    for day in decreed(year, HOLIDAYS[year]) | decreed(year, CUTI_BERSAMA[year]):
        assert not calendar.is_working_day(day), day


def test_the_2025_amendment_is_a_cuti_bersama(calendar: WorkingCalendar) -> None:
    names = dict(calendar.closing_days(2025))
    assert "Cuti Bersama" in names[date(2025, 8, 18)]


# --- worked examples ----------------------------------------------------------------


def test_ten_working_days_after_friday_13_march_2026(calendar: WorkingCalendar) -> None:
    # Mon 16, Tue 17 count; 18-24 March are Nyepi, Idul Fitri and their cuti bersama;
    # 25, 26, 27, 30, 31 March, 1, 2 April count; Good Friday 3 April is closed; Monday
    # 6 April is the tenth.
    assert calendar.add_working_days(date(2026, 3, 13), 10) == date(2026, 4, 6)
    assert calendar.deadline(wib(2026, 3, 13, 9, 30), 10) == wib(2026, 4, 7)


@pytest.mark.parametrize(("start", "n", "last_day"), [
    (date(2025, 3, 27), 1, date(2025, 4, 8)),   # Thu before Nyepi: 28 Mar - 7 Apr closed
    (date(2025, 3, 27), 3, date(2025, 4, 10)),
    (date(2025, 3, 26), 5, date(2025, 4, 11)),  # 27 Mar, then 8, 9, 10, 11 Apr
    (date(2025, 3, 29), 1, date(2025, 4, 8)),   # Nyepi falls on a Saturday
    (date(2025, 4, 1), 1, date(2025, 4, 8)),    # arriving on Idul Fitri itself
    (date(2025, 4, 7), 1, date(2025, 4, 8)),    # arriving on the last cuti bersama
    (date(2025, 8, 15), 1, date(2025, 8, 19)),  # Fri; Mon 18 Aug is the amendment's day
    (date(2025, 12, 24), 1, date(2025, 12, 29)),  # Christmas and its cuti bersama
    (date(2026, 3, 17), 1, date(2026, 3, 25)),  # Nyepi and Idul Fitri 2026: 18-24 Mar
    (date(2026, 3, 16), 3, date(2026, 3, 26)),
    (date(2026, 3, 21), 1, date(2026, 3, 25)),  # arriving on Idul Fitri, a Saturday
    (date(2026, 5, 13), 2, date(2026, 5, 19)),  # Kenaikan 14 and its cuti bersama 15 May
    (date(2026, 12, 23), 1, date(2026, 12, 28)),  # cuti bersama 24, Christmas 25 Dec
])
def test_worked_examples(calendar: WorkingCalendar, start: date, n: int,
                         last_day: date) -> None:
    assert calendar.add_working_days(start, n) == last_day
    assert calendar.deadline(wib(start.year, start.month, start.day, 12), n) == datetime.combine(
        last_day + ONE_DAY, time(0), tzinfo=WIB)


def test_a_saturday_arrival_starts_counting_on_monday(calendar: WorkingCalendar) -> None:
    saturday = wib(2025, 1, 11, 10, 0)
    assert calendar.deadline(saturday, 1) == wib(2025, 1, 14)  # end of Monday 13 January
    assert calendar.deadline(saturday + ONE_DAY, 1) == wib(2025, 1, 14)  # Sunday too
    assert calendar.deadline(wib(2025, 1, 10, 23, 59), 1) == wib(2025, 1, 14)  # Friday


def test_the_local_date_is_the_calendars_not_the_inputs(calendar: WorkingCalendar) -> None:
    thursday_late = datetime(2025, 1, 9, 16, 30, tzinfo=UTC)  # Thursday 23:30 WIB
    friday_early = datetime(2025, 1, 9, 17, 30, tzinfo=UTC)  # Friday 00:30 WIB
    assert calendar.deadline(thursday_late, 1) == wib(2025, 1, 11)  # end of Friday
    assert calendar.deadline(friday_early, 1) == wib(2025, 1, 14)  # end of Monday
    # 00:30 on Friday in Makassar is still Thursday 23:30 in Jakarta.
    assert calendar.deadline(datetime(2025, 1, 10, 0, 30, tzinfo=WITA), 1) == wib(2025, 1, 11)
    assert calendar.deadline(thursday_late, 1).tzinfo is calendar.timezone
    assert calendar.local_date(friday_early) == date(2025, 1, 10)


def test_a_calendar_for_another_zone() -> None:
    makassar = WorkingCalendar.indonesia(timezone="Asia/Makassar")
    thursday_late_in_jakarta = wib(2025, 1, 9, 23, 30)  # Friday 00:30 WITA
    assert makassar.deadline(thursday_late_in_jakarta, 1) == datetime(2025, 1, 14, tzinfo=WITA)


def test_a_day_ending_at_four_in_the_afternoon(closes_at_four: WorkingCalendar) -> None:
    assert closes_at_four.deadline(wib(2026, 3, 13, 9, 30), 10) == wib(2026, 4, 6, 16, 0)
    assert closes_at_four.deadline(wib(2025, 1, 11, 18, 0), 1) == wib(2025, 1, 13, 16, 0)


def test_datetimes_are_taken_as_their_local_date(calendar: WorkingCalendar) -> None:
    friday_early = datetime(2025, 1, 9, 17, 30, tzinfo=UTC)  # Friday 00:30 WIB
    assert calendar.add_working_days(friday_early, 1) == date(2025, 1, 13)
    assert calendar.is_working_day(friday_early)
    assert calendar.working_days_between(friday_early, wib(2025, 1, 14, 8)) == 2


def test_working_days_between(calendar: WorkingCalendar) -> None:
    assert calendar.working_days_between(date(2026, 3, 13), date(2026, 4, 6)) == 10
    assert calendar.working_days_between(date(2026, 4, 6), date(2026, 3, 13)) == -10
    assert calendar.working_days_between(date(2025, 3, 28), date(2025, 4, 7)) == 0
    assert calendar.working_days_between(date(2025, 1, 6), date(2025, 1, 6)) == 0


def test_configuration_adds_and_removes_closing_days(calendar: WorkingCalendar) -> None:
    without_18_august = WorkingCalendar.indonesia(remove=[date(2025, 8, 18)])
    assert calendar.add_working_days(date(2025, 8, 15), 1) == date(2025, 8, 19)
    assert without_18_august.add_working_days(date(2025, 8, 15), 1) == date(2025, 8, 18)

    named = WorkingCalendar.indonesia(add={date(2026, 8, 18): "Cuti Bersama (perubahan SKB)"})
    unnamed = WorkingCalendar.indonesia(add=[date(2026, 8, 18)])
    assert calendar.add_working_days(date(2026, 8, 14), 1) == date(2026, 8, 18)
    assert named.add_working_days(date(2026, 8, 14), 1) == date(2026, 8, 19)
    assert dict(named.closing_days(2026))[date(2026, 8, 18)] == "Cuti Bersama (perubahan SKB)"
    assert dict(unnamed.closing_days(2026))[date(2026, 8, 18)] == ADDED_BY_CONFIGURATION
    assert len(named.closing_days(2026)) == len(calendar.closing_days(2026)) + 1


def test_calendars_are_cached(calendar: WorkingCalendar) -> None:
    assert WorkingCalendar.indonesia() is calendar
    assert WorkingCalendar.indonesia(add=[date(2026, 8, 18)]) is not calendar


def test_a_calendar_built_from_its_own_closing_days() -> None:
    custom = WorkingCalendar(closing_days={date(2030, 1, 1): "Tahun Baru",
                                           date(2030, 1, 5): "on a Saturday: ignored"},
                             first_year=2030, last_year=2030)
    assert custom.closing_days(2030) == [(date(2030, 1, 1), "Tahun Baru")]
    assert custom.add_working_days(date(2030, 1, 1), 1) == date(2030, 1, 2)
    assert custom.working_days_between(date(2030, 1, 1), date(2030, 12, 31)) == 260


@pytest.mark.parametrize("call", [
    lambda c: c.deadline(datetime(2025, 1, 6, 9, 0), 1),  # naive
    lambda c: c.local_date(datetime(2025, 1, 6, 9, 0)),
    lambda c: c.add_working_days(datetime(2025, 1, 6, 9, 0), 1),
    lambda c: c.working_days_between(datetime(2025, 1, 6), date(2025, 2, 1)),
    lambda c: c.add_working_days("2025-01-06", 1),
    lambda c: c.add_working_days(date(2025, 1, 6), 0),
    lambda c: c.add_working_days(date(2025, 1, 6), -3),
    lambda c: c.add_working_days(date(2025, 1, 6), 1.5),
    lambda c: c.deadline(wib(2025, 1, 6), 0),
    lambda c: c.add_working_days(date(2009, 12, 31), 1),  # before the first year
    lambda c: c.add_working_days(date(1999, 6, 1), 1),
    lambda c: c.add_working_days(date(2051, 1, 2), 1),  # after the last year
    lambda c: c.add_working_days(date(2050, 12, 27), 10),  # the answer would be in 2051
    lambda c: c.deadline(wib(2060, 1, 1), 1),
    lambda c: c.is_working_day(date(2051, 1, 2)),
    lambda c: c.working_days_between(date(2009, 12, 31), date(2025, 1, 1)),
    lambda c: c.closing_days(2051),
])
def test_invalid_input_is_refused(calendar: WorkingCalendar,
                                  call: Callable[[WorkingCalendar], object]) -> None:
    with pytest.raises(InvalidInput):
        call(calendar)


@pytest.mark.parametrize("make", [
    lambda: WorkingCalendar.indonesia(first_year=2030, last_year=2020),
    lambda: WorkingCalendar.indonesia(timezone="Asia/Nowhere"),
    lambda: WorkingCalendar.indonesia(day_ends_at=time(16, 0, tzinfo=WIB)),
    lambda: WorkingCalendar.indonesia(add=[date(2025, 8, 18)], remove=[date(2025, 8, 18)]),
    lambda: WorkingCalendar(closing_days={datetime(2025, 1, 1): "x"}, first_year=2025,
                            last_year=2025),
])
def test_invalid_configuration_is_refused(make: Callable[[], object]) -> None:
    with pytest.raises(InvalidInput):
        make()


def test_the_error_says_what_is_wrong(calendar: WorkingCalendar) -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        calendar.deadline(datetime(2025, 1, 6, 9, 0), 1)
    with pytest.raises(InvalidInput, match="at least 1"):
        calendar.add_working_days(date(2025, 1, 6), 0)
    with pytest.raises(InvalidInput, match=r"outside the calendar's years 2010\.\.2050"):
        calendar.add_working_days(date(2009, 12, 31), 1)
    with pytest.raises(InvalidInput, match="after the calendar's last year 2050"):
        calendar.add_working_days(date(2050, 12, 27), 10)


# --- properties against a naive reference ----------------------------------------------


def naive_add(closed: set[date], day: date, n: int) -> date:
    while n:
        day += ONE_DAY
        if day.weekday() < 5 and day not in closed:
            n -= 1
    return day


def naive_between(closed: set[date], a: date, b: date) -> int:
    if b < a:
        return -naive_between(closed, b, a)
    days = (a + ONE_DAY * k for k in range(1, (b - a).days + 1))
    return sum(1 for d in days if d.weekday() < 5 and d not in closed)


def closed_days(calendar: WorkingCalendar) -> set[date]:
    return {day for year in range(calendar.first_year, calendar.last_year + 1)
            for day, _ in calendar.closing_days(year)}


@pytest.fixture(scope="module")
def closed(calendar: WorkingCalendar) -> set[date]:
    return closed_days(calendar)


days = st.dates(min_value=date(2011, 1, 1), max_value=date(2049, 12, 31))
counts = st.integers(min_value=1, max_value=120)
zones = st.sampled_from([UTC, WIB, WITA])
instants = st.datetimes(min_value=datetime(2010, 1, 2), max_value=datetime(2049, 12, 31),
                        timezones=zones)
saturdays = st.builds(  # an instant on a Saturday in Jakarta, seen from any of the zones
    lambda day, at, zone: datetime.combine(day + timedelta(days=(5 - day.weekday()) % 7), at,
                                           tzinfo=WIB).astimezone(zone),
    days, st.times(), zones)


def last_working_day(deadline: datetime) -> date:
    """The working day whose end (24:00) the deadline is."""
    assert deadline.tzinfo is not None
    local = deadline.astimezone(WIB)
    assert local.time() == time(0)
    return local.date() - ONE_DAY


@given(instants, counts)
def test_a_deadline_ends_a_working_day_after_exactly_n(calendar: WorkingCalendar,
                                                       start: datetime, n: int) -> None:
    deadline = calendar.deadline(start, n)
    last_day = last_working_day(deadline)
    assert calendar.is_working_day(last_day)
    assert calendar.working_days_between(calendar.local_date(start), last_day) == n
    assert deadline > start


@given(instants, counts)
def test_a_deadline_at_four_ends_on_a_working_day(closes_at_four: WorkingCalendar,
                                                  start: datetime, n: int) -> None:
    deadline = closes_at_four.deadline(start, n).astimezone(WIB)
    assert deadline.time() == time(16, 0)
    assert closes_at_four.is_working_day(deadline.date())
    assert closes_at_four.working_days_between(start, deadline) == n


@given(instants, counts)
def test_deadlines_grow_strictly_with_n(calendar: WorkingCalendar, start: datetime,
                                        n: int) -> None:
    assert calendar.deadline(start, n) < calendar.deadline(start, n + 1)


@given(instants, instants, counts)
def test_deadlines_never_shrink_when_t_moves_later(calendar: WorkingCalendar, t1: datetime,
                                                   t2: datetime, n: int) -> None:
    earlier, later = sorted([t1, t2])
    assert calendar.deadline(earlier, n) <= calendar.deadline(later, n)


@given(saturdays, counts)
def test_a_weekend_arrival_counts_as_if_it_came_on_friday(calendar: WorkingCalendar,
                                                          saturday: datetime, n: int) -> None:
    assert calendar.local_date(saturday).weekday() == 5
    friday, sunday = saturday - ONE_DAY, saturday + ONE_DAY
    assert calendar.deadline(saturday, n) == calendar.deadline(friday, n)
    assert calendar.deadline(sunday, n) == calendar.deadline(friday, n)


@given(days, counts)
def test_adding_working_days_agrees_with_the_naive_walk(calendar: WorkingCalendar,
                                                        closed: set[date], day: date,
                                                        n: int) -> None:
    result = calendar.add_working_days(day, n)
    assert result == naive_add(closed, day, n)
    assert calendar.is_working_day(result)
    assert calendar.working_days_between(day, result) == n
    assert calendar.working_days_between(day, result - ONE_DAY) == n - 1


@given(days, st.integers(min_value=-365, max_value=365))  # both days inside the years 2010..2050
def test_working_days_between_agrees_with_the_naive_count(calendar: WorkingCalendar,
                                                          closed: set[date], a: date,
                                                          offset: int) -> None:
    b = a + timedelta(days=offset)
    assert calendar.working_days_between(a, b) == naive_between(closed, a, b)
    assert calendar.working_days_between(b, a) == -calendar.working_days_between(a, b)


@given(days)
def test_is_working_day_agrees_with_the_definition(calendar: WorkingCalendar,
                                                   closed: set[date], day: date) -> None:
    assert calendar.is_working_day(day) == (day.weekday() < 5 and day not in closed)


@given(st.sets(st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 12, 31)),
               max_size=300),
       st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 12, 31)),
       st.integers(min_value=1, max_value=40))
def test_any_closing_days_agree_with_the_naive_walk(closing: set[date], day: date,
                                                     n: int) -> None:
    custom = WorkingCalendar(closing_days=dict.fromkeys(closing, "x"), first_year=2024,
                             last_year=2025)
    expected = naive_add(closing, day, n)
    if expected.year > 2025:
        with pytest.raises(InvalidInput):
            custom.add_working_days(day, n)
    else:
        assert custom.add_working_days(day, n) == expected
        assert custom.working_days_between(day, expected) == n


@pytest.mark.parametrize("weekend", [frozenset({5, 6}), frozenset({6}), frozenset({4}), frozenset({0, 3})])
def test_working_days_built_from_ordinals_agree_with_each_dates_weekday(weekend: frozenset[int]) -> None:
    closing = {date(2024, 1, 1): "a", date(2024, 3, 9): "b (a Saturday)", date(2025, 12, 25): "c"}
    cal = WorkingCalendar(closing_days=closing, first_year=2024, last_year=2025, weekend=weekend)
    day, expected = date(2024, 1, 1), []
    while day.year < 2026:
        works = day.weekday() not in weekend and day not in closing
        assert cal.is_working_day(day) is works, day
        if works:
            expected.append(day)
        day += ONE_DAY
    first = expected[0]
    assert [cal.add_working_days(first, n) for n in range(1, len(expected))] == expected[1:]
