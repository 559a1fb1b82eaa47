"""Instants: the one check that a business instant is aware, and the one stored form of it.

Rule 1: every instant carries its offset. Stored, an instant is an integer of UTC
microseconds since the Unix epoch (deadline index, read models). ``EPOCH`` and
``MICROSECOND`` are exported for the hot paths that inline the arithmetic; use the
functions everywhere else.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..errors import InvalidInput

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def require_aware(value: object, what: str = "the instant") -> datetime:
    """``value`` itself if it is a datetime with a real UTC offset; InvalidInput otherwise.

    Strict: a tzinfo whose ``utcoffset()`` answers None is no offset (rule 1).
    """
    if not isinstance(value, datetime):
        raise InvalidInput(f"{what} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{what} must be timezone aware (rule 1), got {value.isoformat()}")
    return value


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
