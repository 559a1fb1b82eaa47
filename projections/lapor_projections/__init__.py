"""lapor_projections: read models derived from the complaint events alone.

``ReadModels`` keeps the stored views (desk queues, SLA visits, public status)
caught up with an application's event log, exactly once; ``ViewReader`` answers
typed queries over them; ``timeline`` folds one complaint's audit trail on demand;
``for_terminal``, ``for_spreadsheet`` and ``for_html`` render text from the public safely.
"""

from .fold import Tracked, Views, Visit, fold_views, public_label
from .models import DeskCount, DeskReport, PublicStatus, QueueEntry, TimelineEntry, VisitOutcome, VisitView
from .queries import ViewReader, can_see_identity
from .readside import ReadModels
from .safe_text import for_html, for_spreadsheet, for_terminal, is_control, json_for_terminal
from .timeline import timeline

__all__ = [
    "DeskCount",
    "DeskReport",
    "PublicStatus",
    "QueueEntry",
    "ReadModels",
    "TimelineEntry",
    "Tracked",
    "ViewReader",
    "Views",
    "Visit",
    "VisitOutcome",
    "VisitView",
    "can_see_identity",
    "fold_views",
    "for_html",
    "for_spreadsheet",
    "for_terminal",
    "is_control",
    "json_for_terminal",
    "public_label",
    "timeline",
]
