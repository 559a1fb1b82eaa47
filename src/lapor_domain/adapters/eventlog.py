"""The eventsourcing application underneath: the complaint log and its recorder."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import ApplicationRecorder, Mapper
from eventsourcing.popo import POPOFactory
from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import SQLiteFactory
from eventsourcing.utils import Environment, EnvType

from ..model.complaint import Complaint, fold
from ..model.events import ComplaintEvent
from .mapper import PydanticMapper
from .recorders import DeadlineIndex, MemoryRecorder, PostgresRecorder, SQLiteRecorder


class ComplaintLog(Application[UUID]):
    """Stores complaint events; configured only by the env it is given."""

    name = "lapor"

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        # The store target alone decides: the process environment is not consulted.
        return Environment(name, dict(env or {}))

    def construct_mapper(self) -> Mapper[UUID]:
        return PydanticMapper()

    def construct_recorder(self) -> ApplicationRecorder:
        factory = self.factory
        recorder: ApplicationRecorder
        if isinstance(factory, SQLiteFactory):
            recorder = SQLiteRecorder(datastore=factory.datastore)
        elif isinstance(factory, PostgresFactory):
            recorder = PostgresRecorder(datastore=factory.datastore)
        elif isinstance(factory, POPOFactory):
            return MemoryRecorder()
        else:  # pragma: no cover - the target parser only names the three
            raise TypeError(f"unsupported persistence factory {type(factory).__name__}")
        recorder.create_table()  # type: ignore[attr-defined]
        return recorder

    @property
    def deadline_index(self) -> DeadlineIndex:
        recorder = self.recorder
        assert isinstance(recorder, DeadlineIndex)
        return recorder

    def events_of(self, complaint_id: UUID, *, after_version: int | None = None) -> list[ComplaintEvent]:
        events: list[ComplaintEvent] = list(self.events.get(complaint_id, gt=after_version))  # type: ignore[arg-type]
        return events

    def load(self, complaint_id: UUID, cached: Complaint | None = None) -> Complaint | None:
        """The complaint folded from its events, fast-forwarding a cached state if given."""
        after = cached.version if cached is not None else None
        return fold(self.events_of(complaint_id, after_version=after), cached)

    def append(self, events: list[ComplaintEvent], **kwargs: Any) -> None:
        self.save(*events, **kwargs)
