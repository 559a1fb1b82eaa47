"""lapor-domain: LAPOR!-SP4N complaint handling as immutable events.

The embedding API is ``LaporApp``; the rest are the values it takes and returns.
"""

from .adapters.closing_days_file import ClosingDaysFile
from .adapters.storage import DDL_LOCK, StoreTarget, parse_target
from .adapters.store_errors import store_errors
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
    StoreCorrupt,
    StoreUnavailable,
    Term,
    TooLate,
    UnknownOrganisation,
)
from .feed import EventFeed, RecordedEvent
from .identities import Maintenance, Rotation
from .ledger.audit import AuditReport, Check, Place
from .ledger.digest import GENESIS, event_digest
from .ledger.evidence import EVIDENCE_FORMAT, EvidenceReport, dossier_evidence, verify_evidence
from .ledger.ledger import ChainLink, InclusionProof, Ledger, Override, TreeHead
from .ledger.signing import Checkpoint, PublicKey, SignedHead, SigningKey
from .model import decisions
from .model.actors import Actor, Role
from .model.calendar import ClosingDaysCache, WorkingCalendar, keep_closing_days_in
from .model.complaint import Complaint, Outcome, evolve, fold
from .model.deadlines import Clock, Deadline, DeskDeadlines, SlaState, desk_deadlines, judge, pending_deadline
from .model.desks import Desk, DeskKind, SlaLevel
from .model.entry import Stamp
from .model.events import (
    DEADLINE_EVENTS,
    FINISHING_EVENTS,
    Archived,
    ArchiveReason,
    AutoClosed,
    ComplaintEvent,
    Disposed,
    EscalatedToOmbudsman,
    IdentityErased,
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
from .model.policy import DeskSla, SlaPolicy
from .model.privacy import can_see_complaint, can_see_identity, flags_now
from .organisation import KOTA_CIREBON, Institution, OrganisationDirectory, Unit, UnitKind, kota_cirebon
from .sealing import (
    NATIONAL_READER,
    Disclosure,
    KeyRing,
    KeyStore,
    ReaderKey,
    ReaderPublicKey,
    SealedReporter,
    admin_reader,
)
from .sweep import FiredDeadline

__all__ = [
    "DDL_LOCK",
    "DEADLINE_EVENTS",
    "EPOCH",
    "EVIDENCE_FORMAT",
    "FINISHING_EVENTS",
    "GENESIS",
    "KOTA_CIREBON",
    "MICROSECOND",
    "NATIONAL_READER",
    "Actor",
    "ArchiveReason",
    "Archived",
    "AuditReport",
    "AutoClosed",
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
    "LogNotUpgraded",
    "Maintenance",
    "NotAllowed",
    "NotPossibleInState",
    "OrganisationDirectory",
    "Outcome",
    "Override",
    "Place",
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
    "require_aware",
    "store_errors",
    "to_micros",
    "to_micros_or_none",
    "verify_evidence",
]
