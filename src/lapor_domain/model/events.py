"""The log's events: immutable facts, past tense, the only truth.

Most are a complaint's (``ComplaintEvent``); the calendar's history and the policy's are in
the same log (``CalendarAmended`` and ``PolicyRecorded``, each in a stream of its own), so the
tamper-evident record covers them too.

Each class has a *stored name* (``stored_name``) that is written with every event
instead of the Python module and class name, so renaming or moving a class never
breaks reading old events; a class that changes its fields raises its
``class_version`` and gains an ``upcast_vN_vN+1(state: dict) -> None`` static
method that rewrites older stored states (see ``adapters.mapper``).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from .actors import Actor
from .desks import Desk, SlaLevel
from .identity import ReporterIdentity, SealedIdentity
from .policy import SlaPolicy
from .reporter import Reporter as Reporter  # re-exported: the value submit takes

_REGISTRY: dict[str, type[LogEvent]] = {}


class LogEvent(BaseModel):
    """What every event in the log carries: its stream (a complaint, or the calendar), its
    position there, who, when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stored_name: ClassVar[str] = ""
    former_names: ClassVar[tuple[str, ...]] = ()
    class_version: ClassVar[int] = 1

    originator_id: UUID
    originator_version: int = Field(ge=1)
    at: AwareDatetime = Field(description="the business instant it happened")
    recorded_at: AwareDatetime = Field(description="the instant the application recorded it")
    actor: Actor
    imported: bool = Field(
        default=False,
        description="loaded as already decided (migration, simulation), not entered as a command (rule 13)",
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "stored_name" in cls.__dict__:
            for name in (cls.stored_name, *cls.former_names):
                if name in _REGISTRY:
                    raise TypeError(f"stored event name {name!r} is used twice")
                _REGISTRY[name] = cls

    @property
    def name(self) -> str:
        return self.stored_name


class ComplaintEvent(LogEvent):
    """An event of one complaint: its stream is the complaint's."""

    @property
    def complaint_id(self) -> UUID:
        return self.originator_id


def event_class(stored_name: str) -> type[LogEvent]:
    """The class that reads events stored under this name (current or former)."""
    try:
        return _REGISTRY[stored_name]
    except KeyError:
        raise LookupError(f"no event class is registered for stored name {stored_name!r}") from None


def event_classes() -> dict[str, type[LogEvent]]:
    return {cls.stored_name: cls for cls in _REGISTRY.values()}


class ArchiveReason(StrEnum):
    INCOMPLETE = "incomplete"
    DUPLICATE = "duplicate"
    OUT_OF_SCOPE = "out-of-scope"
    NOT_A_COMPLAINT = "not-a-complaint"


class Submitted(ComplaintEvent):
    """A complaint filed. Its reporter's identity is sealed (rule 14), and the actor's person
    is the complaint's reporter pseudonym, not the account id (``lapor_domain.sealing``)."""

    stored_name: ClassVar[str] = "lapor.Submitted"
    class_version: ClassVar[int] = 2

    identity: SealedIdentity
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1, max_length=20_000)
    anonymous: bool = False
    confidential: bool = False

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 1 carried the reporter in plain text, and the account id as the actor's
        person: read as an unsealed identity until ``seal_plaintext_identities`` seals it."""
        reporter = Reporter(**state.pop("reporter"))
        account = state["actor"]["person"]
        identity = ReporterIdentity(reporter=reporter, account=account)
        state["identity"] = SealedIdentity.plaintext(identity).model_dump()


class Verified(ComplaintEvent):
    """A desk checked the report; it may set the privacy flags (rule 10), which is audited here."""

    stored_name: ClassVar[str] = "lapor.Verified"

    level: SlaLevel
    anonymous: bool | None = None
    confidential: bool | None = None
    note: str = Field(default="", max_length=5_000)


class Disposed(ComplaintEvent):
    """Routed down: national -> an institution's admin team, admin team -> one of its units."""

    stored_name: ClassVar[str] = "lapor.Disposed"

    to: Desk
    note: str = Field(default="", max_length=5_000)


class Returned(ComplaintEvent):
    """Sent back up: not our authority (bukan wewenang)."""

    stored_name: ClassVar[str] = "lapor.Returned"

    to: Desk
    reason: str = Field(min_length=1, max_length=5_000)


class Responded(ComplaintEvent):
    """The unit's follow-up (tindak lanjut); the reporter's turn begins."""

    stored_name: ClassVar[str] = "lapor.Responded"

    message: str = Field(min_length=1, max_length=20_000)


class ReporterReplied(ComplaintEvent):
    """The reporter answered the response; it goes back to the same unit."""

    stored_name: ClassVar[str] = "lapor.ReporterReplied"

    message: str = Field(min_length=1, max_length=20_000)


class AutoClosed(ComplaintEvent):
    """Ten working days of silence after the latest response (rule 5): finished."""

    stored_name: ClassVar[str] = "lapor.AutoClosed"

    responded_at: AwareDatetime


class EscalatedToOmbudsman(ComplaintEvent):
    """No response within sixty working days of submission (rule 6): sent to Ombudsman RI."""

    stored_name: ClassVar[str] = "lapor.EscalatedToOmbudsman"

    submitted_at: AwareDatetime


class Archived(ComplaintEvent):
    """The national desk drops a report that is not a complaint: finished."""

    stored_name: ClassVar[str] = "lapor.Archived"

    reason: ArchiveReason
    note: str = Field(default="", max_length=5_000)


DEADLINE_EVENTS: tuple[type[ComplaintEvent], ...] = (AutoClosed, EscalatedToOmbudsman)


class IdentityErased(ComplaintEvent):
    """The reporter's identity was erased (rule 14): its data key destroyed. Not a workflow
    step: it moves no business instant and carries no personal data, only who, when, why."""

    stored_name: ClassVar[str] = "lapor.IdentityErased"

    reason: str = Field(min_length=1, max_length=1_000)


FINISHING_EVENTS: tuple[type[ComplaintEvent], ...] = (AutoClosed, EscalatedToOmbudsman, Archived)


CALENDAR_STREAM = UUID("6c6170f2-6361-4c65-8e64-61722d686973")
"""The calendar's history: one stream in the log for every amendment, national or an
institution's, so that amendments are ordered and numbered (rule 16)."""


class CalendarAmended(LogEvent):
    """Closing days added or cancelled (rule 16), national or for one institution: recorded
    when it became known, never backdated (``at`` is when it was entered), with its legal basis.
    Its version in the calendar's stream is the calendar's version from then on."""

    stored_name: ClassVar[str] = "lapor.CalendarAmended"

    added: dict[date, str] = Field(default_factory=dict, description="days that close, with their names")
    cancelled: list[date] = Field(default_factory=list, description="days that no longer close")
    basis: str = Field(min_length=1, max_length=1_000, description="the legal basis: SKB, Keppres, Perwali")
    institution: str | None = Field(default=None, description="whose calendar; none: the national one")


POLICY_STREAM = UUID("706f6c69-6379-4c65-8e64-6572736e6973")
"""The SLA policy's history: every version the store has counted by, in order (rule 16)."""


class PolicyRecorded(LogEvent):
    """A version of the SLA policy (rule 16): the first is the one the store began with; each
    later one (a new Perwali, a new SOP) is recorded when it is entered, never backdated. Desks
    entered and clocks started from then on count by it; those already running keep theirs.
    Its version in the policy's stream is the policy's version."""

    stored_name: ClassVar[str] = "lapor.PolicyRecorded"

    policy: SlaPolicy
    basis: str = Field(min_length=1, max_length=1_000, description="why: the Perwali, SOP or decision")


BASE_CALENDAR_STREAM = UUID("62617365-6361-4c65-8e64-61722d626173")
"""The base calendar: the closing days the `holidays` package gave when the store began (rule 16)."""


class BaseCalendarRecorded(LogEvent):
    """The `holidays` package's national holidays and cuti bersama over the policy's years, as
    the store began with them (rule 16). The store counts by these, not by whatever package is
    installed later: a package upgrade that moves a closing day is shown as a difference to
    record with a calendar amendment, never applied by itself. One per store, written with its
    first event (a store from before this was recorded writes it with its next one)."""

    stored_name: ClassVar[str] = "lapor.BaseCalendarRecorded"

    source: str = Field(min_length=1, max_length=200, description="the package and its version")
    closing_days: dict[date, str] = Field(description="the package's closing days, with their names")
