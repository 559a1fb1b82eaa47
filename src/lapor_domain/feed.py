"""The public event feed: what read models, embedding services and integrations read.

The log gives every recorded event a *position*: a whole number, increasing in the
order the events were recorded, with no position read twice. A consumer keeps the
position it has reached and asks for what came after it; a rebuild reads the log
complaint by complaint up to a position. ``wait`` blocks until something may have
been recorded: on PostgreSQL it is woken by the store's notifications (LISTEN /
NOTIFY, sent with every append); the in-memory store wakes it too; on SQLite, which
has no notifications, it simply waits out its timeout, so a follower there polls.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator
from typing import NamedTuple
from uuid import UUID

from .adapters.eventlog import ComplaintLog
from .errors import InvalidInput
from .model.events import ComplaintEvent, LogEvent


class RecordedEvent(NamedTuple):
    """An event and its position in the log."""

    position: int
    event: LogEvent


class EventFeed:
    """Read-only access to one application's log, in recorded order or complaint by complaint."""

    def __init__(self, log: ComplaintLog) -> None:
        self._log = log

    def head(self) -> int:
        """The position of the latest recorded event; 0 for an empty log."""
        return self._log.head()

    def after(self, position: int, *, limit: int = 1000) -> list[RecordedEvent]:
        """Up to ``limit`` events recorded after ``position``, in recorded order."""
        _whole(position, "position", least=0)
        _whole(limit, "limit", least=1)
        return [RecordedEvent(p, e) for p, e in self._log.page_after(position, limit)]

    def since(self, position: int = 0, *, batch: int = 1000) -> Iterator[RecordedEvent]:
        """Every event recorded after ``position``, in recorded order, read ``batch`` at a time."""
        _whole(position, "position", least=0)
        _whole(batch, "batch", least=1)
        for p, e in self._log.read_all(after=position, batch=batch):
            yield RecordedEvent(p, e)

    def by_complaint(
        self,
        *,
        until: int,
        start: UUID | None = None,
        before: UUID | None = None,
        batch: int = 5000,
        skip: Collection[UUID] = (),
    ) -> Iterator[list[ComplaintEvent]]:
        """Each complaint's events recorded up to position ``until``, one complaint at a time,
        in complaint-id order (ids in [start, before) when given): a fold of any log in
        bounded memory. The complaints in ``skip`` are left out without being read back (a
        rebuild from what verifies, when an operator accepted a damaged log)."""
        _whole(until, "until", least=0)
        _whole(batch, "batch", least=1)
        if not all(isinstance(c, UUID) for c in skip):
            raise InvalidInput("the complaints to skip are UUIDs")
        return self._log.read_by_complaint(until=until, start=start, before=before, batch=batch, skip=skip)

    @property
    def notifies(self) -> bool:
        """Whether ``wait`` is woken by the store when an event is recorded (else it polls)."""
        return self._log.notifies

    def listen(self) -> None:
        """Start noticing appends now, so that one recorded between a read and the next
        ``wait`` wakes that wait (a follower calls this before its first read)."""
        self._log.start_listening()

    def wait(self, timeout: float, stop: threading.Event | None = None) -> bool:
        """Block until an event may have been recorded, ``stop`` is set, or ``timeout`` seconds
        pass; True when woken by the store (PostgreSQL, memory), False otherwise. Appends since
        ``listen`` (or the first ``wait``) count."""
        if not timeout >= 0:
            raise InvalidInput(
                "a wait's timeout must be zero or more seconds, got {timeout!r}", timeout=timeout
            )
        return self._log.wait_for_append(timeout, stop)


def _whole(value: object, what: str, *, least: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise InvalidInput(
            "the feed's {what} must be a whole number of at least {least}, got {value!r}",
            what=what,
            least=least,
            value=value,
        )
    return value
