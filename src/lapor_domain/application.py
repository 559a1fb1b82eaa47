"""LaporApp: the one object a government service embeds.

A method per command. Each takes the complaint, the acting ``Actor`` (``by=``)
and the business instant (``at=``, timezone aware), and returns the complaint's
state after it, a frozen value. Before handling a command dated ``at``, every
deadline due at or before ``at`` is applied first (DOMAIN.md rule 7); if the
command is refused, nothing is recorded, not even those deadlines.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from .adapters.eventlog import ComplaintLog
from .adapters.recorders import DeadlineRow
from .adapters.storage import StoreTarget, parse_target
from .amendments import Amended, CalendarHistory
from .base_calendar import BaseCalendarRecord
from .errors import (
    ComplaintExists,
    ComplaintNotFound,
    ConcurrentUpdate,
    InvalidInput,
    LaporError,
    StoreCorrupt,
    StoreUnavailable,
)
from .feed import EventFeed
from .model import decisions, entry, inputs
from .model.actors import Actor
from .model.calendars import Calendars, Drift, PolicyVersion
from .model.complaint import Complaint, evolve, fold
from .model.deadlines import Deadline, DeskDeadlines, desk_deadlines, pending_deadline, running_clock
from .model.decisions import Rules
from .model.desks import DeskKind
from .model.entry import Stamp
from .model.events import (
    Archived,
    ArchiveReason,
    CalendarAmended,
    ComplaintEvent,
    Disposed,
    IdentityErased,
    PolicyRecorded,
    Reporter,
    ReporterReplied,
    Responded,
    Returned,
    Submitted,
    Verified,
)
from .model.identity import IdentityView, ReporterIdentity
from .model.ids import parse_complaint_id
from .model.instants import to_micros
from .model.policy import SlaPolicy
from .organisation import OrganisationDirectory, kota_cirebon
from .policies import PolicyHistory
from .sealing.keystore import Disclosure, KeyExists, KeyStore, ReaderPublicKey, keystore_target
from .states import ComplaintStates, deadline_row
from .sweep import FiredDeadline, Sweep

if TYPE_CHECKING:  # imported when first used: the sealing's and the signing's cryptography
    from .identities import Identities, Maintenance, Rotation
    from .ledger.ledger import Ledger
    from .sealing.keyfile import KeyRing
    from .sealing.vault import SealedReporter

Decide = Callable[[Complaint, Stamp], ComplaintEvent]
Check = Callable[[], object]


class LaporApp:
    """Complaint handling under LAPOR!-SP4N, on the store named by ``store``.

    Reporters' identities are sealed (rule 14) with data keys kept in a key store apart from
    the log: ``keystore`` names it (a SQLite file, ``memory`` or a PostgreSQL URL with a
    schema); by default the SQLite file ``FILE.keys`` beside a log ``FILE``, the schema
    ``SCHEMA_keys`` beside a PostgreSQL schema, memory for memory. ``keys`` are the private
    reader keys this process holds (``KeyRing.load(key_file)``); without them every identity
    reads as sealed and everything else works. ``key_reserve`` key rows are written to the key
    store at a time, ahead of the submissions that use them (one transaction for many; a
    process that writes one complaint and exits wants 1).
    """

    def __init__(
        self,
        store: str = "memory",
        *,
        clock: Callable[[], datetime],
        policy: SlaPolicy | None = None,
        directory: OrganisationDirectory | None = None,
        retries: int = 3,
        cache_size: int = 10_000,
        create: bool = True,
        keystore: str | None = None,
        keys: KeyRing | None = None,
        key_reserve: int = 32,
    ) -> None:
        self.target: StoreTarget = parse_target(store)
        self.directory = directory or kota_cirebon()
        self.rules = Rules(policy or SlaPolicy.cirebon(), self.directory)
        self._clock = clock
        self._retries = retries
        self._listeners: list[Callable[[], object]] = []
        self.log = ComplaintLog(env=self.target.env, create=create, store=self.target.description)
        self.states = ComplaintStates(self.log, self.rules, cache_size=cache_size, recorded=self._notify)
        self._sweep = Sweep(self.log, self.states, self.rules, clock=self._recording_instant, retries=retries)
        self.calendar_record = CalendarHistory(
            self.log, self.states, self.rules, self._recording_instant, retries=retries, recorded=self._notify
        )
        """The calendar's history (rule 16): amendments recorded in the log."""
        self.policy_record = PolicyHistory(
            self.log, self.rules, self._recording_instant, retries=retries, recorded=self._notify
        )
        """The policy's history (rule 16): the versions recorded in the log."""
        self.base_calendar = BaseCalendarRecord(self.log, self.rules)
        """The base calendar (rule 16): the package's closing days as the store recorded them."""
        self._damaged_rules: StoreCorrupt | None = None
        try:
            try:
                self.policy_record.adopt(policy)
                self.base_calendar.adopt()
                self.calendar_record.refresh()
            except StoreCorrupt as exc:  # the audit names the damage; nothing is recorded on it
                self._damaged_rules = exc
            self._keystore_target = keystore_target(self.target, keystore)
        except BaseException:
            self.log.close()
            raise
        self._keys = keys
        self._key_reserve = key_reserve
        self._opening = threading.Lock()
        self._keystore: KeyStore | None = None
        self._identities: Identities | None = None
        self._ledger: Ledger | None = None
        self._closed = False

    @classmethod
    def in_memory(cls, **kwargs: Any) -> LaporApp:
        return cls("memory", **kwargs)

    @classmethod
    def sqlite(cls, path: str | os.PathLike[str], **kwargs: Any) -> LaporApp:
        """The embedded store: one SQLite file (a path, never a URL or ``memory``)."""
        return cls(_target_of_kind(os.fspath(path), "sqlite", "a SQLite file path"), **kwargs)

    @classmethod
    def postgres(cls, url: str, **kwargs: Any) -> LaporApp:
        """PostgreSQL: ``postgresql://user@host:port/db?schema=NAME`` (never a file path)."""
        return cls(_target_of_kind(url, "postgres", "a postgresql:// URL"), **kwargs)

    @property
    def policy(self) -> SlaPolicy:
        """The SLA policy in force now: the latest version the store records (rule 16)."""
        return self.rules.policy

    @property
    def feed(self) -> EventFeed:
        """The public, typed event feed: the log's head, events after a position, by complaint."""
        return EventFeed(self.log)

    # The key store, the identities and the ledger open when first used: a command that reads
    # no identity and verifies nothing (``lapor show``, ``lapor queue``) opens no key store and
    # imports no cryptography (bench/README.md, bench_cli.py).

    @property
    def keystore(self) -> KeyStore:
        """The key store (rule 14), opened on first use."""
        if self._keystore is None:
            with self._opening:
                if self._keystore is None:
                    if self._closed:
                        raise StoreUnavailable(
                            "the key store ({store}) was closed", store=self._keystore_target.description
                        )
                    self._keystore = KeyStore(self._keystore_target)
        return self._keystore

    @property
    def identities(self) -> Identities:
        """Reporters' identities: sealed, shown, re-wrapped, erased (rules 10 and 14)."""
        if self._identities is None:
            from .identities import Identities
            from .sealing.keyfile import KeyRing

            keystore = self.keystore
            with self._opening:
                if self._identities is None:
                    ring = self._keys or KeyRing()
                    self._identities = Identities(
                        self.log,
                        self.states,
                        keystore,
                        ring,
                        self._recording_instant,
                        reserve=self._key_reserve,
                    )
        return self._identities

    @property
    def ledger(self) -> Ledger:
        """The tamper-evident record (rule 15): chains, tree head, signatures, checkpoints, audit."""
        if self._ledger is None:
            from .ledger.ledger import Ledger

            with self._opening:
                if self._ledger is None:
                    self._ledger = Ledger(self.log, self.rules, self._now)  # it records the damage it finds
        return self._ledger

    def close(self) -> None:
        self.log.close()
        with self._opening:
            self._closed = True
            keystore, self._keystore = self._keystore, None
        if keystore is not None:
            keystore.close()

    def upgrade(self) -> dict[str, int]:
        """Bring a store written by an earlier version up to this one, step by step (each step
        idempotent, so running it twice is safe): seal the identities it kept in plain text
        (rule 14; before chaining, since sealing rewrites those events' stored states), then chain
        the log's events and set its tree head (rule 15). Returns what each step did (`lapor
        upgrade` runs this)."""
        sealed = self.seal_plaintext_identities()
        return {"identities sealed": sealed, "events chained": self.ledger.upgrade()}

    def on_recorded(self, listener: Callable[[], object]) -> None:
        """Call ``listener`` after every write, before the command returns (embedded read models).

        The write is recorded by then: a listener handles its own failures (as the read models
        do) rather than raise, which would make a recorded command look refused."""
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in self._listeners:
            listener()

    def __enter__(self) -> LaporApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- commands -------------------------------------------------------------------

    def submit(
        self,
        *,
        by: Actor,
        at: datetime,
        reporter: Reporter,
        title: str,
        description: str,
        anonymous: bool = False,
        confidential: bool = False,
        complaint_id: UUID | None = None,
    ) -> Complaint:
        """A member of the public files a complaint; it lands on the national desk."""
        stamp, _ = self._stamp(by, at)
        if not isinstance(reporter, Reporter):
            raise InvalidInput("the reporter must be a Reporter, not {kind}", kind=type(reporter).__name__)
        inputs.text(title, "title", max_length=inputs.max_length(Submitted, "title"))
        inputs.text(description, "description", max_length=inputs.max_length(Submitted, "description"))
        inputs.flag(anonymous, "anonymous")
        inputs.flag(confidential, "confidential")
        if complaint_id is not None and not isinstance(complaint_id, UUID):
            raise InvalidInput(
                "a new complaint's id must be a UUID, not {kind}", kind=type(complaint_id).__name__
            )
        identity = ReporterIdentity(reporter=reporter, account=by.person)
        if complaint_id is None:  # a key row reserved ahead: already in the key store
            sealed = self.identities.seal_new(identity, stamp.recorded_at)
        else:
            sealed = self.identities.seal(complaint_id, identity, stamp.recorded_at)
        cid = sealed.complaint_id
        event = decisions.submit(
            cid,
            stamp,
            identity=sealed.identity,
            pseudonym=sealed.pseudonym,
            title=title,
            description=description,
            anonymous=anonymous,
            confidential=confidential,
        )
        complaint = evolve(None, event)
        exists = ComplaintExists("a complaint with id {complaint} already exists", complaint=complaint.id)
        try:  # the key first: a crash before the event leaves a harmless orphan row
            if complaint_id is not None:
                self.identities.store_sealed([sealed])
        except KeyExists:
            raise exists from None
        try:
            self.states.record(complaint, [event], old=None)
        except IntegrityError:
            self.identities.destroy([cid])  # the row just written; the complaint there had none
            raise exists from None
        return complaint

    def verify(
        self,
        complaint_id: UUID,
        *,
        by: Actor,
        at: datetime,
        anonymous: bool | None = None,
        confidential: bool | None = None,
        note: str = "",
    ) -> Complaint:
        def check() -> None:
            inputs.flag(anonymous, "anonymous", optional=True)
            inputs.flag(confidential, "confidential", optional=True)
            inputs.text(note, "note", max_length=inputs.max_length(Verified, "note"), required=False)

        return self._execute(
            complaint_id,
            by,
            at,
            check,
            lambda c, s: decisions.verify(c, s, anonymous=anonymous, confidential=confidential, note=note),
        )

    def dispose(self, complaint_id: UUID, *, to: str, by: Actor, at: datetime, note: str = "") -> Complaint:
        """Disposisi: to an institution (from national) or to a unit (from an admin team)."""

        def check() -> None:
            self.rules.check_known(inputs.text(to, "the desk to dispose to", max_length=200))
            inputs.text(note, "note", max_length=inputs.max_length(Disposed, "note"), required=False)

        after = self._execute(
            complaint_id, by, at, check, lambda c, s: decisions.dispose(c, s, self.rules, to=to, note=note)
        )
        if after.desk is not None and after.desk.kind is DeskKind.ADMIN:
            self.identities.moved(after)  # re-wrapped for its admin team now, or left pending
        return after

    def return_up(self, complaint_id: UUID, *, reason: str, by: Actor, at: datetime) -> Complaint:
        """Dikembalikan: not our authority; back to the desk above."""

        def check() -> None:
            inputs.text(reason, "reason", max_length=inputs.max_length(Returned, "reason"))

        return self._execute(
            complaint_id, by, at, check, lambda c, s: decisions.return_up(c, s, reason=reason)
        )

    def respond(self, complaint_id: UUID, *, message: str, by: Actor, at: datetime) -> Complaint:
        def check() -> None:
            inputs.text(message, "message", max_length=inputs.max_length(Responded, "message"))

        return self._execute(
            complaint_id, by, at, check, lambda c, s: decisions.respond(c, s, message=message)
        )

    def reply(self, complaint_id: UUID, *, message: str, by: Actor, at: datetime) -> Complaint:
        def check() -> None:
            inputs.text(message, "message", max_length=inputs.max_length(ReporterReplied, "message"))

        def decide(c: Complaint, s: Stamp) -> ComplaintEvent:
            pseudonym = self.identities.pseudonym(c.id, s.actor.person)
            return decisions.reply(c, s, message=message, pseudonym=pseudonym)

        return self._execute(complaint_id, by, at, check, decide)

    def archive(
        self, complaint_id: UUID, *, reason: ArchiveReason | str, by: Actor, at: datetime, note: str = ""
    ) -> Complaint:
        def check() -> None:
            inputs.choice(reason, ArchiveReason, "archive reason")
            inputs.text(note, "note", max_length=inputs.max_length(Archived, "note"), required=False)

        return self._execute(
            complaint_id, by, at, check, lambda c, s: decisions.archive(c, s, reason=reason, note=note)
        )

    def fire_due(self, at: datetime, *, batch: int = 500) -> list[FiredDeadline]:
        """The sweep: fire every deadline final by ``at``; idempotent.

        Final means due at or before ``at`` minus the policy's late-entry grace (rule 13);
        ``at`` may not lie after the clock's instant beyond the clock skew, and counts as
        no later than it. Each batch of due complaints is recorded in one transaction; if
        another writer changed one of them meanwhile, that batch is redone one complaint
        at a time.
        """
        until = self._instant(at, "at")
        if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
            raise InvalidInput(
                "a sweep's batch must be a whole number of at least 1, got {batch!r}", batch=batch
            )
        recorded_at = self._recording_instant()
        entry.check_entered_in_time(Stamp(Actor.system(), until, recorded_at), self.policy)
        final = min(until, recorded_at) - self.policy.late_entry_grace
        self.calendar_record.catch_up()  # an amendment another process recorded moves what is due
        return self._sweep.fire(final, batch)

    def amend_calendar(
        self,
        *,
        add: Mapping[date, str] | Iterable[date] = (),
        cancel: Iterable[date] = (),
        basis: str,
        by: Actor,
        institution: str | None = None,
    ) -> Amended:
        """Rule 16: closing days added (named, or named after ``basis``) or cancelled, in the
        national calendar or in ``institution``'s, recorded now (an amendment is never
        backdated), with the repair of every open deadline it moves, in one transaction.
        The national desk amends the national calendar; an institution's admin team its own.
        Returns the amendment and how many open finishing clocks it moved.
        """
        return self.calendar_record.amend(add=add, cancel=cancel, basis=basis, by=by, institution=institution)

    def record_policy(self, policy: SlaPolicy, *, basis: str, by: Actor) -> PolicyVersion:
        """Rule 16: a new version of the SLA policy (a new Perwali), recorded now; desks entered
        and clocks started from now on count by it, those already running keep theirs. It may
        change working days and weeks, not the zone, the day's end, the years, the late-entry
        grace or the closing days (those by ``amend_calendar``). The national desk or an admin
        team records it."""
        return self.policy_record.record(policy, basis=basis, by=by)

    def calendar_drift(self) -> Drift:
        """Where the installed `holidays` package now differs from the base calendar the store
        recorded, on days no amendment has settled (rule 16): the store keeps counting on the
        recorded days until an amendment records the change (``follow_package``)."""
        return self.base_calendar.drift()

    def follow_package(self, *, basis: str, by: Actor) -> Amended:
        """Record the installed package's changes to the base calendar (``calendar_drift``) as an
        amendment of the national calendar, entered now, with its repair (rule 16). The
        national desk records it."""
        drift = self.calendar_drift()
        if not drift:
            raise InvalidInput(
                "the installed {source} agrees with the base calendar the store records: nothing to follow",
                source=drift.source,
            )
        return self.amend_calendar(add=drift.added, cancel=drift.cancelled, basis=basis, by=by)

    def policy_history(self) -> list[PolicyRecorded]:
        """Every version of the SLA policy, in the order recorded (``lapor policy history``)."""
        return self.policy_record.versions()

    def calendar_history(self) -> list[CalendarAmended]:
        """Every amendment of the calendar, in the order recorded (``lapor calendar history``)."""
        return [e for e in self.log.calendar_events() if isinstance(e, CalendarAmended)]

    # -- queries --------------------------------------------------------------------

    def complaint(
        self, complaint_id: UUID | str, *, as_of: datetime | None = None, known_at: datetime | None = None
    ) -> Complaint:
        """The recorded state now or, with ``as_of``, as it stood then (deadlines due by then
        applied), judged with the calendar amendments known at ``known_at`` (rule 16): by
        default ``as_of`` itself, as it stood; a later instant, as we know it since."""
        if as_of is None:
            if known_at is not None:
                raise InvalidInput("known_at needs as_of: what was known when, about which instant")
            return self.states.load(complaint_id)
        until = self._instant(as_of, "as_of")
        state = fold(self.history(complaint_id, as_of=until))
        if state is None:
            raise ComplaintNotFound(
                "complaint {complaint} did not exist at {until}",
                complaint=complaint_id,
                until=until.isoformat(),
            )
        rules = self.rules_known_at(until if known_at is None else self._instant(known_at, "known_at"))
        return fold(decisions.fire_final(state, rules, until, until), state) or state

    def rules_known_at(self, instant: datetime) -> Rules:
        """The rules with the calendar as it was known at ``instant`` (rule 16)."""
        return self.rules.with_calendars(self.rules.calendars.known_at(instant))

    def history(self, complaint_id: UUID | str, *, as_of: datetime | None = None) -> list[ComplaintEvent]:
        """Every recorded event of the complaint in order (up to ``as_of`` if given)."""
        events = self.log.events_of(parse_complaint_id(complaint_id))
        if not events:
            raise ComplaintNotFound("no complaint {complaint}", complaint=complaint_id)
        if as_of is not None:
            until = self._instant(as_of, "as_of")
            events = [e for e in events if e.at <= until]
        return events

    def pending_deadline(
        self, complaint_id: UUID | str, *, as_of: datetime | None = None, known_at: datetime | None = None
    ) -> Deadline | None:
        """The finishing clock running now, or as of an instant with what was known at another."""
        state, calendars = self._judged(complaint_id, as_of, known_at)
        return pending_deadline(state, calendars)

    def desk_deadlines(
        self, complaint_id: UUID | str, *, as_of: datetime | None = None, known_at: datetime | None = None
    ) -> DeskDeadlines | None:
        """The desk's target and limit now, or as of an instant with what was known at another."""
        state, calendars = self._judged(complaint_id, as_of, known_at)
        return desk_deadlines(state, calendars)

    def _judged(
        self, complaint_id: UUID | str, as_of: datetime | None, known_at: datetime | None
    ) -> tuple[Complaint, Calendars]:
        state = self.complaint(complaint_id, as_of=as_of, known_at=known_at)
        self.calendar_record.catch_up()  # judged by what any process has recorded (rule 16)
        if as_of is None:
            return state, self.rules.calendars
        known = self._instant(as_of if known_at is None else known_at, "known_at")
        return state, self.rules.calendars.known_at(known)

    def import_events(
        self,
        events: Sequence[ComplaintEvent],
        states: Mapping[UUID, Complaint],
        *,
        identities: Sequence[SealedReporter] = (),
    ) -> None:
        """Store already-decided events in one transaction: bulk import and simulation.

        The events are not checked against the rules; ``states`` holds each touched
        complaint's state after them, whose running clock goes into the deadline index.
        Use the command methods for anything a person does. The events are stored marked
        as imported: loading already-decided history is outside rule 13. ``identities`` are
        the new complaints' sealed identities (``seal_identity``), stored in the key store first.
        """
        if not all(isinstance(e, ComplaintEvent) for e in events):
            raise InvalidInput("import_events takes a sequence of ComplaintEvents")
        if not all(isinstance(c, Complaint) for c in states.values()):
            raise InvalidInput("import_events takes each touched complaint's state as a Complaint")
        events = [e if e.imported else e.model_copy(update={"imported": True}) for e in events]
        rows = [
            deadline_row(state, pending_deadline(state, self.rules.calendars)) for state in states.values()
        ]
        if identities:
            self.identities.store_sealed(list(identities))
        try:
            self.log.append(list(events), deadlines=rows)
        except IntegrityError as exc:
            raise ConcurrentUpdate(
                "imported events collide with recorded ones: {reason}", reason=str(exc)
            ) from None
        for state in states.values():
            self.states.forget(state.id)
        if len(self.identities.ring):
            for state in states.values():
                if state.last_institution is not None:
                    self.identities.moved(state)
        self._notify()

    # -- reporters' identities (rules 10 and 14) ------------------------------------------

    def seal_identity(
        self, complaint_id: UUID, reporter: Reporter, *, account: str, at: datetime
    ) -> SealedReporter:
        """A new complaint's identity sealed (nothing stored yet): ``.identity`` and ``.pseudonym``
        go into its ``Submitted`` (``decisions.submit``), and ``import_events(identities=...)``
        stores its key row before the events. For bulk import and simulation."""
        if not isinstance(reporter, Reporter):
            raise InvalidInput("the reporter must be a Reporter, not {kind}", kind=type(reporter).__name__)
        identity = ReporterIdentity(
            reporter=reporter, account=inputs.text(account, "account", max_length=200)
        )
        return self.identities.seal(complaint_id, identity, self._instant(at, "at"))

    def identity(self, complaint_id: UUID | str, *, viewer: Actor, purpose: str) -> IdentityView:
        """The reporter's identity as ``viewer`` may have it: shown (rule 10 entitles the viewer
        and a key this process holds opens it; the showing is written to the disclosure
        register), withheld (rule 10 forbids it), sealed (no key at hand) or erased."""
        if not isinstance(viewer, Actor):
            raise InvalidInput("the viewer must be an Actor, not {kind}", kind=type(viewer).__name__)
        inputs.text(purpose, "purpose", max_length=200)
        return self.identities.identity(self.states.load(complaint_id), viewer, purpose)

    def disclosures(self, complaint_id: UUID | str | None = None) -> list[Disclosure]:
        """The disclosure register: every showing of an identity (of one complaint, if given)."""
        return self.identities.disclosures(None if complaint_id is None else parse_complaint_id(complaint_id))

    def erase(self, complaint_id: UUID | str, *, reason: str, by: Actor, at: datetime) -> Complaint:
        """Rule 14: destroy the reporter's identity of a finished complaint (its data key and
        pseudonym secret), recording ``IdentityErased`` (who, when, why; no personal data).
        By the national desk or the admin team of the institution that held it. Not a
        workflow step: accepted on a finished complaint, it moves no business instant."""
        cid = parse_complaint_id(complaint_id)
        stamp, _ = self._stamp(by, at)
        inputs.text(reason, "reason", max_length=inputs.max_length(IdentityErased, "reason"))
        for _attempt in range(self._retries + 1):
            before = self.states.load(cid)
            event = decisions.erase(before, stamp, reason=reason)
            after = evolve(before, event)
            if self.states.try_record(after, [event], old=None):
                self.identities.destroy([cid])  # interrupted here, ``maintain_keys`` finishes it
                return after
        raise ConcurrentUpdate(
            "complaint {complaint} kept changing under the erasure; try again", complaint=complaint_id
        )

    def erase_expired(
        self, *, by: Actor, at: datetime, reason: str = "retention period passed"
    ) -> list[UUID]:
        """Erase every identity kept past the policy's ``identity_retention`` after its
        complaint finished, as of ``at``; returns the complaints erased."""
        stamp, _ = self._stamp(by, at)
        erased = []
        for cid in self.identities.expired(stamp.at, self.policy.identity_retention):
            self.erase(cid, reason=reason, by=by, at=at)
            erased.append(cid)
        return erased

    def register_reader_keys(self, ring: KeyRing) -> None:
        """Register the public keys of these reader keys (``lapor keys init``): from now on new
        identities are wrapped for them; ``maintain_keys`` wraps older ones where it can."""
        self.keystore.register(
            [(k.key_id, k.reader, k.public) for k in ring], to_micros(self._recording_instant())
        )
        self.identities.vault.active_keys(refresh=True)

    def hold_keys(self, ring: KeyRing) -> None:
        """Hold these private reader keys from now on (instead of those given at opening)."""
        from .sealing.keyfile import KeyRing

        if not isinstance(ring, KeyRing):
            raise InvalidInput("keys are a KeyRing, not {kind}", kind=type(ring).__name__)
        self.identities.vault.ring = ring

    def reader_keys(self, *, active: bool = True) -> list[ReaderPublicKey]:
        return self.keystore.reader_keys(active=active)

    def maintain_keys(self) -> Maintenance:
        """Catch the key store up with the log: holders learnt from disposals, erasures an
        interruption left unfinished, orphan key rows collected, and (with private keys at
        hand) the wraps still wanted made. Idempotent; the sweep's companion."""
        return self.identities.maintain()

    def rotate_keys(self, key_file: str | os.PathLike[str]) -> Rotation:
        """Rotate the reader keys in ``key_file`` (``lapor keys rotate``); see ``Identities.rotate``."""
        return self.identities.rotate(Path(key_file))

    def seal_plaintext_identities(self) -> int:
        """Seal, in place and once, the identities a log recorded before sealing existed;
        returns how many were sealed (0 the second time). For ``lapor upgrade``."""
        return self.identities.seal_plaintext()

    def rebuild_deadline_index(self, *, skip: Collection[UUID] = ()) -> int:
        """Recompute the deadline index from the event log (leaving out the complaints in
        ``skip``: a rebuild from what verifies); returns the rows written."""
        live: list[DeadlineRow] = []
        for events in self.feed.by_complaint(until=self.feed.head(), skip=skip):  # one complaint at a time
            state = fold(events)
            assert state is not None
            row = deadline_row(state, pending_deadline(state, self.rules.calendars))
            if row.due_us is not None:
                live.append(row)
        self.log.deadline_index.replace_deadlines(live)
        return len(live)

    # -- machinery ------------------------------------------------------------------

    def _instant(self, instant: object, what: str) -> datetime:
        """A business instant: aware, and inside the years the policy's calendar covers."""
        return self.policy.business_instant(instant, what)

    def _recording_instant(self) -> datetime:
        """Now, for something to be recorded: refused while the rules' history does not read."""
        if self._damaged_rules is not None:
            raise self._damaged_rules
        return self._now()

    def _now(self) -> datetime:
        return self._instant(self._clock(), "the clock's instant")

    def _stamp(self, actor: Actor, at: datetime, *, at_write: bool = False) -> tuple[Stamp, bool]:
        """Who and when, checked as rule 12 asks first: invalid input, then future-dated (rule 13);
        and whether the rules are left for the write to check (``CalendarHistory.catch_up``)."""
        if not isinstance(actor, Actor):
            raise InvalidInput("the actor must be an Actor, not {kind}", kind=type(actor).__name__)
        stamp = Stamp(actor, self._instant(at, "at"), self._recording_instant())
        # What another process recorded counts here too (rule 16).
        unchecked = self.calendar_record.catch_up(at_write=at_write)
        try:
            entry.check_entered_in_time(stamp, self.policy)
        except InvalidInput:
            if not unchecked:
                raise
            self.calendar_record.catch_up()  # refused on rules not read: read them, ask again
            entry.check_entered_in_time(stamp, self.policy)
            unchecked = False
        return stamp, unchecked

    def _execute(
        self, complaint_id: UUID, actor: Actor, at: datetime, check: Check, decide: Decide
    ) -> Complaint:
        """Decide on the cached state when there is one, without reading the store first.

        The checks run in rule 12's order: not found, invalid input (the stamp, then what
        the command carries), then the entry checks and the decision (``_decide``).
        The store's key (complaint, version) turns a decision made on a stale state into
        an IntegrityError: then the state is reloaded and the command decided again. A
        refusal decided on a cached state is asked again of the fresh state, so a stale
        cache never refuses wrongly. The first attempt leaves the rules for the write to
        check where the store can (``RulesMoved``: decided again on the rules caught up);
        a refusal decided on rules not read is asked again of the rules read.
        """
        cid = parse_complaint_id(complaint_id)
        for attempt in range(self._retries + 2):
            cached = self.states.cached(cid) if attempt == 0 else None
            before = cached if cached is not None else self.states.load(cid)
            stamp, unchecked = self._stamp(actor, at, at_write=attempt == 0)
            seen = self.calendar_record.seen  # before deciding: a refresh meanwhile is newer still
            check()
            try:
                after, event, running = self._decide(before, stamp, decide)
            except LaporError:
                if cached is None and not unchecked:
                    raise
                continue  # refused on a cached state or unread rules: ask the fresh ones
            if self.states.try_record(
                after, [event], old=running, since=running_clock(before), rules_seen=seen
            ):
                return after
        raise ConcurrentUpdate(
            "complaint {complaint} kept changing under this command; try again", complaint=complaint_id
        )

    def _decide(
        self, before: Complaint, stamp: Stamp, decide: Decide
    ) -> tuple[Complaint, ComplaintEvent, Deadline | None]:
        """Rule 13, rule 1, rule 8 (with rule 7: a deadline due by the command's instant has
        finished the complaint), then the command's own rules; with the finishing clock that
        ran before it (the deadline index's row)."""
        policy = self.policy
        running = self.states.pending(before)  # the finishing clock after the last event
        if stamp.at >= before.last_event_at:
            entry.check_clock_not_final(before.id, running, stamp, policy)
        else:
            entry.check_not_too_late(self._as_it_stood(before.id, stamp.at), stamp, self.rules.calendars)
        entry.check_in_order(before, stamp.at, policy)
        entry.check_open(before, self.rules.calendars)
        if running is not None and running.due <= stamp.at:  # it finished the complaint first
            due = decisions.fire_due(before, self.rules, stamp.at, stamp.recorded_at)
            entry.check_open(fold(due, before) or before, self.rules.calendars)
        event = decide(before, stamp)
        return evolve(before, event), event, running

    def _as_it_stood(self, complaint_id: UUID, at: datetime) -> Complaint | None:
        """The complaint folded from its events dated at or before ``at`` (None before it existed)."""
        return fold(e for e in self.log.events_of(complaint_id) if e.at <= at)


def _target_of_kind(target: str, kind: str, wanted: str) -> str:
    if not isinstance(target, str) or parse_target(target).kind != kind:
        raise InvalidInput("expected {wanted}, got {target!r}", wanted=wanted, target=target)
    return target
