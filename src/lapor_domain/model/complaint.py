"""The Complaint aggregate's state, and how each event evolves it.

The state is an immutable value folded from the events. ``evolve`` only assigns:
it runs again on every replay, so it never validates, reads a clock or decides
anything; the rules live in ``decisions``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from .desks import Desk, DeskKind, SlaLevel
from .events import (
    Archived,
    AutoClosed,
    ComplaintEvent,
    Disposed,
    EscalatedToOmbudsman,
    IdentityErased,
    ReporterReplied,
    Responded,
    Returned,
    Submitted,
    Verified,
)
from .identity import SealedIdentity


class Outcome(StrEnum):
    """How a finished complaint ended (rule 8: finished is final)."""

    AUTO_CLOSED = "auto-closed"
    ESCALATED = "escalated-to-ombudsman"
    ARCHIVED = "archived"


@dataclass(frozen=True)
class Complaint:
    id: UUID
    version: int
    reporter_pseudonym: str  # the Submitted actor's person: a pseudonym, not the account id
    identity: SealedIdentity | None  # None in a state read back from the views (they keep none)
    title: str
    anonymous: bool
    confidential: bool
    submitted_at: datetime
    last_event_at: datetime
    desk: Desk | None
    on_desk_since: datetime
    national_verified: bool = False
    admin_verified: bool = False
    responded_at: datetime | None = None
    replied_at: datetime | None = None
    outcome: Outcome | None = None
    last_institution: str | None = None  # the institution it was last disposed to (rule 10's admin team)
    identity_erased: bool = False  # rule 14: its data key destroyed

    def changed(self, **changes: Any) -> Complaint:
        """A copy with these fields changed: ``dataclasses.replace`` without re-running
        ``__init__`` (five times faster, and a fold runs this once per event)."""
        copy = object.__new__(Complaint)
        fields = copy.__dict__
        fields.update(self.__dict__)
        fields.update(changes)
        return copy

    @property
    def is_finished(self) -> bool:
        return self.outcome is not None

    @property
    def has_response(self) -> bool:
        """Whether a unit ever responded: that satisfies the escalation clock (rule 6)."""
        return self.responded_at is not None

    @property
    def institution(self) -> str | None:
        return self.desk.institution if self.desk else None

    @property
    def entitled_institution(self) -> str | None:
        """The institution whose admin team rule 10 entitles to the identity: the one holding
        the complaint; once finished, the one that held it last; none on the national desk."""
        if self.desk is not None:
            return self.desk.institution
        return self.last_institution

    @property
    def is_verified_here(self) -> bool:
        """Whether the desk holding it has verified it (rule 11: per level, survives returns)."""
        if self.desk is None:
            return False
        if self.desk.sla_level is SlaLevel.NATIONAL:
            return self.national_verified
        if self.desk.sla_level is SlaLevel.ADMIN:
            return self.admin_verified
        return True


def _submitted(_: Complaint | None, e: Submitted) -> Complaint:
    return Complaint(
        id=e.originator_id,
        version=e.originator_version,
        reporter_pseudonym=e.actor.person,
        identity=e.identity,
        title=e.title,
        anonymous=e.anonymous,
        confidential=e.confidential,
        submitted_at=e.at,
        last_event_at=e.at,
        desk=Desk.national(),
        on_desk_since=e.at,
    )


def _verified(c: Complaint, e: Verified) -> Complaint:
    return c.changed(
        version=e.originator_version,
        last_event_at=e.at,
        national_verified=c.national_verified or e.level is SlaLevel.NATIONAL,
        admin_verified=c.admin_verified or e.level is SlaLevel.ADMIN,
        # Rule 10: a flag once set is never cleared (an old event that cleared one is read so).
        anonymous=c.anonymous or bool(e.anonymous),
        confidential=c.confidential or bool(e.confidential),
    )


def _moved(c: Complaint, e: ComplaintEvent, desk: Desk | None, **changes: Any) -> Complaint:
    return c.changed(
        version=e.originator_version, last_event_at=e.at, desk=desk, on_desk_since=e.at, **changes
    )


def _disposed(c: Complaint, e: Disposed) -> Complaint:
    # A disposal to an institution starts that institution's verification afresh.
    if e.to.kind is DeskKind.ADMIN:
        return _moved(c, e, e.to, admin_verified=False, last_institution=e.to.institution)
    return _moved(c, e, e.to)


def _returned(c: Complaint, e: Returned) -> Complaint:
    if e.to.kind is DeskKind.NATIONAL:
        return _moved(c, e, e.to, admin_verified=False)
    return _moved(c, e, e.to)


def _responded(c: Complaint, e: Responded) -> Complaint:
    institution, unit = _unit_of(c)
    return _moved(c, e, Desk.awaiting_reporter(institution, unit), responded_at=e.at)


def _replied(c: Complaint, e: ReporterReplied) -> Complaint:
    institution, unit = _unit_of(c)
    return _moved(c, e, Desk.unit_of(institution, unit), replied_at=e.at)


def _unit_of(c: Complaint) -> tuple[str, str]:
    """The unit on the desk; the decisions guarantee there is one when this is asked."""
    desk = c.desk
    if desk is None or desk.institution is None or desk.unit is None:
        raise ValueError(f"complaint {c.id} has no unit on its desk ({desk})")
    return desk.institution, desk.unit


def _finished(outcome: Outcome) -> Callable[[Complaint, ComplaintEvent], Complaint]:
    def finish(c: Complaint, e: ComplaintEvent) -> Complaint:
        return _moved(c, e, None, outcome=outcome)

    return finish


def _erased(c: Complaint, e: IdentityErased) -> Complaint:
    # Not a workflow step: no business instant moves (rules 1 and 8 do not apply to it).
    return c.changed(version=e.originator_version, identity_erased=True)


_EVOLVERS: dict[type[ComplaintEvent], Callable[..., Complaint]] = {
    Submitted: _submitted,
    Verified: _verified,
    Disposed: _disposed,
    Returned: _returned,
    Responded: _responded,
    ReporterReplied: _replied,
    AutoClosed: _finished(Outcome.AUTO_CLOSED),
    EscalatedToOmbudsman: _finished(Outcome.ESCALATED),
    Archived: _finished(Outcome.ARCHIVED),
    IdentityErased: _erased,
}


def evolve(state: Complaint | None, event: ComplaintEvent) -> Complaint:
    """The complaint after one more event."""
    return _EVOLVERS[type(event)](state, event)


def fold(events: Iterable[ComplaintEvent], state: Complaint | None = None) -> Complaint | None:
    """The complaint after all these events (None if there are none and no start)."""
    for event in events:
        state = evolve(state, event)
    return state
