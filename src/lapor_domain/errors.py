"""Typed errors, all under one root, each with a message a person understands.

DOMAIN.md rule 12 decides between the two that are easiest to confuse:
an actor who does not hold the complaint's desk, or whose role can never do
the thing, is *not allowed*; the holder asking for something the complaint's
state does not permit, and anything asked of a finished complaint, is *not
possible in this state*.  A refused command records nothing.
"""

from __future__ import annotations


class LaporError(Exception):
    """Root of every error the domain raises on purpose."""


class InvalidInput(LaporError, ValueError):
    """The input itself is malformed: a naive instant, an empty reason, a bad value."""


class UnknownOrganisation(InvalidInput):
    """An institution or unit that the organisation directory does not know."""


class ComplaintExists(InvalidInput):
    """A new complaint was given an id that another complaint already has."""


class ComplaintNotFound(LaporError, LookupError):
    """No complaint has this id."""


class NotAllowed(LaporError, PermissionError):
    """This actor may not do this to the complaint (DOMAIN.md rules 9 and 12)."""


class NotPossibleInState(LaporError):
    """The complaint's state does not permit this (DOMAIN.md rules 8, 11 and 12)."""


class DatedBeforeLastEvent(LaporError):
    """The command's business instant is earlier than the complaint's last event (rule 1)."""


class ConcurrentUpdate(LaporError):
    """Another writer changed the complaint at the same time, and retrying did not help."""


class StoreUnavailable(LaporError):
    """The store could not be reached or opened."""
