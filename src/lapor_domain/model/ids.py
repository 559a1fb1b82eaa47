"""Complaint ids: parsing one as given, and the prefix of one as tables abbreviate it."""

from __future__ import annotations

from uuid import UUID

from ..errors import InvalidInput

_HEX = frozenset("0123456789abcdef")


def parse_complaint_id(value: UUID | str) -> UUID:
    """A complaint id from a UUID or its text (dashed or not); InvalidInput if it is neither."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidInput("not a complaint id: {value!r}", value=value) from None


def id_prefix(text: str) -> str:
    """A typed start of a complaint id as stored (lower-case hex, no dashes); InvalidInput if not one."""
    if not isinstance(text, str):
        raise InvalidInput("the start of a complaint id is text, not {kind}", kind=type(text).__name__)
    clean = text.strip().lower().replace("-", "")
    if not clean or not set(clean) <= _HEX:
        raise InvalidInput("not the start of a complaint id: {text!r}", text=text)
    return clean
