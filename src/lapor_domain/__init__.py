"""lapor-domain: LAPOR!-SP4N complaint handling as immutable events.

The embedding API is ``LaporApp``; the rest are the values it takes and returns.

The exports that need the ``cryptography`` package (the sealing's key files and vault, the
ledger's signatures, audit and evidence) are imported when first asked for (``__getattr__``,
PEP 562): a command that reads no identity and verifies nothing starts without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .adapters.closing_days_file import ClosingDaysFile
from .adapters.storage import DDL_LOCK, StoreTarget, parse_target
from .adapters.store_errors import store_errors
from .amendments import Amended
from .application import LaporApp
from .errors import (
    ComplaintExists,
    ComplaintNotFound,
    ConcurrentUpdate,
    DatedBeforeLastEvent,
    InvalidInput,
    LaporError,
    LogDamaged,
    LogNotUpgraded,
    NotAllowed,
    NotPossibleInState,
    PolicyDiffers,
    StoreCorrupt,
    StoreUnavailable,
    Term,
    TooLate,
    UnknownOrganisation,
)
from .feed import EventFeed, RecordedEvent
from .ledger.digest import GENESIS, event_digest
from .model import decisions
from .model.actors import Actor, Role
from .model.calendar import ClosingDaysCache, Week, WorkingCalendar, keep_closing_days_in
from .model.calendars import Amendment, BaseCalendar, Calendars, Drift, Due, PolicyVersion
from .model.complaint import Complaint, Outcome, evolve, fold
from .model.deadlines import Clock, Deadline, DeskDeadlines, SlaState, desk_deadlines, judge, pending_deadline
from .model.desks import Desk, DeskKind, SlaLevel
from .model.entry import Stamp
from .model.events import (
    BASE_CALENDAR_STREAM,
    CALENDAR_STREAM,
    DEADLINE_EVENTS,
    FINISHING_EVENTS,
    POLICY_STREAM,
    Archived,
    ArchiveReason,
    AutoClosed,
    BaseCalendarRecorded,
    CalendarAmended,
    ComplaintEvent,
    Disposed,
    EscalatedToOmbudsman,
    IdentityErased,
    LogEvent,
    PolicyRecorded,
    Reporter,
    ReporterReplied,
    Responded,
    Returned,
    Submitted,
    Verified,
    event_class,
    event_classes,
)
from .model.identity import IdentityState, IdentityView, ReporterIdentity, SealedIdentity
from .model.ids import id_prefix, parse_complaint_id
from .model.instants import (
    EPOCH,
    MICROSECOND,
    from_micros,
    from_micros_or_none,
    require_aware,
    to_micros,
    to_micros_or_none,
)
from .model.policy import DeskSla, SlaPolicy, policy_changes
from .model.privacy import can_see_complaint, can_see_identity, flags_now
from .organisation import KOTA_CIREBON, Institution, OrganisationDirectory, Unit, UnitKind, kota_cirebon
from .sealing.keystore import Disclosure, KeyStore, ReaderPublicKey
from .sweep import FiredDeadline

_LAZY = {
    **dict.fromkeys(("Maintenance", "Rotation"), "identities"),
    **dict.fromkeys(("AuditReport", "Check", "Place"), "ledger.audit"),
    **dict.fromkeys(
        ("EVIDENCE_FORMAT", "EvidenceReport", "dossier_evidence", "verify_evidence"), "ledger.evidence"
    ),
    **dict.fromkeys(("ChainLink", "InclusionProof", "Ledger", "Override", "TreeHead"), "ledger.ledger"),
    **dict.fromkeys(("Checkpoint", "PublicKey", "SignedHead", "SigningKey"), "ledger.signing"),
    **dict.fromkeys(("NATIONAL_READER", "KeyRing", "ReaderKey", "admin_reader"), "sealing.keyfile"),
    "SealedReporter": "sealing.vault",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # asked once
    return value


if TYPE_CHECKING:
    from .identities import Maintenance, Rotation
    from .ledger.audit import AuditReport, Check, Place
    from .ledger.evidence import EVIDENCE_FORMAT, EvidenceReport, dossier_evidence, verify_evidence
    from .ledger.ledger import ChainLink, InclusionProof, Ledger, Override, TreeHead
    from .ledger.signing import Checkpoint, PublicKey, SignedHead, SigningKey
    from .sealing.keyfile import NATIONAL_READER, KeyRing, ReaderKey, admin_reader
    from .sealing.vault import SealedReporter

__all__ = [
    "BASE_CALENDAR_STREAM",
    "CALENDAR_STREAM",
    "DDL_LOCK",
    "DEADLINE_EVENTS",
    "EPOCH",
    "EVIDENCE_FORMAT",
    "FINISHING_EVENTS",
    "GENESIS",
    "KOTA_CIREBON",
    "MICROSECOND",
    "NATIONAL_READER",
    "POLICY_STREAM",
    "Actor",
    "Amended",
    "Amendment",
    "ArchiveReason",
    "Archived",
    "AuditReport",
    "AutoClosed",
    "BaseCalendar",
    "BaseCalendarRecorded",
    "CalendarAmended",
    "Calendars",
    "ChainLink",
    "Check",
    "Checkpoint",
    "Clock",
    "ClosingDaysCache",
    "ClosingDaysFile",
    "Complaint",
    "ComplaintEvent",
    "ComplaintExists",
    "ComplaintNotFound",
    "ConcurrentUpdate",
    "DatedBeforeLastEvent",
    "Deadline",
    "Desk",
    "DeskDeadlines",
    "DeskKind",
    "DeskSla",
    "Disclosure",
    "Disposed",
    "Drift",
    "Due",
    "EscalatedToOmbudsman",
    "EventFeed",
    "EvidenceReport",
    "FiredDeadline",
    "IdentityErased",
    "IdentityState",
    "IdentityView",
    "InclusionProof",
    "Institution",
    "InvalidInput",
    "KeyRing",
    "KeyStore",
    "LaporApp",
    "LaporError",
    "Ledger",
    "LogDamaged",
    "LogEvent",
    "LogNotUpgraded",
    "Maintenance",
    "NotAllowed",
    "NotPossibleInState",
    "OrganisationDirectory",
    "Outcome",
    "Override",
    "Place",
    "PolicyDiffers",
    "PolicyRecorded",
    "PolicyVersion",
    "PublicKey",
    "ReaderKey",
    "ReaderPublicKey",
    "RecordedEvent",
    "Reporter",
    "ReporterIdentity",
    "ReporterReplied",
    "Responded",
    "Returned",
    "Role",
    "Rotation",
    "SealedIdentity",
    "SealedReporter",
    "SignedHead",
    "SigningKey",
    "SlaLevel",
    "SlaPolicy",
    "SlaState",
    "Stamp",
    "StoreCorrupt",
    "StoreTarget",
    "StoreUnavailable",
    "Submitted",
    "Term",
    "TooLate",
    "TreeHead",
    "Unit",
    "UnitKind",
    "UnknownOrganisation",
    "Verified",
    "Week",
    "WorkingCalendar",
    "admin_reader",
    "can_see_complaint",
    "can_see_identity",
    "decisions",
    "desk_deadlines",
    "dossier_evidence",
    "event_class",
    "event_classes",
    "event_digest",
    "evolve",
    "flags_now",
    "fold",
    "from_micros",
    "from_micros_or_none",
    "id_prefix",
    "judge",
    "keep_closing_days_in",
    "kota_cirebon",
    "parse_complaint_id",
    "parse_target",
    "pending_deadline",
    "policy_changes",
    "require_aware",
    "store_errors",
    "to_micros",
    "to_micros_or_none",
    "verify_evidence",
]
