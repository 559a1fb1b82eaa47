"""Each read-model table is described once; a row survives encode -> decode whatever the value.

A column whose source or field were swapped with another's would still type-check;
here it fails (and a column dropped or reordered against its reader fails at import).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_domain import Clock, Complaint, Deadline, Desk, DeskKind, Outcome, SealedIdentity
from lapor_projections import Tracked, Visit
from lapor_projections.store import (
    COMPLAINT_COLUMNS,
    COMPLAINT_TABLE,
    VISIT_COLUMNS,
    WITHHELD_PSEUDONYM,
    complaint_row,
    tracked_from_row,
    visit_from_row,
    visit_row,
)
from lapor_projections.table import INSTANT, TEXT, Column, Table

OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
INSTANTS = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=OFFSETS)
MAYBE_INSTANTS = st.none() | INSTANTS
NAMES = st.text("abcdefghijklmnopqrstuvwxyz-0123456789", min_size=1, max_size=12)
TEXTS = st.text(max_size=30)
DESKS = st.one_of(
    st.just(Desk.national()),
    st.builds(Desk.admin, NAMES),
    st.builds(Desk.unit_of, NAMES, NAMES),
    st.builds(lambda i, u: Desk(kind=DeskKind.REPORTER, institution=i, unit=u), NAMES, NAMES),
)
VISITS = st.builds(
    Visit,
    st.uuids(),
    st.integers(0, 500),
    NAMES,
    st.sampled_from([k.value for k in DeskKind]),
    st.none() | NAMES,
    st.none() | NAMES,
    INSTANTS,
    MAYBE_INSTANTS,
    MAYBE_INSTANTS,
    MAYBE_INSTANTS,
    st.none() | NAMES,
)


@st.composite
def tracked(draw: st.DrawFn) -> Tracked:
    desk = draw(st.none() | DESKS)
    complaint = Complaint(
        id=draw(st.uuids()),
        version=draw(st.integers(1, 10_000)),
        reporter_pseudonym=draw(NAMES),
        identity=SealedIdentity(nonce=draw(TEXTS), ciphertext=draw(TEXTS)),
        last_institution=draw(st.none() | NAMES),
        title=draw(TEXTS),
        anonymous=draw(st.booleans()),
        confidential=draw(st.booleans()),
        submitted_at=draw(INSTANTS),
        last_event_at=draw(INSTANTS),
        desk=desk,
        on_desk_since=draw(INSTANTS),
        national_verified=draw(st.booleans()),
        admin_verified=draw(st.booleans()),
        responded_at=draw(MAYBE_INSTANTS),
        replied_at=draw(MAYBE_INSTANTS),
        outcome=draw(st.none() | st.sampled_from(Outcome)),
    )
    visit = None
    if desk is not None and draw(st.booleans()):
        visit = Visit(
            complaint.id,
            draw(st.integers(0, 500)),
            desk.key,
            desk.kind.value,
            desk.institution,
            desk.unit,
            complaint.on_desk_since,
            draw(MAYBE_INSTANTS),
            draw(MAYBE_INSTANTS),
        )
    deadline = draw(st.none() | st.builds(Deadline, st.sampled_from(Clock), INSTANTS))
    return Tracked(complaint, visit, deadline)


@given(VISITS)
def test_a_visit_survives_its_row(visit: Visit) -> None:
    row = visit_row(visit)
    assert len(row) == len(VISIT_COLUMNS)
    assert visit_from_row(row) == visit


@given(tracked())
def test_a_complaints_state_survives_its_row(t: Tracked) -> None:
    row = complaint_row(t)
    assert len(row) == len(COMPLAINT_COLUMNS)
    # Everything survives but the reporter's identity, which the views do not keep.
    withheld = t._replace(
        complaint=t.complaint.changed(
            reporter_pseudonym=WITHHELD_PSEUDONYM, identity=None, last_institution=None
        )
    )
    assert tracked_from_row(row) == withheld
    assert not {"reporter_pseudonym", "identity", "reporter_name", "reporter_contact"} & set(
        COMPLAINT_COLUMNS
    )
    stored = dict(zip(COMPLAINT_COLUMNS, row, strict=True))
    due = stored["limit_us"] if stored["limit_us"] is not None else stored["clock_due_us"]
    assert stored["urgency_us"] == due


def test_a_reader_must_take_the_columns_in_their_order() -> None:
    with pytest.raises(ValueError, match="takes"):
        COMPLAINT_TABLE.row_reader(lambda complaint_id, title: None)
    table = Table("t", [Column("a_us", INSTANT, "a", "a"), Column("b", TEXT, "b", "b")], ["b"], unpack="a, b")
    assert table.row_reader(lambda a, b: (a, b))((0, "x")) == (datetime(1970, 1, 1, tzinfo=UTC), "x")
    with pytest.raises(ValueError, match="takes"):
        table.row_reader(lambda b, a: (a, b))
    assert table.create("t") == "CREATE TABLE IF NOT EXISTS t (a_us BIGINT, b TEXT PRIMARY KEY)"
