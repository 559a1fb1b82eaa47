"""A pydantic mapper for eventsourcing 9.5 (which ships none).

Stored topic: the event's stable ``stored_name``, not its Python path.
Stored state: the event's JSON without ``originator_id``/``originator_version``
(the row holds those), with ``"class_version": N`` first when N > 1. Reading an
older version runs the class's ``upcast_vN_vN+1`` static methods in turn.
A stored event that does not read back (an unknown name, a state that does not
decode or validate) is a damaged store: ``StoreCorrupt`` naming the complaint and version.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from pydantic import ValidationError

from ..errors import StoreCorrupt
from ..model.events import LogEvent, event_class

_IDS = {"originator_id", "originator_version"}
_IDS_AND_NOT_IMPORTED = _IDS | {"imported"}  # the flag is stored only when set
_VERSION_PREFIX = b'{"class_version":'


class _NoTranscoder(Transcoder):
    """The pydantic mapper encodes by itself; the library's JSON transcoder is unused."""

    def encode(self, obj: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError


class PydanticMapper(Mapper[UUID]):
    def __init__(self) -> None:
        super().__init__(transcoder=_NoTranscoder())

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        event: LogEvent = domain_event
        cls = type(event)
        # The serializer model_dump_json calls, with its defaults, minus a decode and an encode.
        state = cls.__pydantic_serializer__.to_json(
            event, exclude=_IDS if event.imported else _IDS_AND_NOT_IMPORTED
        )
        if cls.class_version > 1:
            state = b"%s%d,%s" % (_VERSION_PREFIX, cls.class_version, state[1:])
        return StoredEvent(
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=cls.stored_name,
            state=state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return self.decode(
            stored_event.topic,
            stored_event.originator_id,
            stored_event.originator_version,
            stored_event.state,
        )

    def decode(self, topic: str, originator_id: UUID | str, version: int, state: bytes) -> LogEvent:
        """The event stored as these column values (a rebuild reads rows without StoredEvents)."""
        try:
            return _decode(topic, originator_id, version, state)
        except (LookupError, ValueError, TypeError, AttributeError) as exc:  # ValueError: JSON, pydantic
            raise StoreCorrupt(
                "the stored event {event} of complaint {complaint} cannot be read (stored name "
                "{topic!r}): {reason}",
                event=version,
                complaint=originator_id,
                topic=topic,
                reason=_first_line(exc),
                complaint_id=str(originator_id),
                version=version,
            ) from exc


def _first_line(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"{'.'.join(str(part) for part in first['loc']) or 'the event'}: {first['msg']}"
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _decode(topic: str, originator_id: UUID | str, version: int, state: bytes) -> LogEvent:
    cls = event_class(topic)
    state = bytes(state)
    if state.startswith(_VERSION_PREFIX) or cls.class_version > 1:
        return _upcast(cls, json.loads(state), originator_id, version)
    # A text id (SQLite's hex) goes to the validator as it is: it parses UUIDs itself.
    key = originator_id.encode() if isinstance(originator_id, str) else str(originator_id).encode()
    ids = b'{"originator_id":"%s","originator_version":%d,' % (key, version)
    return cls.model_validate_json(ids + state[1:] if len(state) > 2 else ids[:-1] + b"}")


def _upcast(cls: type[LogEvent], state: dict[str, Any], originator_id: UUID | str, version: int) -> LogEvent:
    from_version = state.pop("class_version", 1)
    while from_version < cls.class_version:
        getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
        from_version += 1
    state["originator_id"] = originator_id
    state["originator_version"] = version
    return cls.model_validate(state)
