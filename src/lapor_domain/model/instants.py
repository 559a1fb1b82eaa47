"""Instants: the one check that a business instant is aware, and the one stored form of it.

Rule 1: every instant carries its offset. Stored, an instant is an integer of UTC
microseconds since the Unix epoch (deadline index, read models). ``EPOCH`` and
``MICROSECOND`` are exported for the hot paths that inline the arithmetic; use the
functions everywhere else.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from ..errors import InvalidInput

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def require_aware(value: object, what: str = "the instant") -> datetime:
    """``value`` itself if it is a datetime with a real UTC offset; InvalidInput otherwise.

    Strict: a tzinfo whose ``utcoffset()`` answers None is no offset (rule 1).
    """
    if not isinstance(value, datetime):
        raise InvalidInput("{what} must be a datetime, not {kind}", what=what, kind=type(value).__name__)
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            "{what} must be timezone aware (rule 1), got {value}", what=what, value=value.isoformat()
        )
    return value


def require_within_years(
    value: object, what: str, *, zone: tzinfo, first_year: int, last_year: int
) -> datetime:
    """An aware instant whose year in ``zone`` lies in first_year..last_year; InvalidInput otherwise.

    A policy's calendar covers those years and nothing else: an instant outside them
    has no working days to count, and near year 1 or 9999 may not even convert.
    """
    aware = require_aware(value, what)
    if first_year < aware.year < last_year:  # a zone moves it by a day at most: no conversion
        return aware
    try:
        year: int | None = aware.astimezone(zone).year
        aware.astimezone(UTC)
    except (OverflowError, ValueError):
        year = None
    if year is None or not first_year <= year <= last_year:
        raise InvalidInput(
            "{what} {aware} lies outside the years {first_year}..{last_year} that the "
            "policy's calendar covers",
            what=what,
            aware=aware.isoformat(),
            first_year=first_year,
            last_year=last_year,
        )
    return aware


def to_micros(instant: datetime) -> int:
    """The stored form: UTC microseconds since the epoch (the instant must be aware)."""
    return (instant - EPOCH) // MICROSECOND


def from_micros(us: int) -> datetime:
    """The instant of a stored integer, in UTC."""
    return EPOCH + timedelta(microseconds=us)


def to_micros_or_none(instant: datetime | None) -> int | None:
    return None if instant is None else (instant - EPOCH) // MICROSECOND


def from_micros_or_none(us: int | None) -> datetime | None:
    return None if us is None else EPOCH + timedelta(microseconds=us)
