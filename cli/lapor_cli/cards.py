"""How the complaint card (``lapor_projections.ComplaintCard``) is shown: its rows and title."""

from __future__ import annotations

from collections.abc import Callable

from lapor_projections import ComplaintCard, complaint_card

from .output import Column

__all__ = ["CARD_FIELDS", "ComplaintCard", "card_title", "complaint_card"]


CARD_FIELDS = [
    Column("complaint_id", "complaint"),
    Column("title", "title"),
    Column("status", "status", "term"),
    Column("label", "public label"),
    Column("desk", "desk (holder)"),
    Column("on_desk_since", "on desk since", "instant"),
    Column("working_days_on_desk", "working days on desk", "number"),
    Column("target", "target", "deadline"),
    Column("limit", "limit", "deadline"),
    Column("sla", "SLA", "sla"),
    Column("clock", "finishing clock", "term"),
    Column("clock_due", "clock due", "deadline"),
    Column("anonymous", "anonymous", "flag"),
    Column("confidential", "confidential", "flag"),
    Column("national_verified", "verified (national)", "flag"),
    Column("admin_verified", "verified (admin)", "flag"),
    Column("reporter", "reporter"),
    Column("submitted", "submitted", "instant"),
    Column("last_event", "last event", "instant"),
    Column("responded", "responded", "instant"),
    Column("replied", "reporter replied", "instant"),
    Column("outcome", "outcome", "term"),
]


def card_title(card: ComplaintCard, *, live: bool, translate: Callable[[str], str] = str) -> str:
    when = card.as_of.strftime("%Y-%m-%d %H:%M %Z")
    _ = translate
    title = _("Complaint {complaint}, now {when}") if live else _("Complaint {complaint}, as of {when}")
    return title.format(complaint=card.complaint_id[:8], when=when)
