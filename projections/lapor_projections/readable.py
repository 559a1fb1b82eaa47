"""Times as people read them: a deadline as the last working day it includes, with the
working days left, and the time zone a table's instants are in.

A desk's deadline is stored as an instant: the end of its last working day, which with
days ending at midnight is 00:00 of the next day, often a Saturday. "target 2025-02-15
00:00" means the end of Friday 14 February, so that is what a table says: "s.d. Jumat,
14 Feb 2025" in Indonesian, "by end of Fri 14 Feb 2025" in English. The names of days
and months are the CLDR's (Babel's ``id`` and ``en`` locales: a test holds them to it),
kept here so that a command does not load locale data to print a queue.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from lapor_domain import InvalidInput, WorkingCalendar

LANGUAGES = ("id", "en")
DAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),  # Babel: EEEE, locale id
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),  # Babel: EEE, locale en
}
MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),  # MMM
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_MIDNIGHT = time(0)


def last_day(deadline: datetime, zone: tzinfo) -> date:
    """The last day a deadline includes: the day before when it falls at 00:00 (the end of
    that day), else its own day."""
    local = deadline.astimezone(zone)
    return local.date() - timedelta(days=1) if local.time() == _MIDNIGHT else local.date()


def day_text(day: date, lang: str) -> str:
    """``Jumat, 14 Feb 2025`` / ``Fri 14 Feb 2025``."""
    name, month = DAYS[lang][day.weekday()], MONTHS[lang][day.month - 1]
    return f"{name}, {day.day} {month} {day.year}" if lang == "id" else f"{name} {day.day} {month} {day.year}"


def deadline_text(deadline: datetime, zone: tzinfo, lang: str) -> str:
    """``s.d. Jumat, 14 Feb 2025`` / ``by end of Fri 14 Feb 2025`` (with the hour when a day
    ends at another time than midnight: ``s.d. Jumat, 14 Feb 2025 16:00``)."""
    local = deadline.astimezone(zone)
    day = day_text(last_day(deadline, zone), lang)
    if local.time() == _MIDNIGHT:
        return f"s.d. {day}" if lang == "id" else f"by end of {day}"
    hour = local.strftime("%H:%M")
    return f"s.d. {day} {hour}" if lang == "id" else f"by {hour} {day}"


def working_days_left(deadline: datetime, at: datetime, calendar: WorkingCalendar) -> int:
    """Working days after ``at``'s day up to the deadline's last day: 0 on that day itself,
    negative once it has passed (how many working days over)."""
    zone = calendar.timezone
    return calendar.working_days_between(at.astimezone(zone).date(), last_day(deadline, zone))


def left_text(days: int, lang: str, *, passed: bool) -> str:
    """``3 hari kerja lagi`` / ``3 working days left``; ``hari terakhir`` / ``last day``;
    ``lewat 2 hari kerja`` / ``2 working days over``."""
    if passed:
        over = max(-days, 0)
        if over == 0:
            return "lewat" if lang == "id" else "passed"
        return f"lewat {over} hari kerja" if lang == "id" else f"{over} working day{'s' * (over != 1)} over"
    if days <= 0:
        return "hari terakhir" if lang == "id" else "last day"
    return f"{days} hari kerja lagi" if lang == "id" else f"{days} working day{'s' * (days != 1)} left"


def left_at(deadline: datetime, at: datetime, calendar: WorkingCalendar, lang: str) -> str | None:
    """What is left of a deadline at ``at`` (``left_text``); None when ``at`` or the deadline
    lies outside the calendar's years, where the day alone says enough."""
    try:
        left = working_days_left(deadline, at, calendar)
    except InvalidInput:
        return None
    return left_text(left, lang, passed=at >= deadline)


def zone_caption(zone: tzinfo, at: datetime | None, lang: str) -> str:
    """``waktu WIB (Asia/Jakarta)`` / ``times in WIB (Asia/Jakarta)``."""
    name = getattr(zone, "key", None) or str(zone)
    short = (at or datetime(2025, 1, 1, tzinfo=UTC)).astimezone(zone).tzname() or name
    where = f"{short} ({name})" if short != name else name
    return f"waktu {where}" if lang == "id" else f"times in {where}"
