"""The rules: each command checks the complaint and the actor, then names the event.

Nothing here stores or reads a clock. Every check that refuses raises a typed
error before any event exists, so a refused command records nothing. What comes
first in DOMAIN.md rule 12's order (invalid input, too late, dated before the last
event, finished) is checked by ``entry`` and ``inputs`` before a decision is asked;
here: who holds the desk (not allowed), then what the state permits (not possible).
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, Final, TypeVar
from uuid import UUID

from pydantic import ValidationError

from ..errors import InvalidInput, NotAllowed, NotPossibleInState, Term
from ..organisation import OrganisationDirectory
from .actors import Actor, Role
from .calendars import Calendars
from .complaint import Complaint, evolve
from .deadlines import Clock, pending_deadline
from .desks import Desk, DeskKind, SlaLevel
from .entry import Stamp
from .events import (
    Archived,
    ArchiveReason,
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
from .policy import SlaPolicy

E = TypeVar("E", bound=ComplaintEvent)


class Rules:
    """What a decision needs besides the complaint: who exists, and the calendars the clocks
    count on with the SLA policy's versions (by default ``policy`` alone, unamended)."""

    def __init__(
        self, policy: SlaPolicy, directory: OrganisationDirectory, calendars: Calendars | None = None
    ) -> None:
        self.directory: Final = directory
        self.calendars = calendars or Calendars.of(policy, directory)
        """Replaced when an amendment or a policy version is recorded: whoever holds these rules
        counts on it."""

    @property
    def policy(self) -> SlaPolicy:
        """The policy in force now (rule 16: the latest version recorded)."""
        return self.calendars.policy

    def with_calendars(self, calendars: Calendars) -> Rules:
        """The same rules counting on other calendars (an amendment recorded; what was known at K)."""
        return Rules(calendars.base_policy, self.directory, calendars)

    @functools.cached_property
    def _units(self) -> dict[tuple[str, str], str]:
        return {(i.code, u.code): u.code for i, u in self.directory.units()}

    def unit_code(self, institution: str, unit: str) -> str:
        """The unit's code, or UnknownOrganisation (with suggestions) from the directory."""
        found = self._units.get((institution, unit))
        return found if found is not None else self.directory.unit(institution, unit).code

    @functools.cached_property
    def _codes(self) -> frozenset[str]:
        return frozenset(code for pair in self._units for code in pair)

    def check_known(self, code: str) -> None:
        """Input check (rule 12: before the state is asked): an institution or a unit code
        that exists somewhere; whether it fits the complaint's desk is the decision's to say."""
        if code not in self._codes and not self.directory.has_institution(code):
            self.directory.institution(code)  # UnknownOrganisation, with suggestions

    def institution_code(self, institution: str) -> str:
        if self.directory.has_institution(institution):
            return institution
        return self.directory.institution(institution).code


def new_event(cls: type[E], complaint_id: UUID, version: int, stamp: Stamp, **payload: Any) -> E:
    try:
        return cls(
            originator_id=complaint_id,
            originator_version=version,
            at=stamp.at,
            recorded_at=stamp.recorded_at,
            actor=stamp.actor,
            **payload,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise InvalidInput(
            "{event}: {field}: {said}", event=cls.__name__, field=field, said=first["msg"]
        ) from None


def _next(c: Complaint, cls: type[E], stamp: Stamp, **payload: Any) -> E:
    return new_event(cls, c.id, c.version + 1, stamp, **payload)


def submit(
    complaint_id: UUID,
    stamp: Stamp,
    *,
    identity: SealedIdentity,
    pseudonym: str,
    title: str,
    description: str,
    anonymous: bool = False,
    confidential: bool = False,
) -> Submitted:
    """The reporter's identity arrives sealed, and the event names the reporter by the
    complaint's ``pseudonym`` (rule 14: no account id in the log), never by the account."""
    if stamp.actor.role is not Role.REPORTER:
        raise NotAllowed("only a reporter (pelapor) submits a complaint, not {role}", role=stamp.actor.role)
    return new_event(
        Submitted,
        complaint_id,
        1,
        Stamp(Actor.reporter(pseudonym), stamp.at, stamp.recorded_at),
        identity=identity,
        title=title,
        description=description,
        anonymous=anonymous,
        confidential=confidential,
    )


def _holding_desk(c: Complaint, actor: Actor, doing: Term) -> Desk:
    """The desk, if this actor holds it; otherwise not allowed (rule 9)."""
    desk = c.desk
    assert desk is not None  # check_open ran first
    if not desk.is_held_by(actor):
        raise NotAllowed(
            "{actor} may not {doing} complaint {complaint}: it is on desk {desk}",
            actor=actor,
            doing=doing,
            complaint=c.id,
            desk=desk.key,
        )
    return desk


def verify(
    c: Complaint,
    stamp: Stamp,
    *,
    anonymous: bool | None = None,
    confidential: bool | None = None,
    note: str = "",
) -> Verified:
    desk = _holding_desk(c, stamp.actor, Term("verify"))
    if desk.kind not in (DeskKind.NATIONAL, DeskKind.ADMIN):
        raise NotAllowed(
            "{actor} may not verify: only the national and admin desks verify", actor=stamp.actor
        )
    if c.is_verified_here:
        raise NotPossibleInState(
            "complaint {complaint} is already verified at desk {desk}", complaint=c.id, desk=desk.key
        )
    cleared = [name for name, now, asked in (("anonymous", c.anonymous, anonymous),
               ("confidential", c.confidential, confidential)) if now and asked is False]  # fmt: skip
    if cleared:
        raise NotPossibleInState(
            "complaint {complaint} is {flags}: a privacy flag once set is never cleared (rule 10)",
            complaint=c.id,
            flags=" and ".join(cleared),
        )
    level = SlaLevel.NATIONAL if desk.kind is DeskKind.NATIONAL else SlaLevel.ADMIN
    return _next(c, Verified, stamp, level=level, anonymous=anonymous, confidential=confidential, note=note)


def dispose(c: Complaint, stamp: Stamp, rules: Rules, *, to: str, note: str = "") -> Disposed:
    """National -> institution `to`; an institution's admin team -> its unit `to`."""
    desk = _holding_desk(c, stamp.actor, Term("dispose"))
    if desk.kind not in (DeskKind.NATIONAL, DeskKind.ADMIN):
        raise NotAllowed("{actor} may not dispose: only the national and admin desks do", actor=stamp.actor)
    if not c.is_verified_here:
        raise NotPossibleInState(
            "complaint {complaint} must be verified at {desk} before disposal", complaint=c.id, desk=desk.key
        )
    if desk.kind is DeskKind.NATIONAL:
        target = Desk.admin(rules.institution_code(to))
    else:
        assert desk.institution is not None
        target = Desk.unit_of(desk.institution, rules.unit_code(desk.institution, to))
    return _next(c, Disposed, stamp, to=target, note=note)


def return_up(c: Complaint, stamp: Stamp, *, reason: str) -> Returned:
    """Not our authority: a unit returns to its admin team, an admin team to national."""
    desk = _holding_desk(c, stamp.actor, Term("return"))
    if desk.kind in (DeskKind.NATIONAL, DeskKind.REPORTER):
        raise NotAllowed(
            "{actor} may not return complaint {complaint}: only a unit's liaison officer or "
            "an admin team returns a complaint (rule 9)",
            actor=stamp.actor,
            complaint=c.id,
        )
    assert desk.institution is not None
    target = Desk.national() if desk.kind is DeskKind.ADMIN else Desk.admin(desk.institution)
    return _next(c, Returned, stamp, to=target, reason=reason)


def respond(c: Complaint, stamp: Stamp, *, message: str) -> Responded:
    desk = _holding_desk(c, stamp.actor, Term("respond to"))
    if desk.kind is not DeskKind.UNIT:
        raise NotAllowed(
            "{actor} may not respond: only the liaison officer of the unit does", actor=stamp.actor
        )
    return _next(c, Responded, stamp, message=message)


def reply(c: Complaint, stamp: Stamp, *, message: str, pseudonym: str) -> ReporterReplied:
    """``pseudonym`` is the acting account's pseudonym for this complaint (the sealer's answer):
    the complaint's own reporter is the one whose pseudonym matches, and the event names them by it."""
    actor = stamp.actor
    if actor.role is not Role.REPORTER or pseudonym != c.reporter_pseudonym:
        raise NotAllowed("{actor} may not reply: only the complaint's own reporter does", actor=actor)
    assert c.desk is not None
    if c.desk.kind is not DeskKind.REPORTER:  # the reporter holds no other desk (rule 12)
        raise NotAllowed(
            "{actor} may not reply to complaint {complaint} now: it is on desk {desk}",
            actor=actor,
            complaint=c.id,
            desk=c.desk.key,
        )
    masked = Stamp(Actor.reporter(pseudonym), stamp.at, stamp.recorded_at)
    return _next(c, ReporterReplied, masked, message=message)


def erase(c: Complaint, stamp: Stamp, *, reason: str) -> IdentityErased:
    """Rule 14: the national desk, or the admin team rule 10 entitles, erases the identity of a
    finished complaint. Not a workflow step: rules 1 and 8 do not apply to it."""
    actor = stamp.actor
    entitled = actor.role is Role.NATIONAL or (
        actor.role is Role.ADMIN and actor.institution == c.entitled_institution
    )
    if not entitled:
        raise NotAllowed(
            "{actor} may not erase the identity of complaint {complaint}: only the national "
            "desk or the admin team of the institution holding it does (rule 14)",
            actor=actor,
            complaint=c.id,
        )
    if not c.is_finished:
        raise NotPossibleInState(
            "complaint {complaint} is open: an identity is erased once it is finished", complaint=c.id
        )
    if c.identity_erased:
        raise NotPossibleInState("the identity of complaint {complaint} is already erased", complaint=c.id)
    return _next(c, IdentityErased, stamp, reason=reason)


def archive(c: Complaint, stamp: Stamp, *, reason: ArchiveReason | str, note: str = "") -> Archived:
    desk = _holding_desk(c, stamp.actor, Term("archive"))
    if desk.kind is not DeskKind.NATIONAL:
        raise NotAllowed("{actor} may not archive: only the national desk does", actor=stamp.actor)
    return _next(c, Archived, stamp, reason=reason, note=note)


def fire_due(c: Complaint, rules: Rules, until: datetime, recorded_at: datetime) -> list[ComplaintEvent]:
    """Every deadline due at or before `until`, stamped with its due instant (rule 7)."""
    fired: list[ComplaintEvent] = []
    while (deadline := pending_deadline(c, rules.calendars)) is not None and deadline.due <= until:
        # A policy changed after the fact could put a due instant before the last
        # event; the history stays in order, stamped no earlier than that event.
        stamp = Stamp(Actor.system(), max(deadline.due, c.last_event_at), recorded_at)
        event: ComplaintEvent
        if deadline.clock is Clock.ESCALATION:
            event = _next(c, EscalatedToOmbudsman, stamp, submitted_at=c.submitted_at)
        else:
            assert c.responded_at is not None
            event = _next(c, AutoClosed, stamp, responded_at=c.responded_at)
        fired.append(event)
        c = evolve(c, event)
    return fired


def fire_final(c: Complaint, rules: Rules, at: datetime, recorded_at: datetime) -> list[ComplaintEvent]:
    """What a sweep at ``at`` records: the deadlines final by then, i.e. due at or before
    ``at`` minus the policy's late-entry grace (rule 13), stamped with their due instants."""
    return fire_due(c, rules, at - rules.policy.late_entry_grace, recorded_at)
