"""Who may see who complained (DOMAIN.md rule 10)."""

from __future__ import annotations

from .actors import Role


def can_see_identity(viewer: Role | None, anonymous: bool) -> bool:
    """Rule 10: the national and admin desks see who complained; units only if not anonymous;
    anyone else (the public, a reporter, the system) never."""
    if viewer in (Role.NATIONAL, Role.ADMIN):
        return True
    if viewer is Role.LIAISON:
        return not anonymous
    return False
