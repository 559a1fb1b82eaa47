"""lapor-domain: LAPOR!-SP4N complaint handling as immutable events.

The embedding API is ``LaporApp``; the rest are the values it takes and returns.
"""

from .application import FiredDeadline, LaporApp
from .errors import (
    ComplaintExists,
    ComplaintNotFound,
    ConcurrentUpdate,
    DatedBeforeLastEvent,
    InvalidInput,
    LaporError,
    NotAllowed,
    NotPossibleInState,
    StoreUnavailable,
    TooLate,
    UnknownOrganisation,
)
from .model.actors import Actor, Role
from .model.calendar import WorkingCalendar
from .model.complaint import Complaint, Outcome
from .model.deadlines import Clock, Deadline, DeskDeadlines, SlaState
from .model.desks import Desk, DeskKind, SlaLevel
from .model.entry import Stamp
from .model.events import (
    Archived,
    ArchiveReason,
    AutoClosed,
    ComplaintEvent,
    Disposed,
    EscalatedToOmbudsman,
    Reporter,
    ReporterReplied,
    Responded,
    Returned,
    Submitted,
    Verified,
)
from .model.policy import DeskSla, SlaPolicy
from .organisation import Institution, OrganisationDirectory, Unit, UnitKind, kota_cirebon

__all__ = [
    "Actor",
    "ArchiveReason",
    "Archived",
    "AutoClosed",
    "Clock",
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
    "Disposed",
    "EscalatedToOmbudsman",
    "FiredDeadline",
    "Institution",
    "InvalidInput",
    "LaporApp",
    "LaporError",
    "NotAllowed",
    "NotPossibleInState",
    "OrganisationDirectory",
    "Outcome",
    "Reporter",
    "ReporterReplied",
    "Responded",
    "Returned",
    "Role",
    "SlaLevel",
    "SlaPolicy",
    "SlaState",
    "Stamp",
    "StoreUnavailable",
    "Submitted",
    "TooLate",
    "Unit",
    "UnitKind",
    "UnknownOrganisation",
    "Verified",
    "WorkingCalendar",
    "kota_cirebon",
]
