"""Indonesian working days: what "within N working days" means (DOMAIN.md rules 2, 3).

A working day is a day of the working week (Monday to Friday; Monday to Saturday for a
unit that keeps its own week, rule 17) minus the closing days: national holidays and
cuti bersama, in the institution's time zone.  "Within N working days of t" ends
when the N-th working day after t's local date ends; the day of t never counts,
so a complaint arriving on Saturday starts counting on Monday.

Everything is computed once, at construction, for the years first_year..last_year:
``_rank[o]`` is the number of working days from the first covered day to the day of
ordinal o, and ``_nth[k]`` the k-th working day (1-based), so the n-th working day
after a day is ``_nth[_rank[day.toordinal()] + n]``: two lookups, never a walk over
days.  ``_rank`` is a dict keyed by the plain ordinal, which saves a subtraction and a
bounds check on every call (bench/bench_calendar.py); a day outside the years is not
in it (KeyError).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from itertools import accumulate, compress
from typing import Final, Protocol, final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lapor_domain.errors import InvalidInput

_ONE_DAY = timedelta(days=1)
_MIDNIGHT = time(0)
SATURDAY, SUNDAY = 5, 6  # date.weekday(): Monday 0 .. Friday 4, Saturday 5, Sunday 6
WEEKEND: Final = frozenset({SATURDAY, SUNDAY})
ADDED_BY_CONFIGURATION = "Hari libur tambahan (konfigurasi)"


class Week(StrEnum):
    """A working week: Monday to Friday, or Monday to Saturday for a unit that serves the
    public directly and keeps its own week (rule 17; Perpres 21/2023 art. 7)."""

    MONDAY_TO_FRIDAY = "mon-fri"
    MONDAY_TO_SATURDAY = "mon-sat"

    @property
    def weekend(self) -> frozenset[int]:
        return frozenset({SUNDAY}) if self is Week.MONDAY_TO_SATURDAY else WEEKEND


@final  # WorkingCalendar.indonesia() caches instances of this very class
class WorkingCalendar:
    """Working days in one time zone for the years first_year..last_year, inclusive.

    ``closing_days`` are the days off besides the weekend, with their names (weekend
    dates among them change nothing, but are kept: ``changed`` may make them working days).
    ``weekend`` is the days of the week that are never worked (``date.weekday()``
    numbers; Saturday and Sunday unless a unit keeps its own week, rule 17).
    ``day_ends_at`` None means a working day ends at 24:00 local, i.e. at 00:00 of the
    following day; a time such as 16:00 makes a deadline fall at that local time on its last working day.
    Anything outside the years covered is refused with InvalidInput.
    """

    __slots__ = (
        "_closing",
        "_deadlines",
        "_first",
        "_last",
        "_named",
        "_nth",
        "_rank",
        "day_ends_at",
        "first_year",
        "last_year",
        "timezone",
        "weekend",
    )

    def __init__(
        self,
        *,
        timezone: str = "Asia/Jakarta",
        closing_days: Mapping[date, str],
        first_year: int,
        last_year: int,
        day_ends_at: time | None = None,
        weekend: frozenset[int] = WEEKEND,
    ) -> None:
        _check_years(first_year, last_year)
        if not (isinstance(weekend, frozenset) and weekend <= set(range(7)) and len(weekend) < 7):
            raise InvalidInput(
                "a weekend is a set of weekday numbers 0..6, not all of them, got {weekend!r}",
                weekend=weekend,
            )
        _check_wall_clock(day_ends_at)
        if wrong := [d for d in closing_days if type(d) is not date]:
            raise InvalidInput("closing days must be dates, not {wrong!r}", wrong=wrong[0])
        self.timezone: Final = _zone(timezone)
        self.first_year: Final = first_year
        self.last_year: Final = last_year
        self.day_ends_at: Final = day_ends_at
        self.weekend: Final = weekend
        self._first: Final = date(first_year, 1, 1).toordinal()
        self._last: Final = date(last_year, 12, 31).toordinal()
        self._named: Final = {
            day: name for day, name in closing_days.items() if self._first <= day.toordinal() <= self._last
        }
        self._closing: Final = {
            day: name for day, name in self._named.items() if day.weekday() not in weekend
        }
        # Built from the plain ordinals, so that only the working days become date objects
        # (every command builds this): date.fromordinal(1) is a Monday, so the day of ordinal
        # o falls on weekday (o - 1) % 7, and on a weekend day w when o % 7 == (w + 1) % 7.
        ordinals = range(self._first, self._last + 1)
        off = {(w + 1) % 7 for w in weekend}
        shut = {day.toordinal() for day in self._closing}
        working = [o % 7 not in off and o not in shut for o in ordinals]
        # A dict keyed by the plain ordinal: a lookup as cheap as a tuple's index with no
        # subtraction, and 15,000 entries to build instead of a tuple padded to 750,000
        # (11 ms at every start of a command). A day outside the years is a KeyError.
        self._rank: Final[dict[int, int]] = dict(zip(ordinals, accumulate(map(int, working)), strict=True))
        self._nth: Final = (
            date.min,
            *map(date.fromordinal, compress(ordinals, working)),
        )  # [0] never returned
        self._deadlines: dict[tuple[date, int], datetime] = {}  # memo: a deadline depends on (day, n)

    @classmethod
    def indonesia(
        cls,
        *,
        first_year: int = 2010,
        last_year: int = 2050,
        add: Mapping[date, str] | Iterable[date] = (),
        remove: Iterable[date] = (),
        timezone: str = "Asia/Jakarta",
        day_ends_at: time | None = None,
        package: ClosingDays | None = None,
    ) -> WorkingCalendar:
        """Indonesia's calendar: national holidays and cuti bersama from the `holidays` package.

        ``add`` adds closing days the package lacks (a late SKB amendment), with
        names or without; ``remove`` drops ones it has (absent ones are ignored).
        ``package`` gives the package's days as a store recorded them (rule 16) instead of
        asking the installed one. Calendars are immutable and cached: equal arguments give
        the same object.
        """
        _check_wall_clock(day_ends_at)  # here too: an aware time may hash like a naive one
        added = dict(add.items()) if isinstance(add, Mapping) else dict.fromkeys(add, ADDED_BY_CONFIGURATION)
        return _indonesia(
            first_year, last_year, frozenset(added.items()), frozenset(remove), timezone, day_ends_at, package
        )

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(timezone={self.timezone.key!r}, years={self.first_year}.."
            f"{self.last_year}, closing_days={len(self._closing)}, "
            f"day_ends_at={self.day_ends_at!r}, weekend={sorted(self.weekend)})"
        )

    def changed(
        self,
        *,
        add: Mapping[date, str] | None = None,
        cancel: Iterable[date] = (),
        weekend: frozenset[int] | None = None,
    ) -> WorkingCalendar:
        """This calendar with closing days added (named) or cancelled, or another weekend:
        an amendment (rule 16) or a unit's own week (rule 17). Same zone, years and day end."""
        named = {day: name for day, name in self._named.items() if day not in set(cancel)}
        return WorkingCalendar(
            timezone=self.timezone.key,
            closing_days=named | dict(add or {}),
            first_year=self.first_year,
            last_year=self.last_year,
            day_ends_at=self.day_ends_at,
            weekend=self.weekend if weekend is None else weekend,
        )

    def closing_name(self, day: date) -> str | None:
        """The name of the holiday or cuti bersama on ``day``, if any (a weekend date too: it
        closes a unit that works Saturdays)."""
        return self._named.get(self._in_range(day))

    def span(self, n: int) -> timedelta:
        """The longest stretch of calendar time n working days can take from any day covered:
        a bound on how far before its due instant an n-working-day clock can have started."""
        _at_least_one(n)
        nth = self._nth
        if len(nth) <= n + 1:
            return timedelta(days=self._last - self._first + 1)
        gaps = (nth[k + n].toordinal() - nth[k].toordinal() for k in range(1, len(nth) - n))
        first_gap = nth[n].toordinal() - self._first + 1  # from a day before the first working day
        return timedelta(days=max(max(gaps, default=0) + 1, first_gap) + 1)

    def local_date(self, instant: datetime) -> date:
        """The date, in the calendar's zone, of an aware instant."""
        fast = instant.__class__ is datetime and instant.tzinfo is not None
        if not fast and (not isinstance(instant, datetime) or instant.utcoffset() is None):
            raise InvalidInput("expected a timezone-aware datetime, got {instant!r}", instant=instant)
        return instant.astimezone(self.timezone).date()

    def is_working_day(self, day: date) -> bool:
        day = self._in_range(day)
        return day.weekday() not in self.weekend and day not in self._closing

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (n >= 1); ``day`` itself never counts.

        An aware datetime is taken as its local date in the calendar's zone.
        """
        if n < 1 or day.__class__ is not date:  # the cheapest checks (bench/bench_calendar.py)
            return self.add_working_days(self._as_date(day), _at_least_one(n))
        try:
            return self._nth[self._rank[day.toordinal()] + n]
        except (IndexError, KeyError, TypeError):  # outside the years covered, or n not a whole number
            raise self._cannot_add(day, n) from None

    def deadline(self, start: datetime | date, n: int) -> datetime:
        """The instant the n-th working day after ``start``'s local date ends, in this zone.

        ``start`` may be that local date itself (several deadlines from one instant).
        """
        key = (start if start.__class__ is date else self.local_date(start), n)  # type: ignore[arg-type]
        found = self._deadlines.get(key)
        if found is None:
            last_day = self.add_working_days(key[0], n)
            if self.day_ends_at is None:
                found = datetime.combine(last_day + _ONE_DAY, _MIDNIGHT, tzinfo=self.timezone)
            else:
                found = datetime.combine(last_day, self.day_ends_at, tzinfo=self.timezone)
            self._deadlines[key] = found
        return found

    def working_days_between(self, a: date, b: date) -> int:
        """How many working days d have a < d <= b; minus that count of (b, a] when b < a.

        Aware datetimes are taken as their local dates.
        """
        return self._rank_of(b) - self._rank_of(a)

    def closing_days(self, year: int) -> list[tuple[date, str]]:
        """The weekdays of ``year`` that are closed (holidays, cuti bersama), with names."""
        if not self.first_year <= year <= self.last_year:
            raise InvalidInput(
                "{year} is outside the calendar's years {first_year}..{last_year}",
                year=year,
                first_year=self.first_year,
                last_year=self.last_year,
            )
        return sorted((day, name) for day, name in self._closing.items() if day.year == year)

    def _as_date(self, day: date) -> date:
        """A plain date: itself, an aware instant's local date, a date subclass's date."""
        if day.__class__ is date:
            return day
        if isinstance(day, datetime):
            return self.local_date(day)
        if not isinstance(day, date):
            raise InvalidInput("expected a date, got {day!r}", day=day)
        return date.fromordinal(day.toordinal())

    def _in_range(self, day: date) -> date:
        day = self._as_date(day)
        if not self._first <= day.toordinal() <= self._last:
            raise InvalidInput(
                "{day} is outside the calendar's years {first_year}..{last_year}",
                day=day,
                first_year=self.first_year,
                last_year=self.last_year,
            )
        return day

    def _rank_of(self, day: date) -> int:
        return self._rank[self._in_range(day).toordinal()]

    def _cannot_add(self, day: date, n: int) -> InvalidInput:
        _at_least_one(n)  # raises when n is not a whole number
        self._in_range(day)  # raises when the day itself is outside the calendar
        return InvalidInput(
            "{n} working days after {day} falls after the calendar's last year {last_year}",
            n=n,
            day=day,
            last_year=self.last_year,
        )


def _at_least_one(n: int) -> int:
    if not isinstance(n, int) or n < 1:
        raise InvalidInput("the number of working days must be at least 1, got {n!r}", n=n)
    return n


def _check_years(first_year: int, last_year: int) -> None:
    if not 1 <= first_year <= last_year <= 9998:
        raise InvalidInput(
            "need 1 <= first_year <= last_year <= 9998, got {first_year}..{last_year}",
            first_year=first_year,
            last_year=last_year,
        )


def _check_wall_clock(day_ends_at: time | None) -> None:
    if day_ends_at is not None and day_ends_at.tzinfo is not None:
        raise InvalidInput(
            "day_ends_at is a local wall-clock time, give it without a time zone (got {day_ends_at!r})",
            day_ends_at=day_ends_at,
        )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput("unknown time zone {name!r}", name=name) from error


@lru_cache(maxsize=8)  # a calendar holds about 7 MB and takes 10 ms to build
def _indonesia(
    first_year: int,
    last_year: int,
    added: frozenset[tuple[date, str]],
    removed: frozenset[date],
    timezone: str,
    day_ends_at: time | None,
    package: ClosingDays | None = None,
) -> WorkingCalendar:
    _check_years(first_year, last_year)
    if both := sorted(removed & {day for day, _ in added}):
        raise InvalidInput("closing days both added and removed: {both}", both=both)
    days = _indonesian_closing_days(first_year, last_year) if package is None else package
    closing = {day: name for day, name in days if day not in removed}
    return WorkingCalendar(
        timezone=timezone,
        closing_days=closing | dict(added),
        first_year=first_year,
        last_year=last_year,
        day_ends_at=day_ends_at,
    )


ClosingDays = tuple[tuple[date, str], ...]


class ClosingDaysCache(Protocol):
    """Where the `holidays` package's answer is kept between processes (``keep_closing_days_in``)."""

    def get(self, key: str) -> ClosingDays | None:
        """The days stored under ``key``, or None (absent, unreadable, or damaged)."""

    def put(self, key: str, days: ClosingDays) -> None:
        """Keep ``days`` under ``key``; failing to is not an error (the next process asks again)."""


_closing_days_cache: ClosingDaysCache | None = None


def keep_closing_days_in(cache: ClosingDaysCache | None) -> None:
    """Keep the `holidays` package's closing days in ``cache`` (None: ask the package every time).

    Asking the package costs about 0.1 s per process; the answer depends only on the
    installed package's version and the years, which make the key, so an upgraded
    package is asked again. A command line that starts often sets this once.
    """
    global _closing_days_cache
    _closing_days_cache = cache
    _indonesian_closing_days.cache_clear()


def package_closing_days(first_year: int, last_year: int) -> ClosingDays:
    """The installed `holidays` package's national holidays and cuti bersama for the years,
    named in Indonesian, sorted: what a store records as its base calendar (rule 16)."""
    return _indonesian_closing_days(first_year, last_year)


def package_source() -> str:
    """The package the base calendar comes from, with its version (``holidays 0.58``)."""
    return f"holidays {_holidays_version()}"


@lru_cache(maxsize=8)
def _indonesian_closing_days(first_year: int, last_year: int) -> ClosingDays:
    """National holidays and cuti bersama, named in Indonesian; cached, the lookup is slow."""
    cache = _closing_days_cache
    key = f"holidays-{_holidays_version()}-ID-public-government-id-{first_year}-{last_year}"
    if cache is not None and (kept := cache.get(key)) is not None:
        return kept
    import holidays  # here, not at the top: importing it takes ~0.1 s

    found = holidays.country_holidays(
        "ID", years=range(first_year, last_year + 1), categories=("public", "government"), language="id"
    )
    days = tuple(sorted(found.items()))
    if cache is not None:
        cache.put(key, days)
    return days


def _holidays_version() -> str:
    """The installed `holidays` package's version without importing it (0.1 s) or scanning every
    installed distribution's metadata (5 ms): the name of its ``.dist-info`` folder beside it."""
    from importlib.util import find_spec

    spec = find_spec("holidays")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if locations:
        beside = os.path.dirname(locations[0])
        try:
            names = [e.name for e in os.scandir(beside) if _DIST_INFO.fullmatch(e.name)]
        except OSError:
            names = []
        if len(names) == 1:
            found = _DIST_INFO.fullmatch(names[0])
            assert found is not None
            return found.group(1)
    from importlib.metadata import version  # anything unusual: ask the metadata

    return version("holidays")


_DIST_INFO = re.compile(r"holidays-([^-]+)\.dist-info")
