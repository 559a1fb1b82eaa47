"""One codec per concept: instants and their stored integers, complaint ids, the SLA judgement."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone, tzinfo
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_domain import (
    DeskDeadlines,
    InvalidInput,
    LaporApp,
    SlaState,
    from_micros,
    id_prefix,
    judge,
    parse_complaint_id,
    require_aware,
    to_micros,
)
from lapor_projections import ReadModels, ViewReader

from sop import file_complaint, wib


class NoOffset(tzinfo):
    """A tzinfo that knows no offset: such a datetime is naive for arithmetic (rule 1 refuses it)."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
AWARE = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=OFFSETS)


@given(AWARE)
def test_an_instant_survives_its_stored_form(at: datetime) -> None:
    assert from_micros(to_micros(at)) == at
    assert to_micros(at) == calendar.timegm(at.utctimetuple()) * 1_000_000 + at.microsecond


@given(AWARE, AWARE)
def test_the_stored_form_keeps_the_order(a: datetime, b: datetime) -> None:
    assert (a < b) == (to_micros(a) < to_micros(b))


@pytest.mark.parametrize(
    "value", [datetime(2026, 1, 5, 9), datetime(2026, 1, 5, 9, tzinfo=NoOffset()), "2026-01-05", None]
)
def test_only_an_instant_with_an_offset_is_aware(value: object) -> None:
    with pytest.raises(InvalidInput, match="since"):
        require_aware(value, "since")


@pytest.fixture
def reader(memory_app: LaporApp) -> Iterator[tuple[LaporApp, ViewReader]]:
    read_models = ReadModels(memory_app).attach()
    yield memory_app, ViewReader(read_models.db, memory_app.policy)
    read_models.close()


@pytest.mark.parametrize("naive", [datetime(2026, 1, 7, 12), datetime(2026, 1, 7, 12, tzinfo=NoOffset())])
def test_every_query_refuses_an_instant_without_offset(
    reader: tuple[LaporApp, ViewReader], naive: datetime
) -> None:
    app, views = reader
    complaint = file_complaint(app, wib(2026, 1, 5, 9))
    aware = wib(2026, 1, 7, 12)
    for ask in (
        lambda: views.queue("lapor-sp4n", naive),
        lambda: views.desks(naive),
        lambda: views.visits(complaint.id, naive),
        lambda: views.sla_report(since=naive, until=aware),
        lambda: views.sla_report(since=aware - timedelta(days=9), until=naive),
        lambda: views.stays(since=naive, until=aware),
    ):
        with pytest.raises(InvalidInput, match="timezone aware"):
            ask()


@given(st.uuids())
def test_a_complaint_id_parses_from_any_of_its_forms(cid: UUID) -> None:
    for form in (cid, str(cid), cid.hex, str(cid).upper(), f"{{{cid}}}"):
        assert parse_complaint_id(form) == cid
    assert id_prefix(f"  {str(cid)[:13].upper()} ") == cid.hex[:12]


@pytest.mark.parametrize("text", ["", "zz", "1234-5678-9abc-def0-1234-5678-9abc-def0x", "not-an-id"])
def test_what_is_no_complaint_id_is_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInput, match="not a complaint id"):
        parse_complaint_id(text)


@pytest.mark.parametrize("text", ["", " ", "-", "12g4", "abc d"])
def test_what_is_no_start_of_an_id_is_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInput, match="not the start of a complaint id"):
        id_prefix(text)


@given(AWARE, st.timedeltas(timedelta(0), timedelta(days=30)), st.timedeltas(timedelta(0), timedelta(days=9)),
       st.timedeltas(timedelta(days=-10), timedelta(days=80)))  # fmt: skip
def test_the_sla_is_judged_alike_on_instants_and_on_their_stored_form(
    arrived: datetime, to_target: timedelta, to_limit: timedelta, after: timedelta
) -> None:
    target, limit, at = arrived + to_target, arrived + to_target + to_limit, arrived + after
    state = DeskDeadlines(arrived, target, limit).state_at(at)
    assert judge(to_micros(target), to_micros(limit), to_micros(at)) is state
    assert state is (
        SlaState.BREACHED if at >= limit else SlaState.LATE if at >= target else SlaState.ON_TRACK
    )
