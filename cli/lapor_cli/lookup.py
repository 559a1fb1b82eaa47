"""Desks and units as operators type them, checked against the organisation directory.

A desk is ``lapor-sp4n``, ``tim-admin:INSTITUTION``, ``unit:INSTITUTION/UNIT`` or
``pelapor`` (complaints awaiting the reporter); a shorter ``INSTITUTION/UNIT``, an
institution code (its admin desk) or a unit code that only one institution has
also do. An unknown institution or unit is refused with the directory's suggestions.
"""

from __future__ import annotations

from lapor_domain import Desk, DeskKind, OrganisationDirectory, UnknownOrganisation

NATIONAL = DeskKind.NATIONAL.value
AWAITING_REPORTER = DeskKind.REPORTER.value


def resolve_desk(text: str, directory: OrganisationDirectory) -> str:
    """The desk key for what the operator typed."""
    cleaned = text.strip()
    if cleaned in (NATIONAL, "national", AWAITING_REPORTER):
        return NATIONAL if cleaned == "national" else cleaned
    if cleaned.startswith(("tim-admin:", "unit:")):
        desk = Desk.parse(cleaned)
        if desk.unit is not None and desk.institution is not None:
            directory.unit(desk.institution, desk.unit)
        elif desk.institution is not None:
            directory.institution(desk.institution)
        return desk.key
    if "/" in cleaned:
        institution, _, unit = cleaned.partition("/")
        directory.unit(institution, unit)
        return Desk.unit_of(institution, unit).key
    if directory.has_institution(cleaned):
        return Desk.admin(cleaned).key
    institution, unit = resolve_unit(cleaned, directory)
    return Desk.unit_of(institution, unit).key


def resolve_unit(text: str, directory: OrganisationDirectory) -> tuple[str, str]:
    """(institution, unit) for ``INSTITUTION/UNIT``, or for a unit code one institution has."""
    cleaned = text.strip()
    if "/" in cleaned:
        institution, _, unit = cleaned.partition("/")
        directory.unit(institution, unit)
        return institution, unit
    holders = [i.code for i, u in directory.units() if u.code == cleaned]
    if len(holders) == 1:
        return holders[0], cleaned
    if holders:
        options = ", ".join(f"{h}/{cleaned}" for h in holders)
        raise UnknownOrganisation(
            "unit {unit!r} exists in several institutions: say which ({options})",
            unit=cleaned,
            options=options,
        )
    codes = sorted({u.code for _, u in directory.units()} | {i.code for i in directory.institutions})
    import difflib  # only to suggest a code after a typo

    close = difflib.get_close_matches(cleaned, codes, n=3)
    if close:
        raise UnknownOrganisation(
            "unknown unit or institution {unit!r}; did you mean {close}?",
            unit=cleaned,
            close=" or ".join(repr(c) for c in close),
        )
    raise UnknownOrganisation("unknown unit or institution {unit!r} (see `lapor units`)", unit=cleaned)
