"""Complaint handling as a state machine, checked step by step against a small model.

Hypothesis drives two ``LaporApp``s with the same random commands, from random
actors (the desk's holder, the complaint's own reporter, other reporters, the
national team, admin teams and liaison officers of other institutions and units,
the system), at a business clock that moves by minutes or by months, across
weekends, Idul Fitri and cuti bersama, with instants written in several time zones.
The first app is swept (``fire_due``) at random; the second never is until the run
ends, so rule 7 (the history does not depend on sweeps) can be checked.

The reference model, ``Expected``, is one small immutable record per complaint,
written from DOMAIN.md alone: its desk, the verification per level (rule 11), the
latest response, the outcome and the recorded events as (name, business instant).
It counts working days with its own day-by-day loop (``within``, rule 3); the only
thing it takes from the code under test is ``WorkingCalendar.is_working_day``.
For every command it predicts the new record or the exact error class, checking
in rule 12's order: a naive or future-dated instant or malformed input whatever
the state (InvalidInput, UnknownOrganisation); too late (rule 13, judged on the
record as it stood at the command's instant); dated before the last event;
finished once the deadlines due by then are applied (rules 7, 8); the actor does
not hold the desk or their role never does this (NotAllowed, rules 9, 12); the
state does not permit it (NotPossibleInState, rules 11, 12), or a known code at
the wrong level (UnknownOrganisation).

Rules: submit (by anyone, also under a taken id); verify, dispose, return_up,
respond, reply and archive by a random actor (a third of the time the holder,
a third the complaint's reporter); the holder following the SOP one step, or down
to a goal desk, also dated before the last event or with a naive instant; clock
advances, jumps to just before, at or after a deadline; sweeps, on time or late,
in batches of 1, 2 or 500. A refused command must record nothing in either app.

After every step, for every complaint: the app's state and history match the
model; an open complaint is on a desk and a finished one on none; a fold of the
history equals the state; the finishing clocks (rules 5, 6) fired exactly at their
due instants, never both, and none is left due by the last sweep; the unswept
history is the swept one minus deadline events, and both apps agree on the state
as of now; the pending deadline and the deadline index match the model. A sweep
fires exactly the deadlines the model foresees, leaves each complaint as
``complaint(id, as_of=T)`` said it would be, and does nothing the second time.
At the end both apps are swept at the same instants and their histories compared.

Both apps share one recording clock, the machine's business "now": the office
enters each command as it happens, or enters later what happened earlier (a late
entry, dated up to a month back), or types a date in the future. Rule 13 decides
those the same way in both apps whatever sweeps ran: a command dated before a
finishing deadline but entered after it fell due is too late, one dated more than
the clock skew ahead of its recording instant is invalid input, in rule 12's
order (invalid input, too late, dated before the last event, finished, not
allowed, not possible).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, partial
from pathlib import Path
from typing import Any, NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from lapor_domain import (
    Actor,
    Complaint,
    ComplaintEvent,
    ComplaintExists,
    ComplaintNotFound,
    DatedBeforeLastEvent,
    DeskSla,
    InvalidInput,
    LaporApp,
    LaporError,
    NotAllowed,
    NotPossibleInState,
    Reporter,
    Role,
    SlaPolicy,
    TooLate,
    UnknownOrganisation,
    kota_cirebon,
)
from lapor_domain.model.complaint import fold
from lapor_projections import ReadModels, ViewReader

# -- working days, counted by the model itself (rules 2 and 3) ------------------------

WIB = ZoneInfo("Asia/Jakarta")
ONE_DAY = timedelta(days=1)
AUTO_CLOSE_DAYS, ESCALATION_DAYS = 10, 60  # rules 5 and 6, Cirebon default
CLOCK_SKEW, LATE_ENTRY_GRACE = timedelta(minutes=5), timedelta(0)  # rule 13, Cirebon default
SOP_RANGES = {"lapor-sp4n": (1, 3), "tim-admin": (3, 5), "unit": (5, 10)}  # rule 4: target, limit
is_working_day = SlaPolicy.cirebon().calendar.is_working_day


class Days(NamedTuple):
    """The days one version of the SLA policy gives (rule 16)."""

    escalation: int
    auto_close: int
    ranges: dict[str, tuple[int, int]]


POLICY_BOOK: list[tuple[datetime, Days]] = []
"""The versions recorded after the first, with when: a run's own (reset when a run starts)."""


def days_at(t: datetime) -> Days:
    """The version in force at t: the latest recorded before it, else the first."""
    chosen = Days(ESCALATION_DAYS, AUTO_CLOSE_DAYS, SOP_RANGES)
    for recorded, days in POLICY_BOOK:
        if recorded < t:
            chosen = days
    return chosen


@cache
def nth_working_day_after(day: date, n: int) -> date:
    """Walk day by day; the starting day itself never counts."""
    while n:
        day += ONE_DAY
        n -= is_working_day(day)
    return day


def within(t: datetime, n: int) -> datetime:
    """Rule 3: "within n working days of t" ends at 24:00 WIB of the n-th working day after t."""
    last_day = nth_working_day_after(t.astimezone(WIB).date(), n)
    return datetime.combine(last_day + ONE_DAY, time(0), tzinfo=WIB)


# -- the organisation and the actors ---------------------------------------------------

UNITS_OF = {  # the units of each institution among the codes below (Cirebon directory)
    "kota-cirebon": ("dinkes", "disdik", "kec-harjamukti"),
    "provinsi-jawa-barat": ("dinkes", "disdik", "sman-1-cirebon"),
    "kabupaten-cirebon": ("dinkes", "disdik", "rsud-waled"),
}
INSTITUTIONS = tuple(UNITS_OF)
TARGETS = (
    *INSTITUTIONS,
    "dinkes",
    "disdik",
    "kec-harjamukti",
    "sman-1-cirebon",
    "rsud-waled",
    "kota-atlantis",
    "dinas-sihir",
)
ARCHIVE_REASONS = ("incomplete", "duplicate", "out-of-scope", "not-a-complaint")
REPORTERS = ("warga-ani", "warga-budi", "warga-citra")


def national() -> Actor:
    return Actor.national("super-admin-1")


def admin(institution: str) -> Actor:
    return Actor.admin(institution, f"admin-{institution}")


def liaison(institution: str, unit: str) -> Actor:
    return Actor.liaison(institution, unit, f"pp-{unit}-{institution}")


OFFICIALS = (
    national(),
    Actor.national("super-admin-2"),
    Actor.system(),
    *(admin(i) for i in INSTITUTIONS),
    *(liaison(i, u) for i, units in UNITS_OF.items() for u in units),
)
CITIZENS = tuple(Actor.reporter(person) for person in REPORTERS)
HOLDER, ITS_REPORTER = "the desk's holder", "the complaint's reporter"

# -- the model (DOMAIN.md: lifecycle, rules 5-12) ---------------------------------------

NATIONAL, ADMIN, UNIT, AWAITING_REPORTER = "lapor-sp4n", "tim-admin", "unit", "pelapor"
DEADLINE_EVENTS = ("AutoClosed", "EscalatedToOmbudsman")


class Place(NamedTuple):
    """A desk: its kind, and the institution and unit it belongs to."""

    kind: str
    institution: str | None = None
    unit: str | None = None


NATIONAL_DESK = Place(NATIONAL)
SOP_ORDER = (NATIONAL, ADMIN, UNIT, AWAITING_REPORTER)  # the way down, then the reporter's turn


@dataclass(frozen=True)
class Expected:
    """One complaint as DOMAIN.md says it should be after the events recorded so far."""

    reporter: str
    events: tuple[tuple[str, datetime], ...]
    anonymous: bool
    confidential: bool
    desk: Place | None = NATIONAL_DESK
    national_verified: bool = False
    admin_verified: bool = False
    responded_at: datetime | None = None
    outcome: str | None = None
    previous: Expected | None = field(default=None, compare=False, repr=False)

    def then(self, event_name: str, at: datetime, **changes: Any) -> Expected:
        return replace(self, events=(*self.events, (event_name, at)), previous=self, **changes)

    def standing_at(self, t: datetime) -> Expected | None:
        """The complaint as it stood at t: after its events dated at or before t (None before any)."""
        state: Expected | None = self
        while state is not None and state.last_event_at > t:
            state = state.previous
        return state

    def too_late(self, at: datetime, recorded: datetime, grace: timedelta) -> bool:
        """Rule 13: a finishing clock running at ``at``, due after it, final by ``recorded``."""
        standing = self.standing_at(at)
        clock = standing.deadline() if standing is not None else None
        return clock is not None and at < clock[1] and recorded >= clock[1] + grace

    @property
    def submitted_at(self) -> datetime:
        return self.events[0][1]

    @property
    def last_event_at(self) -> datetime:
        return self.events[-1][1]

    @property
    def last_command_at(self) -> datetime:
        return [at for name, at in self.events if name not in DEADLINE_EVENTS][-1]

    @property
    def verified_here(self) -> bool:
        assert self.desk is not None
        return self.national_verified if self.desk.kind == NATIONAL else self.admin_verified

    def deadline(self) -> tuple[str, datetime] | None:
        """The finishing clock that runs (rules 5, 6) and its due instant, if any."""
        if self.desk is None:
            return None
        if self.responded_at is None:
            return "escalation", within(self.submitted_at, days_at(self.submitted_at).escalation)
        if self.desk.kind == AWAITING_REPORTER:
            return "auto-close", within(self.responded_at, days_at(self.responded_at).auto_close)
        return None

    def as_of(self, t: datetime) -> Expected:
        """Rule 7: a deadline due at or before t is applied, stamped with its due instant."""
        clock = self.deadline()
        if clock is None or clock[1] > t:
            return self
        name, due = clock
        assert due > self.last_event_at, "model: a deadline fell due before the last event"
        if name == "escalation":
            return self.then("EscalatedToOmbudsman", due, desk=None, outcome="escalated-to-ombudsman")
        return self.then("AutoClosed", due, desk=None, outcome="auto-closed")

    @property
    def desk_key(self) -> str | None:
        """The desk as the read side names it."""
        if self.desk is None:
            return None
        if self.desk.kind == ADMIN:
            return f"{ADMIN}:{self.desk.institution}"
        if self.desk.kind == UNIT:
            return f"unit:{self.desk.institution}/{self.desk.unit}"
        return self.desk.kind

    def sla_at(self, t: datetime) -> str | None:
        """Rule 4 on the current desk, judged at t, counted from the event that put it there."""
        if self.desk is None or self.desk.kind not in SOP_RANGES:
            return None
        arrived = [at for name, at in self.events if name != "Verified"][-1]
        target, limit = (within(arrived, n) for n in days_at(arrived).ranges[self.desk.kind])
        return "breached" if t >= limit else "late" if t >= target else "on-track"

    def summary(self) -> dict[str, Any]:
        return {
            "desk": self.desk,
            "outcome": self.outcome,
            "verified": (self.national_verified, self.admin_verified),
            "privacy": (self.anonymous, self.confidential),
            "submitted_at": self.submitted_at,
            "responded_at": self.responded_at,
            "last_event_at": self.last_event_at,
            "version": len(self.events),
        }


def summary(state: Complaint) -> dict[str, Any]:
    """The app's complaint, in the model's terms."""
    desk = state.desk and Place(state.desk.kind.value, state.desk.institution, state.desk.unit)
    return {
        "desk": desk,
        "outcome": state.outcome and state.outcome.value,
        "verified": (state.national_verified, state.admin_verified),
        "privacy": (state.anonymous, state.confidential),
        "submitted_at": state.submitted_at,
        "responded_at": state.responded_at,
        "last_event_at": state.last_event_at,
        "version": state.version,
    }


Prediction = Expected | type[LaporError]


def holds(desk: Place, actor: Actor) -> bool:
    """Rule 9: who speaks for a desk (on the reporter's turn only `reply`, checked there)."""
    if desk.kind == NATIONAL:
        return actor.role is Role.NATIONAL
    if desk.kind == ADMIN:
        return actor.role is Role.ADMIN and actor.institution == desk.institution
    if desk.kind == UNIT:
        return (
            actor.role is Role.LIAISON and actor.institution == desk.institution and actor.unit == desk.unit
        )
    return False


def expect_submission(
    actor: Actor,
    at: datetime,
    recorded: datetime,
    title: str,
    anonymous: bool,
    confidential: bool,
    *,
    id_taken: bool = False,
) -> Prediction:
    if at.tzinfo is None or at > recorded + CLOCK_SKEW or not title:
        return InvalidInput
    if actor.role is not Role.REPORTER:
        return NotAllowed
    if id_taken:
        return ComplaintExists
    return Expected(actor.person, (("Submitted", at),), anonymous, confidential)


def malformed(command: str, kwargs: dict[str, Any]) -> type[LaporError] | None:
    """What is wrong with a command's input whatever the complaint's state (rule 12: first)."""
    if command in ("return_up", "respond", "reply"):
        text = kwargs.get("reason", kwargs.get("message"))
        return InvalidInput if not text else None
    if command == "archive" and kwargs["reason"] not in ARCHIVE_REASONS:
        return InvalidInput
    known = {*INSTITUTIONS, *(unit for units in UNITS_OF.values() for unit in units)}
    if command == "dispose" and kwargs["to"] not in known:
        return UnknownOrganisation
    return None


def expect(
    c: Expected, command: str, actor: Actor, at: datetime, recorded: datetime, grace: timedelta, **kwargs: Any
) -> Prediction:
    """Rule 12's order: invalid input, too late, dated before the last event, finished, then the
    command's own rules."""
    if at.tzinfo is None or at > recorded + CLOCK_SKEW:
        return InvalidInput
    if (wrong := malformed(command, kwargs)) is not None:
        return wrong
    if c.too_late(at, recorded, grace):
        return TooLate
    if at < c.last_event_at:
        return DatedBeforeLastEvent
    c = c.as_of(at)
    if c.desk is None:
        return NotPossibleInState
    return PREDICTIONS[command](c, actor, at, **kwargs)


def expect_verify(
    c: Expected, actor: Actor, at: datetime, anonymous: bool | None = None, confidential: bool | None = None
) -> Prediction:
    assert c.desk is not None
    if not holds(c.desk, actor) or c.desk.kind not in (NATIONAL, ADMIN):
        return NotAllowed
    if c.verified_here:
        return NotPossibleInState
    if (c.anonymous and anonymous is False) or (c.confidential and confidential is False):
        return NotPossibleInState  # rule 10: a flag once set is never cleared
    at_national = c.desk.kind == NATIONAL
    return c.then(
        "Verified",
        at,
        national_verified=c.national_verified or at_national,
        admin_verified=c.admin_verified or not at_national,
        anonymous=c.anonymous or bool(anonymous),
        confidential=c.confidential or bool(confidential),
    )


def expect_dispose(c: Expected, actor: Actor, at: datetime, to: str) -> Prediction:
    assert c.desk is not None
    if not holds(c.desk, actor) or c.desk.kind not in (NATIONAL, ADMIN):
        return NotAllowed
    if not c.verified_here:
        return NotPossibleInState
    if c.desk.kind == NATIONAL:  # a known code, but not of an institution
        if to not in INSTITUTIONS:
            return UnknownOrganisation
        return c.then("Disposed", at, desk=Place(ADMIN, to), admin_verified=False)
    institution = c.desk.institution
    assert institution is not None
    if to not in UNITS_OF[institution]:
        return UnknownOrganisation
    return c.then("Disposed", at, desk=Place(UNIT, institution, to))


def expect_return_up(c: Expected, actor: Actor, at: datetime, reason: str) -> Prediction:
    assert c.desk is not None
    if not holds(c.desk, actor) or c.desk.kind == NATIONAL:  # rule 12: national never returns
        return NotAllowed
    if c.desk.kind == ADMIN:
        return c.then("Returned", at, desk=NATIONAL_DESK, admin_verified=False)
    return c.then("Returned", at, desk=Place(ADMIN, c.desk.institution))


def expect_respond(c: Expected, actor: Actor, at: datetime, message: str) -> Prediction:
    assert c.desk is not None
    if not holds(c.desk, actor) or c.desk.kind != UNIT:
        return NotAllowed
    return c.then("Responded", at, desk=c.desk._replace(kind=AWAITING_REPORTER), responded_at=at)


def expect_reply(c: Expected, actor: Actor, at: datetime, message: str) -> Prediction:
    assert c.desk is not None
    if actor.role is not Role.REPORTER or actor.person != c.reporter:
        return NotAllowed
    if c.desk.kind != AWAITING_REPORTER:  # rule 12: the reporter holds no other desk
        return NotAllowed
    return c.then("ReporterReplied", at, desk=c.desk._replace(kind=UNIT))


def expect_archive(c: Expected, actor: Actor, at: datetime, reason: str) -> Prediction:
    assert c.desk is not None
    if not holds(c.desk, actor) or c.desk.kind != NATIONAL:
        return NotAllowed
    return c.then("Archived", at, desk=None, outcome="archived")


PREDICTIONS: dict[str, Callable[..., Prediction]] = {
    "verify": expect_verify,
    "dispose": expect_dispose,
    "return_up": expect_return_up,
    "respond": expect_respond,
    "reply": expect_reply,
    "archive": expect_archive,
}


def holder_of(c: Expected) -> Actor:
    desk = c.desk or NATIONAL_DESK
    if desk.kind == NATIONAL:
        return national()
    assert desk.institution is not None
    if desk.kind == ADMIN:
        return admin(desk.institution)
    assert desk.unit is not None
    if desk.kind == UNIT:
        return liaison(desk.institution, desk.unit)
    return Actor.reporter(c.reporter)


def next_step(c: Expected, choice: int) -> tuple[str, dict[str, Any]]:
    """What the SOP asks of the desk holding c; ``choice`` picks a target or the rarer path."""
    if c.desk is None:  # finished: whatever comes is refused (rule 8)
        return "verify", {}
    kind, institution, _ = c.desk
    if (kind == NATIONAL and not c.national_verified) or (kind == ADMIN and not c.admin_verified):
        return "verify", {}
    if kind == NATIONAL:
        if choice == 4:
            return "archive", {"reason": "duplicate"}
        return "dispose", {"to": INSTITUTIONS[choice % 3]}
    if choice == 4 and kind in (ADMIN, UNIT):
        return "return_up", {"reason": "Bukan wewenang kami"}
    if kind == ADMIN:
        assert institution is not None
        return "dispose", {"to": UNITS_OF[institution][choice % 3]}
    if kind == UNIT:
        return "respond", {"message": "Sudah ditindaklanjuti oleh petugas"}
    return "reply", {"message": "Belum beres, mohon dicek lagi"}


# -- history checks that need no model state ---------------------------------------------


def check_finishing_clocks(history: list[ComplaintEvent], swept_until: datetime | None) -> None:
    """Rules 5, 6 and 8 read off one history, with the model's own count of working days.

    Escalation runs from Submitted until the first Responded; auto-close from each
    Responded until a ReporterReplied. A running clock fires exactly at its due
    instant and nothing else is accepted at or after it; the other clock never fires;
    nothing follows a finishing event; a clock due by the last sweep has fired.
    """
    names = [type(e).__name__ for e in history]
    clock: tuple[str, datetime] | None = (
        "EscalatedToOmbudsman",
        within(history[0].at, days_at(history[0].at).escalation),
    )
    for position, e in enumerate(history[1:], start=1):
        name = names[position]
        assert names[position - 1] not in (*DEADLINE_EVENTS, "Archived"), f"event after finish: {names}"
        if name in DEADLINE_EVENTS:
            assert clock is not None, f"{name} fired with no clock running: {names}"
            assert (name, e.at) == clock, f"{name} at {e.at}, but the running clock is {clock}"
        elif clock is not None:
            assert e.at < clock[1], f"{name} at {e.at} accepted after {clock} was due: {names}"
        if name == "Responded":
            clock = ("AutoClosed", within(e.at, days_at(e.at).auto_close))
        elif name in ("ReporterReplied", "Archived", *DEADLINE_EVENTS):
            clock = None
    if clock is not None and swept_until is not None:
        assert clock[1] > swept_until, f"{clock} was due by the sweep at {swept_until}: {names}"


def without_recording_time(history: list[ComplaintEvent]) -> list[tuple[str, dict[str, Any]]]:
    """The events but for their recording instants, and for what each app seals at random:
    the identity's ciphertext and the reporter's pseudonym (checked apart, by the invariant)."""
    rows = []
    for e in history:
        row = e.model_dump(exclude={"recorded_at", "identity"})
        if e.actor.role is Role.REPORTER:
            row["actor"]["person"] = "(pseudonym)"
        rows.append((type(e).__name__, row))
    return rows


def unsealed(c: Complaint) -> Complaint:
    return c.changed(identity=None, reporter_pseudonym="")


# -- strategies ----------------------------------------------------------------------------

ACTORS = st.one_of(  # the holder a third of the time, the complaint's reporter a third
    st.just(HOLDER), st.just(ITS_REPORTER), st.sampled_from([*OFFICIALS, *CITIZENS])
)
NEW_PRIVACY = st.sampled_from([None, False, True])
MESSAGES = st.sampled_from(["Mohon segera diperbaiki", "Terima kasih", ""])
ZONES = st.sampled_from(
    [WIB, UTC, ZoneInfo("Asia/Jayapura"), ZoneInfo("America/Sao_Paulo"), ZoneInfo("Pacific/Kiritimati")]
)
OPENING_DAYS = st.one_of(
    # Idul Fitri 2025 (with Nyepi), Idul Fitri 2026, Idul Fitri 2024, Christmas 2025
    st.sampled_from(
        [
            date(2025, 3, 26),
            date(2025, 3, 27),
            date(2026, 3, 13),
            date(2026, 3, 17),
            date(2024, 4, 5),
            date(2025, 12, 23),
        ]
    ),
    st.dates(date(2024, 1, 1), date(2026, 12, 31)),
)
CLOCK_STEPS = st.one_of(  # mostly within a desk's few days, sometimes across a season
    st.timedeltas(timedelta(minutes=1), timedelta(hours=12)),
    st.timedeltas(timedelta(hours=12), timedelta(days=5)),
    st.timedeltas(timedelta(days=5), timedelta(days=16)),
    st.timedeltas(timedelta(days=16), timedelta(days=100)),
)
STEPS = 35  # per run; the number of runs is the loaded profile's (tests/conftest.py)
LATE_ENTRIES = st.one_of(
    st.timedeltas(timedelta(minutes=1), timedelta(days=2)),
    st.timedeltas(timedelta(days=2), timedelta(days=30)),
)
AHEAD = st.sampled_from(
    [
        timedelta(minutes=1),
        CLOCK_SKEW,
        CLOCK_SKEW + timedelta(microseconds=1),
        timedelta(hours=1),
        timedelta(days=40),
    ]
)
JUST_BEFORE_AT_OR_AFTER = st.sampled_from(
    [-timedelta(microseconds=1), timedelta(0), timedelta(microseconds=1)]
)


# -- the machine -----------------------------------------------------------------------------


class ComplaintHandling(RuleBasedStateMachine):
    """LaporApp against the model: one app swept at random, one never swept."""

    complaints = Bundle("complaints")
    grace = LATE_ENTRY_GRACE

    def __init__(self) -> None:
        super().__init__()
        self.now = datetime(2025, 3, 26, 9, tzinfo=WIB)
        self.swept = self.open_app("swept")
        self.unswept = self.open_app("unswept")
        self.views = ReadModels(self.swept).attach()  # the read side, caught up after each command
        self.expected: dict[UUID, Expected] = {}
        self.swept_until: datetime | None = None
        POLICY_BOOK.clear()

    def open_app(self, name: str) -> LaporApp:
        policy = SlaPolicy(late_entry_grace=self.grace) if self.grace else None
        return LaporApp.in_memory(clock=self.recording_clock, policy=policy)

    def recording_clock(self) -> datetime:
        """The office enters everything when the machine's business clock reads: now (rule 13)."""
        return self.now

    @property
    def apps(self) -> tuple[LaporApp, LaporApp]:
        return self.swept, self.unswept

    # -- business time --------------------------------------------------------------------

    @initialize(target=complaints, day=OPENING_DAYS, at=st.times(), reporter=st.sampled_from(CITIZENS))
    def open_for_business_with_a_first_complaint(self, day: date, at: time, reporter: Actor) -> Any:
        self.now = datetime.combine(day, at, tzinfo=WIB)
        return self.submit(reporter, "Jalan berlubang", anonymous=False, confidential=False)

    @rule(by=CLOCK_STEPS, zone=ZONES)
    def advance_the_clock(self, by: timedelta, zone: ZoneInfo) -> None:
        self.now = (self.now + by).astimezone(zone)

    def deadlines_within_a_month(self) -> list[datetime]:
        """Nearer ones only: jumping 60 working days at once would escalate nearly every run."""
        return sorted(
            due
            for e in self.expected.values()
            if (clock := e.as_of(self.now).deadline()) and (due := clock[1]) <= self.now + timedelta(days=30)
        )

    @precondition(lambda self: self.deadlines_within_a_month())
    @rule(which=st.integers(0, 9), nudge=JUST_BEFORE_AT_OR_AFTER, and_sweep=st.booleans())
    def advance_to_a_deadline(self, which: int, nudge: timedelta, and_sweep: bool) -> None:
        dues = self.deadlines_within_a_month()
        self.now = max(self.now, dues[which % len(dues)] + nudge)
        if and_sweep:
            self.sweep(lag=timedelta(0))

    @rule(
        lag=st.sampled_from([timedelta(0), timedelta(0), timedelta(hours=1), timedelta(days=3)]),
        batch=st.sampled_from([500, 1, 2]),
    )
    def sweep(self, lag: timedelta, batch: int = 500) -> None:
        """The periodic sweep at now (or a little late), in batches of some size."""
        at = self.now - lag
        final = min(at, self.now) - self.grace  # never after its recording instant (rule 13)
        foreseen = {
            c: self.swept.complaint(c, as_of=min(at, self.now))
            for c, e in self.expected.items()
            if e.last_event_at <= final
        }
        due = {(c, *clock) for c, e in self.expected.items() if (clock := e.deadline()) and clock[1] <= final}
        fired = self.swept.fire_due(at, batch=batch)
        assert {(f.complaint_id, f.clock.value, f.due) for f in fired} == due
        assert len(fired) == len(due)
        assert self.swept.fire_due(at) == [], "a second sweep fired again"
        for complaint, state in foreseen.items():
            assert self.swept.complaint(complaint) == state, "as_of differs from the sweep"
        self.expected = {c: e.as_of(final) for c, e in self.expected.items()}
        self.swept_until = max(self.swept_until or final, final)
        event(f"sweep fired {min(len(fired), 2)}{'+' if len(fired) > 1 else ''}")

    @rule(
        unit_limit=st.integers(5, 12),
        escalation=st.sampled_from([40, 60, 75]),
        auto_close=st.sampled_from([5, 10, 15]),
    )
    def record_a_perwali(self, unit_limit: int, escalation: int, auto_close: int) -> None:
        """A new SLA policy, recorded now in both stores (rule 16): desks entered and clocks
        started from now on count by it, those running keep theirs."""
        days = Days(escalation, auto_close, {**SOP_RANGES, "unit": (5, unit_limit)})
        latest = POLICY_BOOK[-1][1] if POLICY_BOOK else days_at(self.now)
        if days == latest:
            return  # the same policy as the latest: nothing to record
        changed = {
            "unit": DeskSla(target=5, limit=unit_limit),
            "escalation_working_days": escalation,
            "auto_close_working_days": auto_close,
        }
        recorded = [
            app.record_policy(app.policy.model_copy(update=changed), basis="Perwali (contoh)", by=national())
            for app in self.apps
        ]
        assert recorded[0] == recorded[1] and recorded[0].recorded_at is not None
        POLICY_BOOK.append((recorded[0].recorded_at, days))
        event("a policy version recorded")

    # -- commands ----------------------------------------------------------------------------

    @rule(
        target=complaints,
        actor=st.one_of(st.sampled_from(CITIZENS), st.sampled_from([*OFFICIALS, *CITIZENS])),
        title=st.sampled_from(["Jalan berlubang", "Lampu jalan mati", ""]),
        anonymous=st.booleans(),
        confidential=st.booleans(),
    )
    def submit(self, actor: Actor, title: str, anonymous: bool, confidential: bool) -> Any:
        complaint = UUID(int=len(self.expected) + 1)
        expected = self.file(complaint, actor, title, anonymous, confidential)
        if not isinstance(expected, Expected):
            with pytest.raises(ComplaintNotFound):
                self.swept.history(complaint)
            return multiple()
        self.expected[complaint] = expected
        return complaint

    @rule(complaint=complaints, actor=st.sampled_from([*CITIZENS, national()]))
    def submit_under_a_taken_id(self, complaint: UUID, actor: Actor) -> None:
        recorded = [len(app.history(complaint)) for app in self.apps]
        self.file(complaint, actor, "Lampu jalan mati", anonymous=False, confidential=False)
        assert [len(app.history(complaint)) for app in self.apps] == recorded

    def file(
        self, complaint: UUID, actor: Actor, title: str, anonymous: bool, confidential: bool
    ) -> Prediction:
        """Submit to both apps; they must do what the model predicts."""
        expected = expect_submission(
            actor, self.now, self.now, title, anonymous, confidential, id_taken=complaint in self.expected
        )
        for app in self.apps:
            answer = answer_of(
                partial(
                    app.submit,
                    by=actor,
                    at=self.now,
                    reporter=Reporter(name="Ani", contact="08123"),
                    title=title,
                    description="Sudah dua minggu",
                    anonymous=anonymous,
                    confidential=confidential,
                    complaint_id=complaint,
                )
            )
            assert_as_predicted(answer, expected, f"submit {complaint} by {actor} at {self.now}")
        event(f"submit: {_outcome(expected)}")
        return expected

    @rule(complaint=complaints, actor=ACTORS, anonymous=NEW_PRIVACY, confidential=NEW_PRIVACY)
    def verify(self, complaint: UUID, actor: Any, anonymous: bool | None, confidential: bool | None) -> None:
        self.issue(complaint, "verify", {"anonymous": anonymous, "confidential": confidential}, actor)

    @rule(complaint=complaints, actor=ACTORS, to=st.sampled_from(TARGETS))
    def dispose(self, complaint: UUID, actor: Any, to: str) -> None:
        self.issue(complaint, "dispose", {"to": to}, actor)

    @rule(complaint=complaints, actor=ACTORS, reason=st.sampled_from(["Bukan wewenang", ""]))
    def return_up(self, complaint: UUID, actor: Any, reason: str) -> None:
        self.issue(complaint, "return_up", {"reason": reason}, actor)

    @rule(complaint=complaints, actor=ACTORS, message=MESSAGES)
    def respond(self, complaint: UUID, actor: Any, message: str) -> None:
        self.issue(complaint, "respond", {"message": message}, actor)

    @rule(complaint=complaints, actor=ACTORS, message=MESSAGES)
    def reply(self, complaint: UUID, actor: Any, message: str) -> None:
        self.issue(complaint, "reply", {"message": message}, actor)

    @rule(complaint=complaints, actor=ACTORS, reason=st.sampled_from([*ARCHIVE_REASONS, "spam"]))
    def archive(self, complaint: UUID, actor: Any, reason: str) -> None:
        self.issue(complaint, "archive", {"reason": reason}, actor)

    @rule(complaint=complaints, choice=st.integers(0, 4))
    def follow_the_sop(self, complaint: UUID, choice: int) -> None:
        """The holder does the next step the SOP expects (choice 4: returns, archives)."""
        self.issue(complaint, *next_step(self.expected[complaint].as_of(self.now), choice), HOLDER)

    @rule(
        complaint=complaints, goal=st.sampled_from([ADMIN, UNIT, AWAITING_REPORTER]), choice=st.integers(0, 3)
    )
    def take_it_down_to(self, complaint: UUID, goal: str, choice: int) -> None:
        """The holders follow the SOP until the complaint reaches the goal's desk (or ends)."""
        for _ in SOP_ORDER * 2:  # national and admin desks: verify, then dispose
            c = self.expected[complaint].as_of(self.now)
            if c.desk is None or SOP_ORDER.index(c.desk.kind) >= SOP_ORDER.index(goal):
                return
            self.issue(complaint, *next_step(c, choice), HOLDER)

    @rule(
        complaint=complaints,
        choice=st.integers(0, 4),
        earlier=st.timedeltas(timedelta(microseconds=1), timedelta(days=3)),
    )
    def follow_the_sop_dated_before_the_last_event(
        self, complaint: UUID, choice: int, earlier: timedelta
    ) -> None:
        expected = self.expected[complaint]
        at = expected.last_event_at - earlier
        # Both apps hear it: whether a sweep recorded a deadline in between changes
        # nothing, the command is too late (rule 13) or dated before the last event.
        self.issue(complaint, *next_step(expected, choice), HOLDER, at=at)

    @rule(complaint=complaints, choice=st.integers(0, 4), lag=LATE_ENTRIES)
    def follow_the_sop_entered_late(self, complaint: UUID, choice: int, lag: timedelta) -> None:
        """What happened ``lag`` ago, entered now (from paper, by phone): accepted unless a
        finishing deadline running then became final before now (rule 13)."""
        at = self.now - lag
        standing = self.expected[complaint].standing_at(at)
        step = next_step(standing.as_of(at), choice) if standing is not None else ("verify", {})
        self.issue(complaint, *step, HOLDER, at=at)

    @rule(complaint=complaints, choice=st.integers(0, 4), ahead=AHEAD)
    def follow_the_sop_dated_in_the_future(self, complaint: UUID, choice: int, ahead: timedelta) -> None:
        """A typo in the date: beyond the clock skew it is invalid input and locks nothing (rule 13)."""
        step = next_step(self.expected[complaint].as_of(self.now), choice)
        self.issue(complaint, *step, HOLDER, at=self.now + ahead)
        if ahead <= CLOCK_SKEW:  # within the skew it may have been accepted: time catches up
            self.now += ahead

    @rule(ahead=AHEAD)
    def sweep_dated_in_the_future(self, ahead: timedelta) -> None:
        at = self.now + ahead
        if ahead > CLOCK_SKEW:
            for app in self.apps:
                with pytest.raises(InvalidInput):
                    app.fire_due(at)
        else:
            self.sweep(lag=-ahead)

    @rule(complaint=complaints, choice=st.integers(0, 4))
    def follow_the_sop_with_a_naive_instant(self, complaint: UUID, choice: int) -> None:
        step = next_step(self.expected[complaint].as_of(self.now), choice)
        self.issue(complaint, *step, HOLDER, at=self.now.replace(tzinfo=None))

    def issue(
        self,
        complaint: UUID,
        command: str,
        kwargs: dict[str, Any],
        actor: Any,
        *,
        at: datetime | None = None,
        apps: tuple[LaporApp, ...] | None = None,
    ) -> None:
        """Send one command to the apps; each must do what the model predicts."""
        at = self.now if at is None else at
        expected = self.expected[complaint]
        if actor == HOLDER:
            standing = expected.standing_at(at) if at.tzinfo else None
            actor = holder_of((standing or expected).as_of(at if standing else self.now))
        elif actor == ITS_REPORTER:
            actor = Actor.reporter(expected.reporter)
        predicted = expect(expected, command, actor, at, self.now, self.grace, **kwargs)
        for app in apps or self.apps:
            recorded = len(app.history(complaint))
            answer = answer_of(partial(getattr(app, command), complaint, by=actor, at=at, **kwargs))
            assert_as_predicted(answer, predicted, f"{command}({kwargs}) by {actor} at {at}")
            if isinstance(answer, LaporError):
                assert len(app.history(complaint)) == recorded, "a refused command recorded"
        if isinstance(predicted, Expected):
            self.expected[complaint] = predicted
        event(f"{command}: {_outcome(predicted)}")

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def each_complaint_is_as_the_model_says(self) -> None:
        for complaint, expected in self.expected.items():
            assert summary(self.swept.complaint(complaint)) == expected.summary()
            for app in self.apps:  # its reporter is known by the pseudonym of the model's reporter
                pseudonym = app.complaint(complaint).reporter_pseudonym
                assert app.identities.pseudonym(complaint, expected.reporter) == pseudonym
            recorded = [(type(e).__name__, e.at) for e in self.swept.history(complaint)]
            assert recorded == list(expected.events)

    @invariant()
    def open_on_one_desk_finished_on_none(self) -> None:
        for app in self.apps:
            for complaint in self.expected:
                state = app.complaint(complaint)
                assert (state.desk is None) == state.is_finished, state

    @invariant()
    def replaying_the_events_gives_the_same_state(self) -> None:
        for app in self.apps:
            for complaint in self.expected:
                assert fold(app.history(complaint)) == app.complaint(complaint)

    @invariant()
    def finishing_clocks_fire_exactly_when_due(self) -> None:
        for complaint in self.expected:
            check_finishing_clocks(self.swept.history(complaint), self.swept_until)
            check_finishing_clocks(self.unswept.history(complaint), None)

    @invariant()
    def sweeps_only_add_the_deadlines_they_fire(self) -> None:
        """Rule 7 along the way: the unswept history is the swept one minus deadline events."""
        for complaint, expected in self.expected.items():
            swept = without_recording_time(self.swept.history(complaint))
            unswept = without_recording_time(self.unswept.history(complaint))
            assert swept[: len(unswept)] == unswept
            assert all(name in DEADLINE_EVENTS for name, _ in swept[len(unswept) :])
            now = [app.complaint(complaint, as_of=self.now) for app in self.apps]
            assert unsealed(now[0]) == unsealed(now[1])
            assert summary(now[0]) == expected.as_of(self.now - self.grace).summary()

    @invariant()
    def pending_deadlines_are_the_models(self) -> None:
        for complaint, expected in self.expected.items():
            pending = self.swept.pending_deadline(complaint)
            assert (pending and (pending.clock.value, pending.due)) == expected.deadline()
            if pending and self.swept_until:
                assert pending.due > self.swept_until, "a due deadline survived the sweep"
        running = sum(e.deadline() is not None for e in self.expected.values())
        assert self.swept.log.deadline_index.count_deadlines() == running

    @invariant()
    def queues_hold_the_models_complaints_with_its_sla_states(self) -> None:
        """Issue 3: every open complaint in its desk's queue, judged as the model judges it."""
        reader = ViewReader(self.views.db, self.swept.policy)
        queued = {
            UUID(entry.complaint_id): (entry.desk, entry.sla and entry.sla.value)
            for desk in reader.desks(self.now)
            for entry in reader.queue(desk.desk, self.now)
        }
        expected = {
            complaint: (model.desk_key, model.sla_at(self.now))
            for complaint, model in self.expected.items()
            if model.desk is not None
        }
        assert queued == expected

    def teardown(self) -> None:
        """Rule 7 at the end: swept at the same instants, both apps hold the same history."""
        try:
            if sys.exc_info()[0] is None:  # not while a failing step is being reported
                for at in (self.now, self.now + timedelta(days=120)):
                    self.sweep_both_and_compare(at)
        finally:
            self.views.close()
            for app in self.apps:
                app.close()

    def sweep_both_and_compare(self, at: datetime) -> None:
        self.now = max(self.now, at)  # the recording clock reads then too (rule 13)
        for app in self.apps:
            app.fire_due(at)
            assert app.fire_due(at) == []
        for complaint in self.expected:
            histories = [app.history(complaint) for app in self.apps]
            assert without_recording_time(histories[0]) == without_recording_time(histories[1])
            check_finishing_clocks(histories[0], at - self.grace)


def _outcome(prediction: Prediction) -> str:
    return "accepted" if isinstance(prediction, Expected) else prediction.__name__


def answer_of(command: Callable[[], Complaint]) -> Complaint | LaporError:
    """The state a command returns, or the domain error it raises."""
    try:
        return command()
    except LaporError as error:
        return error


def assert_as_predicted(answer: Complaint | LaporError, predicted: Prediction, what: str) -> None:
    if isinstance(answer, LaporError):
        assert type(answer) is predicted, (
            f"{what}: the model expects {_outcome(predicted)}, the app refused: {answer!r}"
        )
    else:
        assert isinstance(predicted, Expected), (
            f"{what}: the model expects {_outcome(predicted)}, the app accepted"
        )
        assert summary(answer) == predicted.summary()


ComplaintHandling.TestCase.settings = settings(stateful_step_count=STEPS)
# The longest run is in the slow tier; its variants below stay in the default one.
TestComplaintHandling = pytest.mark.slow(ComplaintHandling.TestCase)


class ComplaintHandlingWithAGrace(ComplaintHandling):
    """A policy that lets officers enter late for a day after a finishing deadline fell due: the
    sweep records only what is final, commands dated before the deadline are accepted until
    then, and the answers still never depend on the sweeps (rule 13)."""

    grace = timedelta(days=1)


ComplaintHandlingWithAGrace.TestCase.settings = settings(
    max_examples=max(1, settings().max_examples // 3), stateful_step_count=STEPS
)
TestComplaintHandlingWithAGrace = ComplaintHandlingWithAGrace.TestCase


class ComplaintHandlingOnSqlite(ComplaintHandling):
    """The same machine on two SQLite files per run: the store must not change the answers."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="lapor-machine-"))
        super().__init__()

    def open_app(self, name: str) -> LaporApp:
        return LaporApp.sqlite(str(self.folder / f"{name}.db"), clock=self.recording_clock)

    def teardown(self) -> None:
        try:
            super().teardown()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


ComplaintHandlingOnSqlite.TestCase.settings = settings(
    max_examples=max(1, settings().max_examples // 6), stateful_step_count=STEPS
)
TestComplaintHandlingOnSqlite = ComplaintHandlingOnSqlite.TestCase


# -- the model's own footing ---------------------------------------------------------------


def test_the_models_organisation_table_matches_the_directory() -> None:
    directory = kota_cirebon()
    for code in TARGETS:
        assert directory.has_institution(code) == (code in INSTITUTIONS), code
        for institution in INSTITUTIONS:
            assert directory.has_unit(institution, code) == (code in UNITS_OF[institution])


@pytest.mark.parametrize(
    ("t", "n", "deadline"),
    [
        # Thursday before Idul Fitri 2025: 28 Mar (cuti bersama), 31 Mar-7 Apr closed.
        (datetime(2025, 3, 27, 10, tzinfo=WIB), 1, datetime(2025, 4, 9, tzinfo=WIB)),
        # 21:00 UTC on Tuesday 2025-03-25 is already Wednesday in WIB; Wednesday never counts.
        (datetime(2025, 3, 25, 21, tzinfo=UTC), 1, datetime(2025, 3, 28, tzinfo=WIB)),
        # A Saturday complaint starts counting on Monday.
        (datetime(2026, 3, 14, 8, tzinfo=WIB), 1, datetime(2026, 3, 17, tzinfo=WIB)),
        (datetime(2026, 3, 14, 8, tzinfo=WIB), 3, datetime(2026, 3, 26, tzinfo=WIB)),
    ],
)
def test_the_models_count_of_working_days(t: datetime, n: int, deadline: datetime) -> None:
    assert within(t, n) == deadline
