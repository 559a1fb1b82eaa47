"""The identity vault: what the application asks of the sealing machinery.

It seals a new identity (a data key and a pseudonym secret of the complaint's own, the data
key wrapped for every active key of the readers rule 10 entitles), answers a reporter's
pseudonym, reveals an identity with a private key the process holds, re-wraps for a new
holder or new reader keys, rotates reader keys and destroys data keys. It holds private
keys only in memory, from a ``KeyRing`` (a key file); the key store holds public keys only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

from ..model.identity import ReporterIdentity, SealedIdentity
from . import crypto
from .keyfile import NATIONAL_READER, KeyRing, ReaderKey, admin_reader
from .keystore import DataKeyRow, KeyStore, ReaderPublicKey, StaleReaders, WantedWrap, Wrap

_SECRETS_CACHED = 10_000
RESERVED_FOR_US = 24 * 60 * 60 * 1_000_000
"""A reserved key row is used within a day of the recording clock, or not at all (the
maintenance pass collects rows without events only after a week: never one still in use)."""


@dataclass(frozen=True)
class _Reserved:
    complaint_id: UUID
    data_key: bytes
    secret: bytes
    sealed_us: int


@dataclass(frozen=True)
class SealedReporter:
    """A new identity, sealed: what the event carries, and the key store's row (written first)."""

    complaint_id: UUID
    identity: SealedIdentity
    pseudonym: str
    row: DataKeyRow
    data_key: bytes  # in memory only, to wrap again if the reader keys changed meanwhile

    @property
    def readers(self) -> list[str]:
        return sorted({w.reader for w in self.row.wraps})


@dataclass(frozen=True)
class Revealed:
    identity: ReporterIdentity
    key: ReaderKey


class IdentityVault:
    def __init__(self, store: KeyStore, ring: KeyRing, *, reserve: int = 1) -> None:
        self.store = store
        self.ring = ring
        self.reserve = reserve
        self._batch = 1  # grows while reserved rows are used up in time, back to 1 when some expire
        self._active: list[ReaderPublicKey] | None = None
        self._secrets: OrderedDict[UUID, bytes] = OrderedDict()
        self._reserved: list[_Reserved] = []
        self._lock = threading.Lock()

    # -- sealing --------------------------------------------------------------------------

    def active_keys(self, *, refresh: bool = False) -> list[ReaderPublicKey]:
        if self._active is None or refresh:
            self._active = self.store.reader_keys()
        return self._active

    def seal(
        self, complaint_id: UUID, identity: ReporterIdentity, sealed_us: int, *, holder: str | None = None
    ) -> SealedReporter:
        """Seal without storing (pure crypto): the national desk's keys get a wrap (and the
        holder's admin team's, for an identity sealed after the fact)."""
        data_key, secret = crypto.new_secret(), crypto.new_secret()
        sealed = crypto.seal(data_key, complaint_id, identity)
        row = DataKeyRow(complaint_id, secret, holder, sealed_us, self._wraps(complaint_id, data_key, holder))
        return SealedReporter(complaint_id, sealed, crypto.pseudonym(secret, identity.account), row, data_key)

    def seal_new(self, identity: ReporterIdentity, now_us: int) -> SealedReporter:
        """A new complaint's identity sealed with a data key already in the key store: rows are
        reserved ``reserve`` at a time (new complaint ids, data keys wrapped for the readers,
        pseudonym secrets) in one transaction, so the key is written before the event that uses
        it at a fraction of a transaction each. An unused reserved row is an orphan: harmless,
        collected by the maintenance pass."""
        with self._lock:
            fresh = [r for r in self._reserved if now_us - r.sealed_us < RESERVED_FOR_US]
            if len(fresh) < len(self._reserved):
                self._batch = 1  # submissions come slower than reservations: reserve fewer
            self._reserved = fresh
            if not self._reserved:
                self._reserved = self._reserve(now_us, self._batch)
                self._batch = min(self.reserve, self._batch * 2)
            taken = self._reserved.pop()
            self._remember(taken.complaint_id, taken.secret)
        sealed = crypto.seal(taken.data_key, taken.complaint_id, identity)
        row = DataKeyRow(taken.complaint_id, taken.secret, None, taken.sealed_us, ())
        return SealedReporter(
            taken.complaint_id, sealed, crypto.pseudonym(taken.secret, identity.account), row, taken.data_key
        )

    def _reserve(self, now_us: int, count: int) -> list[_Reserved]:
        fresh = [_Reserved(uuid4(), crypto.new_secret(), crypto.new_secret(), now_us) for _ in range(count)]
        for _attempt in range(5):
            national = [k for k in self.active_keys() if k.reader == NATIONAL_READER]
            wrappers = {k.key_id: crypto.Wrapper(k.public) for k in national}  # one agreement a batch
            wraps = [self._wraps(r.complaint_id, r.data_key, None, wrappers) for r in fresh]
            pairs = zip(fresh, wraps, strict=True)
            rows = [DataKeyRow(r.complaint_id, r.secret, None, now_us, w) for r, w in pairs]
            try:
                self.store.store(rows, for_keys=frozenset(k.key_id for k in self.active_keys()))
                return fresh
            except StaleReaders:
                self.active_keys(refresh=True)
        raise StaleReaders("the reader keys kept changing")  # pragma: no cover

    def _wraps(
        self,
        complaint_id: UUID,
        data_key: bytes,
        holder: str | None,
        wrappers: dict[str, crypto.Wrapper] | None = None,
    ) -> list[Wrap]:
        readers = {NATIONAL_READER} | ({admin_reader(holder)} if holder else set())
        made = []
        for k in self.active_keys():
            if k.reader in readers:
                wrapper = wrappers.get(k.key_id) if wrappers is not None else None
                wrapped = (wrapper or crypto.Wrapper(k.public))(k.reader, complaint_id, data_key)
                made.append(Wrap(complaint_id, k.key_id, k.reader, wrapped))
        return made

    def store_sealed(
        self, sealed: Sequence[SealedReporter], *, orphan: Callable[[UUID], bool] | None = None
    ) -> None:
        """Write the rows of these sealed identities, before their events (a crash between leaves
        an orphan row: harmless, it opens nothing the log holds, and ``maintain`` collects it)."""
        rows = [s.row for s in sealed]
        for _attempt in range(5):
            try:
                self.store.store(
                    rows, for_keys=frozenset(k.key_id for k in self.active_keys()), replace_orphans=orphan
                )
                break
            except StaleReaders:  # a rotation registered or retired a reader key meanwhile
                self.active_keys(refresh=True)
                rows = [
                    s.row._replace(wraps=self._wraps(s.complaint_id, s.data_key, s.row.holder))
                    for s in sealed
                ]
        else:  # pragma: no cover - five rotations during one submission
            raise StaleReaders("the reader keys kept changing")
        with self._lock:
            for s in sealed:
                self._remember(s.complaint_id, s.row.pseudonym_secret)

    # -- pseudonyms -----------------------------------------------------------------------

    def pseudonym(self, complaint_id: UUID, account: str) -> str | None:
        """The account's pseudonym for this complaint; None once its secret is destroyed."""
        with self._lock:
            secret = self._secrets.get(complaint_id)
        if secret is None:
            secret = self.store.pseudonym_secret(complaint_id)
            if secret is None:
                return None
            with self._lock:
                self._remember(complaint_id, secret)
        return crypto.pseudonym(secret, account)

    def _remember(self, complaint_id: UUID, secret: bytes) -> None:
        self._secrets[complaint_id] = secret
        while len(self._secrets) > _SECRETS_CACHED:
            self._secrets.popitem(last=False)

    def forget(self, complaint_ids: Iterable[UUID]) -> None:
        with self._lock:
            for cid in complaint_ids:
                self._secrets.pop(cid, None)

    # -- revealing and re-wrapping ----------------------------------------------------------

    def data_key(
        self, complaint_id: UUID, wraps: Sequence[Wrap] | None = None
    ) -> tuple[bytes, ReaderKey] | None:
        """The complaint's data key, unwrapped with a private key this process holds."""
        for wrap in self.store.wraps(complaint_id) if wraps is None else wraps:
            key = self.ring.get(wrap.key_id)
            if key is None:
                continue
            try:
                return crypto.unwrap(key.private, wrap.reader, complaint_id, wrap.wrapped), key
            except crypto.Unreadable:
                continue
        return None

    def reveal(self, complaint_id: UUID, sealed: SealedIdentity, readers: set[str]) -> Revealed | None:
        """The identity, opened with a key of one of ``readers`` that this process holds."""
        if not len(self.ring):
            return None
        wraps = [w for w in self.store.wraps(complaint_id) if w.reader in readers]
        found = self.data_key(complaint_id, wraps)
        if found is None:
            return None
        data_key, key = found
        return Revealed(crypto.open_sealed(data_key, complaint_id, sealed), key)

    def wrap_wanted(self, wanted: Sequence[WantedWrap]) -> tuple[list[Wrap], int]:
        """Wraps for the wanted (complaint, reader key) pairs this process can open; and how
        many it could not (no key at hand opens that data key)."""
        made: list[Wrap] = []
        missed = 0
        keys: dict[UUID, bytes | None] = {}
        for want in wanted:
            if want.complaint_id not in keys:
                found = self.data_key(want.complaint_id)
                keys[want.complaint_id] = found[0] if found else None
            data_key = keys[want.complaint_id]
            if data_key is None:
                missed += 1
                continue
            blob = crypto.wrap(want.public, want.reader, want.complaint_id, data_key)
            made.append(Wrap(want.complaint_id, want.key_id, want.reader, blob))
        return made, missed

    def wrap_for(self, keys: Iterable[ReaderKey], complaint_id: UUID, data_key: bytes) -> list[Wrap]:
        return [
            Wrap(complaint_id, k.key_id, k.reader, crypto.wrap(k.public, k.reader, complaint_id, data_key))
            for k in keys
        ]

    def rewrap_for(self, stragglers: list[Wrap], ring: KeyRing) -> list[Wrap]:
        """For a rotation's last transaction: each straggler's data key (opened with ``ring``)
        wrapped for the active keys of its reader."""
        made = []
        active = self.store.reader_keys()
        for wrap in stragglers:
            key = ring.get(wrap.key_id)
            if key is None:
                continue
            data_key = crypto.unwrap(key.private, wrap.reader, wrap.complaint_id, wrap.wrapped)
            for k in active:
                if k.reader == wrap.reader:
                    blob = crypto.wrap(k.public, k.reader, wrap.complaint_id, data_key)
                    made.append(Wrap(wrap.complaint_id, k.key_id, k.reader, blob))
        return made
