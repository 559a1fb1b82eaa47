"""The organisation directory: which institutions exist and which units each one has.

An *institution* (a city, a regency, a province) has an admin desk (Tim Admin);
its *units* (OPD, RSUD, Puskesmas, schools, kecamatan, kelurahan) each have a
liaison officer desk (Pejabat Penghubung).  The directory is policy data: the
Cirebon default lives in :mod:`lapor_domain.organisation.cirebon`, and an
embedding service may pass its own, for instance with :meth:`from_toml`.

Everything here is immutable.  Lookups by code are O(1): the indexes are built
once, right after validation, and never change.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    field_validator,
)

from lapor_domain.errors import InvalidInput, UnknownOrganisation

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
"""Lowercase letters and digits in words joined by single hyphens: ``kec-harjamukti``."""

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
OfficialName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

_LISTED_AT_MOST = 12  # how many known codes an error message names before it abbreviates


class UnitKind(StrEnum):
    """The kinds of unit the SOP names as Pejabat Penghubung."""

    OPD = "opd"
    RSUD = "rsud"
    PUSKESMAS = "puskesmas"
    SEKOLAH = "sekolah"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"


class _Record(BaseModel):
    """Frozen, strict about unknown keys, and never copied around its own validation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with ``update`` it is validated (and indexed) like a new one."""
        if not update:
            return super().model_copy(deep=deep)
        return self.model_validate({**dict(self), **update})


class Unit(_Record):
    """One unit of an institution, answered for by its liaison officer."""

    code: Slug
    name: OfficialName
    kind: UnitKind


class Institution(_Record):
    """One institution (a local government) and its units, codes unique within it."""

    code: Slug
    name: OfficialName
    units: tuple[Unit, ...] = ()

    _by_code: dict[str, Unit] = PrivateAttr(default_factory=dict)

    @field_validator("units")
    @classmethod
    def _unit_codes_unique(cls, units: tuple[Unit, ...]) -> tuple[Unit, ...]:
        _refuse_duplicates((unit.code for unit in units), "unit")
        return units

    def model_post_init(self, context: Any, /) -> None:
        self._by_code = {unit.code: unit for unit in self.units}

    def has_unit(self, code: str) -> bool:
        return code in self._by_code

    def unit(self, code: str) -> Unit:
        """The unit with this code; UnknownOrganisation, with a suggestion, if none."""
        found = self._by_code.get(code)
        if found is None:
            raise _unknown_unit(self, code)
        return found


class OrganisationDirectory(_Record):
    """Every institution the system routes to, codes unique across the directory."""

    institutions: tuple[Institution, ...] = ()

    _by_code: dict[str, Institution] = PrivateAttr(default_factory=dict)

    @field_validator("institutions")
    @classmethod
    def _institution_codes_unique(cls, institutions: tuple[Institution, ...]) -> tuple[Institution, ...]:
        _refuse_duplicates((institution.code for institution in institutions), "institution")
        return institutions

    def model_post_init(self, context: Any, /) -> None:
        self._by_code = {institution.code: institution for institution in self.institutions}

    def has_institution(self, code: str) -> bool:
        return code in self._by_code

    def institution(self, code: str) -> Institution:
        """The institution with this code; UnknownOrganisation naming the known ones if none."""
        found = self._by_code.get(code)
        if found is None:
            known = _abbreviated(sorted(self._by_code))
            import difflib  # only to suggest a code after a typo

            close = difflib.get_close_matches(code.casefold(), self._by_code, n=3)
            if close:
                raise UnknownOrganisation(
                    "unknown institution {code!r}; known: {known}; did you mean {close}?",
                    code=code,
                    known=known,
                    close=_either(close, "or"),
                )
            raise UnknownOrganisation("unknown institution {code!r}; known: {known}", code=code, known=known)
        return found

    def has_unit(self, institution: str, unit: str) -> bool:
        found = self._by_code.get(institution)
        return found is not None and found.has_unit(unit)

    def unit(self, institution: str, unit: str) -> Unit:
        """The unit ``unit`` of ``institution``; UnknownOrganisation if either is unknown.

        When the unit code belongs to other institutions the message says which,
        because sending a complaint to the wrong government is the likely mistake.
        """
        holder = self.institution(institution)
        if holder.has_unit(unit):
            return holder.unit(unit)
        elsewhere = (other.code for other in self.institutions if other.has_unit(unit))
        raise _unknown_unit(holder, unit, elsewhere)

    def units(self, institution: str | None = None) -> list[tuple[Institution, Unit]]:
        """Every (institution, unit) pair in directory order, or only one institution's."""
        chosen = self.institutions if institution is None else (self.institution(institution),)
        return [(holder, unit) for holder in chosen for unit in holder.units]

    @classmethod
    def from_toml(cls, source: str | os.PathLike[str]) -> Self:
        """Read a directory from TOML text, or from a file when given a path.

        A ``pathlib.Path`` (any ``os.PathLike``) is read as a file.  A ``str`` is
        TOML text when it contains a newline or an ``=``; otherwise it is a path.
        The shape::

            [[institutions]]
            code = "kota-cirebon"
            name = "Pemerintah Kota Cirebon"

            [[institutions.units]]
            code = "dinkes"
            name = "Dinas Kesehatan"
            kind = "opd"

        Malformed TOML or a shape that does not validate raises InvalidInput.
        """
        if isinstance(source, os.PathLike) or not ("\n" in source or "=" in source):
            path = Path(source)
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, ValueError) as exc:  # ValueError: not UTF-8, a NUL in the path
                raise InvalidInput(
                    "cannot read organisation directory {path!r}: {reason}", path=str(path), reason=str(exc)
                ) from exc
        else:
            text = source
        import tomllib  # here: the built-in directories are Python, and most commands read none

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput("organisation directory is not valid TOML: {reason}", reason=str(exc)) from exc
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InvalidInput("organisation directory does not validate: {reason}", reason=str(exc)) from exc

    def to_toml(self) -> str:
        """This directory as TOML text that :meth:`from_toml` reads back equal."""
        lines: list[str] = []
        for institution in self.institutions:
            lines += ["[[institutions]]", *_toml_pairs(institution.code, institution.name), ""]
            for unit in institution.units:
                lines += [
                    "[[institutions.units]]",
                    *_toml_pairs(unit.code, unit.name),
                    f"kind = {_toml_string(unit.kind.value)}",
                    "",
                ]
        return "\n".join(lines)


def _unknown_unit(institution: Institution, code: str, elsewhere: Iterable[str] = ()) -> UnknownOrganisation:
    said = {"code": code, "institution": institution.code, "name": institution.name}
    holders = list(elsewhere)
    codes = [unit.code for unit in institution.units]
    by_name = {unit.name.casefold(): unit.code for unit in institution.units}
    import difflib  # only to suggest a code after a typo

    close = difflib.get_close_matches(code.casefold(), codes, n=3)
    close += [
        by_name[name]
        for name in difflib.get_close_matches(code.casefold(), by_name, n=3)
        if by_name[name] not in close
    ]
    if close and holders:
        return UnknownOrganisation(
            "unknown unit {code!r} in institution {institution!r} ({name}); {code!r} is a unit "
            "of {holders}; did you mean {close}?",
            **said,
            holders=_either(holders, "and"),
            close=_either(close, "or"),
        )
    if close:
        return UnknownOrganisation(
            "unknown unit {code!r} in institution {institution!r} ({name}); did you mean {close}?",
            **said,
            close=_either(close, "or"),
        )
    if holders:
        return UnknownOrganisation(
            "unknown unit {code!r} in institution {institution!r} ({name}); {code!r} is a unit of {holders}",
            **said,
            holders=_either(holders, "and"),
        )
    return UnknownOrganisation(
        "unknown unit {code!r} in institution {institution!r} ({name}); known: {known}",
        **said,
        known=_abbreviated(sorted(codes)),
    )


def _refuse_duplicates(codes: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    duplicates: list[str] = []
    for code in codes:
        if code in seen and code not in duplicates:
            duplicates.append(code)
        seen.add(code)
    if duplicates:
        raise ValueError(f"duplicate {what} code {_either(duplicates, 'and')}")


def _either(codes: list[str], conjunction: str) -> str:
    """``['a']`` -> ``'a'``; ``['a', 'b', 'c']`` -> ``'a', 'b' or 'c'``."""
    quoted = [repr(code) for code in codes]
    if len(quoted) == 1:
        return quoted[0]
    return f"{', '.join(quoted[:-1])} {conjunction} {quoted[-1]}"


def _abbreviated(codes: list[str]) -> str:
    if len(codes) <= _LISTED_AT_MOST:
        return ", ".join(codes) or "(none)"
    shown = ", ".join(codes[:_LISTED_AT_MOST])
    return f"{shown}, ... ({len(codes)} in all)"


_TOML_ESCAPES: Mapping[str, str] = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _toml_string(value: str) -> str:
    escaped = "".join(
        _TOML_ESCAPES.get(char) or (f"\\u{ord(char):04x}" if ord(char) < 0x20 or ord(char) == 0x7F else char)
        for char in value
    )
    return f'"{escaped}"'


def _toml_pairs(code: str, name: str) -> list[str]:
    return [f"code = {_toml_string(code)}", f"name = {_toml_string(name)}"]
