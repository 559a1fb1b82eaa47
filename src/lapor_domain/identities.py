"""Reporters' identities for the application: sealed at submission, shown to whom rule 10
entitles with a key at hand, recorded when shown, re-wrapped as a complaint moves, erased.

``LaporApp`` keeps one ``Identities``; its methods are the ``LaporApp`` methods of the same
names. The event log holds only ciphertext and per-complaint pseudonyms; the key store
(``sealing.KeyStore``) holds the wraps, pseudonym secrets, reader public keys and the
disclosure register; private keys are in memory only (``sealing.KeyRing``, from a key file).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

from .adapters.eventlog import ComplaintLog
from .model.actors import Actor, Role
from .model.complaint import Complaint, fold
from .model.desks import DeskKind
from .model.events import ComplaintEvent, Disposed, IdentityErased, ReporterReplied, Submitted
from .model.identity import IdentityState, IdentityView, ReporterIdentity
from .model.instants import to_micros
from .model.privacy import can_see_identity
from .sealing.keyfile import NATIONAL_READER, KeyRing, admin_reader
from .sealing.keystore import Disclosure, KeyStore
from .sealing.vault import IdentityVault, SealedReporter
from .states import ComplaintStates

PLAINTEXT_READER = "plaintext"  # the "key" of an identity recorded before sealing existed
_HOLDERS = "holders"  # the maintenance pass's position in the log
_ORPHANS = "orphans-checked-us"  # rows sealed up to this recording instant were checked
ORPHAN_AGE = timedelta(days=7)
"""A key row whose complaint has no event this long after it was sealed is an orphan (its
submission failed after the row was written, or it was reserved and never used): harmless,
and collected by ``maintain``."""


@dataclass(frozen=True)
class Maintenance:
    """What one ``maintain_keys`` pass did."""

    moved: int  # complaints whose holder the key store learnt from the log
    destroyed: int  # data keys of erased identities destroyed (an erasure interrupted)
    orphans: int  # orphan key rows collected
    rewrapped: int  # wraps made for a new holder or a new reader key
    pending: int  # wanted wraps no key at hand could make


@dataclass(frozen=True)
class Rotation:
    readers: list[str]
    rewrapped: int
    retired: list[str]


class Identities:
    def __init__(
        self,
        log: ComplaintLog,
        states: ComplaintStates,
        store: KeyStore,
        ring: KeyRing,
        clock: Callable[[], datetime],
        *,
        reserve: int = 1,
    ) -> None:
        self.log, self.states, self.store = log, states, store
        self.vault = IdentityVault(store, ring, reserve=reserve)
        self._clock = clock

    @property
    def ring(self) -> KeyRing:
        return self.vault.ring

    def _now_us(self) -> int:
        return to_micros(self._clock())

    # -- sealing ----------------------------------------------------------------------------

    def seal(
        self, complaint_id: UUID, reporter_identity: ReporterIdentity, recorded_at: datetime
    ) -> SealedReporter:
        return self.vault.seal(complaint_id, reporter_identity, to_micros(recorded_at))

    def seal_new(self, reporter_identity: ReporterIdentity, recorded_at: datetime) -> SealedReporter:
        """Sealed with a key row already stored (reserved ahead, in batches of up to ``reserve``
        while submissions keep up with them): nothing more to store."""
        return self.vault.seal_new(reporter_identity, to_micros(recorded_at))

    def store_sealed(self, sealed: list[SealedReporter]) -> None:
        self.vault.store_sealed(sealed, orphan=lambda cid: not self.log.events_of(cid))

    def pseudonym(self, complaint_id: UUID, account: str) -> str:
        """The account's pseudonym for the complaint; an identity recorded before sealing
        has none (its events name the account itself), nor one whose secret is destroyed."""
        return self.vault.pseudonym(complaint_id, account) or account

    @property
    def sealing_for_no_one(self) -> bool:
        """No national reader key is registered: a new identity is sealed for no one."""
        return not any(k.reader == NATIONAL_READER for k in self.vault.active_keys(refresh=True))

    # -- showing ----------------------------------------------------------------------------

    def entitled(self, c: Complaint, viewer: Actor) -> bool:
        """Rule 10 with the flags as they stand now, and the institution's admin team (or its
        units) only where that institution holds the complaint (or held it last)."""
        if not can_see_identity(viewer.role, c.anonymous):
            return False
        return viewer.role is Role.NATIONAL or viewer.institution == c.entitled_institution

    def identity(self, c: Complaint, viewer: Actor, purpose: str) -> IdentityView:
        if not self.entitled(c, viewer):
            return IdentityView(c.id, IdentityState.WITHHELD)
        if c.identity_erased or c.identity is None:
            return IdentityView(c.id, IdentityState.ERASED if c.identity_erased else IdentityState.SEALED)
        if c.identity.is_plaintext:
            shown, reader, kid = c.identity.plaintext_identity(), PLAINTEXT_READER, ""
        else:
            readers = {NATIONAL_READER} | (
                {admin_reader(c.entitled_institution)} if c.entitled_institution else set()
            )
            revealed = self.vault.reveal(c.id, c.identity, readers)
            if revealed is None:  # no key at hand opens it (or none was ever wrapped: no reader key)
                return IdentityView(c.id, IdentityState.SEALED)
            shown, reader, kid = revealed.identity, revealed.key.reader, revealed.key.key_id
        self.store.disclose(self._now_us(), c.id, str(viewer), reader, kid, purpose)
        return IdentityView(c.id, IdentityState.SHOWN, shown, reader, kid)

    def disclosures(self, complaint_id: UUID | None) -> list[Disclosure]:
        return self.store.disclosures(complaint_id)

    # -- moving, maintaining ------------------------------------------------------------------

    def moved(self, c: Complaint) -> None:
        """After a disposal to an institution: with a key at hand, re-wrap for its admin team now
        and drop the other admin teams' wraps; without, ``maintain`` does it (pending)."""
        if not len(self.ring) or c.last_institution is None:
            return
        self.store.move([(c.id, c.last_institution)])
        made, _ = self.vault.wrap_wanted(self.store.wanted(limit=16, complaint_id=c.id))
        self.store.add_wraps(made)

    def maintain(self, *, batch: int = 1000) -> Maintenance:
        """Catch the key store up with the log (holders, interrupted erasures), collect orphan
        rows, and with a key at hand make the wraps wanted. Idempotent; safe to run often."""
        moved, destroyed = self._catch_up(batch)
        orphans = self._collect_orphans(batch)
        rewrapped = pending = 0
        if len(self.ring):
            after: UUID | None = None
            while wanted := self.store.wanted(limit=batch, after=after):
                made, missed = self.vault.wrap_wanted(wanted)
                self.store.add_wraps(made)
                rewrapped, pending = rewrapped + len(made), pending + missed
                after = wanted[-1].complaint_id
        return Maintenance(moved, destroyed, orphans, rewrapped, pending)

    def _catch_up(self, batch: int) -> tuple[int, int]:
        position = self.store.position(_HOLDERS)
        moved = destroyed = 0
        while page := self.log.page_after(position, batch):
            holders: dict[UUID, str] = {}
            erased: list[UUID] = []
            for _, event in page:
                if isinstance(event, Disposed) and event.to.kind is DeskKind.ADMIN and event.to.institution:
                    holders[event.originator_id] = event.to.institution
                elif isinstance(event, IdentityErased):
                    erased.append(event.originator_id)
            self.store.move(list(holders.items()))
            destroyed += self.store.destroy(erased)
            self.vault.forget(erased)
            moved += len(holders)
            position = page[-1][0]
            self.store.set_position(_HOLDERS, position)
        return moved, destroyed

    def _collect_orphans(self, batch: int) -> int:
        checked = self.store.position(_ORPHANS)
        until = self._now_us() - int(ORPHAN_AGE.total_seconds() * 1_000_000)
        collected = 0
        while rows := self.store.sealed_between(checked, until, limit=batch):
            orphans = [cid for cid, _ in rows if not self.log.events_of(cid)]
            collected += self.store.destroy(orphans)
            checked = rows[-1][1]
            self.store.set_position(_ORPHANS, checked)
        return collected

    # -- erasure ----------------------------------------------------------------------------

    def destroy(self, complaint_ids: list[UUID]) -> int:
        self.vault.forget(complaint_ids)
        return self.store.destroy(complaint_ids)

    def expired(self, at: datetime, retention: timedelta) -> list[UUID]:
        """Finished complaints whose identity is kept past the retention, as of ``at``."""
        found = []
        for events in self.log.read_by_complaint(until=self.log.head()):
            c = fold(events)
            if (
                c is not None
                and c.is_finished
                and not c.identity_erased
                and c.last_event_at + retention <= at
            ):
                found.append(c.id)
        return found

    # -- rotation ---------------------------------------------------------------------------

    def rotate(self, key_file: Path, *, batch: int = 500) -> Rotation:
        """Replace the key file's reader keys with new ones, re-wrapping every data key first.

        Resumable: the new keys are written to ``KEYFILE.next`` before anything else and
        registered; each data key wrapped for an old key is wrapped for the new one; then the
        new file replaces the old (the old private keys are gone), and the old public keys are
        retired and their wraps deleted in one transaction. Killed at any point, every identity
        opens with the old key file or the new one, and running it again completes it.
        """
        old = KeyRing.load(key_file)
        pending = key_file.with_name(key_file.name + ".next")
        new = KeyRing.load(pending) if pending.exists() else KeyRing.generate(old.readers)
        if not pending.exists():
            new.save(pending)
        now = self._now_us()
        self.store.register([(k.key_id, k.reader, k.public) for k in new], now)
        both = old | new
        vault = IdentityVault(self.store, both)
        old_ids = [k.key_id for k in old if k.key_id not in {n.key_id for n in new}]
        rewrapped = 0
        after: UUID | None = None
        while ids := self.store.wrapped_for(old_ids, limit=batch, after=after) if old_ids else []:
            for cid in ids:
                found = vault.data_key(cid)
                if found is None:
                    continue
                wraps = self.store.wraps(cid)
                have, readers = {w.key_id for w in wraps}, {w.reader for w in wraps}
                keys = [k for k in new if k.reader in readers and k.key_id not in have]
                made = vault.wrap_for(keys, cid, found[0])
                self.store.add_wraps(made)
                rewrapped += len(made)
            after = ids[-1]
        pending.replace(key_file)  # the new private keys take the old ones' place
        self.vault.ring = new | KeyRing(k for k in self.ring if k.reader not in old.readers)
        self.vault.active_keys(refresh=True)
        self.store.retire(old_ids, self._now_us(), lambda stragglers: vault.rewrap_for(stragglers, both))
        return Rotation(new.readers, rewrapped, old_ids)

    # -- sealing what was recorded before sealing -----------------------------------------------

    def seal_plaintext(self, *, batch: int = 200) -> int:
        """Seal every identity the log still holds in plain text (recorded before sealing),
        rewriting those stored events in place: the Submitted's identity, and the reporter's
        account id on it and on every reply, become ciphertext and the pseudonym. Each
        complaint's key row is written before its events are rewritten. Returns how many."""
        sealed = 0
        todo: list[tuple[SealedReporter, list[ComplaintEvent]]] = []
        for events in self.log.read_by_complaint(until=self.log.head()):
            first = events[0]
            if not isinstance(first, Submitted) or not first.identity.is_plaintext:
                continue
            c = fold(events)
            assert c is not None
            plain = first.identity.plaintext_identity()
            new = self.vault.seal(c.id, plain, to_micros(first.recorded_at), holder=c.last_institution)
            account = plain.account
            rewritten: list[ComplaintEvent] = [
                first.model_copy(update={"identity": new.identity, "actor": Actor.reporter(new.pseudonym)})
            ]
            rewritten += [
                e.model_copy(update={"actor": Actor.reporter(new.pseudonym)})
                for e in events[1:]
                if isinstance(e, ReporterReplied) and e.actor.person == account
            ]
            todo.append((new, rewritten))
            if len(todo) >= batch:
                sealed += self._seal_batch(todo)
                todo = []
        return sealed + self._seal_batch(todo)

    def _seal_batch(self, todo: list[tuple[SealedReporter, list[ComplaintEvent]]]) -> int:
        if not todo:
            return 0
        self.vault.store_sealed([s for s, _ in todo], orphan=lambda cid: True)
        self.log.rewrite([e for _, events in todo for e in events])
        for s, _ in todo:
            self.states.forget(s.complaint_id)
        return len(todo)
