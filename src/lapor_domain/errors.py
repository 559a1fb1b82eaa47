"""Typed errors, all under one root, each with a message a person understands.

DOMAIN.md rule 12 decides between the two that are easiest to confuse:
an actor who does not hold the complaint's desk, or whose role can never do
the thing, is *not allowed*; the holder asking for something the complaint's
state does not permit, and anything asked of a finished complaint, is *not
possible in this state*.  A refused command records nothing.

Errors about time carry the instants involved as attributes, besides saying them.

Every message is a *template* and its *parameters*: ``NotAllowed("{actor} may not verify
complaint {complaint}", actor=..., complaint=...)``. ``str(error)`` is the English text,
``template.format(**params)``; ``error.template`` and ``error.params`` let a user interface
say the same in its operator's language (the command line's catalogs translate the template,
a literal in the code, and fill in the parameters made safe to show). A parameter is a
value as it is said (an id, an actor, an instant already written out), never a translated word.
"""

from __future__ import annotations

from datetime import datetime


class Term(str):
    """A word of the domain's vocabulary said inside a message (a clock's name, what an actor
    was doing): a user interface translates it like the template around it."""

    __slots__ = ()


class LaporError(Exception):
    """Root of every error the domain raises on purpose."""

    def __init__(self, template: str = "", /, **params: object) -> None:
        super().__init__(template.format(**params) if params else template)
        self.template = template
        self.params = params

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword attributes survive pickling (a build worker's error crosses processes).
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(cls: type[LaporError], args: tuple[object, ...], attributes: dict[str, object]) -> LaporError:
    error = cls.__new__(cls)  # OSError kinds (NotAllowed) refuse Exception.__new__
    error.args = args
    error.__dict__.update(attributes)
    return error


class InvalidInput(LaporError, ValueError):
    """The input itself is malformed: a naive instant, an empty reason, a bad value."""


class UnknownOrganisation(InvalidInput):
    """An institution or unit that the organisation directory does not know."""


class ComplaintExists(InvalidInput):
    """A new complaint was given an id that another complaint already has."""


class PolicyDiffers(InvalidInput):
    """The SLA policy given differs from the one the store records (rule 16): the recorded one
    is the truth; a new one is recorded as a new version first. ``changes`` maps each differing
    field (dotted: ``unit.limit``) to its recorded and given values; ``version`` is the recorded
    version compared."""

    def __init__(
        self, template: str, /, *, changes: dict[str, tuple[object, object]], version: int, **params: object
    ) -> None:
        super().__init__(template, version=version, **params)
        self.changes = changes
        self.version = version


class ComplaintNotFound(LaporError, LookupError):
    """No complaint has this id."""


class NotAllowed(LaporError, PermissionError):
    """This actor may not do this to the complaint (DOMAIN.md rules 9 and 12)."""


class NotPossibleInState(LaporError):
    """The complaint's state does not permit this (DOMAIN.md rules 8, 11 and 12)."""


class DatedBeforeLastEvent(LaporError):
    """The command's business instant is earlier than the complaint's last event (rule 1)."""

    def __init__(self, template: str, /, *, at: datetime, last_event_at: datetime, **params: object) -> None:
        super().__init__(template, **params)
        self.at = at
        self.last_event_at = last_event_at


class TooLate(LaporError):
    """Entered after a finishing deadline became final, though dated before it (rule 13).

    ``due`` is when the deadline fell due, ``final_at`` when it became final (``due``
    plus the policy's late-entry grace), ``at`` the command's business instant and
    ``recorded_at`` when it was entered.
    """

    def __init__(
        self,
        template: str,
        /,
        *,
        at: datetime,
        recorded_at: datetime,
        due: datetime,
        final_at: datetime,
        **params: object,
    ) -> None:
        super().__init__(template, **params)
        self.at = at
        self.recorded_at = recorded_at
        self.due = due
        self.final_at = final_at


class ConcurrentUpdate(LaporError):
    """Another writer changed the complaint at the same time, and retrying did not help."""


class StoreUnavailable(LaporError):
    """The store could not be reached or opened, or failed while in use."""


class StoreCorrupt(StoreUnavailable):
    """The store is damaged: the file is not a database, its pages are malformed, or a
    stored event cannot be read back (an unknown stored name, a state that does not decode).

    A kind of unavailable store: nothing can be done on it until it is repaired.
    ``complaint_id`` and ``version`` name the unreadable event when there is one.
    """

    def __init__(
        self,
        template: str,
        /,
        *,
        complaint_id: str | None = None,
        version: int | None = None,
        **params: object,
    ) -> None:
        super().__init__(template, **params)
        self.complaint_id = complaint_id
        self.version = version


class LogNotUpgraded(StoreUnavailable):
    """The log holds events written before it was chained (rule 15), or an upgrade is
    unfinished: nothing more is recorded until ``LaporApp.upgrade()`` (``lapor upgrade``)."""


class LogDamaged(LaporError):
    """Verification of the log failed (rule 15): ``place`` says where, first."""

    def __init__(self, template: str, /, *, place: str = "", **params: object) -> None:
        super().__init__(template, **params)
        self.place = place
