"""Who acts: every event records the role, the institution or unit, and the person."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import InvalidInput

SLUG = r"^[a-z0-9][a-z0-9-]*$"


class Role(StrEnum):
    NATIONAL = "lapor-sp4n"  # the national team, "Super Admin"
    ADMIN = "tim-admin"  # an institution's admin team
    LIAISON = "pejabat-penghubung"  # a unit's liaison officer
    REPORTER = "pelapor"  # the member of the public who complained
    SYSTEM = "system"  # fires deadlines, nothing else


def invalid_value(error: ValidationError, what: str) -> InvalidInput:
    """A caller's value that pydantic refused, as the library's InvalidInput (the first complaint)."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    if where:
        return InvalidInput("{what}: {where}: {said}", what=what, where=where, said=first["msg"])
    return InvalidInput("{what}: {said}", what=what, said=first["msg"])


class Actor(BaseModel):
    """The acting person and the desk they speak for; an invalid one is InvalidInput."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    person: str = Field(min_length=1, max_length=200)
    institution: str | None = Field(default=None, pattern=SLUG)
    unit: str | None = Field(default=None, pattern=SLUG)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise invalid_value(exc, "invalid actor") from None

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

    @classmethod
    def parse(cls, text: str) -> Actor:
        """The inverse of ``str(actor)``: ``lapor-sp4n:PERSON``, ``tim-admin:INSTITUTION:PERSON``,
        ``pejabat-penghubung:INSTITUTION/UNIT:PERSON``, ``pelapor:PERSON``, ``system``."""
        if not isinstance(text, str):
            raise InvalidInput(
                "an actor is text such as lapor-sp4n:PERSON, not {kind}", kind=type(text).__name__
            )
        role_text, _, rest = text.strip().partition(":")
        try:
            role = Role(role_text)
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise InvalidInput(
                "unknown role {role_text!r} in actor {text!r}; known: {known}",
                role_text=role_text,
                text=text,
                known=known,
            ) from None
        try:
            if role is Role.SYSTEM:
                return cls.system()
            if role in (Role.NATIONAL, Role.REPORTER):
                return cls(role=role, person=rest)
            scope, _, person = rest.rpartition(":")
            if role is Role.ADMIN:
                return cls(role=role, institution=scope, person=person)
            institution, _, unit = scope.partition("/")
            return cls(role=role, institution=institution, unit=unit, person=person)
        except InvalidInput as exc:
            hint = {
                Role.NATIONAL: "lapor-sp4n:PERSON",
                Role.REPORTER: "pelapor:PERSON",
                Role.ADMIN: "tim-admin:INSTITUTION:PERSON",
                Role.LIAISON: "pejabat-penghubung:INSTITUTION/UNIT:PERSON",
            }[role]
            said = str(exc).removeprefix("invalid actor: ")
            raise InvalidInput(
                "actor {text!r}: {said} (expected {hint})", text=text, said=said, hint=hint
            ) from None

    def __str__(self) -> str:
        scope = "/".join(part for part in (self.institution, self.unit) if part)
        return f"{self.role.value}:{scope + ':' if scope else ''}{self.person}"


_SYSTEM = Actor(role=Role.SYSTEM, person="lapor-system")
