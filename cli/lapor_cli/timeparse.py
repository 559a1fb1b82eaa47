"""Dates and instants as operators type them: ISO-8601, read in the policy's time zone.

* ``2026-03-13T09:30+07:00``, ``2026-03-13T02:30Z``: that instant.
* ``2026-03-13T09:30``: 09:30 on the wall clock of the policy's zone (WIB for Cirebon).
* ``2026-03-13``: the start of that day (00:00) in the policy's zone; where a period
  *ends* (``--to``) a bare date includes the whole day.

This module and ``session.now`` are the only places the command line deals in wall
time; nothing here reads the clock.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

_BARE_DATE_LENGTHS = (8, 10)  # 20260313, 2026-03-13


class NotAnInstant(ValueError):
    """The text is not an ISO-8601 date or instant."""


def parse_date(text: str) -> date:
    """A calendar date, ISO-8601 (``2026-03-13``)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise NotAnInstant(f"{text!r} is not an ISO-8601 date such as 2026-03-13") from None


def is_bare_date(text: str) -> bool:
    return len(text.strip()) in _BARE_DATE_LENGTHS and "T" not in text.upper()


def parse_instant(text: str, zone: tzinfo, *, end_of_day: bool = False) -> datetime:
    """An aware instant; a bare date is that day's start (or, with ``end_of_day``, the next day's)."""
    cleaned = text.strip()
    if is_bare_date(cleaned):
        day = parse_date(cleaned)
        try:
            return datetime.combine(day + timedelta(days=1 if end_of_day else 0), time(0), tzinfo=zone)
        except OverflowError:  # the day after 9999-12-31
            raise NotAnInstant(f"{text!r}: the end of that day lies past the year 9999") from None
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise NotAnInstant(
            f"{text!r} is not an ISO-8601 date or instant such as 2026-03-13 or 2026-03-13T09:30+07:00"
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return parsed.replace(tzinfo=zone)
    return parsed


def local_text(instant: datetime | None, zone: tzinfo, *, seconds: bool = False) -> str:
    """An instant as an operator reads it: ``2026-03-13 09:30`` in the policy's zone."""
    if instant is None:
        return "-"
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def file_stamp(instant: datetime, zone: tzinfo) -> str:
    """An instant fit for a file name: ``2026-03-13T093000+0700``."""
    return instant.astimezone(zone).strftime("%Y-%m-%dT%H%M%S%z")
