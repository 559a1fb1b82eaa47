"""Who may see who complained (DOMAIN.md rule 10)."""

from __future__ import annotations

from collections.abc import Iterable

from .actors import Role
from .events import ComplaintEvent, Submitted, Verified


def can_see_identity(viewer: Role | None, anonymous: bool) -> bool:
    """Rule 10: the national and admin desks see who complained; units only if not anonymous;
    anyone else (the public, a reporter, the system) never."""
    if viewer in (Role.NATIONAL, Role.ADMIN):
        return True
    if viewer is Role.LIAISON:
        return not anonymous
    return False


def flags_now(events: Iterable[ComplaintEvent]) -> tuple[bool, bool]:
    """(anonymous, confidential) after all these events of one complaint: set at submission or
    at any verification, never cleared."""
    anonymous = confidential = False
    for event in events:
        if isinstance(event, Submitted | Verified):
            anonymous = anonymous or bool(event.anonymous)
            confidential = confidential or bool(event.confidential)
    return anonymous, confidential


def can_see_complaint(viewer: Role | None, confidential: bool, *, own: bool = False) -> bool:
    """Rule 10: a confidential complaint is absent from every public view. The desks that
    handle complaints see it, and its own reporter (``own``: the caller has established that
    the viewer is the reporter, e.g. the one who just filed it); any other role, the
    reporter's role claimed by anyone included, is the public."""
    return not confidential or own or viewer in (Role.NATIONAL, Role.ADMIN, Role.LIAISON)
