"""The SLA policy as data (DOMAIN.md rules 2-6).

The default is Kota Cirebon's SOP 025/SOP-PIP/2018. An embedding service passes
its own, built in Python or loaded from a TOML file (``examples/policy-saturday-units.toml``
is one: Cirebon's defaults, with its hospital and Puskesmas working Saturdays).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import InvalidInput
from .calendar import ClosingDays, Week, WorkingCalendar
from .desks import SlaLevel
from .instants import require_within_years


class DeskSla(BaseModel):
    """'1-3 days' read as two thresholds (rule 4): on track up to `target`, breached after `limit`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    target: PositiveInt
    limit: PositiveInt

    @model_validator(mode="after")
    def _limit_not_before_target(self) -> DeskSla:
        if self.limit < self.target:
            raise ValueError(f"limit ({self.limit}) is shorter than target ({self.target})")
        return self


class SlaPolicy(BaseModel):
    """Deadlines in working days, per desk, plus the two clocks that finish a complaint."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "Kota Cirebon, SOP 025/SOP-PIP/2018"
    language: Literal["id", "en"] = Field(
        default="id", description="the language operators read by default (Cirebon: Bahasa Indonesia)"
    )
    timezone: str = "Asia/Jakarta"
    day_ends_at: time | None = Field(
        default=None, description="local time a working day ends; none means 24:00"
    )
    national: DeskSla = DeskSla(target=1, limit=3)
    admin: DeskSla = DeskSla(target=3, limit=5)
    unit: DeskSla = DeskSla(target=5, limit=10)
    auto_close_working_days: PositiveInt = 10
    escalation_working_days: PositiveInt = 60
    clock_skew: timedelta = Field(
        default=timedelta(minutes=5),
        description="how far a command's business instant may lie after its recording instant (rule 13)",
    )
    late_entry_grace: timedelta = Field(
        default=timedelta(0),
        description="how long after a finishing deadline falls due it becomes final (rule 13)",
    )
    identity_retention: timedelta = Field(
        default=timedelta(days=5 * 365),
        description="how long after a complaint finished its reporter's identity is kept (rule 14); "
        "Cirebon default: five years (P1825D), our choice",
    )
    extra_closing_days: dict[date, str] = Field(
        default_factory=dict, description="closing days the holidays package lacks"
    )
    cancelled_closing_days: frozenset[date] = Field(
        default_factory=frozenset, description="closing days the package has that do not apply"
    )
    working_weeks: dict[str, Week] = Field(
        default_factory=dict,
        description="units, or kinds of unit, that keep their own working week (rule 17): "
        "'INSTITUTION/UNIT' or a kind ('puskesmas', 'rsud') to 'mon-sat'; every other unit works mon-fri",
    )
    first_year: int = 2010
    last_year: int = 2050

    @field_validator("clock_skew", "late_entry_grace", "identity_retention")
    @classmethod
    def _not_negative(cls, value: timedelta) -> timedelta:
        if value < timedelta(0):
            raise ValueError(f"must not be negative, got {value}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A changed copy, validated like any policy: pydantic's own copy skips validation and
        would carry this policy's cached calendar and levels over to the changed one."""
        if not update:
            return super().model_copy(deep=deep)
        try:
            fields = {name: getattr(self, name) for name in type(self).model_fields}
            return type(self).model_validate({**fields, **update})
        except ValidationError as exc:
            raise InvalidInput("invalid SLA policy: {reason}", reason=_one_line(exc)) from exc

    def for_level(self, level: SlaLevel) -> DeskSla:
        return self._by_level[level]

    @cached_property
    def _by_level(self) -> dict[SlaLevel, DeskSla]:
        return {SlaLevel.NATIONAL: self.national, SlaLevel.ADMIN: self.admin, SlaLevel.UNIT: self.unit}

    @cached_property
    def zone(self) -> ZoneInfo:
        """The policy's time zone, without building its calendar (a command that only shows
        instants needs no working days)."""
        return ZoneInfo(self.timezone)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        """The working-day calendar this policy counts in (built once per policy)."""
        return self.calendar_over(None)

    def calendar_over(self, package: ClosingDays | None) -> WorkingCalendar:
        """This policy's calendar over the `holidays` package's days as a store recorded them
        (rule 16; None: the installed package's)."""
        return WorkingCalendar.indonesia(
            first_year=self.first_year,
            last_year=self.last_year,
            add=self.extra_closing_days,
            remove=self.cancelled_closing_days,
            timezone=self.timezone,
            day_ends_at=self.day_ends_at,
            package=package,
        )

    def business_instant(self, value: object, what: str = "the instant") -> datetime:
        """``value`` if aware and in the years the calendar covers; InvalidInput if not."""
        return require_within_years(
            value, what, zone=self.zone, first_year=self.first_year, last_year=self.last_year
        )

    @classmethod
    def cirebon(cls) -> SlaPolicy:
        return _CIREBON

    @classmethod
    def from_toml(cls, source: str | os.PathLike[str]) -> SlaPolicy:
        """Read a policy from TOML text, or from a file when given a path.

        As ``OrganisationDirectory.from_toml``: a ``pathlib.Path`` (any ``os.PathLike``)
        is read as a file; a ``str`` is TOML text when it contains a newline or an ``=``,
        otherwise it is a path. Anything unreadable or invalid raises InvalidInput.
        """
        if isinstance(source, os.PathLike) or (
            isinstance(source, str) and not ("\n" in source or "=" in source)
        ):
            return cls.from_toml_file(source)
        if not isinstance(source, str):
            raise InvalidInput("an SLA policy is TOML text or a path, not {kind}", kind=type(source).__name__)
        import tomllib  # here: most commands read no policy text, and it costs 2 ms to import

        try:
            return cls.model_validate(tomllib.loads(source))
        except (tomllib.TOMLDecodeError, ValidationError) as exc:
            raise InvalidInput("invalid SLA policy: {reason}", reason=_one_line(exc)) from exc

    @classmethod
    def from_toml_file(cls, path: str | os.PathLike[str]) -> SlaPolicy:
        """Read a policy from a TOML file (UTF-8)."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, ValueError) as exc:  # ValueError: not UTF-8, a NUL in the path
            raise InvalidInput(
                "cannot read SLA policy {path!r}: {reason}", path=str(path), reason=_one_line(exc)
            ) from exc
        return cls.from_toml(text if "\n" in text or "=" in text else text + "\n")


FIXED_FIELDS = ("timezone", "day_ends_at", "first_year", "last_year", "late_entry_grace")
"""What a recorded store keeps for good (rule 16): the instants already recorded are read in
this zone, day end and calendar years, and whether a late command is accepted (rule 13) never
depends on a policy recorded after its deadline."""

CALENDAR_FIELDS = ("extra_closing_days", "cancelled_closing_days")
"""Closing days: changed by a calendar amendment, not by a new version of the policy."""


def policy_changes(old: SlaPolicy, new: SlaPolicy) -> dict[str, tuple[object, object]]:
    """The fields, dotted (``unit.limit``), in which ``new`` differs from ``old``, with both values."""
    return _differences(old.model_dump(mode="json"), new.model_dump(mode="json"), "")


def _differences(
    old: dict[str, object], new: dict[str, object], prefix: str
) -> dict[str, tuple[object, object]]:
    found: dict[str, tuple[object, object]] = {}
    for key in sorted({*old, *new}):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict) and key not in ("working_weeks", *CALENDAR_FIELDS):
            found.update(_differences(a, b, f"{prefix}{key}."))
        elif a != b:
            found[prefix + key] = (a, b)
    return found


def _one_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "policy"
        return f"{where}: {first['msg']}"
    return str(exc).splitlines()[0]


_CIREBON = SlaPolicy()
