"""Desks: where a complaint sits. An open complaint is on exactly one; a finished one on none."""

from __future__ import annotations

import functools
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator

from ..errors import InvalidInput
from .actors import Actor, Role


class DeskKind(StrEnum):
    NATIONAL = "lapor-sp4n"
    ADMIN = "tim-admin"
    UNIT = "unit"
    REPORTER = "pelapor"  # the unit has responded; the reporter may answer


class SlaLevel(StrEnum):
    """The three desks that the SOP gives a deadline."""

    NATIONAL = "national"
    ADMIN = "admin"
    UNIT = "unit"


class Desk(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: DeskKind
    institution: str | None = None
    unit: str | None = None

    @model_validator(mode="after")
    def _scope_fits_kind(self) -> Desk:
        wants = {
            DeskKind.NATIONAL: (False, False),
            DeskKind.ADMIN: (True, False),
            DeskKind.UNIT: (True, True),
            DeskKind.REPORTER: (True, True),
        }[self.kind]
        if wants != (self.institution is not None, self.unit is not None):
            raise ValueError(f"desk {self.kind.value} has the wrong institution/unit scope")
        return self

    @classmethod
    def national(cls) -> Desk:
        return _NATIONAL

    @classmethod
    def admin(cls, institution: str) -> Desk:
        return _desk(DeskKind.ADMIN, institution, None)

    @classmethod
    def unit_of(cls, institution: str, unit: str) -> Desk:
        return _desk(DeskKind.UNIT, institution, unit)

    @classmethod
    def awaiting_reporter(cls, institution: str, unit: str) -> Desk:
        """The reporter's turn, remembering which unit answered (a reply goes back to it)."""
        return _desk(DeskKind.REPORTER, institution, unit)

    @property
    def key(self) -> str:
        """A stable text key: ``lapor-sp4n``, ``tim-admin:INST``, ``unit:INST/UNIT``, ``pelapor``."""
        if self.kind is DeskKind.NATIONAL:
            return DeskKind.NATIONAL.value
        if self.kind is DeskKind.ADMIN:
            return f"{DeskKind.ADMIN.value}:{self.institution}"
        if self.kind is DeskKind.UNIT:
            return f"unit:{self.institution}/{self.unit}"
        return DeskKind.REPORTER.value

    @property
    def sla_level(self) -> SlaLevel | None:
        """Which SOP deadline applies here; the reporter's turn has the auto-close clock instead."""
        return _SLA_LEVELS[self.kind]

    def is_held_by(self, actor: Actor) -> bool:
        """Whether this actor speaks for this desk (rule 9)."""
        if self.kind is DeskKind.NATIONAL:
            return actor.role is Role.NATIONAL
        if self.kind is DeskKind.ADMIN:
            return actor.role is Role.ADMIN and actor.institution == self.institution
        if self.kind is DeskKind.UNIT:
            return (
                actor.role is Role.LIAISON
                and actor.institution == self.institution
                and actor.unit == self.unit
            )
        return actor.role is Role.REPORTER

    @classmethod
    def of(cls, kind: DeskKind | str, institution: str | None, unit: str | None) -> Desk:
        """The desk of these parts (as a view's row keeps them)."""
        return _desk(DeskKind(kind), institution, unit)

    @classmethod
    def parse(cls, key: str) -> Desk:
        """The inverse of `key`, for operators who type a desk."""
        if key == DeskKind.NATIONAL.value:
            return cls.national()
        if key.startswith(f"{DeskKind.ADMIN.value}:") and len(key) > len(DeskKind.ADMIN.value) + 1:
            return cls.admin(key.split(":", 1)[1])
        if key.startswith("unit:") and key.count("/") == 1:
            institution, unit = key[len("unit:") :].split("/")
            if institution and unit:
                return cls.unit_of(institution, unit)
        raise InvalidInput(
            "unknown desk {key!r}: expected lapor-sp4n, tim-admin:INSTITUTION or unit:INSTITUTION/UNIT",
            key=key,
        )

    def __str__(self) -> str:
        return self.key


_NATIONAL = Desk(kind=DeskKind.NATIONAL)
_SLA_LEVELS = {
    DeskKind.NATIONAL: SlaLevel.NATIONAL,
    DeskKind.ADMIN: SlaLevel.ADMIN,
    DeskKind.UNIT: SlaLevel.UNIT,
    DeskKind.REPORTER: None,
}


@functools.cache
def _desk(kind: DeskKind, institution: str | None, unit: str | None) -> Desk:
    """Desks are values: one instance per desk serves every complaint on it."""
    return Desk(kind=kind, institution=institution, unit=unit)
