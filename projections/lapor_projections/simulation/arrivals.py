"""When complaints arrive: a daily rate shaped by weekday, holidays and season.

The expected count of a day is the yearly intake spread over the year's days in
proportion to each day's factor: weekdays busier than weekends (Monday most),
closing days (holidays, cuti bersama) quiet, June-July busier (school admission,
PPDB), December quieter, and a spike in the two weeks after the Idul Fitri
closing days, when offices reopen and the backlog of the holiday is reported
(about 2.8 times a normal day at its peak: near 1,000 a day at national scale).
The count itself is Poisson; the times of day follow when people write in
(morning and evening peaks, few at night).
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable
from datetime import date, timedelta
from itertools import accumulate
from math import exp, sqrt

from lapor_domain import WorkingCalendar

WEEKDAY = (1.25, 1.2, 1.15, 1.1, 0.95, 0.6, 0.5)  # Monday .. Sunday
CLOSING_DAY = 0.5
MONTH = (1.05, 1.0, 1.0, 0.95, 1.0, 1.15, 1.2, 1.0, 0.95, 1.0, 1.0, 0.85)
LEBARAN_DAYS = 14
LEBARAN_PEAK = 1.8  # extra on the first day after the holiday, fading to none
_HOUR_WEIGHTS = (
    0.3,
    0.2,
    0.1,
    0.1,
    0.2,
    0.5,
    1.0,
    2.0,
    3.5,
    4.0,
    4.0,
    3.8,
    3.0,
    3.5,
    3.6,
    3.4,
    3.0,
    2.6,
    2.4,
    2.8,
    3.0,
    2.6,
    1.6,
    0.8,
)
_HOURS = list(accumulate(_HOUR_WEIGHTS))
_ONE_DAY = timedelta(days=1)


class Arrivals:
    """Day after day from ``start``: the seconds after local midnight at which complaints arrive."""

    def __init__(self, calendar: WorkingCalendar, start: date, per_year: float, rng: random.Random) -> None:
        self._calendar = calendar
        self._per_year = per_year
        self._rng = rng
        self._per_factor: dict[int, float] = {}
        self._lebaran: dict[int, date | None] = {}
        self.day = start

    def next_day(self) -> tuple[date, list[int]]:
        """The current day and its arrival times (sorted); moves on to the following day."""
        day = self.day
        self.day = day + _ONE_DAY
        rng = self._rng
        mean = self.factor(day) * self._scale(day.year)
        random = rng.random
        times = [_hour(random) * 3600 + int(random() * 3600) for _ in range(_poisson(rng, mean))]
        times.sort()
        return day, times

    def factor(self, day: date) -> float:
        """How busy this day is relative to the others (before scaling to the yearly intake)."""
        weekday = day.weekday()
        closed = weekday < 5 and not self._calendar.is_working_day(day)
        factor = (CLOSING_DAY if closed else WEEKDAY[weekday]) * MONTH[day.month - 1]
        lebaran = self._lebaran_end(day.year)
        if lebaran is not None and 0 < (after := (day - lebaran).days) <= LEBARAN_DAYS:
            factor *= 1.0 + LEBARAN_PEAK * (LEBARAN_DAYS + 1 - after) / LEBARAN_DAYS
        return factor

    def _scale(self, year: int) -> float:
        scale = self._per_factor.get(year)
        if scale is None:
            first, last = date(year, 1, 1), date(year, 12, 31)
            days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
            scale = self._per_year / sum(map(self.factor, days))
            self._per_factor[year] = scale
        return scale

    def _lebaran_end(self, year: int) -> date | None:
        """The last closing day named for Idul Fitri that year (the spike follows it)."""
        if year not in self._lebaran:
            days = [
                d
                for d, name in self._calendar.closing_days(year)
                if "idul fitri" in name.lower() or "idulfitri" in name.lower()
            ]
            self._lebaran[year] = max(days) if days else None
        return self._lebaran[year]


def _hour(random: Callable[[], float]) -> int:
    return min(bisect_right(_HOURS, random() * _HOURS[-1]), 23)


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw: exact (Knuth) for small means, normal approximation above 40."""
    if mean >= 40.0:
        return max(0, round(rng.gauss(mean, sqrt(mean))))
    limit, count, product = exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
