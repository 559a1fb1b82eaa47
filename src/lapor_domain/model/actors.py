"""Who acts: every event records the role, the institution or unit, and the person."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

SLUG = r"^[a-z0-9][a-z0-9-]*$"


class Role(StrEnum):
    NATIONAL = "lapor-sp4n"  # the national team, "Super Admin"
    ADMIN = "tim-admin"  # an institution's admin team
    LIAISON = "pejabat-penghubung"  # a unit's liaison officer
    REPORTER = "pelapor"  # the member of the public who complained
    SYSTEM = "system"  # fires deadlines, nothing else


class Actor(BaseModel):
    """The acting person and the desk they speak for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    person: str = Field(min_length=1, max_length=200)
    institution: str | None = Field(default=None, pattern=SLUG)
    unit: str | None = Field(default=None, pattern=SLUG)

    @model_validator(mode="after")
    def _scope_fits_role(self) -> Actor:
        needs_institution = self.role in (Role.ADMIN, Role.LIAISON)
        needs_unit = self.role is Role.LIAISON
        if needs_institution != (self.institution is not None):
            wants = "needs an" if needs_institution else "takes no"
            raise ValueError(f"role {self.role.value} {wants} institution")
        if needs_unit != (self.unit is not None):
            wants = "needs a" if needs_unit else "takes no"
            raise ValueError(f"role {self.role.value} {wants} unit")
        return self

    @classmethod
    def national(cls, person: str) -> Actor:
        return cls(role=Role.NATIONAL, person=person)

    @classmethod
    def admin(cls, institution: str, person: str) -> Actor:
        return cls(role=Role.ADMIN, institution=institution, person=person)

    @classmethod
    def liaison(cls, institution: str, unit: str, person: str) -> Actor:
        return cls(role=Role.LIAISON, institution=institution, unit=unit, person=person)

    @classmethod
    def reporter(cls, person: str) -> Actor:
        return cls(role=Role.REPORTER, person=person)

    @classmethod
    def system(cls) -> Actor:
        return _SYSTEM

    def __str__(self) -> str:
        scope = "/".join(part for part in (self.institution, self.unit) if part)
        return f"{self.role.value}:{scope + ':' if scope else ''}{self.person}"


_SYSTEM = Actor(role=Role.SYSTEM, person="lapor-system")
