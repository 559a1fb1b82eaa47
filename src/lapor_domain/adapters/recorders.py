"""Recorders that keep the deadline index in the same transaction as the events.

The index holds, per open complaint with a running finishing clock, the instant
(UTC microseconds) its next deadline falls due, and what that clock counts from (so
that an amendment's repair needs no complaint). A sweep asks the index, never the
complaints that are not due; the covering index ``(due_us, complaint_id)`` keeps that
one range scan whatever the number of open complaints. The index is derived data:
``replace_deadlines`` rebuilds it from a fold of the log.

Rows travel as the ``deadlines`` keyword of ``insert_events``: a sequence of
``DeadlineRow``; a row whose ``due_us`` is None removes the complaint's entry.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder

from ..merkle import Frontier
from .chaining import (
    Chained,
    Head,
    Key,
    LedgerRow,
    OverrideRow,
    Row,
    SignedRow,
    Upgraded,
    chain,
    wanted_previous,
)

TABLE = "lapor_deadlines"


class DeadlineRow(NamedTuple):
    """A complaint's row: its running finishing clock's due instant and kind, and what the
    clock counts from (its start, UTC microseconds, and the institution whose calendar it
    counts on; None for the national one), so that an amendment's repair needs no complaint.
    A row written before the index kept the start has none: the repair loads that complaint."""

    complaint_id: UUID
    due_us: int | None
    clock: str | None
    start_us: int | None = None
    institution: str | None = None


@runtime_checkable
class DeadlineIndex(Protocol):
    def select_due(self, until_us: int, limit: int) -> list[tuple[UUID, int]]:
        """Complaints due at or before `until_us`, earliest first."""

    def select_clocks_between(self, from_us: int, before_us: int) -> list[DeadlineRow]:
        """The rows due at or after ``from_us`` and before ``before_us``, earliest first: those an
        amendment of the calendar may move, whole, for its repair to recompute (rule 16)."""

    def count_deadlines(self) -> int: ...

    def replace_deadlines(self, rows: Iterable[DeadlineRow]) -> None:
        """Forget the index and write these rows instead (a rebuild)."""


EventRow = tuple[UUID | str, int, str, bytes]
"""A stored event's columns: originator_id, originator_version, topic, state."""


@runtime_checkable
class ComplaintOrder(Protocol):
    def select_by_complaint(
        self, *, after: tuple[UUID | str, int] | None, until: int, limit: int, before: UUID | None = None
    ) -> list[EventRow]:
        """Events at log positions up to ``until``, ordered by complaint then version,
        starting after the (complaint, version) ``after`` and, with ``before``, only of
        complaints whose id sorts before it (one share of the key space).

        A rebuild reads the log this way to fold one complaint at a time. The rows come
        from the primary key, so no position below ``until`` is skipped or read twice.
        Plain rows, not StoredEvents: a rebuild reads millions.
        """


@runtime_checkable
class AppendListener(Protocol):
    """A store that tells a waiting reader when events were recorded."""

    def start_listening(self) -> None:
        """From now on, an append wakes ``wait_for_append`` (idempotent)."""

    def wait_for_append(self, timeout: float, stop: threading.Event | None) -> bool:
        """True once events were recorded since listening started or the last True; False when
        ``stop`` is set or ``timeout`` seconds pass first."""

    def stop_listening(self) -> None: ...


class RulesSeen(NamedTuple):
    """The heads of the rules' streams (calendar, policy) a decision was made on (rule 16)."""

    streams: tuple[UUID, ...]
    heads: tuple[int, ...]


class RulesMoved(Exception):
    """The rules' streams moved after the decision being written was made on them (another
    process recorded an amendment or a policy version): nothing was written; catch up with the
    rules and decide again."""


@runtime_checkable
class DirectAppend(Protocol):
    """A store that writes one command's rows itself, without the library's write path."""

    def append_rows(
        self,
        stored_events: Sequence[StoredEvent],
        deadlines: Sequence[DeadlineRow],
        rules: RulesSeen | None = None,
    ) -> None:
        """The events and the deadline rows, in one durable transaction; the library's
        IntegrityError when an event's (complaint, version) is taken; ``RulesMoved`` when
        ``rules`` are given and the rules' streams reach elsewhere in that transaction."""

    def close_writer(self) -> None: ...


@runtime_checkable
class StreamHeads(Protocol):
    """A store that says, in one query, how far some streams reach."""

    def stream_heads(self, streams: Sequence[UUID]) -> dict[UUID, int]:
        """Each stream's latest version; a stream with no event is left out."""


WAKE_SLICE = 0.1
"""How often a waiting reader looks at its stop event, in seconds."""


def deadline_rows(kwargs: dict[str, Any]) -> Sequence[DeadlineRow]:
    rows: Sequence[DeadlineRow] = kwargs.get("deadlines", ())
    return rows


class MemoryRecorder(POPOApplicationRecorder):
    """The in-memory store, for tests and short-lived embedding; chained like the others."""

    def __init__(self) -> None:
        super().__init__()
        self._deadlines: dict[UUID, tuple[int, str, int | None, str | None]] = {}
        self._appended: threading.Event | None = None
        self._ledger: list[Chained] = []  # beside _stored_events, one per event
        self._frontier = Frontier()
        self._signed: list[SignedRow] = []
        self._overrides: list[OverrideRow] = []

    def start_listening(self) -> None:
        with self._database_lock:
            if self._appended is None:
                self._appended = threading.Event()
                self.listen(self._appended)  # the library sets it after every insert

    def wait_for_append(self, timeout: float, stop: threading.Event | None = None) -> bool:
        self.start_listening()
        assert self._appended is not None
        deadline = time.monotonic() + timeout
        while not (stop is not None and stop.is_set()):
            if self._appended.wait(max(0.0, min(WAKE_SLICE, deadline - time.monotonic()))):
                self._appended.clear()
                return True
            if time.monotonic() >= deadline:
                break
        return False

    def stop_listening(self) -> None:
        if self._appended is not None:
            self.unlisten(self._appended)
            self._appended = None

    def _update_table(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        rows: list[Row] = [(s.originator_id, s.originator_version, s.topic, s.state) for s in stored_events]
        previous = {
            cid: digest
            for cid, version in wanted_previous(rows).items()
            if (digest := self.ledger_digest(cid, version)) is not None
        }
        chained, frontier = chain(rows, self._frontier, previous)
        ids = super()._update_table(stored_events, **kwargs)
        self._ledger += chained
        self._frontier = frontier
        self._apply(deadline_rows(kwargs))
        return ids

    def _apply(self, rows: Iterable[DeadlineRow]) -> None:
        for row in rows:
            if row.due_us is None or row.clock is None:
                self._deadlines.pop(row.complaint_id, None)
            else:
                self._deadlines[row.complaint_id] = (row.due_us, row.clock, row.start_us, row.institution)

    # -- the ledger (chaining.LedgerStore) ------------------------------------------------

    def ledger_head(self) -> Head | None:
        with self._database_lock:
            return Head(self._frontier.size, self._frontier.to_bytes(), True, len(self._stored_events))

    def ledger_page(self, *, after: int, until: int, limit: int) -> list[LedgerRow]:
        with self._database_lock:
            end = min(until, len(self._stored_events), after + limit)
            return [self._row(position) for position in range(after + 1, end + 1)]

    def _row(self, position: int) -> LedgerRow:
        s, k = self._stored_events[position - 1], self._ledger[position - 1]
        return (
            position,
            s.originator_id,
            s.originator_version,
            s.topic,
            s.state,
            k.leaf,
            k.digest,
            k.previous,
        )

    def stream_heads(self, streams: Sequence[UUID]) -> dict[UUID, int]:
        with self._database_lock:
            found = ((s, self._stored_events_index.get(str(s))) for s in streams)
            return {s: max(versions) for s, versions in found if versions}

    def ledger_digest(self, complaint_id: Key, version: int) -> bytes | None:
        with self._database_lock:
            index = self._stored_events_index.get(str(complaint_id), {}).get(version)
            return None if index is None else self._ledger[index].digest

    def ledger_chain(self, complaint_id: UUID) -> list[LedgerRow]:
        with self._database_lock:
            versions = self._stored_events_index.get(str(complaint_id), {})
            return [self._row(versions[v] + 1) for v in sorted(versions)]

    def signed_heads(self) -> list[SignedRow]:
        return list(self._signed)

    def add_signed_head(self, row: SignedRow) -> None:
        self._signed.append(row)

    def overrides(self) -> list[OverrideRow]:
        return list(self._overrides)

    def add_override(self, row: OverrideRow) -> None:
        self._overrides.append(row)

    def all_deadlines(self) -> list[DeadlineRow]:
        with self._database_lock:
            return sorted(DeadlineRow(c, *row) for c, row in self._deadlines.items())

    def upgrade_ledger(self, limit: int) -> Upgraded:
        head = self.ledger_head()
        assert head is not None
        return Upgraded(0, head)  # a memory store is chained from its first event

    def select_by_complaint(
        self, *, after: tuple[UUID | str, int] | None, until: int, limit: int, before: UUID | None = None
    ) -> list[EventRow]:
        start = (UUID(int=0), 0) if after is None else (UUID(str(after[0])), after[1])
        with self._database_lock:
            keys = sorted(
                (UUID(originator_id), version, position)
                for originator_id, versions in self._stored_events_index.items()
                for version, position in versions.items()
                if position < until
                and (UUID(originator_id), version) > start
                and (before is None or UUID(originator_id) < before)
            )
            found = [self._stored_events[position] for _, _, position in keys[:limit]]
        return [(s.originator_id, s.originator_version, s.topic, s.state) for s in found]

    def rewrite_states(self, stored_events: Sequence[StoredEvent]) -> None:
        """Replace the stored state of these (complaint, version) rows (sealing old identities)."""
        with self._database_lock:
            for s in stored_events:
                position = self._stored_events_index[str(s.originator_id)][s.originator_version]
                self._stored_events[position] = s

    def select_due(self, until_us: int, limit: int) -> list[tuple[UUID, int]]:
        with self._database_lock:
            due = sorted((d, str(c), c) for c, (d, *_) in self._deadlines.items() if d <= until_us)
        return [(c, d) for d, _, c in due[:limit]]

    def select_clocks_between(self, from_us: int, before_us: int) -> list[DeadlineRow]:
        with self._database_lock:
            due = sorted(
                (d, str(c), DeadlineRow(c, d, clock, start, institution))
                for c, (d, clock, start, institution) in self._deadlines.items()
                if from_us <= d < before_us
            )
        return [row for *_, row in due]

    def count_deadlines(self) -> int:
        return len(self._deadlines)

    def replace_deadlines(self, rows: Iterable[DeadlineRow]) -> None:
        with self._database_lock:
            self._deadlines.clear()
            self._apply(rows)
