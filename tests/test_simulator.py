"""The workload simulator: realistic, accepted by the real rules, deterministic, batched.

One city workload of 2,000 complaints (about three years of Kota Cirebon) is
simulated once per module and looked at from several sides; a sample of its
complaints is replayed through a fresh LaporApp's public commands, which must
accept every step and record the very same events.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from lapor_domain import (
    NATIONAL_READER,
    Actor,
    Archived,
    AutoClosed,
    ComplaintEvent,
    DeskKind,
    Disposed,
    EscalatedToOmbudsman,
    InvalidInput,
    KeyRing,
    LaporApp,
    ReporterReplied,
    Responded,
    Returned,
    Role,
    Submitted,
    Verified,
    admin_reader,
)
from lapor_domain.model.complaint import Complaint, evolve
from lapor_domain.model.deadlines import desk_deadlines
from lapor_domain.model.events import FINISHING_EVENTS
from lapor_projections.simulation import SimulationSummary, Workload, simulate

from conftest import OfficeApp, complaint_events

CITY = Workload(complaints=2_000, start=date(2026, 1, 5), seed=7)
REPLAYED = 200


@pytest.fixture(scope="module")
def city() -> Iterator[tuple[SimulationSummary, list[ComplaintEvent], LaporApp]]:
    app = OfficeApp(keys=CITY_KEYS)
    app.register_reader_keys(CITY_KEYS)  # the simulated identities can be opened (replay below)
    summary = simulate(app, CITY, batch=5_000)
    yield summary, complaint_events(app), app
    app.close()


CITY_KEYS = KeyRing.generate([NATIONAL_READER, admin_reader("kota-cirebon")])


def by_complaint(events: list[ComplaintEvent]) -> dict[UUID, list[ComplaintEvent]]:
    histories: dict[UUID, list[ComplaintEvent]] = defaultdict(list)
    for event in events:
        histories[event.originator_id].append(event)
    return histories


def dumps(events: list[ComplaintEvent], *, without: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """The events as dicts, but for what sealing makes random: the sealed identity (fresh data
    key and nonce) and the reporter's pseudonym (a fresh secret per complaint)."""
    rows = []
    for e in events:
        row = {"type": type(e).__name__, **e.model_dump(exclude={*without, "identity"})}
        if e.actor.role is Role.REPORTER:
            row["actor"] = {**row["actor"], "person": "(pseudonym)"}
        rows.append(row)
    return rows


# -- realism ------------------------------------------------------------------------------


def test_the_summary_counts_what_was_stored(city: Any) -> None:
    summary, events, _ = city
    assert summary.complaints == CITY.complaints
    assert summary.events == len(events)
    assert summary.by_event == dict(sorted(Counter(e.name for e in events).items()))
    assert sum(summary.by_outcome.values()) == CITY.complaints
    assert summary.first_at == events[0].at and summary.last_at == events[-1].at
    assert summary.first_at.date() >= CITY.start


def test_every_complaint_is_submitted_once_and_finished_once_by_its_last_event(city: Any) -> None:
    _, events, _ = city
    histories = by_complaint(events)
    assert len(histories) == CITY.complaints
    for history in histories.values():
        assert isinstance(history[0], Submitted)
        assert [e.originator_version for e in history] == list(range(1, len(history) + 1))
        finishing = [e for e in history if isinstance(e, FINISHING_EVENTS)]
        assert len(finishing) == 1 and finishing[0] is history[-1]


def test_the_log_is_in_business_time_order(city: Any) -> None:
    _, events, _ = city
    instants = [e.at for e in events]
    assert instants == sorted(instants)
    assert all(timedelta(0) < e.recorded_at - e.at < timedelta(seconds=3) for e in events)


def test_shares_of_outcomes_are_realistic(city: Any) -> None:
    summary, _, _ = city
    outcomes = summary.by_outcome
    assert 0.30 <= outcomes["archived"] / CITY.complaints <= 0.45
    assert outcomes["auto-closed"] / CITY.complaints >= 0.45
    assert 1 <= outcomes["escalated-to-ombudsman"] <= 0.05 * CITY.complaints


def test_paths_return_up_reply_and_go_elsewhere(city: Any) -> None:
    _, events, _ = city
    returns = Counter(e.to.kind for e in events if isinstance(e, Returned))
    assert returns[DeskKind.ADMIN] >= 20 and returns[DeskKind.NATIONAL] >= 5
    assert sum(isinstance(e, ReporterReplied) for e in events) >= 100
    redisposed_elsewhere = 0
    for history in by_complaint(events).values():
        institutions = {e.to.institution for e in history if isinstance(e, Disposed) and e.to.institution}
        redisposed_elsewhere += len(institutions) > 1
    assert redisposed_elsewhere >= 5
    privacy_changes = [e for e in events if isinstance(e, Verified) and (e.anonymous or e.confidential)]
    assert privacy_changes
    busiest = Counter(e.to.unit for e in events if isinstance(e, Disposed) and e.to.kind is DeskKind.UNIT)
    assert {"dinkes", "dputr"} <= {unit for unit, _ in busiest.most_common(6)}


def test_some_desks_act_after_their_limit_and_most_in_time(city: Any) -> None:
    _, events, app = city
    states: dict[UUID, Complaint] = {}
    acted = breached = 0
    for event in events:
        before = states.get(event.originator_id)
        if isinstance(event, Disposed | Returned | Responded | Archived):
            assert before is not None
            deadlines = desk_deadlines(before, app.rules.calendars)
            assert deadlines is not None
            acted += 1
            breached += event.at >= deadlines.limit
        states[event.originator_id] = evolve(before, event)
    assert 0.02 * acted <= breached <= 0.2 * acted


def test_desks_work_on_working_days_mostly_in_office_hours(city: Any) -> None:
    _, events, app = city
    calendar = app.policy.calendar
    desk_work = [e for e in events if isinstance(e, Verified | Disposed | Returned | Responded | Archived)]
    assert all(calendar.is_working_day(calendar.local_date(e.at)) for e in desk_work)
    in_office = sum(7 <= e.at.hour < 16 for e in desk_work)
    assert in_office >= 0.85 * len(desk_work)


def test_deadlines_fire_at_their_instant_through_the_system(city: Any) -> None:
    _, events, _ = city
    fired = [e for e in events if isinstance(e, AutoClosed | EscalatedToOmbudsman)]
    assert fired and all(e.actor.role == "system" for e in fired)
    assert all((e.at.hour, e.at.minute, e.at.second) == (0, 0, 0) for e in fired)  # end of a working day


# -- the real application accepts every step --------------------------------------------------


def replay(app: LaporApp, event: ComplaintEvent, source: LaporApp) -> None:
    """The public command that records ``event`` (the sweep for a deadline); the reporter's
    identity and account come from ``source``'s sealed identity, opened with its keys."""
    cid, by, at = event.originator_id, event.actor, event.at
    shown = None
    if by.role is Role.REPORTER:
        shown = source.identity(cid, viewer=Actor.national("test"), purpose="replay").identity
        assert shown is not None
        by = Actor.reporter(shown.account)
    if isinstance(event, Submitted):
        assert shown is not None
        app.submit(
            by=by,
            at=at,
            reporter=shown.reporter,
            title=event.title,
            description=event.description,
            anonymous=event.anonymous,
            confidential=event.confidential,
            complaint_id=cid,
        )
    elif isinstance(event, Verified):
        app.verify(
            cid, by=by, at=at, anonymous=event.anonymous, confidential=event.confidential, note=event.note
        )
    elif isinstance(event, Disposed):
        to = event.to.institution if event.to.kind is DeskKind.ADMIN else event.to.unit
        assert to is not None
        app.dispose(cid, to=to, by=by, at=at, note=event.note)
    elif isinstance(event, Returned):
        app.return_up(cid, reason=event.reason, by=by, at=at)
    elif isinstance(event, Responded):
        app.respond(cid, message=event.message, by=by, at=at)
    elif isinstance(event, ReporterReplied):
        app.reply(cid, message=event.message, by=by, at=at)
    elif isinstance(event, Archived):
        app.archive(cid, reason=event.reason, by=by, at=at, note=event.note)
    else:
        assert isinstance(event, AutoClosed | EscalatedToOmbudsman)
        app.fire_due(at)


def test_a_sample_replayed_through_the_commands_records_the_same_events(city: Any) -> None:
    _, events, source = city
    histories = by_complaint(events)
    sample = set(random.Random(0).sample(sorted(histories), REPLAYED))
    fresh = OfficeApp()
    for event in events:  # in the simulated order, so sweeps see the others' deadlines too
        if event.originator_id in sample:
            replay(fresh, event, source)
    without = frozenset({"recorded_at", "imported"})
    for cid in sample:
        assert dumps(fresh.history(cid), without=without) == dumps(histories[cid], without=without)
        # Simulated history is loaded as already decided (rule 13), commands are entered.
        assert all(e.imported for e in histories[cid])
        assert not any(e.imported for e in fresh.history(cid))
    fresh.close()


# -- determinism, batches, scale -------------------------------------------------------------


def simulated(workload: Workload, **kwargs: Any) -> tuple[SimulationSummary, list[ComplaintEvent]]:
    app = OfficeApp()
    summary = simulate(app, workload, **kwargs)
    events = complaint_events(app)
    app.close()
    return summary, events


def test_the_same_seed_gives_the_same_history_and_another_seed_another() -> None:
    workload = Workload(complaints=300, start=date(2026, 3, 2), seed=11)
    first, events = simulated(workload)
    again, same = simulated(workload, batch=97)
    assert first == again
    assert dumps(events) == dumps(same)
    _, other = simulated(Workload(complaints=300, start=date(2026, 3, 2), seed=12))
    assert dumps(other) != dumps(events)
    assert {e.originator_id for e in other}.isdisjoint({e.originator_id for e in events})


def test_batches_are_single_imports_with_progress_after_each() -> None:
    app = OfficeApp()
    sizes: list[int] = []
    original = app.import_events

    def counting(events: Any, states: Any, **identities: Any) -> None:
        sizes.append(len(events))
        original(events, states, **identities)

    app.import_events = counting  # type: ignore[method-assign]
    reports: list[tuple[int, int]] = []
    summary = simulate(
        app,
        Workload(complaints=200, start=date(2026, 3, 2), seed=3),
        batch=100,
        progress=lambda done, total: reports.append((done, total)),
    )
    assert sum(sizes) == summary.events and len(sizes) >= summary.events // 104
    assert all(100 <= n <= 104 for n in sizes[:-1])
    assert len(reports) == len(sizes) and reports[-1] == (200, 200)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)
    assert app.log.deadline_index.count_deadlines() == 0  # every complaint finished: no clock left
    app.close()


@pytest.mark.slow  # a national-scale simulation
def test_national_scale_on_sqlite_quiet_holidays_and_the_lebaran_peak(tmp_path: Path) -> None:
    # 2026: 18-24 March are closing days (Nyepi, Idul Fitri and cuti bersama) or a weekend;
    # offices reopen on the 25th, when the backlog of the holiday is reported.
    workload = Workload(complaints=4_500, start=date(2026, 3, 16), seed=5, scale="national")
    app = OfficeApp(str(tmp_path / "national.db"))
    summary = simulate(app, workload)
    events = complaint_events(app)
    app.close()
    assert summary.events == len(events) and sum(summary.by_outcome.values()) == workload.complaints
    assert 0.30 <= summary.by_outcome["archived"] / workload.complaints <= 0.45
    per_day = Counter(e.at.date() for e in events if isinstance(e, Submitted))
    ordinary = sum(per_day[date(2026, 3, d)] for d in (16, 17)) / 2
    holidays = sum(per_day[date(2026, 3, d)] for d in range(18, 25)) / 7
    after_lebaran = sum(per_day[date(2026, 3, d)] for d in (25, 26)) / 2
    assert 200 <= ordinary <= 500  # about 100,000 a year
    assert holidays < 0.6 * ordinary
    assert 1.8 * ordinary < after_lebaran <= 1_300  # peaks near 1,000 a day


@pytest.mark.parametrize(
    "changes",
    [
        {"complaints": 0},
        {"archive_share": 1.5},
        {"reply_share": -0.1},
        {"scale": "galaxy"},
        {"per_year": 0},
        {"slow_desk_share": 0.7, "late_desk_share": 0.4},
    ],
)
def test_a_workload_out_of_range_is_refused(changes: dict[str, Any]) -> None:
    arguments: dict[str, Any] = {"complaints": 10, "start": date(2026, 1, 5), **changes}
    with pytest.raises(InvalidInput):
        Workload(**arguments)


def test_a_batch_size_below_one_is_refused() -> None:
    with pytest.raises(InvalidInput):
        simulate(OfficeApp(), CITY, batch=0)


def test_a_workload_beyond_the_calendar_is_refused_before_anything_is_stored() -> None:
    app = OfficeApp()
    with pytest.raises(InvalidInput, match="beyond the policy calendar"):
        simulate(app, Workload(complaints=100_000, start=date(2026, 1, 5)))  # 160 years of Cirebon
    assert app.log.recorder.max_notification_id() in (None, 0)
    app.close()
