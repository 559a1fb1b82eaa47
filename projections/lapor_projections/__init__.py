"""lapor_projections: read models derived from the complaint events alone.

``ReadModels`` keeps the stored views (desk queues, SLA visits, public status)
caught up with an application's event log, exactly once; ``ViewReader`` answers
typed queries over them;
``manager_report`` gathers the numbers of the managers' page; ``timeline`` folds one
complaint's audit trail on demand;
``for_terminal``, ``for_spreadsheet`` and ``for_html`` render text from the public safely.
"""

from typing import TYPE_CHECKING

from . import readable
from .safe_text import for_html, for_spreadsheet, for_terminal, is_control, json_for_terminal

_MODULES = {
    "card": ("ComplaintCard", "complaint_card"),
    "fold": ("Tracked", "Views", "Visit", "event_label", "fold_views", "labelled_event", "public_label"),
    "models": (
        "DeskCount",
        "DeskReport",
        "PublicStatus",
        "QueueEntry",
        "TimelineEntry",
        "VisitOutcome",
        "VisitView",
    ),
    "queries": ("ViewReader",),
    "readside": ("ReadModels",),
    "store": ("views_spanning",),
    "audit_timeline": ("HIDDEN", "timeline"),  # not named timeline: the module would hide the function
}
_DOSSIER = ("Dossier", "build_dossier", "evidence_of", "readable_differs", "render_html")
_REPORT = (
    "FINISHED_BAND",
    "FLOW_BANDS",
    "RECAP_EVENTS",
    "CumulativeFlow",
    "ManagerReport",
    "MonthRecap",
    "UnitRecord",
    "cumulative_flow",
    "manager_report",
    "monthly_recap",
    "unit_records",
)
_LAZY = {
    **{name: module for module, names in _MODULES.items() for name in names},
    **dict.fromkeys(_DOSSIER, "dossier"),
    **dict.fromkeys(_REPORT, "report_page"),
}
"""Imported when first asked for: a command imports the part it uses (``show`` reads a card and
no queue, ``queue`` no card), and most never print a dossier nor draw the report."""


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value  # asked once: the next time is a plain attribute
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    from .audit_timeline import HIDDEN, timeline
    from .card import ComplaintCard, complaint_card
    from .dossier import Dossier, build_dossier, evidence_of, readable_differs, render_html
    from .fold import Tracked, Views, Visit, event_label, fold_views, labelled_event, public_label
    from .models import (
        DeskCount,
        DeskReport,
        PublicStatus,
        QueueEntry,
        TimelineEntry,
        VisitOutcome,
        VisitView,
    )
    from .queries import ViewReader
    from .readside import ReadModels
    from .report_page import (
        FINISHED_BAND,
        FLOW_BANDS,
        RECAP_EVENTS,
        CumulativeFlow,
        ManagerReport,
        MonthRecap,
        UnitRecord,
        cumulative_flow,
        manager_report,
        monthly_recap,
        unit_records,
    )
    from .store import views_spanning

__all__ = [
    "FINISHED_BAND",
    "FLOW_BANDS",
    "HIDDEN",
    "RECAP_EVENTS",
    "ComplaintCard",
    "CumulativeFlow",
    "DeskCount",
    "DeskReport",
    "Dossier",
    "ManagerReport",
    "MonthRecap",
    "PublicStatus",
    "QueueEntry",
    "ReadModels",
    "TimelineEntry",
    "Tracked",
    "UnitRecord",
    "ViewReader",
    "Views",
    "Visit",
    "VisitOutcome",
    "VisitView",
    "build_dossier",
    "complaint_card",
    "cumulative_flow",
    "event_label",
    "evidence_of",
    "fold_views",
    "for_html",
    "for_spreadsheet",
    "for_terminal",
    "is_control",
    "json_for_terminal",
    "labelled_event",
    "manager_report",
    "monthly_recap",
    "public_label",
    "readable",
    "readable_differs",
    "render_html",
    "timeline",
    "unit_records",
    "views_spanning",
]
