"""What a command carries, checked before the complaint's state is asked (rule 12: invalid input
comes before every refusal by the rules).

Limits come from the events' own field definitions, so the check and the stored
format cannot disagree.
"""

from __future__ import annotations

import functools
from enum import StrEnum
from typing import TypeVar

from annotated_types import MaxLen

from ..errors import InvalidInput
from .events import LogEvent

E = TypeVar("E", bound=StrEnum)


def text(value: object, what: str, *, max_length: int, required: bool = True) -> str:
    """Free text a command carries: a str, not blank when required, not too long (invalid input)."""
    if not isinstance(value, str):
        raise InvalidInput("{what} must be text, not {kind}", what=what, kind=type(value).__name__)
    if required and not value.strip():
        raise InvalidInput("{what} must not be empty or blank", what=what)
    if len(value) > max_length:
        raise InvalidInput(
            "{what} is {count} characters long; at most {max_length}",
            what=what,
            count=len(value),
            max_length=max_length,
        )
    return value


@functools.cache
def max_length(event: type[LogEvent], field: str) -> int:
    """The longest text an event's field takes, from the event's own definition."""
    for rule in event.model_fields[field].metadata:
        if isinstance(rule, MaxLen):
            return rule.max_length
    raise KeyError(f"{event.__name__}.{field} has no maximum length")


def flag(value: object, what: str, *, optional: bool = False) -> bool | None:
    """A yes/no: a bool (or None where the command leaves it unchanged)."""
    if value is None and optional:
        return None
    if not isinstance(value, bool):
        raise InvalidInput("{what} must be true or false, not {value!r}", what=what, value=value)
    return value


def choice(value: object, among: type[E], what: str) -> E:
    """One of an enumeration's values."""
    try:
        return among(value)  # type: ignore[arg-type]  # anything else is refused below
    except ValueError:
        known = ", ".join(member.value for member in among)
        raise InvalidInput(
            "unknown {what} {value!r}; one of: {known}", what=what, value=value, known=known
        ) from None
